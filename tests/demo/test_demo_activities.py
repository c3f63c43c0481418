"""seed_demo's activity ledger: a year of publicity around 防灾减灾日, 安全生产月 and the 消防宣传月,
trainings and drills across townships and departments, the district's meetings and a few 约谈 —
the same for the same seed, scoped like any record, and gone after a reset."""

import datetime as dt

import pytest
from django.core.management import call_command

from accounts.models import User
from campaigns import selectors_activities as figures
from campaigns.models import Activity, ActivityQuantity, ActivityTalkTarget
from demo import inspections as demo_inspections
from demo.district import find_district
from demo.steps import demo_reset
from tests.demo.conftest import committed_demo


def seed(*args: str) -> None:
    call_command("seed_demo", "--seed", "4", "--enterprises", "150", *args, verbosity=0)


def year_end(monkeypatch) -> dt.date:
    """The demo as at the year's end, so every date of the calendar is in the past."""
    end = dt.date(dt.date.today().year, 12, 31)
    monkeypatch.setattr(demo_inspections, "demo_today", lambda: end)
    return end


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The demo as at the year's end, seeded once for the module (committed) and removed after it; each
    test reads it in its own transaction, and a reset or rebuild on top is rolled back."""
    with committed_demo(django_db_blocker, "--seed", "4", "--enterprises", "150", patch=year_end) as output:
        yield output


@pytest.fixture
def demo(world, db, sectors):
    return world


def test_a_year_of_activities_around_the_calendar(demo, monkeypatch):
    end = year_end(monkeypatch)
    officer = User.objects.get(username="officer")
    start = end.replace(month=1, day=1)
    totals = figures.activity_totals(user=officer, date_from=start, date_to=end)
    assert all(totals[kind]["activities"] >= 5 for kind in ("publicity", "training", "drill", "meeting"))
    june = Activity.objects.filter(date__month=6, subtype__code__in=["safety-month", "consult-day"])
    assert june.count() >= 10 and june.filter(campaign__isnull=False).exists()
    assert Activity.objects.filter(date=dt.date(end.year, 5, 12), subtype__code="disaster-day").count() >= 3
    assert Activity.objects.filter(
        date__month=11, subtype__code__in=["fire-day", "fire-month", "five-into"]
    ).exists()
    meetings = {
        r["subtype"]: r["meetings"]
        for r in figures.meeting_figures(user=officer, date_from=start, date_to=end)
    }
    assert meetings["区委常委会"] >= 9 and meetings["区政府常务会议"] >= 10
    talks = figures.talk_figures(user=officer, date_from=start, date_to=end)
    assert talks["talks"] >= 2 and talks["townships"] >= 1
    quantities = {
        r["unit"]: r["amount"] for r in figures.quantity_totals(user=officer, date_from=start, date_to=end)
    }
    assert quantities["banner"] > 100 and quantities["leaflet"] > 5000
    assert not Activity.objects.filter(date__gt=end).exists()


def test_the_township_user_sees_its_own_township_only(demo, monkeypatch):
    year_end(monkeypatch)
    township = User.objects.get(username="township")
    visible = figures.activity_list(user=township)
    assert visible.exists()
    assert not visible.exclude(organiser__path__startswith=township.org_unit.path).exists()
    assert Activity.objects.filter(created_by=township).exists()


def test_same_seed_same_activities(demo, monkeypatch, cheap_pdfs):
    year_end(monkeypatch)

    def ledger():
        return sorted(
            Activity.objects.values_list("date", "subtype__code", "theme", "organiser__name", "participants")
        )

    first = ledger()  # the module's demo
    demo_reset()
    seed()
    assert ledger() == first


def test_reset_removes_the_demo_activities(demo, monkeypatch):
    year_end(monkeypatch)
    assert find_district() is not None
    demo_reset()
    assert not Activity.objects.exists() and not ActivityQuantity.objects.exists()
    assert not ActivityTalkTarget.objects.exists() and not Activity.history.exists()
