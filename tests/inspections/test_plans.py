"""检查计划: done vs planned from the actual records, the planning rules, and who may see and write plans.

"Done" is unit-visits (家次) of inspections that happened, organised by the plan's unit itself, in the
plan's year or month, matching each line's sector (with its sub-sectors), township (with its
communities) and kind. Plans are the office's tool: nothing on them is counted per inspector.
"""

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.choices import Role
from inspections.choices import ActionStatus
from inspections.models import InspectionAction, InspectionKind, InspectionPlan, InspectionRecord
from inspections.selectors import plan_list, plan_progress, plans_progress
from inspections.services import TargetData, plan_create, plan_tasks_create, plan_update
from tests.factories import EnterpriseFactory, UserFactory

YEAR = 2026
PLANS = "/api/v1/inspection-plans/"


def kind(code: str) -> InspectionKind:
    return InspectionKind.objects.get(code=code)


def visit(organizer, enterprises, *, on=dt.date(YEAR, 5, 12), kind_code="routine", status=ActionStatus.DONE):
    """An inspection as stored (the counting reads records, whatever service wrote them)."""
    inspector = UserFactory(role=Role.OFFICER, org_unit=organizer, name="赵检查员")
    action = InspectionAction.objects.create(
        date=on, organizer=organizer, kind=kind(kind_code), status=status, created_by=inspector
    )
    action.members.set([inspector])
    for enterprise in enterprises:
        InspectionRecord.objects.create(action=action, enterprise=enterprise)
    return action


def make_plan(user, organizer, targets, *, month=None, year=YEAR, title="执法检查计划"):
    return plan_create(
        user=user, organizer=organizer, year=year, month=month, title=title, note="", targets=targets
    )


def done_of(plan, today=dt.date(YEAR, 11, 23)) -> list[int]:
    return [line.done for line in plan_progress(plan=plan, today=today).lines]


# ---------------------------------------------------------------- counting


def test_done_counts_only_done_visits_by_the_organiser_within_the_year(officer, district, enterprise_a):
    emergency = district.dept_emergency
    other = EnterpriseFactory(jurisdiction=district.township_b)
    visit(emergency, [enterprise_a, other])  # 2 家次
    visit(emergency, [enterprise_a], on=dt.date(YEAR, 1, 1))  # first day counts
    visit(emergency, [enterprise_a], on=dt.date(YEAR, 12, 31))  # last day counts
    visit(emergency, [enterprise_a], status=ActionStatus.PLANNED)  # not done yet
    visit(emergency, [enterprise_a], status=ActionStatus.DRAFT)
    visit(emergency, [enterprise_a], on=dt.date(YEAR - 1, 12, 31))  # other years
    visit(emergency, [enterprise_a], on=dt.date(YEAR + 1, 1, 1))
    visit(district.township_a, [enterprise_a])  # another organiser's work
    visit(district.district, [enterprise_a])  # the parent unit's work is not the department's
    plan = make_plan(officer, emergency, [TargetData(10)])
    assert done_of(plan) == [4]


def test_district_plan_does_not_sweep_in_its_departments_and_townships(officer, district, enterprise_a):
    visit(district.dept_emergency, [enterprise_a])
    visit(district.township_a, [enterprise_a])
    visit(district.district, [enterprise_a])
    plan = make_plan(officer, district.district, [TargetData(5)])
    assert done_of(plan) == [1]


def test_sector_line_takes_in_sub_sectors_and_counts_a_firm_once(officer, district, sectors):
    machinery = EnterpriseFactory(jurisdiction=district.township_a, sectors=[sectors["machinery"]])
    both = EnterpriseFactory(
        jurisdiction=district.township_a, sectors=[sectors["industry-trade"], sectors["machinery"]]
    )
    site = EnterpriseFactory(jurisdiction=district.township_a, sectors=[sectors["construction"]])
    visit(district.dept_emergency, [machinery, both, site])
    plan = make_plan(
        officer,
        district.dept_emergency,
        [
            TargetData(10, sector=sectors["industry-trade"]),
            TargetData(10, sector=sectors["machinery"]),
            TargetData(10, sector=sectors["construction"]),
            TargetData(10, sector=sectors["hazchem"]),
            TargetData(10),
        ],
    )
    assert done_of(plan) == [2, 2, 1, 0, 3]


def test_township_line_takes_in_its_communities(officer, district, enterprise_a, enterprise_b):
    in_town = EnterpriseFactory(jurisdiction=district.township_a)
    visit(district.dept_emergency, [enterprise_a, in_town, enterprise_b])
    plan = make_plan(
        officer,
        district.dept_emergency,
        [TargetData(5, township=district.township_a), TargetData(5, township=district.township_b)],
    )
    assert done_of(plan) == [2, 1]


def test_kind_line_counts_only_that_kind(officer, district, enterprise_a, enterprise_b):
    visit(district.dept_emergency, [enterprise_a, enterprise_b], kind_code="special")
    visit(district.dept_emergency, [enterprise_a], kind_code="routine")
    plan = make_plan(
        officer,
        district.dept_emergency,
        [
            TargetData(5, kind=kind("special")),
            TargetData(5, kind=kind("routine")),
            TargetData(5, kind=kind("special"), township=district.township_b),
        ],
    )
    assert done_of(plan) == [2, 1, 1]


def test_monthly_plan_counts_only_its_month(officer, district, enterprise_a):
    for day in (dt.date(YEAR, 3, 1), dt.date(YEAR, 3, 31), dt.date(YEAR, 2, 28), dt.date(YEAR, 4, 1)):
        visit(district.township_a, [enterprise_a], on=day)
    plan = make_plan(officer, district.township_a, [TargetData(4)], month=3)
    assert done_of(plan) == [2]


def test_percent_has_one_decimal_and_the_total_adds_the_lines(officer, district, enterprise_a, enterprise_b):
    firms = [enterprise_a, enterprise_b, EnterpriseFactory(jurisdiction=district.township_a)]
    visit(district.dept_emergency, firms)
    plan = make_plan(
        officer,
        district.dept_emergency,
        [TargetData(3, township=district.township_a), TargetData(1, township=district.township_b)],
    )
    progress = plan_progress(plan=plan, today=dt.date(YEAR, 11, 23))
    assert [(line.planned, line.done, str(line.percent)) for line in progress.lines] == [
        (3, 2, "66.7"),
        (1, 1, "100.0"),
    ]
    assert (progress.total.planned, progress.total.done, str(progress.total.percent)) == (4, 3, "75.0")
    assert progress.lines[1].bar == 100


def test_overfulfilment_shows_above_100_but_fills_the_bar_only(officer, district, enterprise_a, enterprise_b):
    visit(district.dept_emergency, [enterprise_a, enterprise_b])
    plan = make_plan(officer, district.dept_emergency, [TargetData(1)])
    line = plan_progress(plan=plan).lines[0]
    assert str(line.percent) == "200.0" and line.bar == 100


def test_elapsed_share_of_the_period(officer, district):
    annual = make_plan(officer, district.township_a, [TargetData(12)])
    monthly = make_plan(officer, district.township_a, [TargetData(3)], month=11)
    on = dt.date(YEAR, 11, 23)
    elapsed = plan_progress(plan=annual, today=on).elapsed
    assert (elapsed.passed, elapsed.total, elapsed.unit, str(elapsed.percent)) == (11, 12, "个月", "91.7")
    elapsed = plan_progress(plan=monthly, today=on).elapsed
    assert (elapsed.passed, elapsed.total, elapsed.unit) == (23, 30, "天")
    assert plan_progress(plan=annual, today=dt.date(YEAR + 1, 2, 1)).elapsed.passed == 12
    assert plan_progress(plan=monthly, today=dt.date(YEAR, 10, 31)).elapsed.passed == 0
    # Nothing done by November: behind time; a plan not yet begun is not.
    assert not plan_progress(plan=annual, today=on).on_track
    assert plan_progress(plan=monthly, today=dt.date(YEAR, 10, 31)).on_track


def test_progress_of_a_plan_is_one_query_however_many_lines(
    officer, district, sectors, enterprise_a, django_assert_num_queries
):
    visit(district.dept_emergency, [enterprise_a])
    lines = [TargetData(5, sector=s) for s in list(sectors.values())[:8]]
    lines += [TargetData(5, township=district.township_a, kind=kind("routine")), TargetData(5)]
    make_plan(officer, district.dept_emergency, lines)
    plan = plan_list(user=officer).get()  # targets prefetched, as the pages and the API fetch them
    with django_assert_num_queries(1):
        progress = plan_progress(plan=plan)
    assert len(progress.lines) == 10 and progress.lines[-1].done == 1


def test_progress_of_a_page_of_plans_is_one_query(officer, district, enterprise_a, django_assert_num_queries):
    visit(district.township_a, [enterprise_a], on=dt.date(YEAR, 3, 5))
    for month in range(1, 7):
        make_plan(
            officer, district.township_a, [TargetData(2), TargetData(1, kind=kind("routine"))], month=month
        )
    plans = list(plan_list(user=officer))
    with django_assert_num_queries(1):
        progress = plans_progress(plans=plans)
    assert sorted(p.total.done for p in progress.values()) == [0, 0, 0, 0, 0, 2]


# ---------------------------------------------------------------- rules


def test_one_plan_per_unit_and_period(officer, district):
    make_plan(officer, district.township_a, [TargetData(5)])
    with pytest.raises(ValidationError) as exc:
        make_plan(officer, district.township_a, [TargetData(8)])
    assert "东城街道已有2026年度的检查计划" in exc.value.message_dict["month"][0]
    # A monthly plan, another year, another unit: all fine.
    make_plan(officer, district.township_a, [TargetData(1)], month=5)
    make_plan(officer, district.township_a, [TargetData(1)], year=YEAR + 1)
    make_plan(officer, district.township_b, [TargetData(1)])
    with pytest.raises(ValidationError):
        make_plan(officer, district.township_a, [TargetData(1)], month=5)


def test_update_may_not_move_onto_a_taken_period_but_may_keep_its_own(officer, district):
    make_plan(officer, district.township_a, [TargetData(5)], month=1)
    plan = make_plan(officer, district.township_a, [TargetData(5)], month=2)
    plan = plan_update(
        user=officer, plan=plan, year=YEAR, month=2, title="二月", note="", targets=[TargetData(6)]
    )
    assert list(plan.targets.values_list("target_visits", flat=True)) == [6]
    with pytest.raises(ValidationError):
        plan_update(user=officer, plan=plan, year=YEAR, month=1, title="x", note="", targets=[TargetData(6)])


def test_update_replaces_the_lines_and_keeps_who(officer, district, sectors):
    plan = make_plan(
        officer, district.dept_emergency, [TargetData(5), TargetData(3, sector=sectors["hazchem"])]
    )
    other = UserFactory(role=Role.OFFICER, org_unit=district.dept_emergency)
    plan_update(
        user=other,
        plan=plan,
        year=YEAR,
        month=None,
        title="修订后的计划",
        note="",
        targets=[TargetData(9, kind=kind("special"))],
    )
    plan.refresh_from_db()
    assert plan.title == "修订后的计划" and plan.created_by == officer
    assert [(t.kind.code, t.target_visits) for t in plan.targets.all()] == [("special", 9)]
    assert plan.history.first().history_user == other


@pytest.mark.parametrize(
    ("targets", "message"),
    [
        ([], "请至少填写一条计划指标"),
        ([TargetData(0)], "计划检查家次应至少为1"),
        ([TargetData(2), TargetData(3)], "与前面的指标重复"),
    ],
)
def test_lines_are_checked(officer, district, targets, message):
    with pytest.raises(ValidationError) as exc:
        make_plan(officer, district.township_a, targets)
    assert message in " ".join(exc.value.message_dict["targets"])
    assert not InspectionPlan.objects.exists()


def test_month_must_be_1_to_12(officer, district):
    with pytest.raises(ValidationError) as exc:
        make_plan(officer, district.township_a, [TargetData(1)], month=13)
    assert "月份应为1至12" in exc.value.message_dict["month"][0]


def test_a_line_township_must_be_a_township(officer, district):
    with pytest.raises(ValidationError) as exc:
        make_plan(officer, district.township_a, [TargetData(1, township=district.community_a)])
    assert "不是街道/乡镇" in exc.value.message_dict["targets"][0]


def test_township_user_plans_for_its_town_and_targets_only_its_town(township_a_user, district):
    make_plan(township_a_user, district.township_a, [TargetData(3, township=district.township_a)])
    with pytest.raises(ValidationError) as exc:
        make_plan(
            township_a_user, district.township_a, [TargetData(3, township=district.township_b)], month=1
        )
    assert "不在您的管辖范围内" in exc.value.message_dict["targets"][0]
    with pytest.raises(ValidationError) as exc:
        make_plan(township_a_user, district.township_b, [TargetData(3)])
    assert "organizer" in exc.value.message_dict


def test_department_plans_for_itself_only(department_user, district):
    make_plan(department_user, district.dept_construction, [TargetData(3, township=district.township_b)])
    with pytest.raises(ValidationError):
        make_plan(department_user, district.dept_emergency, [TargetData(3)])


def test_leader_may_not_plan(leader, officer, district):
    with pytest.raises(PermissionDenied):
        make_plan(leader, district.district, [TargetData(3)])
    plan = make_plan(officer, district.district, [TargetData(3)])
    with pytest.raises(PermissionDenied):
        plan_update(
            user=leader, plan=plan, year=YEAR, month=None, title="x", note="", targets=[TargetData(1)]
        )


def test_township_user_may_not_change_another_towns_plan(officer, township_a_user, district):
    plan = make_plan(officer, district.township_b, [TargetData(3)])
    with pytest.raises(PermissionDenied):
        plan_update(
            user=township_a_user,
            plan=plan,
            year=YEAR,
            month=None,
            title="x",
            note="",
            targets=[TargetData(1)],
        )


# ---------------------------------------------------------------- pages


@pytest.fixture
def plan_a(officer, district, enterprise_a):
    visit(district.township_a, [enterprise_a], on=dt.date(YEAR, 4, 2))
    return make_plan(
        officer,
        district.township_a,
        [TargetData(4, township=district.township_a), TargetData(2, kind=kind("special"))],
        title="东城街道年度检查计划",
    )


def test_pages_show_done_vs_planned_without_inspector_figures(client, township_a_user, plan_a):
    client.force_login(township_a_user)
    listing = client.get(reverse("inspections:plan_list")).content.decode()
    assert "东城街道年度检查计划" in listing and "25.0%" not in listing  # total 1 of 6 = 16.7%
    assert "16.7%" in listing
    page = client.get(reverse("inspections:plan_detail", args=[plan_a.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    for text in ("行业领域", "街道/乡镇", "检查类型", "计划家次", "已完成家次", "完成率", "25.0%", "0.0%"):
        assert text in html
    assert "赵检查员" not in html and "赵检查员" not in listing  # no per-inspector figures
    assert reverse("inspections:plan_edit", args=[plan_a.pk]) in html


def test_other_township_gets_404_everywhere(client, township_b_user, plan_a):
    client.force_login(township_b_user)
    for name in ("plan_detail", "plan_edit", "plan_export"):
        assert client.get(reverse(f"inspections:{name}", args=[plan_a.pk])).status_code == 404
    assert "东城街道年度检查计划" not in client.get(reverse("inspections:plan_list")).content.decode()


def test_department_sees_only_its_own_plans(client, department_user, plan_a, district):
    client.force_login(department_user)
    assert client.get(reverse("inspections:plan_detail", args=[plan_a.pk])).status_code == 404


def test_leader_reads_but_cannot_create_or_edit(client, leader, plan_a):
    client.force_login(leader)
    html = client.get(reverse("inspections:plan_detail", args=[plan_a.pk])).content.decode()
    assert "东城街道年度检查计划" in html
    assert reverse("inspections:plan_edit", args=[plan_a.pk]) not in html
    assert (
        reverse("inspections:plan_create")
        not in client.get(reverse("inspections:plan_list")).content.decode()
    )
    assert client.get(reverse("inspections:plan_create")).status_code == 403
    assert client.get(reverse("inspections:plan_edit", args=[plan_a.pk])).status_code == 403


def test_list_filters_by_year(client, officer, plan_a, district):
    make_plan(officer, district.township_b, [TargetData(1)], year=YEAR - 1, title="去年的计划")
    client.force_login(officer)
    response = client.get(reverse("inspections:plan_list"), {"year": YEAR - 1})
    html = response.content.decode()
    assert "去年的计划" in html and "东城街道年度检查计划" not in html
    assert f'value="{YEAR - 1}"' in html  # offered in the year select


def test_list_query_count_does_not_grow(
    client, officer, district, enterprise_a, django_assert_max_num_queries
):
    client.force_login(officer)
    make_plan(officer, district.township_a, [TargetData(2)])
    with django_assert_max_num_queries(15) as few:
        client.get(reverse("inspections:plan_list"))
    for month in range(1, 10):
        make_plan(
            officer, district.township_b, [TargetData(2), TargetData(1, kind=kind("routine"))], month=month
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get(reverse("inspections:plan_list")).context["rows"]) == 10


def form_data(**plan) -> dict:
    data = {
        "year": YEAR,
        "month": "",
        "title": "东城街道年度检查计划",
        "note": "",
        "targets-TOTAL_FORMS": "3",
        "targets-INITIAL_FORMS": "0",
        "targets-MIN_NUM_FORMS": "0",
        "targets-MAX_NUM_FORMS": "50",
        "targets-0-sector": "",
        "targets-0-township": "",
        "targets-0-kind": "",
        "targets-0-target_visits": "",
    }
    data.update(plan)
    return data


def test_create_through_the_form(client, township_a_user, district, sectors):
    client.force_login(township_a_user)
    form = client.get(reverse("inspections:plan_create"))
    assert form.status_code == 200 and "增加一行" in form.content.decode()
    data = form_data(
        organizer=district.township_a.pk,
        **{
            "targets-0-sector": sectors["hazchem"].pk,
            "targets-0-target_visits": "12",
            "targets-1-township": district.township_a.pk,
            "targets-1-kind": kind("routine").pk,
            "targets-1-target_visits": "30",
        },
    )
    response = client.post(reverse("inspections:plan_create"), data)
    plan = InspectionPlan.objects.get()
    assert response.status_code == 302 and response.url == reverse("inspections:plan_detail", args=[plan.pk])
    assert plan.organizer == district.township_a and plan.created_by == township_a_user
    assert [(t.sector_id, t.township_id, t.target_visits) for t in plan.targets.all()] == [
        (sectors["hazchem"].pk, None, 12),
        (None, district.township_a.pk, 30),
    ]
    # The same period again: the page says so, in Chinese, and nothing is saved.
    again = client.post(reverse("inspections:plan_create"), data)
    assert again.status_code == 200 and "已有2026年度的检查计划" in again.content.decode()
    assert InspectionPlan.objects.count() == 1


def test_form_refuses_another_towns_unit_and_township(client, township_a_user, district):
    client.force_login(township_a_user)
    data = form_data(
        organizer=district.township_b.pk,
        **{"targets-0-township": district.township_b.pk, "targets-0-target_visits": "3"},
    )
    response = client.post(reverse("inspections:plan_create"), data)
    assert response.status_code == 200 and not InspectionPlan.objects.exists()
    form = response.context["form"]
    assert "organizer" in form.errors
    assert "township" in response.context["formset"].forms[0].errors


def test_edit_through_the_form_keeps_the_unit(client, officer, plan_a, district):
    client.force_login(officer)
    page = client.get(reverse("inspections:plan_edit", args=[plan_a.pk]))
    assert page.status_code == 200 and page.context["formset"].initial[0]["target_visits"] == 4
    data = form_data(
        organizer=district.township_b.pk,  # disabled field: ignored
        title="改过的计划",
        **{"targets-0-target_visits": "7", "targets-TOTAL_FORMS": "1"},
    )
    response = client.post(reverse("inspections:plan_edit", args=[plan_a.pk]), data)
    assert response.status_code == 302
    plan_a.refresh_from_db()
    assert plan_a.title == "改过的计划" and plan_a.organizer == district.township_a
    assert list(plan_a.targets.values_list("target_visits", flat=True)) == [7]


def test_export_holds_the_figures(client, officer, plan_a):
    client.force_login(officer)
    response = client.get(reverse("inspections:plan_export", args=[plan_a.pk]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == ["行业领域", "街道/乡镇", "检查类型", "计划家次", "已完成家次", "完成率（%）"]
    assert rows[1] == ["不限", "东城街道", "不限", 4, 1, 25.0]
    assert rows[2] == ["不限", "不限", "专项检查", 2, 0, 0.0]
    assert rows[3][0] == "合计" and rows[3][3:] == [6, 1, 16.7]


def test_menu_has_plans_between_actions_and_check_items(client, officer):
    client.force_login(officer)
    labels = [m["label"] for m in client.get(reverse("inspections:plan_list")).context["nav_menu"]]
    assert labels.index("检查行动") < labels.index("检查计划") < labels.index("检查事项清单")


# ---------------------------------------------------------------- API


def test_api_lists_and_retrieves_within_scope(api, township_a_user, township_b_user, plan_a):
    api.force_authenticate(township_a_user)
    data = api.get(PLANS).json()
    assert [p["title"] for p in data["results"]] == ["东城街道年度检查计划"]
    plan = api.get(f"{PLANS}{plan_a.pk}/").json()
    assert [(t["township_name"], t["target_visits"], t["done"], t["percent"]) for t in plan["targets"]] == [
        ("东城街道", 4, 1, 25.0),
        (None, 2, 0, 0.0),
    ]
    assert plan["total"] == {"target_visits": 6, "done": 1, "percent": 16.7}
    assert plan["elapsed"]["total"] == 12 and isinstance(plan["on_track"], bool)
    api.force_authenticate(township_b_user)
    assert api.get(PLANS).json()["results"] == []
    assert api.get(f"{PLANS}{plan_a.pk}/").status_code == 404


def test_api_create_validates_in_chinese(api, officer, district, sectors):
    api.force_authenticate(officer)
    body = {
        "organizer": district.dept_emergency.pk,
        "year": YEAR,
        "title": "应急局年度计划",
        "targets": [{"sector": sectors["hazchem"].pk, "target_visits": 40}, {"target_visits": 100}],
    }
    response = api.post(PLANS, body, format="json")
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["month"] is None and created["period_label"] == "2026年度"
    assert [t["sector_name"] for t in created["targets"]] == ["危险化学品", None]
    again = api.post(PLANS, body, format="json")
    assert again.status_code == 400 and "已有2026年度的检查计划" in again.json()["month"][0]
    bad = api.post(PLANS, {**body, "month": 3, "targets": [{"target_visits": 0}]}, format="json")
    assert bad.status_code == 400 and "计划检查家次应至少为1" in bad.json()["targets"][0]


def test_api_leader_is_refused_and_outsiders_get_404(api, leader, township_b_user, plan_a, district):
    api.force_authenticate(leader)
    body = {"organizer": district.district.pk, "year": YEAR, "title": "x", "targets": [{"target_visits": 1}]}
    assert api.post(PLANS, body, format="json").status_code == 403
    assert api.patch(f"{PLANS}{plan_a.pk}/", {"title": "x"}, format="json").status_code == 403
    api.force_authenticate(township_b_user)
    assert api.patch(f"{PLANS}{plan_a.pk}/", {"title": "x"}, format="json").status_code == 404
    outside = {**body, "organizer": district.township_a.pk}
    response = api.post(PLANS, outside, format="json")
    assert response.status_code == 400 and "organizer" in response.json()


def test_api_update_replaces_lines_and_patch_keeps_them(api, officer, plan_a, district):
    api.force_authenticate(officer)
    url = f"{PLANS}{plan_a.pk}/"
    patched = api.patch(url, {"title": "改名"}, format="json")
    assert patched.status_code == 200 and [t["target_visits"] for t in patched.json()["targets"]] == [4, 2]
    body = {
        "organizer": district.township_a.pk,
        "year": YEAR,
        "month": 6,
        "title": "六月计划",
        "targets": [{"township": district.township_a.pk, "kind": kind("routine").pk, "target_visits": 9}],
    }
    put = api.put(url, body, format="json")
    assert put.status_code == 200
    assert put.json()["period_label"] == "2026年6月" and [
        t["target_visits"] for t in put.json()["targets"]
    ] == [9]
    moved = api.put(url, {**body, "organizer": district.township_b.pk}, format="json")
    assert moved.status_code == 400 and "不能更改" in moved.json()["organizer"][0]
    assert api.delete(url).status_code == 405


def test_api_list_query_count_does_not_grow(api, officer, district, django_assert_max_num_queries):
    api.force_authenticate(officer)
    make_plan(officer, district.township_a, [TargetData(2)])
    with django_assert_max_num_queries(12) as few:
        api.get(PLANS)
    for month in range(1, 8):
        make_plan(
            officer, district.township_b, [TargetData(2), TargetData(1, kind=kind("routine"))], month=month
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(api.get(PLANS).json()["results"]) == 8


def test_schema_lists_the_plan_endpoints(client, officer):
    client.force_login(officer)
    body = client.get("/api/schema/").content
    assert b"/api/v1/inspection-plans/" in body and b"InspectionPlanInputRequest" in body


# ---------------------------------------------------------------- 生成检查任务 (tasks from the plan's lines)


@pytest.fixture
def task_world(district, sectors, enterprise_a, enterprise_b):
    """Township A's firms: 东城机械厂 (enterprise_a), a second machinery firm and a building site; a
    machinery firm in township B (outside township A's remit)."""
    machinery = EnterpriseFactory(
        name="东城铸造厂", jurisdiction=district.township_a, sectors=[sectors["machinery"]]
    )
    site = EnterpriseFactory(
        name="东城工地", jurisdiction=district.township_a, sectors=[sectors["construction"]]
    )
    EnterpriseFactory(name="西山机械厂", jurisdiction=district.township_b, sectors=[sectors["machinery"]])
    return {"machinery": [enterprise_a, machinery], "site": site}


def task_plan(user, district, sectors, *, machinery=2, year=YEAR):
    return make_plan(
        user,
        district.township_a,
        [
            TargetData(machinery, sector=sectors["machinery"]),
            TargetData(1, sector=sectors["construction"], kind=kind("special")),
            TargetData(5),  # neither sector nor township: a quota only, no tasks
        ],
        year=year,
    )


def tasks_of(plan) -> list[InspectionAction]:
    return list(InspectionAction.objects.filter(plan=plan).order_by("pk"))


def test_generate_creates_planned_tasks_of_the_plans_unit_from_the_lines_pools(
    township_a_user, district, sectors, task_world
):
    plan = task_plan(township_a_user, district, sectors)
    result = plan_tasks_create(user=township_a_user, plan=plan)
    tasks = tasks_of(plan)
    assert [t.pk for t in result.actions] == [t.pk for t in tasks] and result.short == []
    assert [[r.enterprise for r in t.records.all()] for t in tasks] == [
        [task_world["machinery"][0]],
        [task_world["machinery"][1]],
        [task_world["site"]],
    ]
    assert {(t.status, t.organizer, t.date, t.number) for t in tasks} == {
        (ActionStatus.PLANNED, district.township_a, dt.date(YEAR, 12, 31), "")
    }
    assert [t.kind.code for t in tasks] == ["routine", "routine", "special"]
    # Planned, not done: nothing counts yet.
    assert done_of(plan) == [0, 0, 0]


def test_generating_again_creates_only_what_is_missing(township_a_user, district, sectors, task_world):
    plan = task_plan(township_a_user, district, sectors)
    plan_tasks_create(user=township_a_user, plan=plan)
    assert plan_tasks_create(user=township_a_user, plan=plan).actions == []
    assert len(tasks_of(plan)) == 3
    extra = EnterpriseFactory(jurisdiction=district.community_a, sectors=[sectors["machinery"]])
    plan_update(
        user=township_a_user,
        plan=plan,
        year=YEAR,
        month=None,
        title=plan.title,
        targets=[TargetData(3, sector=sectors["machinery"]), TargetData(1, sector=sectors["construction"])],
    )
    added = plan_tasks_create(user=township_a_user, plan=plan).actions
    assert [r.enterprise for r in added[0].records.all()] == [extra] and len(added) == 1
    # The construction line now names no kind: the existing 专项 task still fulfils it.
    assert len(tasks_of(plan)) == 4


def test_a_short_pool_creates_what_it_can_and_says_which_line(township_a_user, district, sectors, task_world):
    plan = task_plan(township_a_user, district, sectors, machinery=5)
    result = plan_tasks_create(user=township_a_user, plan=plan)
    assert len(result.actions) == 3 and [t.target_visits for t in result.short] == [5]


def test_a_completed_task_counts_as_done_even_after_the_period(
    township_a_user, district, sectors, task_world, certified
):
    from inspections.services import action_complete_planned

    today = timezone.localdate()
    last_year = today.year - 1
    plan = task_plan(township_a_user, district, sectors, year=last_year)
    first, *_rest = plan_tasks_create(user=township_a_user, plan=plan).actions
    # Not from the plan and not in its period: the existing rule keeps it out.
    visit(district.township_a, [task_world["machinery"][1]], on=today)
    action_complete_planned(
        user=township_a_user,
        action=first,
        date=today,
        kind=kind("routine"),
        members=certified(district.township_a),
    )
    first.refresh_from_db()
    assert first.status == ActionStatus.DONE and first.number
    assert done_of(plan, today=today) == [1, 0, 1]


def test_only_who_may_change_the_plan_generates(township_a_user, township_b_user, leader, district, sectors):
    plan = task_plan(township_a_user, district, sectors)
    for outsider in (township_b_user, leader):
        with pytest.raises(PermissionDenied):
            plan_tasks_create(user=outsider, plan=plan)
    assert tasks_of(plan) == []


def test_plan_page_generates_lists_and_starts_the_tasks(
    client, township_a_user, township_b_user, leader, district, sectors, task_world
):
    plan = task_plan(township_a_user, district, sectors)
    url = reverse("inspections:plan_tasks_create", args=[plan.pk])
    client.force_login(township_b_user)
    assert client.post(url).status_code == 404
    client.force_login(leader)
    assert client.post(url).status_code == 403
    assert (
        "plan-tasks-create"
        not in client.get(reverse("inspections:plan_detail", args=[plan.pk])).content.decode()
    )
    client.force_login(township_a_user)
    assert client.get(url).status_code == 405
    page = client.post(url, follow=True).content.decode()
    assert "已生成 3 项检查任务" in page and "东城铸造厂" in page and "计划中" in page
    assert "没有新生成的任务" in client.post(url, follow=True).content.decode()
    # The tasks are the unit's planned inspections, started through the usual entry.
    planned = client.get(reverse("inspections:action_list"), {"status": ActionStatus.PLANNED}).context[
        "actions"
    ]
    assert {a.pk for a in planned} == {t.pk for t in tasks_of(plan)}
    task = tasks_of(plan)[0]
    started = client.post(reverse("inspections:planned_start", args=[task.pk]))
    assert started.status_code == 302 and "/drafts/" in started["Location"]
