"""活动台账's services: recording, the rules every way in shares, who may do what, evidence files."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from campaigns.choices_activities import AttachmentKind, TalkTargetKind
from campaigns.models import Activity, ActivityAttachment, ActivityQuantity
from campaigns.services import activity_delete, activity_update, attachment_add, attachment_remove

from .activity_helpers import data, pdf, png, record, script_as_jpg, talk

pytestmark = pytest.mark.django_db


def test_township_records_its_own_activity_with_quantities(township_a_user, district):
    activity = record(
        township_a_user,
        district.township_a,
        subtype_code="safety-month",
        sessions=2,
        participants=350,
        quantities={"banner": 20, "leaflet": 1500, "board": 0},
    )
    assert activity.organiser == district.township_a and activity.created_by == township_a_user
    amounts = {q.unit.code: q.amount for q in activity.quantities.all()}
    assert amounts == {"banner": 20, "leaflet": 1500}  # a zero is "none", not a row
    assert activity.history.count() == 1


def test_township_may_record_for_its_community_but_not_for_another_township(township_a_user, district):
    record(township_a_user, district.community_a)
    with pytest.raises(ValidationError) as exc:
        record(township_a_user, district.township_b)
    assert "organiser" in exc.value.message_dict


def test_department_records_only_in_its_own_name(department_user, district):
    record(department_user, district.dept_construction, kind_code="training", subtype_code="principal")
    with pytest.raises(ValidationError) as exc:
        record(department_user, district.dept_emergency)
    assert "organiser" in exc.value.message_dict


def test_leader_cannot_record(leader, district):
    with pytest.raises(PermissionDenied):
        record(leader, district.township_a)


def test_rules_are_reported_together_by_field(officer, district):
    future = dt.date.today() + dt.timedelta(days=2)
    with pytest.raises(ValidationError) as exc:
        record(
            officer,
            district.township_a,
            on=future,
            subtype_code="principal",  # a training audience, not a publicity sub-type
            theme="  ",
            sessions=0,
        )
    errors = exc.value.message_dict
    assert {"date", "subtype", "theme", "sessions"} <= set(errors)
    assert "日期不能晚于今天" in errors["date"][0]


def test_a_talk_names_who_was_talked_to_and_why(officer, district, enterprise_a):
    with pytest.raises(ValidationError) as exc:
        record(officer, district.district, kind_code="meeting", subtype_code="talk", theme="约谈")
    assert {"talk_targets", "talk_reason"} <= set(exc.value.message_dict)
    activity = talk(
        officer,
        district.district,
        [
            (TalkTargetKind.TOWNSHIP, district.township_a, None),
            (TalkTargetKind.DEPARTMENT, district.dept_construction, None),
            (TalkTargetKind.ENTERPRISE, None, enterprise_a),
        ],
    )
    assert activity.is_talk and activity.talk_targets.count() == 3


def test_talk_target_kind_must_match_the_unit(officer, district):
    with pytest.raises(ValidationError) as exc:
        talk(officer, district.district, [(TalkTargetKind.TOWNSHIP, district.dept_construction, None)])
    assert "talk_targets" in exc.value.message_dict


def test_targets_only_on_a_talk(officer, district):
    with pytest.raises(ValidationError) as exc:
        record(
            officer,
            district.township_a,
            kind_code="meeting",
            subtype_code="safety-committee",
            talk_reason="不该有",
        )
    assert "talk_reason" in exc.value.message_dict


def test_update_replaces_quantities_and_keeps_history(township_a_user, district):
    activity = record(township_a_user, district.township_a, quantities={"banner": 5, "leaflet": 100})
    changed = data(district.township_a, theme="消防宣传", quantities={"banner": 8, "media": 2})
    activity_update(user=township_a_user, activity=activity, data=changed)
    activity.refresh_from_db()
    assert activity.theme == "消防宣传"
    assert {q.unit.code: q.amount for q in activity.quantities.all()} == {"banner": 8, "media": 2}
    assert activity.history.count() == 2


def test_other_township_and_leader_cannot_change(township_a_user, township_b_user, leader, district):
    activity = record(township_a_user, district.township_a)
    for user in (township_b_user, leader):
        with pytest.raises(PermissionDenied):
            activity_update(user=user, activity=activity, data=data(district.township_a))
        with pytest.raises(PermissionDenied):
            activity_delete(user=user, activity=activity)


def test_delete_removes_the_activity_with_its_quantities_and_keeps_the_history(
    township_a_user, district, django_capture_on_commit_callbacks
):
    activity = record(township_a_user, district.township_a, quantities={"banner": 3}, files=[png()])
    with django_capture_on_commit_callbacks(execute=True):
        activity_delete(user=township_a_user, activity=activity)
    assert not Activity.objects.exists() and not ActivityQuantity.objects.exists()
    assert not ActivityAttachment.objects.exists()
    assert activity.history.model.objects.filter(id=activity.pk, history_type="-").exists()


def test_photos_and_pdfs_are_checked_by_content(township_a_user, district):
    activity = record(township_a_user, district.township_a, files=[png(), pdf()])
    kinds = sorted(activity.attachments.values_list("kind", flat=True))
    assert kinds == [AttachmentKind.PDF, AttachmentKind.PHOTO]
    names = set(activity.attachments.values_list("original_name", flat=True))
    assert names == {"现场.png", "签到表.pdf"}
    for stored in activity.attachments.all():  # stored under a random name with the proven extension
        assert stored.file.name.rsplit(".", 1)[-1] in {"png", "pdf"} and "现场" not in stored.file.name


def test_a_script_renamed_jpg_is_refused_and_nothing_is_saved(township_a_user, district):
    with pytest.raises(ValidationError) as exc:
        record(township_a_user, district.township_a, files=[png(), script_as_jpg()])
    assert "不是有效的照片或 PDF" in exc.value.message_dict["files"][0]
    assert not Activity.objects.exists()
    activity = record(township_a_user, district.township_a)
    with pytest.raises(ValidationError):
        attachment_add(user=township_a_user, activity=activity, files=[script_as_jpg()])
    assert not activity.attachments.exists()


def test_a_pdf_with_javascript_or_cut_short_is_refused(township_a_user, district):
    activity = record(township_a_user, district.township_a)
    scripted = b"%PDF-1.4\n1 0 obj<</OpenAction<</S/JavaScript/JS(app.alert(1))>>>>endobj\n%%EOF\n"
    for content in (scripted, b"%PDF-1.4\n1 0 obj<<>>endobj\n"):
        with pytest.raises(ValidationError):
            attachment_add(user=township_a_user, activity=activity, files=[pdf(content=content)])
    assert not activity.attachments.exists()


def test_attachments_are_added_and_removed_by_the_unit_only(township_a_user, township_b_user, district):
    activity = record(township_a_user, district.township_a)
    (added,) = attachment_add(user=township_a_user, activity=activity, files=[png()])
    with pytest.raises(PermissionDenied):
        attachment_add(user=township_b_user, activity=activity, files=[png()])
    with pytest.raises(PermissionDenied):
        attachment_remove(user=township_b_user, attachment=added)
    attachment_remove(user=township_a_user, attachment=added)
    assert not activity.attachments.exists()
