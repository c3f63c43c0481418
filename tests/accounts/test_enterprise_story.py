"""An enterprise's whole story on its page: its inspections and hazards (panels the apps above register
on the slot "accounts.enterprise_detail"), its risk-grade history and change history, and 录入检查 with
the enterprise already chosen.

The personas: the officer sees everything; township A sees its own enterprise's story and nothing of
township B's; township B gets 404 on A's enterprise; the leader reads but may not start an entry.
"""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import services as account_services
from accounts.models import RiskGrade
from hazards.choices import HazardSource, HazardState
from hazards.models import Hazard
from hazards.services import HazardData, hazard_create
from inspections.choices import CheckResultValue
from inspections.models import CheckItem, InspectionDraft, InspectionKind
from inspections.services import ResultData, VisitData, action_create, draft_start
from tests.factories import UserFactory

TODAY = timezone.localdate()
CERT_EXPIRY = TODAY + dt.timedelta(days=5 * 365)


def page(client, user, enterprise):
    client.force_login(user)
    return client.get(reverse("accounts:enterprise_detail", args=[enterprise.pk]))


@pytest.fixture
def team(district):
    return [
        UserFactory(
            name=name,
            org_unit=district.dept_emergency,
            enforcement_cert_no=f"湘执9{i:03d}",
            enforcement_cert_expiry=CERT_EXPIRY,
        )
        for i, name in enumerate(["王检查", "李执法"])
    ]


@pytest.fixture
def items(sectors):
    return {
        "machine": CheckItem.objects.create(
            sector=sectors["machinery"], code="JX-01", title="机械防护罩是否完好"
        ),
        "site": CheckItem.objects.create(sector=sectors["construction"], code="JZ-01", title="临边洞口防护"),
    }


@pytest.fixture
def inspect(district, officer, team, items):
    """inspect(days_ago, {enterprise: n 不符合}): an action of the 应急管理局 visiting the enterprises."""
    routine = InspectionKind.objects.get(code="routine")

    def make(days_ago: int, visits: dict):
        def results(enterprise, n):
            item = items["machine"] if enterprise.sectors.filter(code="machinery").exists() else items["site"]
            value = CheckResultValue.NONCOMPLIANT if n else CheckResultValue.COMPLIANT
            return VisitData(results=[ResultData(item_id=item.pk, result=value, note="")])

        return action_create(
            user=officer,
            date=TODAY - dt.timedelta(days=days_ago),
            organizer=district.dept_emergency,
            kind=routine,
            members=team,
            enterprises=list(visits),
            visits={e.pk: results(e, n) for e, n in visits.items()},
        )

    return make


@pytest.fixture
def hazard(officer):
    """hazard(enterprise, found_days_ago, days, description): 登记隐患 through the service."""

    def make(enterprise, *, found_days_ago: int = 5, days: int = 30, description: str = "配电箱未接地"):
        found_on = TODAY - dt.timedelta(days=found_days_ago)
        data = HazardData(
            enterprise=enterprise,
            source=HazardSource.SELF_REPORT,
            description=description,
            found_on=found_on,
            deadline=found_on + dt.timedelta(days=days),
            responsible_unit=enterprise.township,
        )
        return hazard_create(user=officer, data=data)

    return make


SECTORS = ["machinery", "industry-trade"]


def edit(user, enterprise, version: int, **changes):
    """修改 the enterprise through the service, as the edit page does."""
    enterprise.refresh_from_db()
    data = {
        "uscc": enterprise.uscc,
        "name": enterprise.name,
        "jurisdiction": enterprise.jurisdiction,
        "sectors": list(enterprise.sectors.all()),
        "risk_grade": enterprise.risk_grade,
        "address": enterprise.address,
        **changes,
    }
    return account_services.enterprise_update(
        user=user,
        enterprise=enterprise,
        data=account_services.EnterpriseData(**data),
        expected_version=version,
    )


# ---------------------------------------------------------------- inspections


@pytest.mark.django_db
def test_officer_sees_the_enterprises_inspections_newest_first_with_their_results(
    client, officer, enterprise_a, enterprise_b, inspect
):
    older = inspect(20, {enterprise_a: 1})
    newer = inspect(3, {enterprise_a: 0, enterprise_b: 1})
    inspect(1, {enterprise_b: 1})  # another enterprise's inspection: not on A's page
    response = page(client, officer, enterprise_a)
    assert response.status_code == 200
    (panel,) = [p["panel"] for p in response.context["panels"] if "records" in p["panel"]]
    assert [r.action for r in panel["records"]] == [newer, older]
    assert [r.noncompliant_count for r in panel["records"]] == [0, 1]
    body = response.content.decode()
    record = older.records.get(enterprise=enterprise_a)
    assert reverse("inspections:record_detail", args=[record.pk]) in body
    assert "不符合 1" in body and "未发现不符合" in body
    assert "日常检查" in body and "区应急管理局" in body


@pytest.mark.django_db
def test_township_a_sees_its_enterprises_story_and_township_b_gets_404(
    client, township_a_user, township_b_user, enterprise_a, enterprise_b, inspect, hazard
):
    joint = inspect(2, {enterprise_a: 1, enterprise_b: 1})
    hazard(enterprise_a, description="东城的隐患")
    hazard(enterprise_b, description="西山的隐患")
    response = page(client, township_a_user, enterprise_a)
    assert response.status_code == 200
    body = response.content.decode()
    assert "东城的隐患" in body and "西山的隐患" not in body
    own = joint.records.get(enterprise=enterprise_a)
    other = joint.records.get(enterprise=enterprise_b)
    assert reverse("inspections:record_detail", args=[own.pk]) in body
    assert reverse("inspections:record_detail", args=[other.pk]) not in body
    assert page(client, township_b_user, enterprise_a).status_code == 404


@pytest.mark.django_db
def test_all_inspections_link_lists_the_actions_that_visited_the_enterprise_within_scope(
    client, township_a_user, enterprise_a, enterprise_b, inspect
):
    joint = inspect(2, {enterprise_a: 0, enterprise_b: 1})
    only_b = inspect(1, {enterprise_b: 1})
    client.force_login(township_a_user)
    url = reverse("inspections:action_list")
    response = client.get(url, {"enterprise": enterprise_a.pk})
    assert list(response.context["actions"]) == [joint]
    assert response.context["filter_enterprise"] == enterprise_a
    assert "只显示" in response.content.decode()
    # Township B's enterprise is not township A's to look into: nothing listed, and not named.
    response = client.get(url, {"enterprise": enterprise_b.pk})
    assert list(response.context["actions"]) == []
    assert response.context["filter_enterprise"] is None
    assert only_b.number not in response.content.decode()


# ---------------------------------------------------------------- hazards


@pytest.mark.django_db
def test_hazards_open_first_overdue_marked_closed_last(client, officer, enterprise_a, hazard):
    closed = hazard(enterprise_a, found_days_ago=2, description="已整改的隐患")
    Hazard.objects.filter(pk=closed.pk).update(state=HazardState.CLOSED, closed_on=TODAY)
    due_later = hazard(enterprise_a, found_days_ago=1, days=30, description="期限未到的隐患")
    overdue = hazard(enterprise_a, found_days_ago=40, days=30, description="逾期的隐患")
    response = page(client, officer, enterprise_a)
    (panel,) = [p["panel"] for p in response.context["panels"] if "hazards" in p["panel"]]
    assert panel["hazards"] == [overdue, due_later, closed]
    assert [h.overdue_now for h in panel["hazards"]] == [True, False, False]
    assert panel["counts"] == {"total": 3, "open": 2, "overdue": 1}
    body = response.content.decode()
    assert body.count('class="badge badge-overdue"') == 2  # the row's badge and the panel's "逾期 1"
    assert "badge-state-open" in body and "badge-state-closed" in body
    assert reverse("hazards:hazard_detail", args=[overdue.pk]) in body


@pytest.mark.django_db
def test_all_hazards_link_lists_the_enterprises_hazards_on_the_ledger(
    client, township_a_user, enterprise_a, enterprise_b, hazard
):
    mine = hazard(enterprise_a)
    hazard(enterprise_b)
    client.force_login(township_a_user)
    response = client.get(reverse("hazards:hazard_list"), {"enterprise": enterprise_a.pk})
    assert list(response.context["hazards"]) == [mine]
    assert response.context["filter_enterprise"] == enterprise_a
    # The enterprise is pinned, not a filter set in the bar: on a phone the bar stays folded.
    assert not response.context["filter_form"].has_changed()
    response = client.get(reverse("hazards:hazard_list"), {"enterprise": enterprise_b.pk})
    assert list(response.context["hazards"]) == []


@pytest.mark.django_db
def test_panels_show_ten_with_a_link_to_all_and_the_page_has_no_n_plus_1(
    client, officer, sectors, enterprise_a, enterprise_b, inspect, hazard, django_assert_max_num_queries
):
    for days_ago in range(12):
        inspect(days_ago, {enterprise_a: days_ago % 3, enterprise_b: 1})
    for i in range(12):
        hazard(enterprise_a, found_days_ago=i + 1, days=5 + i * 3, description=f"隐患{i}")
    grades = list(RiskGrade.objects.all())
    for version in range(6):  # a long change history, sectors and grade changing, costs no query per save
        edit(
            officer,
            enterprise_a,
            version,
            risk_grade=grades[version % 4],
            sectors=[sectors[SECTORS[version % 2]]],
        )
    client.force_login(officer)
    url = reverse("accounts:enterprise_detail", args=[enterprise_a.pk])
    with django_assert_max_num_queries(30):
        response = client.get(url)
    body = response.content.decode()
    assert body.count('class="list-group-item list-group-item-action px-0 enterprise-inspection"') == 10
    assert body.count('enterprise-hazard"') == 10
    assert f"{reverse('inspections:action_list')}?enterprise={enterprise_a.pk}" in body
    assert f"{reverse('hazards:hazard_list')}?enterprise={enterprise_a.pk}" in body
    assert "查看全部" in body


# ---------------------------------------------------------------- 录入检查 from the enterprise


def start_url(enterprise_or_pk) -> str:
    pk = getattr(enterprise_or_pk, "pk", enterprise_or_pk)
    return f"{reverse('inspections:entry_new')}?enterprise={pk}"


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["officer", "township_a_user"])
def test_entry_button_starts_a_draft_with_the_enterprise_chosen(client, request, persona, enterprise_a):
    user = request.getfixturevalue(persona)
    body = page(client, user, enterprise_a).content.decode()
    assert f'href="{start_url(enterprise_a)}"' in body
    response = client.get(start_url(enterprise_a))
    draft = InspectionDraft.objects.get(owner=user)
    assert response.status_code == 302
    assert response["Location"] == reverse("inspections:draft_step", args=[draft.pk, 1])
    assert draft.data["enterprises"] == [enterprise_a.pk]
    # Step 2 shows it chosen.
    step2 = client.get(reverse("inspections:draft_step", args=[draft.pk, 2]))
    assert [e.pk for e in step2.context["chosen"]] == [enterprise_a.pk]


@pytest.mark.django_db
def test_entry_start_with_a_draft_in_progress_offers_a_new_one_for_the_enterprise(
    client, officer, enterprise_a
):
    client.force_login(officer)
    draft_start(user=officer)  # a draft already begun
    response = client.get(start_url(enterprise_a))
    assert response.status_code == 200
    assert f'action="{start_url(enterprise_a)}"' in response.content.decode()
    assert InspectionDraft.objects.filter(owner=officer).count() == 1  # a reload piles nothing up
    response = client.post(start_url(enterprise_a))
    newest = InspectionDraft.objects.filter(owner=officer).order_by("-pk").first()
    assert response["Location"] == reverse("inspections:draft_step", args=[newest.pk, 1])
    assert newest.data["enterprises"] == [enterprise_a.pk]


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post"])
def test_entry_start_refuses_an_enterprise_outside_the_users_scope_with_404(
    client, method, township_a_user, enterprise_b
):
    client.force_login(township_a_user)
    for target in (enterprise_b, 999999, "abc", "99999999999999999999"):
        assert getattr(client, method)(start_url(target)).status_code == 404
    assert not InspectionDraft.objects.filter(owner=township_a_user).exists()


@pytest.mark.django_db
def test_leader_reads_the_story_but_gets_no_entry_button_and_403_on_the_start(client, leader, enterprise_a):
    body = page(client, leader, enterprise_a).content.decode()
    assert "enterprise-inspections" in body and "enterprise-hazards" in body
    assert 'id="enterprise-entry"' not in body
    assert client.get(start_url(enterprise_a)).status_code == 403
    assert not InspectionDraft.objects.exists()


@pytest.mark.django_db
def test_department_sees_no_entry_button_for_an_enterprise_it_may_not_inspect(
    client, department_user, enterprise_b, enterprise_a
):
    # 住建局 supervises construction: B is its to inspect, A (machinery) is not even visible.
    assert 'id="enterprise-entry"' in page(client, department_user, enterprise_b).content.decode()
    assert page(client, department_user, enterprise_a).status_code == 404


# ---------------------------------------------------------------- grade history and change history


@pytest.mark.django_db
def test_grade_history_lists_each_grade_change_with_who_and_from_what_to_what(
    client, officer, township_a_user, enterprise_a
):
    red, blue = RiskGrade.objects.get(code="red"), RiskGrade.objects.get(code="blue")
    edit(officer, enterprise_a, 0, risk_grade=blue)
    edit(township_a_user, enterprise_a, 1, risk_grade=red)
    edit(officer, enterprise_a, 2, address="新地址")  # a save that leaves the grade alone is no grade change
    response = page(client, officer, enterprise_a)
    history = response.context["grade_history"]
    assert [(h["old"], h["new"], h["user"]) for h in history] == [
        (blue, red, township_a_user),
        (None, blue, officer),
    ]
    body = response.content.decode()
    assert "风险等级变更" in body and "badge-grade-red" in body
    # The change history names the grade, not its id.
    changes = [c for entry in response.context["history"] for c in entry["changes"]]
    assert {"field": "风险等级", "old": blue.label, "new": red.label} in [
        {**c, "field": str(c["field"])} for c in changes
    ]


@pytest.mark.django_db
def test_an_enterprise_never_graded_says_so(client, officer, enterprise_a):
    response = page(client, officer, enterprise_a)
    assert response.context["grade_history"] == []
    assert "尚未评定风险等级" in response.content.decode()


@pytest.mark.django_db
def test_change_history_names_sectors_and_yes_no_not_ids(client, officer, sectors, enterprise_a):
    edit(officer, enterprise_a, 0, sectors=[sectors["industry-trade"]], is_fire_key_unit=True)
    newest = page(client, officer, enterprise_a).context["history"][0]
    changes = {str(c["field"]): c for c in newest["changes"]}
    assert (changes["行业领域"]["old"], changes["行业领域"]["new"]) == (
        sectors["machinery"].name,
        sectors["industry-trade"].name,
    )
    assert (changes["消防安全重点单位"]["old"], changes["消防安全重点单位"]["new"]) == ("否", "是")
