"""举报: recording (the district office), checking (the township or department it lies with), rewards,
a substantiated report becoming a hazard (群众举报) or a case, the figures, scoping — and the
reporter's identity, seen by the district office only: in pages, exports and the API."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import Notification
from enforcement.choices import CaseSource
from enforcement.choices_tips import TipChannel, TipState
from enforcement.models import Case, Tip
from enforcement.selectors_tips import tip_figures
from enforcement.services import (
    TipData,
    tip_check_start,
    tip_conclude,
    tip_create,
    tip_create_hazard,
    tip_reward,
)
from hazards.choices import HazardSource
from hazards.models import AccidentCategory
from hazards.services import AccidentData, accident_create

pytestmark = pytest.mark.django_db
API = "/api/v1/tips/"
TODAY = dt.date.today
REPORTER, PHONE = "李举报", "13912345678"


def report(user, *, enterprise=None, township=None, on=None, sector=None, content="仓库堆放大量油漆无人看管"):
    return tip_create(
        user=user,
        data=TipData(
            received_on=on or TODAY() - dt.timedelta(days=10),
            channel=TipChannel.HOTLINE,
            content=content,
            township=township,
            enterprise=enterprise,
            sector=sector,
            reporter_name=REPORTER,
            reporter_phone=PHONE,
        ),
    )


def substantiate(user, tip, on=None):
    tip = tip_check_start(user=user, tip=tip)
    return tip_conclude(
        user=user,
        tip=tip,
        substantiated=True,
        checked_on=on or TODAY() - dt.timedelta(days=5),
        result="属实：油漆堆放在疏散通道",
    )


@pytest.fixture
def tips(officer, enterprise_a, enterprise_b):
    """A report about township A's machinery firm, one about township B's construction firm."""
    return report(officer, enterprise=enterprise_a), report(
        officer, enterprise=enterprise_b, content="西山工地夜间违规施工"
    )


# ---------------------------------------------------------------- recording


def test_officer_records_a_report_placed_where_its_enterprise_is(officer, enterprise_a, district):
    tip = report(officer, enterprise=enterprise_a)
    assert tip.number == f"JB{tip.received_on.year}00001"
    assert (tip.township, tip.sector.code, tip.state) == (district.township_a, "machinery", TipState.RECEIVED)
    assert tip.history.get().history_user == officer


def test_only_the_district_office_records_reports(township_a_user, department_user, leader, enterprise_a):
    for user in (township_a_user, department_user, leader):
        with pytest.raises(PermissionDenied):
            report(user, enterprise=enterprise_a)


def test_a_report_without_enterprise_needs_a_township(officer):
    with pytest.raises(ValidationError) as exc:
        report(officer)
    assert exc.value.message_dict["township"] == ["请选择所属街道（或填写被举报单位）。"]


# ---------------------------------------------------------------- the reporter is the district office's only


def test_reporter_is_hidden_from_township_department_and_leader_in_pages(
    client, officer, township_a_user, department_user, leader, tips, enterprise_b
):
    a, b = tips
    checks = [(township_a_user, a), (department_user, b), (leader, a)]  # 住建 sees B's construction report
    for user, tip in checks:
        client.force_login(user)
        for url in (reverse("enforcement:tip_list"), reverse("enforcement:tip_detail", args=[tip.pk])):
            html = client.get(url).content.decode()
            assert tip.number in html, (user, url)
            assert REPORTER not in html and PHONE not in html, (user, url)
    client.force_login(officer)
    html = client.get(reverse("enforcement:tip_detail", args=[a.pk])).content.decode()
    assert REPORTER in html and PHONE in html


def _export_text(client) -> str:
    response = client.get(reverse("enforcement:tip_export"))
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    return "\n".join(str(v) for row in book.active.iter_rows(values_only=True) for v in row if v)


def test_reporter_is_hidden_in_the_export(client, officer, township_a_user, leader, tips):
    a, b = tips
    for user in (township_a_user, leader):
        client.force_login(user)
        text = _export_text(client)
        assert a.number in text and REPORTER not in text and PHONE not in text and "举报人" not in text
    client.force_login(officer)
    text = _export_text(client)
    assert REPORTER in text and PHONE in text


def test_reporter_is_null_in_the_api_unless_district_office(
    api, officer, township_a_user, department_user, leader, tips
):
    a, b = tips
    for user, tip in ((township_a_user, a), (department_user, b), (leader, a)):
        api.force_authenticate(user)
        row = next(r for r in api.get(API).json()["results"] if r["id"] == tip.pk)
        detail = api.get(f"{API}{tip.pk}/").json()
        for body in (row, detail):
            assert body["reporter_name"] is None and body["reporter_phone"] is None
        assert REPORTER not in api.get(f"{API}{tip.pk}/").content.decode()
    api.force_authenticate(officer)
    detail = api.get(f"{API}{a.pk}/").json()
    assert (detail["reporter_name"], detail["reporter_phone"]) == (REPORTER, PHONE)


# ---------------------------------------------------------------- scoping


def test_township_sees_its_own_reports_and_gets_404_for_the_other(client, api, township_a_user, tips):
    a, b = tips
    client.force_login(township_a_user)
    assert client.get(reverse("enforcement:tip_detail", args=[b.pk])).status_code == 404
    assert client.post(reverse("enforcement:tip_check", args=[b.pk])).status_code == 404
    api.force_authenticate(township_a_user)
    assert {r["id"] for r in api.get(API).json()["results"]} == {a.pk}
    assert api.get(f"{API}{b.pk}/").status_code == 404


def test_department_sees_the_reports_of_its_sectors(api, department_user, tips):
    a, b = tips
    api.force_authenticate(department_user)
    assert {r["id"] for r in api.get(API).json()["results"]} == {b.pk}


# ---------------------------------------------------------------- checking and rewards


def test_township_checks_and_concludes_its_report(client, township_a_user, tips):
    a, _b = tips
    client.force_login(township_a_user)
    client.post(reverse("enforcement:tip_check", args=[a.pk]))
    response = client.post(
        reverse("enforcement:tip_conclude", args=[a.pk]),
        {"outcome": "substantiated", "checked_on": TODAY().isoformat(), "result": "属实：通道堵塞"},
    )
    assert response.status_code == 302
    a.refresh_from_db()
    assert (a.state, a.checked_on, a.result) == (TipState.SUBSTANTIATED, TODAY(), "属实：通道堵塞")
    assert a.history.first().history_user == township_a_user


def test_leader_reads_only(client, leader, tips):
    a, _b = tips
    client.force_login(leader)
    assert client.post(reverse("enforcement:tip_check", args=[a.pk])).status_code == 403


def test_a_concluded_report_cannot_be_concluded_again(officer, tips):
    a, _b = tips
    a = substantiate(officer, a)
    with pytest.raises(ValidationError) as exc:
        tip_conclude(user=officer, tip=a, substantiated=False, checked_on=TODAY(), result="再查")
    assert exc.value.code == "stale_state"


def test_reward_is_for_the_district_office_and_substantiated_reports_only(officer, township_a_user, tips):
    a, b = tips
    with pytest.raises(ValidationError):  # not substantiated yet
        tip_reward(user=officer, tip=b, amount=Decimal("500"), paid_on=TODAY())
    a = substantiate(officer, a)
    with pytest.raises(PermissionDenied):
        tip_reward(user=township_a_user, tip=a, amount=Decimal("500"), paid_on=TODAY())
    with pytest.raises(ValidationError) as exc:
        tip_reward(user=officer, tip=a, amount=Decimal("0"), paid_on=TODAY())
    assert "amount" in exc.value.message_dict
    a = tip_reward(user=officer, tip=a, amount=Decimal("2000"), paid_on=TODAY())
    assert (a.reward_amount, a.reward_paid_on) == (Decimal("2000"), TODAY())


# ---------------------------------------------------------------- a hazard or a case from a report


def test_substantiated_report_becomes_a_hazard_from_a_tip_off(
    client, officer, township_a_user, tips, enterprise_a
):
    a, _b = tips
    a = substantiate(officer, a)
    client.force_login(township_a_user)
    deadline = (TODAY() + dt.timedelta(days=10)).isoformat()
    response = client.post(
        reverse("enforcement:tip_hazard", args=[a.pk]), {"level": "general", "deadline": deadline}
    )
    a.refresh_from_db()
    hazard = a.hazard
    assert response.status_code == 302 and response.url == hazard.get_absolute_url()
    assert (hazard.source, hazard.enterprise, hazard.description) == (
        HazardSource.TIP_OFF,
        enterprise_a,
        "属实：油漆堆放在疏散通道",
    )
    assert hazard.get_source_display() == "群众举报"
    assert hazard.found_on == a.checked_on and hazard.created_by == township_a_user
    # Once only.
    with pytest.raises(ValidationError):
        tip_create_hazard(user=officer, tip=a, deadline=TODAY())


def test_an_unchecked_report_does_not_become_a_hazard(officer, tips):
    a, _b = tips
    with pytest.raises(ValidationError):
        tip_create_hazard(user=officer, tip=a, deadline=TODAY())


def test_api_hazard_from_a_report(api, officer, tips):
    a, _b = tips
    substantiate(officer, a)
    api.force_authenticate(officer)
    response = api.post(
        f"{API}{a.pk}/hazard/", {"deadline": (TODAY() + dt.timedelta(days=7)).isoformat()}, format="json"
    )
    assert response.status_code == 201 and response.json()["source"] == "tip"


def test_officer_opens_a_case_from_a_substantiated_report(client, officer, tips, district):
    a, _b = tips
    a = substantiate(officer, a)
    client.force_login(officer)
    page = client.get(reverse("enforcement:case_from_tip", args=[a.pk]))
    assert page.status_code == 200 and a.number in page.content.decode()
    assert REPORTER not in page.content.decode()
    response = client.post(
        reverse("enforcement:case_from_tip", args=[a.pk]),
        {
            "handling_unit": district.dept_emergency.pk,
            "procedure": "general",
            "cause": "堵塞疏散通道案",
            "opened_on": TODAY().isoformat(),
            "facts": page.context["form"].initial["facts"],
        },
    )
    case = Case.objects.get()
    assert response.status_code == 302
    assert (case.source, case.source_tip, case.enterprise) == (CaseSource.TIP, a, a.enterprise)


def test_township_may_not_open_a_case_from_a_report(client, officer, township_a_user, tips):
    a, _b = tips
    substantiate(officer, a)
    client.force_login(township_a_user)
    assert client.get(reverse("enforcement:case_from_tip", args=[a.pk])).status_code == 403


# ---------------------------------------------------------------- figures


def test_figures_of_a_period_in_one_query(
    officer, township_a_user, enterprise_a, enterprise_b, django_assert_num_queries
):
    d = dt.date
    t1 = report(officer, enterprise=enterprise_a, on=d(2025, 1, 10))
    t2 = report(officer, enterprise=enterprise_a, on=d(2025, 2, 10))
    t3 = report(officer, enterprise=enterprise_b, on=d(2025, 3, 10))
    report(officer, enterprise=enterprise_a, on=d(2024, 12, 20))  # received before the period …
    old = Tip.objects.get(received_on=d(2024, 12, 20))
    substantiate(officer, old, on=d(2025, 1, 5))  # … substantiated and rewarded in it
    tip_reward(
        user=officer, tip=Tip.objects.get(pk=old.pk), amount=Decimal("1000.50"), paid_on=d(2025, 1, 20)
    )
    substantiate(officer, t1, on=d(2025, 1, 15))
    tip_reward(user=officer, tip=Tip.objects.get(pk=t1.pk), amount=Decimal("2000"), paid_on=d(2025, 4, 1))
    substantiate(officer, t3, on=d(2025, 3, 20))
    tip_reward(
        user=officer, tip=Tip.objects.get(pk=t3.pk), amount=Decimal("5000"), paid_on=d(2025, 7, 1)
    )  # after
    t2 = tip_check_start(user=officer, tip=t2)
    tip_conclude(user=officer, tip=t2, substantiated=False, checked_on=d(2025, 2, 20), result="不属实")
    period = {"date_from": d(2025, 1, 1), "date_to": d(2025, 6, 30)}
    with django_assert_num_queries(1):
        figures = tip_figures(user=officer, **period)
    assert figures == {
        "received": 3,
        "substantiated": 3,
        "rewards_paid": 2,
        "rewards_amount": Decimal("3000.50"),
    }
    # Township A: t1, t2 and the old one (all at 东城机械厂).
    assert tip_figures(user=township_a_user, **period) == {
        "received": 2,
        "substantiated": 2,
        "rewards_paid": 2,
        "rewards_amount": Decimal("3000.50"),
    }


def test_api_figures(api, officer, tips):
    api.force_authenticate(officer)
    body = api.get(f"{API}figures/").json()
    assert body["received"] == 2
    assert api.get(f"{API}figures/", {"date_from": "2025-02-01", "date_to": "2025-01-01"}).status_code == 400


# ---------------------------------------------------------------- ceilings


def test_list_page_and_api_stay_within_query_ceilings(
    client, api, officer, enterprise_a, django_assert_max_num_queries
):
    for _i in range(12):
        report(officer, enterprise=enterprise_a)
    client.force_login(officer)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("enforcement:tip_list")).status_code == 200
    api.force_authenticate(officer)
    with django_assert_max_num_queries(8):
        assert api.get(API).status_code == 200
    tip = Tip.objects.first()
    with django_assert_max_num_queries(16):
        assert client.get(reverse("enforcement:tip_detail", args=[tip.pk])).status_code == 200


# ---------------------------------------------------------------- 立案调查 from an accident (the panel enforcement adds)


def test_accident_page_offers_a_case_to_officers_and_opens_it(
    client, officer, township_a_user, enterprise_a, district, sectors
):
    accident = accident_create(
        user=officer,
        data=AccidentData(
            occurred_on=TODAY() - dt.timedelta(days=3),
            township=district.township_a,
            sector=sectors["machinery"],
            category=AccidentCategory.objects.get(code="machinery"),
            summary="冲床压伤手指",
            injuries=1,
            enterprise=enterprise_a,
        ),
    )
    client.force_login(township_a_user)
    assert "accident-case-open" not in client.get(accident.get_absolute_url()).content.decode()
    client.force_login(officer)
    html = client.get(accident.get_absolute_url()).content.decode()
    url = reverse("enforcement:case_from_accident", args=[accident.pk])
    assert "accident-case-open" in html and url in html
    response = client.post(
        url,
        {
            "handling_unit": district.dept_emergency.pk,
            "procedure": "general",
            "cause": "未落实安全防护措施案",
            "opened_on": TODAY().isoformat(),
            "facts": "冲床无防护",
        },
    )
    case = Case.objects.get()
    assert response.status_code == 302 and (case.source, case.source_accident) == (
        CaseSource.ACCIDENT,
        accident,
    )
    assert case.number in client.get(accident.get_absolute_url()).content.decode()


def test_the_township_is_told_of_a_new_report_without_the_reporter(officer, enterprise_a, district):
    tip = report(officer, enterprise=enterprise_a)
    note = Notification.objects.get(kind="tip_received")
    assert note.org_unit == district.township_a and tip.number in note.title
    assert REPORTER not in note.title + note.body and PHONE not in note.body


def test_api_records_checks_and_concludes(api, officer, township_a_user, enterprise_a):
    api.force_authenticate(officer)
    created = api.post(
        API,
        {
            "received_on": TODAY().isoformat(),
            "channel": "12350",
            "content": "夜间偷排",
            "enterprise": enterprise_a.pk,
            "reporter_name": REPORTER,
            "reporter_phone": PHONE,
        },
        format="json",
    )
    assert created.status_code == 201 and created.json()["reporter_name"] == REPORTER
    pk = created.json()["id"]
    api.force_authenticate(township_a_user)
    assert api.post(f"{API}{pk}/check/").json()["state"] == "checking"
    assert api.post(f"{API}{pk}/check/").status_code == 409  # already being checked
    done = api.post(
        f"{API}{pk}/conclude/",
        {"substantiated": True, "checked_on": TODAY().isoformat(), "result": "属实"},
        format="json",
    )
    assert done.status_code == 200 and done.json()["state"] == "substantiated"
    assert done.json()["reporter_name"] is None
    assert (
        api.post(
            f"{API}{pk}/reward/", {"amount": "500", "paid_on": TODAY().isoformat()}, format="json"
        ).status_code
        == 403
    )
    assert api.patch(f"{API}{pk}/", {"content": "改"}, format="json").status_code == 403
