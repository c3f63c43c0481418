"""The activity figures for the summaries: hand-computed numbers, scoped, one query each."""

import datetime as dt

import pytest

from campaigns import selectors_activities as figures
from campaigns.choices_activities import TalkTargetKind

from .activity_helpers import record, talk

pytestmark = pytest.mark.django_db

D = dt.date
FROM, TO = D(2026, 1, 1), D(2026, 6, 30)


@pytest.fixture
def ledger(officer, township_a_user, township_b_user, department_user, district, enterprise_a, enterprise_b):
    """A half-year of activities; the numbers below are counted by hand from it."""
    a, b = district.township_a, district.township_b
    # Township A: two 安全生产月 events (one in its community), a 防灾减灾日 one, a drill.
    record(
        township_a_user,
        a,
        on=D(2026, 6, 16),
        subtype_code="safety-month",
        sessions=2,
        participants=300,
        quantities={"banner": 20, "leaflet": 1500, "board": 10},
    )
    record(
        township_a_user,
        district.community_a,
        on=D(2026, 6, 20),
        subtype_code="safety-month",
        sessions=1,
        participants=120,
        quantities={"banner": 5, "leaflet": 500},
    )
    record(
        township_a_user,
        a,
        on=D(2026, 5, 12),
        subtype_code="disaster-day",
        sessions=1,
        participants=80,
        quantities={"banner": 3, "media": 1},
    )
    record(
        township_a_user,
        a,
        on=D(2026, 4, 2),
        kind_code="drill",
        subtype_code="fire-evacuation",
        sessions=1,
        participants=200,
    )
    # Township B: one 安全生产月 event.
    record(
        township_b_user,
        b,
        on=D(2026, 6, 18),
        subtype_code="safety-month",
        sessions=3,
        participants=400,
        quantities={"banner": 7, "leaflet": 900},
    )
    # 住建: a training of 主要负责人.
    record(
        department_user,
        district.dept_construction,
        on=D(2026, 3, 10),
        kind_code="training",
        subtype_code="principal",
        sessions=2,
        participants=150,
        quantities={"leaflet": 200},
    )
    # The district: two 安委会全会, a 区委常委会, and two 约谈.
    for day in (D(2026, 2, 5), D(2026, 5, 20)):
        record(
            officer,
            district.district,
            on=day,
            kind_code="meeting",
            subtype_code="safety-committee",
            participants=40,
        )
    record(officer, district.district, on=D(2026, 3, 1), kind_code="meeting", subtype_code="party-standing")
    talk(
        officer,
        district.district,
        [
            (TalkTargetKind.TOWNSHIP, a, None),
            (TalkTargetKind.TOWNSHIP, b, None),
            (TalkTargetKind.DEPARTMENT, district.dept_construction, None),
        ],
        on=D(2026, 4, 15),
    )
    talk(
        officer,
        district.district,
        [
            (TalkTargetKind.TOWNSHIP, a, None),
            (TalkTargetKind.ENTERPRISE, None, enterprise_a),
            (TalkTargetKind.ENTERPRISE, None, enterprise_b),
        ],
        on=D(2026, 6, 1),
    )
    # Outside the period: not counted.
    record(
        officer,
        a,
        on=D(2025, 12, 31),
        subtype_code="safety-month",
        sessions=9,
        participants=999,
        quantities={"banner": 99},
    )
    record(officer, a, on=D(2026, 7, 1), subtype_code="safety-month", quantities={"banner": 99})


def _by(rows, *keys):
    return {tuple(r[k] for k in keys): r for r in rows}


def test_sessions_and_participants_by_kind_and_subtype(ledger, officer, django_assert_num_queries):
    with django_assert_num_queries(1):
        rows = figures.activity_figures(user=officer, date_from=FROM, date_to=TO)
    got = {(r["kind"], r["subtype"]): (r["activities"], r["sessions"], r["participants"]) for r in rows}
    assert got == {
        ("publicity", "安全生产月"): (3, 2 + 1 + 3, 300 + 120 + 400),
        ("publicity", "防灾减灾日"): (1, 1, 80),
        ("training", "主要负责人"): (1, 2, 150),
        ("drill", "消防疏散"): (1, 1, 200),
        ("meeting", "区委常委会"): (1, 1, 0),
        ("meeting", "安委会全会"): (2, 2, 80),
        ("meeting", "约谈"): (2, 2, 0),
    }
    # In the code tables' order: 宣传, 培训, 演练, 会议.
    assert [r["kind"] for r in rows][:2] == ["publicity", "publicity"] and rows[-1]["kind"] == "meeting"


def test_quantities_summed_per_unit(ledger, officer, township_a_user, django_assert_num_queries):
    with django_assert_num_queries(1):
        totals = figures.quantity_totals(user=officer, date_from=FROM, date_to=TO)
    assert {r["unit"]: r["amount"] for r in totals} == {
        "banner": 20 + 5 + 3 + 7,
        "leaflet": 1500 + 500 + 900 + 200,
        "board": 10,
        "media": 1,
    }
    assert [r["unit"] for r in totals] == ["banner", "leaflet", "board", "media"]  # the catalogue's order
    only_training = figures.quantity_totals(user=officer, date_from=FROM, date_to=TO, kind="training")
    assert {r["unit"]: r["amount"] for r in only_training} == {"leaflet": 200}
    # Township A: its own and its community's, nothing of B's.
    mine = figures.quantity_totals(user=township_a_user, date_from=FROM, date_to=TO)
    assert {r["unit"]: r["amount"] for r in mine} == {"banner": 28, "leaflet": 2000, "board": 10, "media": 1}


def test_quantities_by_kind_and_subtype(ledger, officer, django_assert_num_queries):
    with django_assert_num_queries(1):
        rows = figures.quantity_figures(user=officer, date_from=FROM, date_to=TO)
    got = {(r["kind"], r["subtype"], r["unit"]): r["amount"] for r in rows}
    assert got == {
        ("publicity", "安全生产月", "banner"): 32,
        ("publicity", "安全生产月", "leaflet"): 2900,
        ("publicity", "安全生产月", "board"): 10,
        ("publicity", "防灾减灾日", "banner"): 3,
        ("publicity", "防灾减灾日", "media"): 1,
        ("training", "主要负责人", "leaflet"): 200,
    }


def test_meetings_by_subtype(ledger, officer, django_assert_num_queries):
    with django_assert_num_queries(1):
        rows = figures.meeting_figures(user=officer, date_from=FROM, date_to=TO)
    assert {r["subtype"]: r["meetings"] for r in rows} == {"区委常委会": 1, "安委会全会": 2, "约谈": 2}


def test_talks_by_target_kind(ledger, officer, django_assert_num_queries):
    with django_assert_num_queries(1):
        talks = figures.talk_figures(user=officer, date_from=FROM, date_to=TO)
    assert talks == {
        "talks": 2,
        "townships": 2,  # A (twice) and B: distinct townships
        "departments": 1,
        "enterprises": 2,
        "township_times": 3,
        "department_times": 1,
        "enterprise_times": 2,
    }


def test_activities_per_organising_unit(ledger, officer, district, django_assert_num_queries):
    with django_assert_num_queries(1):
        rows = figures.activities_by_unit(user=officer, date_from=FROM, date_to=TO)
    got = {r["organiser_id"]: (r["activities"], r["sessions"], r["participants"]) for r in rows}
    assert got == {
        district.district.pk: (5, 5, 80),
        district.township_a.pk: (3, 4, 580),
        district.community_a.pk: (1, 1, 120),
        district.township_b.pk: (1, 3, 400),
        district.dept_construction.pk: (1, 2, 150),
    }


def test_totals_by_kind_in_one_query(ledger, officer, django_assert_num_queries):
    with django_assert_num_queries(1):
        totals = figures.activity_totals(user=officer, date_from=FROM, date_to=TO)
    assert totals["publicity"] == {"activities": 4, "sessions": 7, "participants": 900}
    assert totals["training"] == {"activities": 1, "sessions": 2, "participants": 150}
    assert totals["drill"] == {"activities": 1, "sessions": 1, "participants": 200}
    assert totals["meeting"] == {"activities": 5, "sessions": 5, "participants": 80}


def test_each_unit_counts_only_its_scope(ledger, township_a_user, township_b_user, department_user, leader):
    def count(user):
        return sum(r["activities"] for r in figures.activity_figures(user=user, date_from=FROM, date_to=TO))

    assert count(township_a_user) == 4  # its three, and its community's
    assert count(township_b_user) == 1
    assert count(department_user) == 1
    assert count(leader) == 11  # the district leader reads everything: 4 + 1 + 1 + 5
    # 约谈 counted where the talk was held (the district), not where its targets are.
    assert figures.talk_figures(user=township_a_user, date_from=FROM, date_to=TO)["talks"] == 0
