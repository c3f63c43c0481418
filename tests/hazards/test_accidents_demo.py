"""seed_demo's accidents and reports: two years of accidents with this year below last (the year-over-year
change is visible), and a year of reports, some substantiated and rewarded, scoped like any record."""

import datetime as dt

import pytest
from django.core.management import call_command

from accounts.models import Notification, User
from demo.steps import demo_reset
from enforcement.choices_tips import TipState
from enforcement.models import Tip
from enforcement.selectors_tips import tip_figures
from hazards import selectors_accidents as sel
from hazards.models import Accident

pytestmark = pytest.mark.django_db


def test_demo_has_two_years_of_accidents_and_a_year_of_reports(sectors, cheap_pdfs):
    call_command("seed_demo", "--seed", "7", "--enterprises", "150", verbosity=0)
    officer = User.objects.get(username="officer")
    today = dt.date.today()
    yoy = sel.accident_figures_yoy(user=officer, date_from=today.replace(month=1, day=1), date_to=today)
    assert 0 < yoy["current"]["count"] < yoy["previous"]["count"], yoy
    assert yoy["change"]["count"].direction == "down"
    assert Accident.objects.filter(is_production_safety=False).exists()
    assert list(Accident.objects.order_by("number").values_list("number", flat=True))[0].startswith("SG")

    tips = Tip.objects.all()
    assert tips.count() == 36
    assert (
        tips.filter(state=TipState.SUBSTANTIATED).exists()
        and tips.filter(reward_paid_on__isnull=False).exists()
    )
    figures = tip_figures(user=officer, date_from=today - dt.timedelta(days=365), date_to=today)
    assert figures["received"] == 36 and figures["rewards_paid"] >= 1

    # A township user sees only its own township's accidents.
    township_user = User.objects.get(username="township")
    mine = sel.accident_list(user=township_user)
    assert mine.count() < Accident.objects.count()
    assert all(a.township.path.startswith(township_user.org_unit.path) for a in mine)

    # --reset removes them, their history and their notices.
    demo_reset()
    assert not Accident.objects.exists() and not Tip.objects.exists()
    assert not Accident.history.exists() and not Tip.history.exists()
    assert not Notification.objects.filter(kind="tip_received").exists()
