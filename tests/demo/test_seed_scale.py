"""seed_scale: a tiny city (60 enterprises, 2 years) loaded with COPY must look to the app exactly as if
the services had written it — proportions, timelines, history rows, flags, numbers, sequences."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Count, F, Sum
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Enterprise, NumberSequence, OrgUnit, User
from campaigns.models import Activity, ActivityQuantity
from core.tallies import exact_count
from demo.scale.build import SIZES
from demo.scale.city import DEPARTMENT_USER, LEADER, OFFICER, SCALE_DISTRICT, TOWNSHIP_USER
from enforcement.choices import CaseState
from enforcement.models import Case, CaseEvent, Penalty
from enforcement.services import cases_flag_deadlines
from hazards.choices import EventKind, HazardLevel, HazardSource, HazardState
from hazards.models import Accident, Hazard, HazardDayTally, HazardEvent
from hazards.selectors import hazard_figures, ledger_figures
from hazards.services import hazards_mark_overdue
from hazards.services.create import hazard_number
from inspections.models import CheckResult, InspectionAction, InspectionRecord

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="seed_scale loads with PostgreSQL COPY"),
]

TINY = ("--enterprises", "60", "--years", "2", "--seed", "7")


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_scale", *args, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        "units": OrgUnit.objects.count(),
        "users": User.objects.count(),
        "enterprises": Enterprise.objects.count(),
        "actions": InspectionAction.objects.count(),
        "records": InspectionRecord.objects.count(),
        "results": CheckResult.objects.count(),
        "hazards": Hazard.objects.count(),
        "events": HazardEvent.objects.count(),
        "history": Hazard.history.count(),
        "cases": Case.objects.count(),
        "case_events": CaseEvent.objects.count(),
        "penalties": Penalty.objects.count(),
        "accidents": Accident.objects.count(),
        "activities": Activity.objects.count(),
        "quantities": ActivityQuantity.objects.count(),
        "sequences": NumberSequence.objects.count(),
    }


@pytest.fixture
def city() -> str:
    return seed(*TINY)


def test_the_tiny_city_has_the_city_proportions(city):
    assert "规模数据已生成" in city and "隐患" in city
    district = OrgUnit.objects.get(name=SCALE_DISTRICT, parent=None)
    assert Enterprise.objects.filter(jurisdiction__path__startswith=district.path).count() == 60
    years = 1 + (timezone.localdate() - dt.date(timezone.localdate().year, 1, 1)).days / 365
    records, hazards = InspectionRecord.objects.count(), Hazard.objects.count()
    # Per enterprise-year: 2 records, 8 hazards, 0.4 cases (the city's 500k / 2M / 100k over 250k).
    assert 1.5 * 60 * years <= records <= 2.5 * 60 * years
    assert 6 * 60 * years <= hazards <= 10 * 60 * years
    assert 0.2 * 60 * years <= Case.objects.count() <= 0.6 * 60 * years
    found_by_inspection = Hazard.objects.filter(source=HazardSource.INSPECTION)
    assert found_by_inspection.filter(inspection_record__isnull=True).count() == 0
    assert found_by_inspection.count() > hazards / 2
    assert Hazard.objects.filter(state=HazardState.CLOSED).count() > hazards * 0.85
    assert Hazard.objects.filter(level=HazardLevel.MAJOR).count() < hazards * 0.05
    assert Penalty.objects.filter(amount__gt=0).exists()
    assert Activity.objects.exists() and ActivityQuantity.objects.exists()
    for username in (OFFICER, LEADER, DEPARTMENT_USER, TOWNSHIP_USER):
        assert User.objects.get(username=username).check_password("scale12345")


def test_every_hazard_has_its_history_and_timeline(city):
    hazards = Hazard.objects.all()
    assert hazards.exclude(pk__in=Hazard.history.filter(history_type="+").values("id")).count() == 0
    assert (
        hazards.exclude(pk__in=HazardEvent.objects.filter(kind=EventKind.CREATED).values("hazard")).count()
        == 0
    )
    closed = hazards.filter(state=HazardState.CLOSED)
    assert closed.filter(closed_on__lt=F("found_on")).count() == 0
    assert (
        closed.exclude(
            pk__in=HazardEvent.objects.filter(to_state=HazardState.CLOSED).values("hazard")
        ).count()
        == 0
    )
    # The '+' row is the hazard as entered; a closed one also has its '~' row as it is now.
    first = Hazard.history.filter(history_type="+").earliest("history_date")
    assert first.state == HazardState.OPEN and first.closed_on is None
    assert Hazard.history.filter(history_type="~", state=HazardState.CLOSED).count() == closed.count()
    snapshot = Hazard.history.filter(history_type="+").first()
    assert set(snapshot.sectors.values_list("sector_id", flat=True)) == set(
        Hazard.objects.get(pk=snapshot.id).sectors.values_list("pk", flat=True)
    )
    # Denormalised fields are the enterprise's.
    assert hazards.exclude(jurisdiction=F("enterprise__jurisdiction")).count() == 0
    assert hazards.exclude(supervising_department=F("enterprise__supervising_department")).count() == 0
    assert Case.objects.exclude(jurisdiction=F("enterprise__jurisdiction")).count() == 0
    decided = Case.objects.filter(state__in=[CaseState.DECIDED, CaseState.EXECUTING, CaseState.CLOSED])
    assert decided.filter(decided_on__isnull=True).count() == 0


def test_the_nightly_sweeps_find_nothing_left_to_flag(city):
    """Overdue hazards and case deadlines were flagged exactly as the services' sweeps would."""
    assert hazards_mark_overdue() == 0
    assert cases_flag_deadlines() == 0


def test_the_ledger_count_is_the_tables_after_a_load_with_triggers_off(city):
    """The load bypasses the tally triggers (core.tallies); the count is rebuilt, so the ledger's total
    is the table's, before and after a reset."""
    real = Hazard.objects.filter(pk__gt=0).count()  # a WHERE: counted, not read off the tally
    assert real > 0
    assert exact_count(Hazard.objects.all()) == real
    assert_figures_tallied()
    seed(*TINY, "--reset")
    assert exact_count(Hazard.objects.all()) == Hazard.objects.filter(pk__gt=0).count()
    assert_figures_tallied()


def assert_figures_tallied() -> None:
    """The ledger's figures off the group tally are the counted ones, and every day's count is the table's."""
    ledger = Hazard.objects.all()
    assert ledger_figures(ledger) == (hazard_figures(ledger), ledger.count())
    days = dict(Hazard.objects.order_by().values_list("found_on").annotate(n=Count("pk")))
    tallied = HazardDayTally.objects.values_list("found_on").annotate(n=Sum("rows")).order_by()
    assert {day: n for day, n in tallied if n} == days


def test_numbers_and_sequences_carry_on_after_the_load(city):
    enterprise = Enterprise.objects.order_by("pk").last()
    year = timezone.localdate().year
    number = hazard_number(enterprise=enterprise, year=year)
    assert number.startswith(f"YH{year}")
    assert not Hazard.objects.filter(number=number).exists()
    # ORM inserts after the load get fresh ids (the sequences were moved past the loaded ones).
    hazard = Hazard.objects.order_by("pk").last()
    event = HazardEvent.objects.create(hazard=hazard, kind=EventKind.EDITED, note="test")
    assert event.pk > HazardEvent.objects.exclude(pk=event.pk).order_by("pk").last().pk
    unit = OrgUnit.objects.create(
        name="新单位", kind="department", parent=OrgUnit.objects.get(name=SCALE_DISTRICT)
    )
    assert unit.pk == OrgUnit.objects.order_by("pk").last().pk


def test_the_ledger_and_the_dashboard_render(city):
    client = Client()
    client.force_login(User.objects.get(username=OFFICER))
    hazard = Hazard.objects.order_by("pk").last()
    for url in (reverse("hazards:hazard_list"), hazard.get_absolute_url(), "/reports/"):
        assert client.get(url).status_code == 200, url
    client.force_login(User.objects.get(username=LEADER))
    assert client.get("/reports/").status_code == 200


def test_reset_twice_gives_the_same_city(city):
    first = counts()
    seed(*TINY, "--reset")
    assert counts() == first
    seed(*TINY, "--reset")
    assert counts() == first


def test_a_second_load_without_reset_is_refused(city):
    with pytest.raises(CommandError, match="--reset"):
        seed(*TINY)


def test_presets():
    assert SIZES["city"].enterprises == 50_000 and SIZES["city"].years == 5
    assert SIZES["small"].enterprises * SIZES["small"].years < SIZES["city"].enterprises
