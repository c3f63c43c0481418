"""An outsider's and a careful clerk's review of the inspection pages and API.

Each test here failed before its fix: joint actions counted and filtered by visits the user cannot
see, planned inspections started by someone who may not act for their organiser, check items of
another sector accepted by the API, a PATCH that cut hazards off their check items, a second tap on
提交 ending on a 404, and inputs that answered 500.
"""

import datetime as dt
import io
import struct
import threading
import time
import zlib

import openpyxl
import pytest
from django.contrib.messages import get_messages
from django.db import connections, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from accounts.choices import Role
from inspections.choices import ActionStatus, CheckResultValue
from inspections.models import (
    CheckItem,
    CheckResult,
    InspectionAction,
    InspectionDraft,
    InspectionKind,
    RecordPhoto,
)
from inspections.services import ResultData, VisitData, action_record, draft_save, draft_start
from tests.factories import EnterpriseFactory, UserFactory

TODAY = timezone.localdate()
ACTIONS = "/api/v1/inspection-actions/"
RECORDS = "/api/v1/inspection-records/"


def certified(unit, n: int = 2, **kw):
    return [
        UserFactory(
            org_unit=unit,
            enforcement_cert_no=f"审{unit.pk}-{i}",
            enforcement_cert_expiry=TODAY + dt.timedelta(days=365),
            **kw,
        )
        for i in range(n)
    ]


@pytest.fixture
def team(district):
    return certified(district.dept_emergency, role=Role.OFFICER)


@pytest.fixture
def routine(db) -> InspectionKind:
    return InspectionKind.objects.get(code="routine")


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def items(sectors):
    """Enterprise A is 机械 (under 工贸); enterprise B is 建筑施工."""
    return {
        "trade": CheckItem.objects.create(
            sector=sectors["industry-trade"], code="GM-01", title="有限空间审批"
        ),
        "site": CheckItem.objects.create(sector=sectors["construction"], code="JZ-01", title="临边防护"),
    }


def inspect(user, organizer, members, enterprises, **kw) -> InspectionAction:
    return action_record(
        user=user,
        date=kw.pop("date", TODAY),
        organizer=organizer,
        kind=kw.pop("kind", None) or InspectionKind.objects.get(code="routine"),
        members=members,
        enterprises=enterprises,
        **kw,
    )


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, format="PNG")
    return buffer.getvalue()


# ---------------------------------------------------------------- joint actions: only what the user may see


@pytest.fixture
def joint(officer, team, district, sectors, enterprise_a, enterprise_b):
    """One district outing to A's 机械 firm, B's construction firm and B's hazchem firm."""
    hazchem_b = EnterpriseFactory(jurisdiction=district.township_b, sectors=[sectors["hazchem"]])
    return inspect(officer, officer.org_unit, team, [enterprise_a, enterprise_b, hazchem_b])


def listed(client, **params) -> list[tuple[int, int]]:
    page = client.get(reverse("inspections:action_list"), params)
    return [(a.pk, a.visit_count) for a in page.context["actions"]]


def test_joint_action_counts_only_the_visits_the_township_may_see(
    client, api, township_a_user, officer, joint, enterprise_a
):
    client.force_login(township_a_user)
    assert listed(client) == [(joint.pk, 1)]  # its own 家次, as the action's page lists them
    export = client.get(reverse("inspections:action_export"))
    rows = list(
        openpyxl.load_workbook(io.BytesIO(export.content)).active.iter_rows(min_row=2, values_only=True)
    )
    assert [r[5] for r in rows] == [1]
    page = client.get(reverse("inspections:action_detail", args=[joint.pk]))
    assert [r.enterprise for r in page.context["records"]] == [enterprise_a]
    api.force_authenticate(township_a_user)
    assert [a["visit_count"] for a in api.get(ACTIONS).json()["results"]] == [1]
    client.force_login(officer)
    assert listed(client) == [(joint.pk, 3)]


def test_filters_match_only_visits_the_user_may_see(
    client, api, township_a_user, department_user, district, sectors, joint
):
    client.force_login(township_a_user)
    # B's construction firm is on the action, but township A cannot see it: no match through it.
    assert listed(client, sector=sectors["construction"].pk) == []
    assert listed(client, sector=sectors["industry-trade"].pk) == [(joint.pk, 1)]
    client.force_login(department_user)  # 住建: sees the action through B's construction firm only
    assert listed(client, township=district.township_b.pk) == [(joint.pk, 1)]
    assert listed(client, township=district.township_a.pk) == []
    assert listed(client, sector=sectors["hazchem"].pk) == []
    export = client.get(reverse("inspections:action_export"), {"sector": sectors["hazchem"].pk})
    assert openpyxl.load_workbook(io.BytesIO(export.content)).active.max_row == 1  # the header only
    api.force_authenticate(department_user)
    assert api.get(ACTIONS, {"township": district.township_a.pk}).json()["results"] == []


# ---------------------------------------------------------------- planned inspections of another unit


def test_planned_inspection_is_started_only_by_who_may_act_for_its_organiser(
    client, officer, district, department_user, township_a_user, routine, sectors
):
    site_a = EnterpriseFactory(jurisdiction=district.township_a, sectors=[sectors["construction"]])
    town_team = certified(district.township_a, role=Role.TOWNSHIP)
    by_town = inspect(officer, district.township_a, town_team, [site_a], status=ActionStatus.PLANNED)
    by_district = inspect(officer, district.district, town_team, [site_a], status=ActionStatus.PLANNED)

    # 住建 sees township A's planned visit to a construction firm, but may not complete it for A.
    for user, planned in [(department_user, by_town), (township_a_user, by_district)]:
        client.force_login(user)
        detail = reverse("inspections:action_detail", args=[planned.pk])
        assert "开始录入" not in client.get(detail).content.decode()
        response = client.post(reverse("inspections:planned_start", args=[planned.pk]))
        assert response.status_code == 302 and response.url == detail
        assert "您不能录入" in " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert not InspectionDraft.objects.exists()

    client.force_login(township_a_user)  # its own unit's planned inspection: yes
    assert "开始录入" in client.get(reverse("inspections:action_detail", args=[by_town.pk])).content.decode()
    client.post(reverse("inspections:planned_start", args=[by_town.pk]))
    assert InspectionDraft.objects.get().planned_action == by_town


# ---------------------------------------------------------------- check items and results through the API


def test_api_refuses_check_items_of_another_sector(api, officer, team, enterprise_a, items):
    api.force_authenticate(officer)
    body = {
        "date": TODAY.isoformat(),
        "kind": "routine",
        "members": [m.pk for m in team],
        "records": [
            {"enterprise": enterprise_a.pk, "results": [{"item": items["site"].pk, "result": "compliant"}]}
        ],
    }
    response = api.post(ACTIONS, body, format="json")
    assert response.status_code == 400
    assert "检查事项不属于被检查单位的行业领域。" in response.json()["records"]
    assert not InspectionAction.objects.exists()

    body["records"][0]["results"] = [{"item": items["trade"].pk, "result": "noncompliant"}]  # parent sector
    created = api.post(ACTIONS, body, format="json")
    assert created.status_code == 201, created.json()
    record = created.json()["records"][0]["id"]
    wrong_item = {"results": [{"item": items["site"].pk, "result": "compliant"}]}
    wrong = api.patch(f"{RECORDS}{record}/", wrong_item, format="json")
    assert wrong.status_code == 400 and "检查事项不属于被检查单位的行业领域。" in wrong.json()["results"]
    assert list(CheckResult.objects.values_list("item", flat=True)) == [items["trade"].pk]


def test_patch_keeps_results_in_place_so_hazards_stay_linked(api, officer, team, enterprise_a, items):
    from hazards.services import hazard_from_check_result

    action = inspect(
        officer,
        officer.org_unit,
        team,
        [enterprise_a],
        visits={
            enterprise_a.pk: VisitData(results=[ResultData(items["trade"].pk, CheckResultValue.NONCOMPLIANT)])
        },
    )
    record = action.records.get()
    result = record.results.get()
    hazard = hazard_from_check_result(
        user=officer, check_result=result, deadline=TODAY + dt.timedelta(days=30)
    )
    items["trade"].is_active = False  # retired since: the record keeps it and stays editable
    items["trade"].save()

    api.force_authenticate(officer)
    response = api.patch(f"{RECORDS}{record.pk}/", {"findings": "已当场责令整改"}, format="json")
    assert response.status_code == 200, response.json()
    hazard.refresh_from_db()
    assert hazard.check_result_id == result.pk  # before: the results were re-created, the link set NULL
    put = {"findings": "", "results": [{"item": items["trade"].pk, "result": "noncompliant", "note": "补记"}]}
    assert api.put(f"{RECORDS}{record.pk}/", put, format="json").status_code == 200
    assert record.results.get().pk == result.pk and record.results.get().note == "补记"


def test_results_wait_until_a_planned_inspection_is_completed(api, officer, team, enterprise_a, items):
    planned = inspect(officer, officer.org_unit, team, [enterprise_a], status=ActionStatus.PLANNED)
    record = planned.records.get()
    api.force_authenticate(officer)
    body = {"results": [{"item": items["trade"].pk, "result": "noncompliant"}]}
    response = api.patch(f"{RECORDS}{record.pk}/", body, format="json")
    assert response.status_code == 400 and "status" in response.json()
    assert not record.results.exists()


def test_api_refuses_an_inspection_dated_in_the_future(api, officer, team, enterprise_a):
    api.force_authenticate(officer)
    body = {
        "date": (TODAY + dt.timedelta(days=1)).isoformat(),
        "kind": "routine",
        "members": [m.pk for m in team],
        "records": [{"enterprise": enterprise_a.pk}],
    }
    response = api.post(ACTIONS, body, format="json")
    assert response.status_code == 400 and response.json()["date"] == ["检查日期不能晚于今天。"]


# ---------------------------------------------------------------- submitting twice


def ready(user, kind, members, enterprises) -> InspectionDraft:
    draft = draft_start(user=user)
    basics = {**draft.data["basics"], "kind": kind.pk, "members": [m.pk for m in members]}
    draft_save(user=user, draft=draft, step=2, basics=basics)
    return draft_save(user=user, draft=draft, step=4, enterprise_ids=[e.pk for e in enterprises])


def test_second_tap_after_the_first_went_through_lands_on_the_list(
    client, officer, team, routine, enterprise_a
):
    draft = ready(officer, routine, team, [enterprise_a])
    url = reverse("inspections:draft_step", args=[draft.pk, 4])
    client.force_login(officer)
    first = client.post(url, {"submit": "1"})
    assert first.url == reverse("inspections:action_detail", args=[InspectionAction.objects.get().pk])
    second = client.post(url, {"submit": "1"})
    assert second.status_code == 302 and second.url == reverse("inspections:action_list")
    assert InspectionAction.objects.count() == 1
    assert client.get(url).status_code == 404  # a GET of a gone draft is still a 404


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_submits_make_one_action_and_no_404(district, officer, enterprise_a):
    routine = InspectionKind.objects.get(code="routine")
    draft = ready(officer, routine, certified(district.dept_emergency), [enterprise_a])
    url = reverse("inspections:draft_step", args=[draft.pk, 4])
    landed: list[str] = []
    go = threading.Barrier(3)

    def tap() -> None:
        browser = Client()
        browser.force_login(officer)
        go.wait()
        landed.append(browser.post(url, {"submit": "1"}).url)
        connections.close_all()

    # Hold the draft's row so both taps are inside the view, waiting on its lock, before either submits.
    with transaction.atomic():
        InspectionDraft.objects.select_for_update().get(pk=draft.pk)
        taps = [threading.Thread(target=tap) for _ in range(2)]
        for t in taps:
            t.start()
        go.wait()
        time.sleep(0.5)
    for t in taps:
        t.join()
    action = InspectionAction.objects.get()
    assert sorted(landed) == sorted(
        [reverse("inspections:action_list"), reverse("inspections:action_detail", args=[action.pk])]
    )


# ---------------------------------------------------------------- never a 500


def test_digits_int_cannot_read_are_refused_quietly(client, api, officer, team, routine, enterprise_a):
    client.force_login(officer)
    assert client.get(reverse("inspections:check_item_list"), {"sector": "²"}).status_code == 200
    draft = ready(officer, routine, team, [enterprise_a])
    for step, data in [(2, {"add": "²"}), (2, {"remove": "²"}), (3, {"delete_photo": "²", "upload": "²"})]:
        assert client.post(reverse("inspections:draft_step", args=[draft.pk, step]), data).status_code == 302
    draft.refresh_from_db()
    assert draft.data["enterprises"] == [enterprise_a.pk]
    api.force_authenticate(officer)
    body = {
        "date": TODAY.isoformat(),
        "kind": "²",
        "members": [],
        "records": [{"enterprise": enterprise_a.pk}],
    }
    assert api.post(ACTIONS, body, format="json").status_code == 400


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_api_photo_whose_file_is_gone_answers_404(api, media, officer, team, enterprise_a):
    record = inspect(officer, officer.org_unit, team, [enterprise_a]).records.get()
    photo = RecordPhoto.objects.create(
        record=record, enterprise=enterprise_a, image="inspections/gone.png", uploaded_by=officer
    )
    api.force_authenticate(officer)
    assert api.get(f"{RECORDS}{record.pk}/photos/{photo.pk}/").status_code == 404


def bomb_png() -> bytes:
    """A valid PNG header declaring 100000×100000 pixels: a few bytes that would unpack to gigabytes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 100_000, 100_000, 1, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def test_decompression_bomb_photo_is_refused_not_a_500(
    client, api, media, officer, team, routine, enterprise_a
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    record = inspect(officer, officer.org_unit, team, [enterprise_a]).records.get()
    api.force_authenticate(officer)
    bomb = SimpleUploadedFile("bomb.png", bomb_png(), content_type="image/png")
    assert api.post(f"{RECORDS}{record.pk}/photos/", {"image": bomb}, format="multipart").status_code == 400
    draft = ready(officer, routine, team, [enterprise_a])
    client.force_login(officer)
    bomb = SimpleUploadedFile("bomb.png", bomb_png(), content_type="image/png")
    response = client.post(
        reverse("inspections:draft_step", args=[draft.pk, 3]), {f"photo-{enterprise_a.pk}": bomb}
    )
    assert response.status_code == 200 and "有照片未能上传" in response.content.decode()
    assert not RecordPhoto.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "/inspections/99999999999999999999/",
        "/inspections/records/99999999999999999999/pdf/",
        "/inspections/photos/99999999999999999999/",
        "/inspections/drafts/99999999999999999999/",
        "/inspections/draws/99999999999999999999/export/",
        "/inspections/plans/99999999999999999999/export/",
        "/api/v1/inspection-actions/99999999999999999999/",
        "/api/v1/inspection-records/99999999999999999999/photos/",
    ],
)
def test_ids_beyond_the_database_range_are_404(client, officer, url):
    client.force_login(officer)
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    "params",
    [
        {"organizer": "99999999999999999999"},
        {"township": "x"},
        {"date_from": "2026-13-45"},
        {"page": "99999999999999999999"},
        {"kind": "-1", "sector": "abc"},
    ],
)
def test_bad_filters_give_a_page_not_a_500(client, officer, params):
    client.force_login(officer)
    assert client.get(reverse("inspections:action_list"), params).status_code == 200
    assert client.get(reverse("inspections:action_export"), params).status_code == 200


# ---------------------------------------------------------------- queries do not grow with rows


def test_entry_steps_drafts_and_record_api_keep_their_query_counts(
    client, api, officer, team, routine, district, items, django_assert_max_num_queries
):
    client.force_login(officer)
    api.force_authenticate(officer)
    urls = lambda draft: [  # noqa: E731
        *(reverse("inspections:draft_step", args=[draft.pk, n]) for n in (1, 2, 3, 4)),
        reverse("inspections:draft_list"),
        RECORDS,
    ]
    few = ready(officer, routine, team, [EnterpriseFactory(jurisdiction=district.community_a)])
    inspect(officer, officer.org_unit, team, [EnterpriseFactory(jurisdiction=district.community_a)])
    counts = []
    for url in urls(few):
        with django_assert_max_num_queries(20) as captured:
            assert (api if url == RECORDS else client).get(url).status_code == 200
        counts.append(len(captured.captured_queries))

    firms = EnterpriseFactory.create_batch(5, jurisdiction=district.community_a)
    many = ready(officer, routine, team, firms)
    for firm in firms:
        draft_save(
            user=officer,
            draft=many,
            step=3,
            visits={str(firm.pk): {"results": {str(items["trade"].pk): {"result": "compliant"}}}},
        )
    inspect(
        officer,
        officer.org_unit,
        team,
        firms,
        visits={
            f.pk: VisitData(results=[ResultData(items["trade"].pk, CheckResultValue.COMPLIANT)])
            for f in firms
        },
    )
    for url, before in zip(urls(many), counts, strict=True):
        with django_assert_max_num_queries(before):
            assert (api if url == RECORDS else client).get(url).status_code == 200


def test_admin_cannot_change_delete_or_revert_an_inspection(client, admin_user, district, enterprise_a):
    """The admin shows inspections; numbers, teams and records change only through the app's rules."""
    from inspections.models import InspectionAction, InspectionKind
    from inspections.services import action_record

    action = action_record(
        user=admin_user,
        date=timezone.localdate(),
        organizer=district.district,
        kind=InspectionKind.objects.get(code="supervision"),
        members=[admin_user],
        enterprises=[enterprise_a],
    )
    number = action.number
    InspectionAction.objects.filter(pk=action.pk).update(note="later")
    client.force_login(admin_user)
    base = "/admin/inspections/inspectionaction/"
    assert client.get(f"{base}{action.pk}/change/").status_code == 200
    assert client.post(f"{base}{action.pk}/delete/", {"post": "yes"}).status_code == 403
    history_url = f"{base}{action.pk}/history/{action.history.earliest().history_id}/"
    assert client.get(history_url).status_code == 200
    assert client.post(history_url, {"number": "改号", "date": "2020-01-01"}).status_code == 403
    action.refresh_from_db()
    assert action.number == number and InspectionAction.objects.count() == 1
