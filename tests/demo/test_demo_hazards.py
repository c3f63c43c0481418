"""seed_demo's hazards: a year of them from the demo inspections and other sources, most closed, some
overdue, a few major and listed, numbered without gaps, and gone again after a reset."""

import re
from collections import Counter

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.choices import Role
from accounts.models import Notification, NumberSequence, User
from demo import hazards as hazards_demo
from demo.district import find_district
from demo.steps import demo_reset
from hazards import services
from hazards.choices import EventKind, HazardLevel, HazardSource, HazardState
from hazards.models import DeadlineExtension, Hazard, HazardEvent, Rectification
from hazards.selectors import hazard_figures, hazard_list
from inspections.choices import CheckResultValue
from inspections.models import CheckResult
from tests.demo.conftest import committed_demo
from tests.factories import UserFactory
from tests.hazards.conftest import hazard_data


def seed(*args: str) -> None:
    call_command("seed_demo", "--seed", "4", "--enterprises", "150", *args, verbosity=0)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The demo, seeded once for the module (committed) and removed after it; each test reads it in its
    own transaction, and what a test writes on top (a new hazard, a reset, a rebuild) is rolled back."""
    with committed_demo(django_db_blocker, "--seed", "4", "--enterprises", "150") as output:
        yield output


@pytest.fixture
def demo(world, db):
    return world


def test_demo_has_a_year_of_hazards_mostly_closed(demo):
    today = timezone.localdate()
    hazards = Hazard.objects.all()
    figures = hazard_figures(hazards)
    assert figures["found"] >= 15
    assert 80 <= figures["rate"] < 100  # most are 已销号, not all
    assert figures["overdue"] >= 1 and figures["major"] >= 1 and figures["listed"] >= 1
    states = Counter(hazards.values_list("state", flat=True))
    assert states[HazardState.CLOSED] > len(hazards) / 2
    assert states[HazardState.OPEN] + states[HazardState.RECTIFYING] + states[HazardState.VERIFYING] >= 2
    sources = set(hazards.values_list("source", flat=True))
    assert HazardSource.INSPECTION in sources and len(sources) >= 3
    for hazard in hazards.filter(state=HazardState.CLOSED):
        assert hazard.found_on < hazard.closed_on < today, hazard.number
    for hazard in hazards.filter(is_overdue=True):
        assert hazard.state in (HazardState.OPEN, HazardState.RECTIFYING) and hazard.deadline < today


def test_demo_hazards_come_from_the_inspections_noncompliant_items(demo):
    from_inspections = Hazard.objects.filter(source=HazardSource.INSPECTION).select_related(
        "inspection_record__action", "check_result"
    )
    assert from_inspections.exists()
    for hazard in from_inspections:
        record = hazard.inspection_record
        assert record.enterprise_id == hazard.enterprise_id and record.action.date == hazard.found_on
    noncompliant = CheckResult.objects.filter(result=CheckResultValue.NONCOMPLIANT)
    if noncompliant.exists():  # one hazard per 不符合 item, linked to it
        linked = set(from_inspections.values_list("check_result_id", flat=True))
        assert linked == set(
            noncompliant.filter(
                record__action__status="done", record__action__date__lte=timezone.localdate()
            ).values_list("pk", flat=True)
        )
        for hazard in from_inspections:
            assert hazard.check_result.record_id == hazard.inspection_record_id


def test_major_hazards_have_the_five_implementations_and_some_are_listed(demo):
    majors = Hazard.objects.filter(level=HazardLevel.MAJOR)
    assert majors.count() >= 3
    for hazard in majors:
        assert hazard.responsible_person and hazard.measures and hazard.funds and hazard.contingency_plan
        assert hazard.deadline > hazard.found_on
    listed = majors.exclude(listing_level="")
    assert listed.exists()
    for hazard in listed:
        assert hazard.listed_on and hazard.listing_leader
        assert re.fullmatch(r"[清潭湘]安委办〔\d{4}〕\d+号", hazard.listing_document)
        assert hazard.events.filter(kind=EventKind.LISTED).exists()
    delisted = listed.exclude(delisted_on=None)
    assert 1 <= delisted.count() <= 2
    for hazard in delisted:
        assert hazard.state == HazardState.CLOSED and hazard.delisted_on >= hazard.closed_on


def test_timelines_tell_each_story_in_order(demo):
    for hazard in Hazard.objects.prefetch_related("events", "rectifications"):
        events = list(hazard.events.all())
        assert events[0].kind == EventKind.CREATED, hazard.number
        assert [e.at for e in events] == sorted(e.at for e in events), hazard.number
        assert hazard.created == events[0].at
        if hazard.state == HazardState.CLOSED:
            assert hazard.rectifications.all(), hazard.number
            assert any(e.kind == EventKind.RECTIFICATION for e in events)
            last = [e for e in events if e.kind == EventKind.TRANSITION][-1]
            assert (last.from_state, last.to_state) == (HazardState.VERIFYING, HazardState.CLOSED)
            assert last.at.date() == hazard.closed_on
    # The nightly sweep ran: overdue ones carry their 逾期 line and the unit was told.
    overdue = Hazard.objects.filter(is_overdue=True)
    for hazard in overdue:
        assert hazard.events.filter(kind=EventKind.OVERDUE).exists()
    assert Notification.objects.filter(kind="hazard_overdue").count() >= overdue.count()


def test_numbers_are_gap_free_in_found_order_and_new_ones_continue(demo, sectors):
    district = find_district()
    by_year: dict[int, list[tuple[int, object]]] = {}
    for number, found_on in Hazard.objects.values_list("number", "found_on"):
        by_year.setdefault(int(number[2:6]), []).append((int(number[6:]), found_on))
    for year, rows in by_year.items():
        rows.sort()
        assert [n for n, _ in rows] == list(range(1, len(rows) + 1))
        assert [d for _, d in rows] == sorted(d for _, d in rows)
        sequence = NumberSequence.objects.get(series="hazard", org_unit=district, year=year)
        assert sequence.last == len(rows)

    officer = User.objects.get(username="officer")
    enterprise = Hazard.objects.first().enterprise
    hazard = services.hazard_create(user=officer, data=hazard_data(enterprise, found_days_ago=0))
    year = timezone.localdate().year
    assert hazard.number == f"YH{year}{len(by_year.get(year, [])) + 1:05d}"


def test_the_township_user_sees_and_followed_its_own_hazards(demo):
    township = User.objects.get(username="township")
    visible = hazard_list(user=township)
    assert visible.exists() and not visible.exclude(township=township.org_unit).exists()
    # Rectifications are logged by the unit that follows the hazard, as the services would have it.
    assert Rectification.objects.filter(created_by=township).exists()


def test_same_seed_same_hazards(demo, cheap_pdfs):
    first = sorted(Hazard.objects.values_list("number", "enterprise__uscc", "state", "found_on", "level"))
    seed("--reset")
    assert (
        sorted(Hazard.objects.values_list("number", "enterprise__uscc", "state", "found_on", "level"))
        == first
    )


def test_reset_removes_the_demo_hazards_only(demo, district, enterprise_a):
    officer = UserFactory(username="other_officer", role=Role.OFFICER, org_unit=district.dept_emergency)
    # Another district's hazard. Numbers are unique across the database, so its series starts far on.
    year = timezone.localdate().year
    NumberSequence.objects.create(series="hazard", org_unit=district.district, year=year, last=9000)
    hazard_a = services.hazard_create(user=officer, data=hazard_data(enterprise_a))
    assert Hazard.objects.count() > 1
    demo_reset()
    assert list(Hazard.objects.all()) == [hazard_a]
    assert set(HazardEvent.objects.values_list("hazard_id", flat=True)) == {hazard_a.pk}
    assert not Rectification.objects.exists() and not DeadlineExtension.objects.exists()
    assert not Notification.objects.filter(kind="hazard_overdue").exists()
    assert set(Hazard.history.values_list("id", flat=True)) == {hazard_a.pk}
    assert list(NumberSequence.objects.filter(series="hazard").values_list("org_unit", flat=True)) == [
        district.district.pk
    ]


def test_inspections_without_item_results_still_give_hazards(demo, monkeypatch, cheap_pdfs):
    monkeypatch.setattr(hazards_demo, "_noncompliant", lambda done: [])
    seed("--reset")  # the module's demo, rebuilt without item results (rolled back after the test)
    from_visits = Hazard.objects.filter(source=HazardSource.INSPECTION)
    assert from_visits.exists() and not from_visits.filter(check_result__isnull=False).exists()
    assert not from_visits.filter(inspection_record__isnull=True).exists()
