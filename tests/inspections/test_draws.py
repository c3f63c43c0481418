"""双随机抽取: the draw reproduced from its seed, the pools it draws from, and who may see it."""

import datetime as dt
import io
from collections import Counter

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.choices import EnterpriseStatus, Role
from accounts.models import RiskGrade
from inspections.choices import ActionStatus
from inspections.draws import draw_compute
from inspections.models import DrawPick, InspectionAction, RandomDraw
from inspections.selectors import inspection_figures
from inspections.services import draw_create, draw_verify
from tests.factories import EnterpriseFactory, UserFactory

PLANNED = dt.date(2026, 12, 10)


@pytest.fixture
def grades(db) -> dict[str, RiskGrade]:
    return {g.code: g for g in RiskGrade.objects.all()}


@pytest.fixture
def inspectors(district, certified):
    """Three certified 应急 inspectors, one whose cert has expired and one with no cert number."""
    valid = certified(district.dept_emergency, 3, role=Role.DEPARTMENT)
    UserFactory(
        username="expired",
        role=Role.DEPARTMENT,
        org_unit=district.dept_emergency,
        enforcement_cert_no="执过期",
        enforcement_cert_expiry=dt.date(2026, 1, 1),
    )
    UserFactory(
        username="no_number",
        role=Role.DEPARTMENT,
        org_unit=district.dept_emergency,
        enforcement_cert_expiry=dt.date(2030, 1, 1),
    )
    return valid


@pytest.fixture
def firms(district, sectors, grades):
    """Hazchem firms in both townships, one suspended, plus a 机械 (工贸) firm and a construction firm."""
    hazchem = [sectors["hazchem"]]
    return {
        "red_a": EnterpriseFactory(
            jurisdiction=district.community_a, sectors=hazchem, risk_grade=grades["red"]
        ),
        "blue_a": EnterpriseFactory(
            jurisdiction=district.township_a, sectors=hazchem, risk_grade=grades["blue"]
        ),
        "plain_a": EnterpriseFactory(jurisdiction=district.township_a, sectors=hazchem),
        "red_b": EnterpriseFactory(
            jurisdiction=district.township_b, sectors=hazchem, risk_grade=grades["red"]
        ),
        "suspended_b": EnterpriseFactory(
            jurisdiction=district.community_b, sectors=hazchem, status=EnterpriseStatus.SUSPENDED
        ),
        "machinery_b": EnterpriseFactory(
            jurisdiction=district.township_b, sectors=[sectors["machinery"]], risk_grade=grades["yellow"]
        ),
        "building_b": EnterpriseFactory(jurisdiction=district.township_b, sectors=[sectors["construction"]]),
    }


def make_draw(user, organizer, **kw) -> RandomDraw:
    args = {
        "title": "危化企业双随机抽查",
        "planned_date": PLANNED,
        "sector_ids": [],
        "township_ids": [],
        "risk_grade_ids": [],
        "n": 3,
        "m": 2,
        "weighted_by_grade": False,
    }
    args.update(kw)
    return draw_create(user=user, organizer=organizer, **args)


def picked(draw: RandomDraw) -> list[tuple[int, list[int]]]:
    return [
        (p.enterprise_id, sorted(u.pk for u in p.inspectors.all()))
        for p in draw.picks.prefetch_related("inspectors")
    ]


# ---------------------------------------------------------------- the arithmetic


def test_same_seed_and_pools_give_the_same_result_whatever_their_order():
    pool = [(pk, pk % 4 + 1) for pk in range(1, 40)]
    people = [11, 12, 13, 14, 15]
    first = draw_compute(seed="abc", enterprises=pool, inspectors=people, n=10, m=2)
    again = draw_compute(seed="abc", enterprises=pool[::-1], inspectors=people[::-1], n=10, m=2)
    other = draw_compute(seed="abd", enterprises=pool, inspectors=people, n=10, m=2)
    assert first == again
    assert first != other
    assert len({pk for pk, _team in first}) == 10


def test_inspectors_never_twice_for_one_enterprise_and_load_spread_evenly():
    people = [1, 2, 3, 4, 5]
    for seed in range(200):
        result = draw_compute(
            seed=str(seed), enterprises=[(pk, 1) for pk in range(30)], inspectors=people, n=7, m=3
        )
        assert all(len(set(team)) == 3 for _pk, team in result)
        load = Counter(pk for _pk, team in result for pk in team)
        assert set(load) == set(people) and max(load.values()) - min(load.values()) <= 1


def test_weighting_by_grade_changes_the_odds():
    # 2000 fixed seeds: deterministic, so it cannot flake. Weights 4 (红) : 1 (蓝) : 2 (黄).
    weighted = Counter(
        draw_compute(seed=f"s{i}", enterprises=[(1, 4), (2, 1), (3, 2)], inspectors=[7, 8], n=1, m=2)[0][0]
        for i in range(2000)
    )
    assert weighted[1] > 2 * weighted[3] > 2 * weighted[2] > 0
    plain = Counter(
        draw_compute(seed=f"s{i}", enterprises=[(1, 1), (2, 1), (3, 1)], inspectors=[7, 8], n=1, m=2)[0][0]
        for i in range(2000)
    )
    assert all(550 < plain[pk] < 780 for pk in (1, 2, 3))


def test_compute_refuses_impossible_sizes():
    with pytest.raises(ValueError):
        draw_compute(seed="x", enterprises=[(1, 1)], inspectors=[1, 2], n=2, m=2)
    with pytest.raises(ValueError):
        draw_compute(seed="x", enterprises=[(1, 1)], inspectors=[1], n=1, m=2)


# ---------------------------------------------------------------- draw_create


def test_draw_is_stored_numbered_and_reproduced_from_its_seed(officer, district, inspectors, firms):
    draw = make_draw(officer, district.dept_emergency, n=3, weighted_by_grade=True)
    year = timezone.localdate().year
    assert draw.number == f"区应急管理局抽〔{year}〕1号"
    assert len(draw.seed) == 16 and draw.created_by == officer
    assert sorted(draw.pool_inspector_ids) == sorted(u.pk for u in inspectors)
    weights = dict(map(tuple, draw.pool_enterprise_ids))
    assert weights[firms["red_a"].pk] == 4 and weights[firms["blue_a"].pk] == 1
    assert weights[firms["plain_a"].pk] == 1
    stored = picked(draw)
    replay = draw_compute(
        seed=draw.seed,
        enterprises=[tuple(x) for x in draw.pool_enterprise_ids],
        inspectors=draw.pool_inspector_ids,
        n=3,
        m=2,
    )
    assert [(pk, sorted(team)) for pk, team in replay] == stored
    assert draw_verify(draw=draw)
    assert make_draw(
        officer, district.dept_emergency, n=3, seed=draw.seed, weighted_by_grade=True
    ).number == (f"区应急管理局抽〔{year}〕2号")


def test_same_seed_and_pools_draw_the_same_pairs(officer, district, inspectors, firms):
    first = make_draw(officer, district.dept_emergency, n=4, seed="fixed-seed")
    # Planned actions already made do not change the pools, so the replay matches.
    second = make_draw(officer, district.dept_emergency, n=4, seed="fixed-seed")
    assert picked(first) == picked(second)


def test_tampering_with_a_pick_or_the_pool_fails_verification(officer, district, inspectors, firms):
    draw = make_draw(officer, district.dept_emergency, n=3)
    pick = draw.picks.first()
    team = {u.pk for u in pick.inspectors.all()}
    outsider = next(u for u in inspectors if u.pk not in team)
    pick.inspectors.set([*list(team)[:1], outsider.pk])
    assert not draw_verify(draw=draw)

    # Dropping a drawn firm from the stored pool: the replay can no longer pick it, whatever the seed.
    draw = make_draw(officer, district.dept_emergency, n=3)
    drawn = draw.picks.first().enterprise_id
    draw.pool_enterprise_ids = [[pk, w] for pk, w in draw.pool_enterprise_ids if pk != drawn]
    draw.save()
    assert not draw_verify(draw=draw)


def test_each_pick_becomes_a_planned_action_without_number_not_counted(officer, district, inspectors, firms):
    before = inspection_figures(user=officer, start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31))
    draw = make_draw(officer, district.dept_emergency, n=3)
    for pick in draw.picks.select_related("action__kind"):
        action = pick.action
        assert action.status == ActionStatus.PLANNED and action.number == ""
        assert action.kind.code == "random" and action.date == PLANNED
        assert action.organizer == district.dept_emergency
        assert {u.pk for u in action.members.all()} == {u.pk for u in pick.inspectors.all()}
        assert [(r.enterprise_id, r.number) for r in action.records.all()] == [(pick.enterprise_id, "")]
    after = inspection_figures(user=officer, start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31))
    assert after == before


def test_only_valid_certificate_holders_are_drawn(officer, district, firms, certified):
    valid = certified(district.dept_emergency, 2, role=Role.DEPARTMENT)
    ends_before = certified(
        district.dept_emergency, 1, expiry=PLANNED - dt.timedelta(days=1), role=Role.DEPARTMENT
    )
    last_day = certified(district.dept_emergency, 1, expiry=PLANNED, role=Role.DEPARTMENT)
    certified(district.dept_emergency, 1, is_active=False, role=Role.DEPARTMENT)
    certified(district.dept_construction, 1, role=Role.DEPARTMENT)  # another unit's inspector
    draw = make_draw(officer, district.dept_emergency, n=5, m=3)
    allowed = {u.pk for u in [*valid, *last_day]}
    assert set(draw.pool_inspector_ids) == allowed
    drawn = {u.pk for p in draw.picks.all() for u in p.inspectors.all()}
    assert drawn == allowed and ends_before[0].pk not in drawn


def test_filters_sector_with_children_township_grade_and_status(
    officer, district, sectors, grades, inspectors, firms
):
    def pool(**kw) -> set[int]:
        draw = make_draw(officer, district.dept_emergency, n=1, **kw)
        return {pk for pk, _w in draw.pool_enterprise_ids}

    ids = {k: f.pk for k, f in firms.items()}
    assert pool(sector_ids=[sectors["hazchem"].pk]) == {
        ids["red_a"],
        ids["blue_a"],
        ids["plain_a"],
        ids["red_b"],
    }
    assert pool(sector_ids=[sectors["industry-trade"].pk]) == {ids["machinery_b"]}
    assert pool(township_ids=[district.township_a.pk]) == {ids["red_a"], ids["blue_a"], ids["plain_a"]}
    assert pool(risk_grade_ids=[grades["red"].pk]) == {ids["red_a"], ids["red_b"]}
    assert ids["suspended_b"] not in pool()
    draw = RandomDraw.objects.latest("pk")
    assert draw.criteria["status"] == "operating"


def test_sizes_and_roles_are_refused_in_chinese(
    officer, leader, township_a_user, district, inspectors, firms
):
    with pytest.raises(ValidationError) as exc:
        make_draw(officer, district.dept_emergency, n=99)
    assert "超过符合条件的单位数" in exc.value.message_dict["enterprise_count"][0]
    with pytest.raises(ValidationError) as exc:
        make_draw(officer, district.dept_emergency, m=1)
    assert "至少抽取2人" in exc.value.message_dict["inspectors_per_enterprise"][0]
    with pytest.raises(ValidationError) as exc:
        make_draw(officer, district.dept_emergency, m=4)
    assert "持有效执法证的人员数" in exc.value.message_dict["inspectors_per_enterprise"][0]
    with pytest.raises(ValidationError) as exc:
        make_draw(township_a_user, district.dept_emergency)
    assert "organizer" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        make_draw(leader, district.dept_emergency)
    assert not RandomDraw.objects.exists() and not InspectionAction.objects.exists()


def test_township_user_draws_only_from_its_township(township_a_user, district, firms, certified):
    certified(district.township_a, 2, role=Role.TOWNSHIP)
    draw = make_draw(township_a_user, district.township_a, n=3)
    pool = {pk for pk, _w in draw.pool_enterprise_ids}
    assert pool == {firms["red_a"].pk, firms["blue_a"].pk, firms["plain_a"].pk}
    with pytest.raises(ValidationError):
        make_draw(township_a_user, district.township_a, n=4)


# ---------------------------------------------------------------- pages, export, API


@pytest.fixture
def draw(officer, district, inspectors, firms) -> RandomDraw:
    return make_draw(officer, district.dept_emergency, n=3, sector_ids=[], weighted_by_grade=True)


def test_detail_page_is_the_public_record(client, officer, draw):
    client.force_login(officer)
    response = client.get(reverse("inspections:draw_detail", args=[draw.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert draw.number in body and draw.seed in body and "结果与公布结果一致" in body
    assert "按风险等级加权" in body
    for pick in draw.picks.select_related("enterprise"):
        assert pick.enterprise.uscc in body
    assert "计划中" in body


def test_outsider_gets_404_on_page_export_and_api(client, township_b_user, department_user, draw):
    for user in (township_b_user, department_user):
        client.force_login(user)
        assert client.get(reverse("inspections:draw_detail", args=[draw.pk])).status_code == 404
        assert client.get(reverse("inspections:draw_export", args=[draw.pk])).status_code == 404
        assert list(client.get(reverse("inspections:draw_list")).context["draws"]) == []
        api = APIClient()
        api.force_authenticate(user)
        assert api.get(f"/api/v1/random-draws/{draw.pk}/").status_code == 404
        assert api.get("/api/v1/random-draws/").json()["results"] == []


def test_export_opens_with_header_block_and_result_table(client, officer, draw):
    client.force_login(officer)
    response = client.get(reverse("inspections:draw_export", args=[draw.pk]))
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    header = {r[0]: r[1] for r in rows if r and r[0] and r[1] is not None}
    assert header["抽取编号"] == draw.number and header["随机种子"] == draw.seed
    assert header["行业领域"] == "全部" and "加权" in header["抽取方式"]
    start = next(i for i, r in enumerate(rows) if r[0] == "序号")
    table = rows[start + 1 :]
    assert [r[0] for r in table] == [1, 2, 3]
    picks = list(draw.picks.select_related("enterprise"))
    assert [r[2] for r in table] == [p.enterprise.uscc for p in picks]
    assert {r[6] for r in table} == {"计划中"}


def test_create_page_draws_and_previews(client, officer, district, sectors, inspectors, firms):
    client.force_login(officer)
    url = reverse("inspections:draw_create")
    assert client.get(url).status_code == 200
    data = {
        "title": "危化双随机",
        "organizer": district.dept_emergency.pk,
        "planned_date": "2026-12-10",
        "sectors": [sectors["hazchem"].pk],
        "enterprise_count": 2,
        "inspectors_per_enterprise": 2,
        "weighted_by_grade": "on",
    }
    preview = client.post(url, {**data, "preview": "1"})
    assert preview.context["preview"] == {"enterprises": 4, "inspectors": 3}
    assert not RandomDraw.objects.exists()
    response = client.post(url, data)
    draw = RandomDraw.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "inspections:draw_detail", args=[draw.pk]
    )
    assert draw.weighted_by_grade and draw.picks.count() == 2
    too_many = client.post(url, {**data, "enterprise_count": 9})
    assert "超过符合条件的单位数" in too_many.content.decode()


def test_leader_may_read_but_not_draw(client, leader, draw):
    client.force_login(leader)
    assert client.get(reverse("inspections:draw_detail", args=[draw.pk])).status_code == 200
    assert client.get(reverse("inspections:draw_create")).status_code == 403
    api = APIClient()
    api.force_authenticate(leader)
    payload = {
        "title": "x",
        "organizer": draw.organizer_id,
        "planned_date": "2026-12-10",
        "enterprise_count": 1,
    }
    assert api.post("/api/v1/random-draws/", payload, format="json").status_code == 403


def test_api_lists_and_creates_draws(officer, district, sectors, draw):
    api = APIClient()
    api.force_authenticate(officer)
    data = api.get(f"/api/v1/random-draws/{draw.pk}/").json()
    assert data["seed"] == draw.seed and data["number"] == draw.number
    assert data["pool_enterprise_ids"] == draw.pool_enterprise_ids
    assert [p["enterprise"] for p in data["picks"]] == [p.enterprise_id for p in draw.picks.all()]
    assert all(len(p["inspectors"]) == 2 and p["action_status"] == "planned" for p in data["picks"])
    assert data["picks"][0]["action"] == draw.picks.first().action_id

    payload = {
        "title": "API 抽查",
        "organizer": district.dept_emergency.pk,
        "planned_date": "2026-12-10",
        "sectors": [sectors["hazchem"].pk],
        "enterprise_count": 2,
        "inspectors_per_enterprise": 2,
        "weighted_by_grade": True,
    }
    created = api.post("/api/v1/random-draws/", payload, format="json")
    assert created.status_code == 201 and len(created.json()["picks"]) == 2
    refused = api.post("/api/v1/random-draws/", {**payload, "enterprise_count": 50}, format="json")
    assert refused.status_code == 400
    assert "超过符合条件的单位数" in refused.json()["enterprise_count"][0]


def test_list_and_detail_query_counts_stay_flat(
    client, officer, district, inspectors, firms, django_assert_max_num_queries
):
    client.force_login(officer)
    make_draw(officer, district.dept_emergency, n=1)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("inspections:draw_list"))
    small = make_draw(officer, district.dept_emergency, n=1)
    with django_assert_max_num_queries(25) as detail:
        client.get(reverse("inspections:draw_detail", args=[small.pk]))
    for _ in range(5):
        make_draw(officer, district.dept_emergency, n=1)
    big = make_draw(officer, district.dept_emergency, n=5)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get(reverse("inspections:draw_list")).context["draws"]) == 8
    with django_assert_max_num_queries(len(detail.captured_queries)):
        assert len(client.get(reverse("inspections:draw_detail", args=[big.pk])).context["rows"]) == 5


def test_action_list_shows_and_filters_planned_actions(client, officer, draw):
    client.force_login(officer)
    url = reverse("inspections:action_list")
    planned = client.get(url, {"status": "planned"}).context["actions"]
    assert {a.pk for a in planned} == {p.action_id for p in DrawPick.objects.filter(draw=draw)}
    assert list(client.get(url, {"status": "done"}).context["actions"]) == []
    assert "计划中" in client.get(url).content.decode()


def test_menu_and_schema_list_the_draws(client, officer):
    client.force_login(officer)
    menu = client.get(reverse("inspections:draw_list")).context["nav_menu"]
    assert [m["label"] for m in menu if m["active"]] == ["双随机抽查"]
    assert b"/api/v1/random-draws/" in client.get("/api/schema/").content


def test_the_pool_is_the_organisers_remit_not_the_drawers(officer, district, firms):
    """A district officer drawing for township A draws from township A only."""
    from inspections.selectors import draw_enterprise_pool

    pool = draw_enterprise_pool(
        user=officer,
        organizer=district.township_a,
        sector_ids=[],
        township_ids=[],
        risk_grade_ids=[],
        weighted=False,
    )
    from accounts.models import Enterprise

    paths = set(
        Enterprise.objects.filter(pk__in=[pk for pk, _ in pool]).values_list("jurisdiction__path", flat=True)
    )
    assert pool and all(p.startswith(district.township_a.path) for p in paths)
