"""An outsider's and a careful office user's tour of the hazard ledger: hand-crafted ids, odd uploads,
the overdue flag through reopen and extension, the admin as no back door, and query counts of the
pages that list things. Each test here failed, or guarded a path no other test walked, at review."""

import datetime as dt
import io
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook
from PIL import Image
from rest_framework.test import APIClient

from accounts.ledger_import import get_importer
from accounts.models import ImportJob, Notification
from hazards import services
from hazards.choices import EventKind, ExtensionStatus, HazardLevel, HazardState, ListingLevel
from hazards.ledger_import import HAZARD_HEADERS
from hazards.models import Hazard, HazardCategory, Rectification, RectificationPhoto
from tests.factories import EnterpriseFactory
from tests.hazards.conftest import hazard_data

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate
HAZARDS = "/api/v1/hazards/"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def api_as(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def png(name="p.png", size=(8, 8), mode="RGB") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new(mode, size).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def bomb() -> SimpleUploadedFile:
    """A few KB of PNG declaring 400 million pixels: Pillow refuses to open it."""
    return png("bomb.png", size=(20000, 20000), mode="1")


def record(user, enterprise, **extra) -> Hazard:
    return services.hazard_record(user=user, data=hazard_data(enterprise, **extra))


def to_verifying(hazard, user) -> Hazard:
    services.rectification_add(user=user, hazard=hazard, text="已整改", done_on=TODAY())
    return services.hazard_submit(user=user, hazard=hazard)


def to_closed(hazard, follower, officer) -> Hazard:
    to_verifying(hazard, follower)
    return services.hazard_verify(user=officer, hazard=hazard, passed=True)


def payload(enterprise, **extra) -> dict:
    return {
        "enterprise": enterprise.pk,
        "source": "self",
        "description": "配电箱未接地",
        "found_on": (TODAY() - dt.timedelta(days=2)).isoformat(),
        "deadline": (TODAY() + dt.timedelta(days=20)).isoformat(),
        **extra,
    }


# ---------------------------------------------------------------- never a 500


@pytest.mark.parametrize("path", ["abc/", "abc/submit/", "1x/photos/1/", "-1/"])
def test_api_id_that_is_not_a_number_is_404(officer, hazard_a, path):
    api = api_as(officer)
    response = api.post(HAZARDS + path, {}) if "submit" in path else api.get(HAZARDS + path)
    assert response.status_code == 404


def test_a_decompression_bomb_is_refused_in_chinese_on_the_page_and_the_api(
    client, media, township_a_user, hazard_a
):
    client.force_login(township_a_user)
    url = reverse("hazards:rectification_add", args=[hazard_a.pk])
    data = {"rect-text": "已整改", "rect-done_on": TODAY().isoformat(), "rect-photos_after": bomb()}
    response = client.post(url, data)
    assert response.status_code == 200
    assert "不是有效的图片文件" in str(response.context["forms"]["rectify"].errors)
    api = api_as(township_a_user)
    data = {"text": "已整改", "done_on": TODAY().isoformat(), "photos_after": [bomb()]}
    response = api.post(f"{HAZARDS}{hazard_a.pk}/rectifications/", data, format="multipart")
    assert response.status_code == 400 and "不是有效的图片文件" in str(response.json())
    assert not Rectification.objects.exists()


def test_an_oversized_or_empty_photo_is_refused_and_nothing_saved(
    client, media, settings, township_a_user, hazard_a
):
    settings.UPLOAD_IMAGE_MAX_BYTES = 50
    client.force_login(township_a_user)
    url = reverse("hazards:rectification_add", args=[hazard_a.pk])
    for upload, words in ((png(size=(64, 64)), "超过"), (SimpleUploadedFile("e.png", b""), "空")):
        data = {"rect-text": "已整改", "rect-done_on": TODAY().isoformat(), "rect-photos_before": upload}
        response = client.post(url, data)
        assert response.status_code == 200
        errors = response.context["forms"]["rectify"].errors
        assert errors and words in str(errors)
    assert not Rectification.objects.exists() and not RectificationPhoto.objects.exists()


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("rectification_add", {"rect-text": "x", "rect-done_on": "2026-13-45"}),
        ("rectification_add", {}),
        ("extension_request", {"extend-new_deadline": "明天", "extend-reason": "x"}),
        ("hazard_listing", {"listing-listing_level": "county", "listing-listed_on": "x"}),
        ("hazard_reopen", {}),
        ("hazard_void", {}),
    ],
)
def test_bad_dates_and_missing_fields_come_back_on_the_form(client, officer, hazard_a, name, data):
    client.force_login(officer)
    response = client.post(reverse(f"hazards:{name}", args=[hazard_a.pk]), data)
    assert response.status_code in (200, 302)
    hazard_a.refresh_from_db()
    assert hazard_a.state == HazardState.OPEN and hazard_a.events.count() == 1


def test_bad_filters_answer_nothing_not_an_error(client, officer, hazard_a):
    client.force_login(officer)
    for params in ({"found_from": "yesterday"}, {"township": "abc"}, {"page": "x"}, {"overdue": "maybe"}):
        response = client.get(reverse("hazards:hazard_list"), params)
        assert response.status_code == 200
        assert client.get(reverse("hazards:hazard_export"), params).status_code == 200
    assert api_as(officer).get(HAZARDS, {"found_from": "yesterday"}).status_code == 400


def xlsx(rows: list[list]) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_import_of_odd_files_reports_and_imports_nothing(officer, district):
    importer = get_importer("hazards")
    cases = {
        "not a workbook": b"PK\x03\x04 not really a zip",
        "no header row": xlsx([]),
        "headers only on the second row": xlsx([[], HAZARD_HEADERS, ["x"] * len(HAZARD_HEADERS)]),
        "10 000 blank rows": xlsx([HAZARD_HEADERS] + [[None] * len(HAZARD_HEADERS)] * 10_000),
    }
    for case, content in cases.items():
        result = importer.run(user=officer, file=content)
        assert result.errors, case
        assert all(str(e.message) for e in result.errors), case
    assert not Hazard.objects.exists()


def test_upload_of_an_empty_or_missing_file_is_a_form_error(client, officer, district):
    client.force_login(officer)
    url = reverse("hazards:hazard_import")
    assert client.post(url, {}).status_code == 200
    assert client.post(url, {"file": SimpleUploadedFile("a.xlsx", b"")}).status_code == 200
    assert not ImportJob.objects.exists()


# ---------------------------------------------------------------- hand-crafted ids when recording


def test_responsible_unit_must_be_able_to_see_the_hazard(township_a_user, officer, district, enterprise_a):
    """Township B named as the follower of a hazard in A would be notified of a page it gets 404 on."""
    api = api_as(township_a_user)
    response = api.post(
        HAZARDS, payload(enterprise_a, responsible_unit=district.township_b.pk), format="json"
    )
    assert response.status_code == 400 and "所在的街道" in str(response.json()["responsible_unit"])
    response = api.post(
        HAZARDS, payload(enterprise_a, responsible_unit=district.community_a.pk), format="json"
    )
    assert response.status_code == 400 and "responsible_unit" in response.json()
    # Even the district office cannot hand it to the wrong township.
    with pytest.raises(ValidationError) as exc:
        record(officer, enterprise_a, responsible_unit=district.township_b)
    assert "responsible_unit" in exc.value.message_dict
    # Its own township and a department (which then sees it) are fine.
    for unit in (district.township_a, district.dept_construction, district.district):
        assert (
            api.post(HAZARDS, payload(enterprise_a, responsible_unit=unit.pk), format="json").status_code
            == 201
        )
    assert not Hazard.objects.filter(responsible_unit=district.township_b).exists()


def test_responsible_unit_that_is_inactive_is_refused(township_a_user, district, enterprise_a):
    district.dept_construction.is_active = False
    district.dept_construction.save()
    unit = district.dept_construction.pk
    response = api_as(township_a_user).post(
        HAZARDS, payload(enterprise_a, responsible_unit=unit), format="json"
    )
    assert response.status_code == 400 and "停用" in str(response.json()["responsible_unit"])


def test_record_form_refuses_another_township_as_follower(client, township_a_user, district, enterprise_a):
    client.force_login(township_a_user)
    data = {
        "enterprise": enterprise_a.pk,
        "source": "self",
        "level": "general",
        "description": "消防通道堵塞",
        "found_on": TODAY().isoformat(),
        "deadline": (TODAY() + dt.timedelta(days=10)).isoformat(),
        "responsible_unit": district.township_b.pk,
    }
    response = client.post(reverse("hazards:hazard_create"), data)
    assert response.status_code == 200 and "responsible_unit" in response.context["form"].errors
    assert not Hazard.objects.exists()


def test_negative_funds_are_refused(officer, enterprise_a):
    response = api_as(officer).post(HAZARDS, payload(enterprise_a, funds="-5.00"), format="json")
    assert response.status_code == 400 and "funds" in response.json()


def test_inactive_category_is_refused_by_the_api_and_the_form(client, officer, enterprise_a):
    category = HazardCategory.objects.first()
    category.is_active = False
    category.save()
    response = api_as(officer).post(HAZARDS, payload(enterprise_a, category=category.pk), format="json")
    assert response.status_code == 400 and "category" in response.json()
    client.force_login(officer)
    data = {**payload(enterprise_a), "level": "general", "category": category.pk}
    response = client.post(reverse("hazards:hazard_create"), data)
    assert "category" in response.context["form"].errors and not Hazard.objects.exists()


@pytest.fixture
def inspection(officer, district, enterprise_a, enterprise_b):
    """One inspection of A (one 不符合 item, one 符合) and of B (one 不符合)."""
    from inspections.choices import CheckResultValue as R
    from inspections.models import CheckItem, InspectionKind
    from inspections.services import ResultData, VisitData, action_record

    bad = CheckItem.objects.create(sector=enterprise_a.sectors.get(), code="JX-01", title="防护罩缺失")
    good = CheckItem.objects.create(sector=enterprise_a.sectors.get(), code="JX-02", title="通道畅通")
    site = CheckItem.objects.create(sector=enterprise_b.sectors.get(), code="JZ-01", title="临边防护缺失")
    action = action_record(
        user=officer,
        date=TODAY(),
        organizer=district.dept_emergency,
        kind=InspectionKind.objects.get(code="supervision"),
        members=[officer],
        enterprises=[enterprise_a, enterprise_b],
        visits={
            enterprise_a.pk: VisitData(
                results=[
                    ResultData(bad.pk, R.NONCOMPLIANT, "冲床无防护罩"),
                    ResultData(good.pk, R.COMPLIANT, ""),
                ]
            ),
            enterprise_b.pk: VisitData(results=[ResultData(site.pk, R.NONCOMPLIANT, "")]),
        },
    )
    a = action.records.get(enterprise=enterprise_a)
    b = action.records.get(enterprise=enterprise_b)
    return {
        "record_a": a,
        "record_b": b,
        "bad": a.results.get(item=bad),
        "good": a.results.get(item=good),
        "site": b.results.get(item=site),
    }


def test_inspection_links_must_fit_the_hazard(officer, township_a_user, enterprise_a, inspection):
    api = api_as(officer)
    a, b = inspection["record_a"], inspection["record_b"]

    def post(**extra):
        return api.post(HAZARDS, payload(enterprise_a, source="inspection", **extra), format="json")

    assert "inspection_record" in post(inspection_record=b.pk).json()  # another enterprise's record
    assert "check_result" in post(inspection_record=a.pk, check_result=inspection["site"].pk).json()
    assert "check_result" in post(inspection_record=a.pk, check_result=inspection["good"].pk).json()  # 符合
    response = api.post(HAZARDS, payload(enterprise_a, source="self", inspection_record=a.pk), format="json")
    assert response.status_code == 400 and "source" in response.json()
    assert post(inspection_record=a.pk, check_result=inspection["bad"].pk).status_code == 201
    again = post(inspection_record=a.pk, check_result=inspection["bad"].pk)  # the same item twice
    assert again.status_code == 400 and "已登记为隐患" in str(again.json())
    # Township A cannot reach township B's record at all.
    response = api_as(township_a_user).post(
        HAZARDS, payload(enterprise_a, source="inspection", inspection_record=b.pk), format="json"
    )
    assert response.status_code == 400 and "inspection_record" in response.json()
    assert Hazard.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_clicks_on_register_as_hazard_at_once_make_one_hazard(sectors, district, officer, admin_user):
    from inspections.choices import CheckResultValue as R
    from inspections.models import CheckItem, InspectionKind
    from inspections.services import ResultData, VisitData, action_record

    enterprise = EnterpriseFactory(jurisdiction=district.community_a, sectors=[sectors["machinery"]])
    item = CheckItem.objects.create(sector=sectors["machinery"], code="JX-09", title="防护罩缺失")
    action = action_record(
        user=officer,
        date=TODAY(),
        organizer=district.dept_emergency,
        kind=InspectionKind.objects.get(code="supervision"),
        members=[officer],
        enterprises=[enterprise],
        visits={enterprise.pk: VisitData(results=[ResultData(item.pk, R.NONCOMPLIANT, "")])},
    )
    result = action.records.get().results.get()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def click(user):
        try:
            barrier.wait()
            services.hazard_from_check_result(
                user=user, check_result=result, deadline=TODAY() + dt.timedelta(days=30)
            )
            outcomes.append("done")
        except ValidationError as exc:
            outcomes.append("refused")
            assert "已登记为隐患" in str(exc.messages)
        finally:
            connection.close()

    threads = [threading.Thread(target=click, args=(u,)) for u in (officer, admin_user)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["done", "refused"]
    assert Hazard.objects.filter(check_result=result).count() == 1


# ---------------------------------------------------------------- extensions and verification by hand-crafted ids


def test_township_cannot_approve_its_own_extension(client, township_a_user, hazard_a):
    extension = services.extension_request(
        user=township_a_user,
        hazard=hazard_a,
        new_deadline=hazard_a.deadline + dt.timedelta(days=9),
        reason="缺料",
    )
    client.force_login(township_a_user)
    url = reverse("hazards:extension_decide", args=[hazard_a.pk, extension.pk])
    assert client.post(url, {"decision": "approve"}).status_code == 403
    api_url = f"{HAZARDS}{hazard_a.pk}/extensions/{extension.pk}/decide/"
    assert api_as(township_a_user).post(api_url, {"approve": True}, format="json").status_code == 403
    extension.refresh_from_db()
    assert extension.status == ExtensionStatus.PENDING


def test_api_extension_of_another_hazard_or_outside_scope_is_404(
    officer, township_a_user, township_b_user, hazard_a, hazard_b
):
    extension = services.extension_request(
        user=township_a_user,
        hazard=hazard_a,
        new_deadline=hazard_a.deadline + dt.timedelta(days=9),
        reason="缺料",
    )
    assert (
        api_as(officer)
        .post(f"{HAZARDS}{hazard_b.pk}/extensions/{extension.pk}/decide/", {"approve": True}, format="json")
        .status_code
        == 404
    )
    assert (
        api_as(township_b_user)
        .post(f"{HAZARDS}{hazard_a.pk}/extensions/{extension.pk}/decide/", {"approve": True}, format="json")
        .status_code
        == 404
    )
    extension.refresh_from_db()
    assert extension.status == ExtensionStatus.PENDING


def test_api_photo_of_another_hazard_is_404(media, township_a_user, hazard_a, officer, enterprise_a):
    other = record(officer, enterprise_a)
    services.rectification_add(
        user=township_a_user, hazard=other, text="已整改", done_on=TODAY(), photos_after=[png()]
    )
    photo = RectificationPhoto.objects.get()
    api = api_as(township_a_user)
    assert api.get(f"{HAZARDS}{other.pk}/photos/{photo.pk}/").status_code == 200
    assert api.get(f"{HAZARDS}{hazard_a.pk}/photos/{photo.pk}/").status_code == 404


# ---------------------------------------------------------------- scoping of a department and of filters


def test_department_sees_and_acts_only_on_its_sectors(
    client, media, department_user, township_a_user, officer, hazard_a, hazard_b
):
    """住建 supervises construction (enterprise B), not machinery (enterprise A)."""
    services.rectification_add(
        user=township_a_user, hazard=hazard_a, text="已整改", done_on=TODAY(), photos_after=[png()]
    )
    photo = RectificationPhoto.objects.get()
    client.force_login(department_user)
    assert client.get(reverse("hazards:hazard_detail", args=[hazard_b.pk])).status_code == 200
    assert client.get(reverse("hazards:hazard_detail", args=[hazard_a.pk])).status_code == 404
    assert client.get(reverse("hazards:photo", args=[photo.pk])).status_code == 404
    response = client.post(reverse("hazards:hazard_submit", args=[hazard_a.pk]))
    assert response.status_code == 404
    listed = client.get(reverse("hazards:hazard_list"))
    assert [h.number for h in listed.context["hazards"]] == [hazard_b.number]
    api = api_as(department_user)
    assert api.get(f"{HAZARDS}{hazard_a.pk}/").status_code == 404
    assert [h["number"] for h in api.get(HAZARDS).json()["results"]] == [hazard_b.number]
    assert api.get(f"{HAZARDS}figures/").json()["found"] == 1


def test_filter_by_a_township_outside_the_scope_gives_nothing_everywhere(
    client, township_a_user, district, hazard_a, hazard_b
):
    client.force_login(township_a_user)
    outside = {"township": district.township_b.pk}
    assert list(client.get(reverse("hazards:hazard_list"), outside).context["hazards"]) == []
    from openpyxl import load_workbook

    content = client.get(reverse("hazards:hazard_export"), outside).content
    assert len(list(load_workbook(io.BytesIO(content)).active.iter_rows())) == 1  # the header only
    api = api_as(township_a_user)
    assert api.get(HAZARDS, outside).status_code == 400
    assert api.get(f"{HAZARDS}figures/", outside).status_code == 400


def test_listed_and_verify_pages_are_scoped(
    client, officer, township_b_user, department_user, enterprise_a, enterprise_b
):
    major_a = record(officer, enterprise_a, level=HazardLevel.MAJOR)
    services.hazard_list(
        user=officer, hazard=major_a, level=ListingLevel.DISTRICT, listed_on=TODAY(), leader="李", document=""
    )
    waiting_a = to_verifying(record(officer, enterprise_a), officer)
    client.force_login(township_b_user)
    assert list(client.get(reverse("hazards:listed_list")).context["hazards"]) == []
    client.force_login(department_user)
    assert list(client.get(reverse("hazards:listed_list")).context["hazards"]) == []
    assert waiting_a.number not in client.get(reverse("hazards:verification_list")).content.decode()


# ---------------------------------------------------------------- who verifies


def test_a_department_does_not_verify_the_hazard_it_follows_itself(
    client, officer, department_user, district, enterprise_b
):
    followed = record(officer, enterprise_b, responsible_unit=district.dept_construction)
    to_verifying(followed, department_user)
    with pytest.raises(PermissionDenied):
        services.hazard_verify(user=department_user, hazard=followed, passed=True)
    client.force_login(department_user)
    page = client.get(reverse("hazards:hazard_detail", args=[followed.pk]))
    assert not page.context["panels"]["verify"]
    assert followed.number not in client.get(reverse("hazards:verification_list")).content.decode()
    post = client.post(reverse("hazards:hazard_verify", args=[followed.pk]), {"decision": "pass"})
    assert post.status_code == 403
    # Followed by the township, the supervising department verifies as before.
    other = to_verifying(record(officer, enterprise_b), officer)
    services.hazard_verify(user=department_user, hazard=other, passed=True)
    followed.refresh_from_db()
    assert followed.state == HazardState.VERIFYING


# ---------------------------------------------------------------- the overdue flag through the loop


def overdue_state(hazard) -> tuple:
    hazard.refresh_from_db()
    return hazard.is_overdue, hazard.overdue_since


def test_closing_clears_the_flag_and_reopening_after_the_deadline_sets_and_notifies(
    officer, township_a_user, enterprise_a, district
):
    hazard = record(officer, enterprise_a, found_days_ago=20, days=10)  # deadline 10 days ago
    since = hazard.deadline + dt.timedelta(days=1)
    assert overdue_state(hazard) == (True, since)
    to_closed(hazard, township_a_user, officer)
    assert overdue_state(hazard)[0] is False
    Notification.objects.all().delete()
    services.hazard_reopen(user=officer, hazard=hazard, reason="回头看复发")
    assert overdue_state(hazard) == (True, since)
    assert hazard.events.last().kind == EventKind.OVERDUE
    assert Notification.objects.filter(org_unit=district.township_a, url=hazard.get_absolute_url()).exists()
    # The nightly sweep has nothing more to add.
    assert services.hazards_mark_overdue() == 0


def test_closed_before_the_deadline_and_reopened_after_it_is_overdue(officer, township_a_user, enterprise_a):
    hazard = record(officer, enterprise_a, found_days_ago=20, days=30)  # deadline in 10 days
    to_closed(hazard, township_a_user, officer)
    Hazard.objects.filter(pk=hazard.pk).update(deadline=TODAY() - dt.timedelta(days=2))  # time passes
    services.hazard_reopen(user=officer, hazard=hazard, reason="回头看复发")
    assert overdue_state(hazard) == (True, TODAY() - dt.timedelta(days=1))
    assert Notification.objects.filter(key__startswith=f"hazard-overdue:{hazard.pk}:").count() == 1


def test_recording_an_overdue_hazard_notifies_its_unit_once(officer, enterprise_a, district):
    hazard = record(officer, enterprise_a, found_days_ago=40, days=10, level=HazardLevel.MAJOR)
    notes = Notification.objects.filter(url=hazard.get_absolute_url())
    assert {(n.org_unit_id, n.role) for n in notes} == {(district.township_a.pk, ""), (None, "officer")}
    assert list(hazard.events.values_list("kind", flat=True)) == [EventKind.CREATED, EventKind.OVERDUE]
    assert services.hazards_mark_overdue() == 0 and notes.count() == 2


def test_extension_moves_the_flag_with_the_deadline(officer, township_a_user, enterprise_a):
    hazard = record(officer, enterprise_a, found_days_ago=40, days=10)  # deadline 30 days ago
    still_late = hazard.deadline + dt.timedelta(days=20)  # 10 days ago
    ext = services.extension_request(
        user=township_a_user, hazard=hazard, new_deadline=still_late, reason="缺料"
    )
    services.extension_decide(user=officer, extension=ext, approve=True)
    assert overdue_state(hazard) == (True, still_late + dt.timedelta(days=1))
    future = TODAY() + dt.timedelta(days=5)
    ext = services.extension_request(user=township_a_user, hazard=hazard, new_deadline=future, reason="再等")
    services.extension_decide(user=officer, extension=ext, approve=True)
    assert overdue_state(hazard) == (False, None)
    # A refused one leaves it as it was.
    ext = services.extension_request(
        user=township_a_user, hazard=hazard, new_deadline=future + dt.timedelta(days=9), reason="又缺料"
    )
    services.extension_decide(user=officer, extension=ext, approve=False, note="不同意")
    hazard.refresh_from_db()
    assert hazard.deadline == future and not hazard.is_overdue


def test_void_clears_the_flag(officer, enterprise_a):
    hazard = record(officer, enterprise_a, found_days_ago=40, days=10)
    services.hazard_void(user=officer, hazard=hazard, reason="重复录入")
    assert overdue_state(hazard)[0] is False
    assert services.hazards_mark_overdue() == 0


# ---------------------------------------------------------------- the admin is no back door


def test_admin_shows_hazards_but_cannot_add_change_delete_or_revert(client, admin_user, hazard_a):
    client.force_login(admin_user)
    base = "/admin/hazards/hazard/"
    assert client.get(base).status_code == 200
    assert client.get(f"{base}{hazard_a.pk}/change/").status_code == 200  # a read-only view
    assert client.get(f"{base}add/").status_code == 403
    assert client.post(f"{base}{hazard_a.pk}/delete/", {"post": "yes"}).status_code == 403
    client.post(base, {"action": "delete_selected", "_selected_action": [hazard_a.pk], "post": "yes"})
    response = client.post(f"{base}{hazard_a.pk}/change/", {"state": HazardState.CLOSED, "description": "x"})
    assert response.status_code == 403
    first = hazard_a.history.earliest()
    services.hazard_void(user=admin_user, hazard=hazard_a, reason="录错")
    history_url = f"{base}{hazard_a.pk}/history/{first.history_id}/"
    form = client.get(history_url).context["adminform"].form
    # simple_history's old-version form holds every field, state included, whatever the permissions.
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update(state=HazardState.CLOSED, closed_on=TODAY().isoformat())
    assert client.post(history_url, data).status_code == 403
    hazard_a.refresh_from_db()
    assert hazard_a.state == HazardState.VOID and Hazard.objects.count() == 1


def test_admin_edits_the_category_table_but_never_deletes_a_category(client, admin_user, district):
    client.force_login(admin_user)
    category = HazardCategory.objects.first()
    base = "/admin/hazards/hazardcategory/"
    assert client.get(base).status_code == 200
    assert client.post(f"{base}{category.pk}/delete/", {"post": "yes"}).status_code == 403
    response = client.post(
        f"{base}{category.pk}/change/",
        {"name": category.name, "code": category.code, "order": 5, "is_active": ""},
    )
    assert response.status_code == 302
    category.refresh_from_db()
    assert not category.is_active and category.order == 5


# ---------------------------------------------------------------- query counts of the listing pages


def grow(officer, township_a_user, enterprises, n: int) -> None:
    """n hazards, each with a rectification (two photos) waiting for verification, and listed if major."""
    for i in range(n):
        hazard = record(officer, enterprises[i % len(enterprises)], level=HazardLevel.MAJOR)
        services.hazard_list(
            user=officer, hazard=hazard, level=ListingLevel.CITY, listed_on=TODAY(), leader="李", document="x"
        )
        services.rectification_add(
            user=township_a_user,
            hazard=hazard,
            text="已整改",
            done_on=TODAY(),
            photos_before=[png()],
            photos_after=[png()],
        )
        services.hazard_submit(user=township_a_user, hazard=hazard)


@pytest.mark.parametrize("url_name", ["hazards:verification_list", "hazards:listed_list", "home"])
def test_listing_pages_queries_do_not_grow_with_rows(
    client, media, url_name, officer, township_a_user, district, sectors, django_assert_max_num_queries
):
    firms = [
        EnterpriseFactory(jurisdiction=district.community_a, sectors=[sectors["machinery"]]) for _ in range(3)
    ]
    grow(officer, township_a_user, firms, 2)
    client.force_login(officer)
    with django_assert_max_num_queries(40) as few:
        assert client.get(reverse(url_name)).status_code == 200
    grow(officer, township_a_user, firms, 8)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse(url_name)).status_code == 200


def test_officer_home_with_pending_extensions_queries_do_not_grow(
    client, officer, township_a_user, district, sectors, django_assert_max_num_queries
):
    firm = EnterpriseFactory(jurisdiction=district.community_a, sectors=[sectors["machinery"]])

    def add(n):
        for _ in range(n):
            hazard = record(officer, firm)
            services.extension_request(
                user=township_a_user,
                hazard=hazard,
                new_deadline=hazard.deadline + dt.timedelta(days=5),
                reason="x",
            )

    add(2)
    client.force_login(officer)
    with django_assert_max_num_queries(40) as few:
        client.get(reverse("home"))
    add(9)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert "home-extensions" in client.get(reverse("home")).content.decode()


def test_hazard_page_queries_do_not_grow_with_the_timeline(
    client, media, officer, township_a_user, enterprise_a, django_assert_max_num_queries
):
    hazard = record(officer, enterprise_a, level=HazardLevel.MAJOR, photos=[png()])

    def work(n):
        for _ in range(n):
            services.rectification_add(
                user=township_a_user,
                hazard=hazard,
                text="整改中",
                done_on=TODAY(),
                photos_after=[png(), png()],
            )
            ext = services.extension_request(
                user=township_a_user,
                hazard=hazard,
                new_deadline=Hazard.objects.get(pk=hazard.pk).deadline + dt.timedelta(days=3),
                reason="缺料",
            )
            services.extension_decide(user=officer, extension=ext, approve=True)

    work(1)
    url = reverse("hazards:hazard_detail", args=[hazard.pk])
    for user in (officer, township_a_user):
        client.force_login(user)
        with django_assert_max_num_queries(40) as few:
            client.get(url)
        work(4)
        with django_assert_max_num_queries(len(few.captured_queries)):
            assert client.get(url).status_code == 200


def test_a_major_hazard_recorded_with_funds_of_zero_is_fine(officer, enterprise_a):
    """五落实 funds may be 0 (整改不花钱), just never negative."""
    hazard = record(officer, enterprise_a, level=HazardLevel.MAJOR, funds=Decimal("0"))
    assert hazard.funds == 0


# ---------------------------------------------------------------- the leader reads only


def test_leader_pages_have_no_write_button(client, leader, officer, township_a_user, enterprise_a):
    major = record(officer, enterprise_a, level=HazardLevel.MAJOR)
    services.hazard_list(
        user=officer, hazard=major, level=ListingLevel.CITY, listed_on=TODAY(), leader="李", document="x"
    )
    waiting = to_verifying(record(officer, enterprise_a), township_a_user)
    client.force_login(leader)
    pages = [
        reverse("hazards:hazard_list"),
        reverse("hazards:listed_list"),
        reverse("home"),
        reverse("hazards:hazard_detail", args=[major.pk]),
        reverse("hazards:hazard_detail", args=[waiting.pk]),
    ]
    for url in pages:
        html = client.get(url).content.decode()
        assert reverse("hazards:hazard_create") not in html and reverse("hazards:hazard_import") not in html
        for hazard in (major, waiting):
            assert f"/hazards/{hazard.pk}/" + "verify/" not in html
            assert f"/hazards/{hazard.pk}/" + "rectify/" not in html
            assert f"/hazards/{hazard.pk}/" + "void/" not in html
