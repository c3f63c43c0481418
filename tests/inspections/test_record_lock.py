"""出具 (issuing, printed for signature) locks a 现场检查记录; a correction (更正) is a new version that
supersedes the old one, which stays as it was. Figures count a corrected visit once."""

import datetime as dt
import io
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from hazards.services import hazard_from_check_result
from inspections.choices import CheckResultValue
from inspections.models import CheckItem, CheckResult, InspectionKind, InspectionRecord
from inspections.pdf import record_pdf
from inspections.selectors import action_list_rows, inspection_figures, record_list
from inspections.services import (
    ResultData,
    VisitData,
    action_create,
    record_correct,
    record_issue,
    record_photo_create,
    record_update,
)

from .test_record_pdf import flat, poppler

LOCKED = "该检查记录已出具，不能修改；如需更正，请新建更正版本。"
RECORDS = "/api/v1/inspection-records/"
TODAY = timezone.localdate()


@pytest.fixture
def items(sectors):
    return [
        CheckItem.objects.create(
            sector=sectors["industry-trade"], code="GM-01", title="有限空间作业是否审批"
        ),
        CheckItem.objects.create(sector=sectors["industry-trade"], code="GM-02", title="责任制是否健全"),
    ]


@pytest.fixture
def record(officer, team, enterprise_a, items) -> InspectionRecord:
    visit = VisitData(
        results=[
            ResultData(items[0].pk, CheckResultValue.NONCOMPLIANT, "未审批即作业"),
            ResultData(items[1].pk, CheckResultValue.COMPLIANT),
        ],
        findings="有限空间作业未审批。",
    )
    action = action_create(
        user=officer,
        date=TODAY,
        organizer=officer.org_unit,
        kind=InspectionKind.objects.get(code="special"),
        members=team,
        enterprises=[enterprise_a],
        visits={enterprise_a.pk: visit},
    )
    return action.records.get()


def png() -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, format="PNG")
    buffer.name = "scene.png"
    buffer.seek(0)
    return buffer


def fresh(record) -> InspectionRecord:
    return InspectionRecord.objects.get(pk=record.pk)


# ---------------------------------------------------------------- issuing


def test_issuing_sets_the_date_once_and_writes_history(record, officer):
    issued = record_issue(user=officer, record=record)
    first = issued.issued_at
    assert first is not None and issued.issued_by == officer

    again = record_issue(user=officer, record=fresh(record))
    assert again.issued_at == first  # idempotent: a second click changes nothing
    latest = record.history.order_by("-history_id").first()
    assert latest.issued_at == first and latest.history_user == officer
    assert record.history.filter(issued_at__isnull=False).count() == 1


def test_only_who_may_change_the_record_issues_it(record, leader, department_user):
    for user in (leader, department_user):
        with pytest.raises(PermissionDenied):
            record_issue(user=user, record=record)
    assert fresh(record).issued_at is None


def test_an_issued_record_refuses_every_change_through_the_services(record, officer, items, media):
    record_issue(user=officer, record=record)
    visit = VisitData(results=[ResultData(items[1].pk, CheckResultValue.COMPLIANT)], findings="改过")
    with pytest.raises(ValidationError) as caught:
        record_update(user=officer, record=fresh(record), visit=visit)
    assert caught.value.messages == [LOCKED]
    with pytest.raises(ValidationError) as caught:
        record_photo_create(user=officer, record=fresh(record), image=png())
    assert caught.value.messages == [LOCKED]

    kept = fresh(record)
    assert kept.findings == "有限空间作业未审批。" and kept.results.count() == 2 and not kept.photos.exists()


def test_the_api_answers_400_with_the_reason_on_put_patch_and_photo_upload(
    api, record, officer, items, media
):
    record_issue(user=officer, record=record)
    api.force_authenticate(officer)
    url = f"{RECORDS}{record.pk}/"

    put = api.put(url, {"findings": "改过", "results": []}, format="json")
    patch = api.patch(url, {"findings": "改过"}, format="json")
    photo = api.post(f"{url}photos/", {"image": png()}, format="multipart")

    for response in (put, patch, photo):
        assert response.status_code == 400, response.content
        assert LOCKED in response.content.decode()
    assert fresh(record).findings == "有限空间作业未审批。"
    shown = api.get(url).json()
    assert shown["issued_at"] and shown["supersedes"] is None


def test_the_record_page_issues_by_post_and_the_pdf_get_changes_nothing(client, record, officer, tmp_path):
    client.force_login(officer)
    assert client.get(reverse("inspections:record_pdf", args=[record.pk])).status_code == 200
    assert fresh(record).issued_at is None  # printing a draft copy does not issue it

    page = client.get(reverse("inspections:record_detail", args=[record.pk])).content.decode()
    assert "出具记录（打印签字）" in page
    assert client.get(reverse("inspections:record_issue", args=[record.pk])).status_code == 405

    response = client.post(reverse("inspections:record_issue", args=[record.pk]), follow=True)
    issued = fresh(record)
    assert issued.issued_at is not None
    page = response.content.decode()
    assert 'id="record-issue"' not in page and 'id="record-correct"' in page
    assert f"已出具（{timezone.localtime(issued.issued_at):%Y-%m-%d}），不能修改" in page

    loaded = record_list(user=officer).get(pk=record.pk)
    text = flat(poppler("pdftotext", record_pdf(loaded), tmp_path, "-enc", "UTF-8"))
    local = timezone.localtime(issued.issued_at)
    assert f"已出具：{local.year}年{local.month}月{local.day}日" in text


def test_the_page_refuses_the_leader_a_reader_and_an_outsider(
    client, record, leader, township_a_user, township_b_user
):
    """The township sees its enterprise's record but it is the district office's document: 403."""
    url = reverse("inspections:record_issue", args=[record.pk])
    for user, status in ((leader, 403), (township_a_user, 403), (township_b_user, 404)):
        client.force_login(user)
        assert client.post(url).status_code == status, user
        assert client.post(reverse("inspections:record_correct", args=[record.pk])).status_code == status
    assert fresh(record).issued_at is None


# ---------------------------------------------------------------- correcting


def test_a_correction_is_a_new_numbered_version_and_the_old_stays(record, officer, leader, items):
    with pytest.raises(ValidationError):
        record_correct(user=officer, record=record)  # not issued yet: just edit it
    record_issue(user=officer, record=record)

    new = record_correct(user=officer, record=fresh(record))

    assert new.pk != record.pk and new.supersedes_id == record.pk
    assert (new.action_id, new.enterprise_id) == (record.action_id, record.enterprise_id)
    assert new.number and new.number != record.number and new.issued_at is None
    assert new.findings == "有限空间作业未审批。"
    assert sorted(new.results.values_list("item_id", "result", "note")) == sorted(
        record.results.values_list("item_id", "result", "note")
    )
    # The new version is editable until issued; the old keeps what was signed.
    record_update(
        user=officer,
        record=new,
        visit=VisitData(results=[ResultData(items[1].pk, CheckResultValue.COMPLIANT)], findings="已更正"),
    )
    assert fresh(new).findings == "已更正" and fresh(record).findings == "有限空间作业未审批。"
    assert fresh(record).results.count() == 2
    with pytest.raises(ValidationError):
        record_correct(user=officer, record=fresh(record))  # correct the latest version, not the old one
    with pytest.raises(PermissionDenied):
        record_correct(user=leader, record=fresh(record))


def test_correcting_takes_the_organisers_next_record_number(record, officer, team, enterprise_b):
    other = action_create(
        user=officer,
        date=TODAY,
        organizer=officer.org_unit,
        kind=InspectionKind.objects.get(code="special"),
        members=team,
        enterprises=[enterprise_b],
    ).records.get()
    record_issue(user=officer, record=record)
    new = record_correct(user=officer, record=fresh(record))

    serial = lambda number: int(re.findall(r"\d+", number)[-1])  # noqa: E731
    assert serial(new.number) == serial(other.number) + 1


def test_the_old_page_names_its_successor_and_the_new_page_its_original(client, record, officer):
    record_issue(user=officer, record=record)
    client.force_login(officer)
    response = client.post(reverse("inspections:record_correct", args=[record.pk]))
    new = InspectionRecord.objects.get(supersedes=record)
    assert response.status_code == 302 and response["Location"] == reverse(
        "inspections:record_detail", args=[new.pk]
    )

    old_page = client.get(reverse("inspections:record_detail", args=[record.pk])).content.decode()
    assert "已被更正版本" in old_page and new.number in old_page and "取代" in old_page
    assert reverse("inspections:record_detail", args=[new.pk]) in old_page
    assert 'id="record-correct"' not in old_page  # only the latest version is corrected
    new_page = client.get(reverse("inspections:record_detail", args=[new.pk])).content.decode()
    assert record.number in new_page and "出具记录（打印签字）" in new_page


def test_a_corrected_visit_counts_once_in_the_figures(record, officer, township_a_user):
    year = (dt.date(TODAY.year, 1, 1), dt.date(TODAY.year, 12, 31))
    before = inspection_figures(user=officer, start=year[0], end=year[1])
    record_issue(user=officer, record=record)
    new = record_correct(user=officer, record=fresh(record))
    record_issue(user=officer, record=new)
    record_correct(user=officer, record=fresh(new))

    after = inspection_figures(user=officer, start=year[0], end=year[1])
    assert before["unit_visits"] == after["unit_visits"] == 1
    assert after["units"] == 1 and after["actions"] == 1
    for user in (officer, township_a_user):  # the action list's 家次 column too, whatever the scope
        assert action_list_rows(user=user).get(pk=record.action_id).visit_count == 1


def test_a_hazard_registered_from_the_old_record_stays_linked_to_it(record, officer):
    result = record.results.get(result=CheckResultValue.NONCOMPLIANT)
    hazard = hazard_from_check_result(
        user=officer, check_result=result, deadline=TODAY + dt.timedelta(days=7)
    )
    record_issue(user=officer, record=record)

    new = record_correct(user=officer, record=fresh(record))

    hazard.refresh_from_db()
    assert CheckResult.objects.get(pk=result.pk).record_id == record.pk
    assert new.results.filter(result=CheckResultValue.NONCOMPLIANT).exists()


# ---------------------------------------------------------------- 出具 and 更正 through the API, and the admin


def test_the_api_issues_once_then_answers_409(api, record, officer):
    api.force_authenticate(officer)
    url = f"{RECORDS}{record.pk}/issue/"
    first = api.post(url, {}, format="json")
    assert first.status_code == 200, first.content
    assert first.json()["issued_at"] and fresh(record).issued_by == officer
    issued_at = fresh(record).issued_at
    again = api.post(url, {}, format="json")
    assert again.status_code == 409
    assert again.json()["code"] == "stale_state" and "已出具" in again.json()["detail"]
    assert fresh(record).issued_at == issued_at


def test_the_api_corrects_an_issued_record_into_a_new_version(api, record, officer):
    api.force_authenticate(officer)
    not_yet = api.post(f"{RECORDS}{record.pk}/correct/", {}, format="json")
    assert not_yet.status_code == 400 and "尚未出具" in not_yet.content.decode()
    api.post(f"{RECORDS}{record.pk}/issue/", {}, format="json")
    response = api.post(f"{RECORDS}{record.pk}/correct/", {}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["supersedes"] == record.pk and body["issued_at"] is None
    assert body["number"] and body["number"] != record.number
    assert body["findings"] == record.findings and len(body["results"]) == record.results.count()
    twice = api.post(f"{RECORDS}{record.pk}/correct/", {}, format="json")
    assert twice.status_code == 400 and "已有更正版本" in twice.content.decode()


def test_the_api_issue_and_correct_are_scoped_and_need_the_organiser(
    api, record, township_b_user, leader, department_user
):
    # 住建 (department_user) does not see a machinery firm: 404 as for township B; a leader reads only.
    for user, expected in ((township_b_user, 404), (leader, 403), (department_user, 404)):
        api.force_authenticate(user)
        for verb in ("issue", "correct"):
            assert api.post(f"{RECORDS}{record.pk}/{verb}/", {}, format="json").status_code == expected
    assert fresh(record).issued_at is None


def test_the_api_schema_names_issue_and_correct(api, officer):
    api.force_authenticate(officer)
    paths = api.get("/api/schema/", HTTP_ACCEPT="application/json").json()["paths"]
    assert "post" in paths["/api/v1/inspection-records/{id}/issue/"]
    assert "post" in paths["/api/v1/inspection-records/{id}/correct/"]
    assert "409" in paths["/api/v1/inspection-records/{id}/issue/"]["post"]["responses"]


def test_the_admin_cannot_change_an_issued_record(client, record, officer, admin_user):
    record_issue(user=officer, record=record)
    client.force_login(admin_user)
    url = reverse("admin:inspections_inspectionaction_change", args=[record.action_id])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="records-0-findings"' not in html  # shown, never an input
    assert record.findings in html
    response = client.post(url, {"records-0-findings": "改过", "records-0-id": record.pk})
    assert response.status_code == 403
    assert fresh(record).findings == "有限空间作业未审批。"
