"""seed_demo makes the year's campaigns (under a three-year campaign) and tags the campaign outings and
the hazards found on them; the same seed gives the same tags."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db.models import F
from django.test import Client
from django.utils import timezone

from accounts.models import User
from campaigns import selectors
from campaigns.models import Campaign
from demo import inspections as demo_inspections
from enforcement.models import Case
from hazards.models import Hazard
from inspections.models import InspectionAction

pytestmark = pytest.mark.django_db


def tags() -> list[tuple]:
    actions = InspectionAction.objects.order_by("number").values_list("number", "campaign__name")
    hazards = Hazard.objects.order_by("number").values_list("number", "campaign__name")
    return [*actions, *hazards]


def test_demo_links_campaigns_to_inspections_and_hazards(monkeypatch, cheap_pdfs):
    year_end = dt.date(timezone.localdate().year, 12, 31)
    monkeypatch.setattr(demo_inspections, "demo_today", lambda: year_end)
    call_command("seed_demo", "--seed", "7", "--enterprises", "120", verbosity=0)

    parent = Campaign.objects.get(name="安全生产专项整治三年行动")
    children = list(parent.children.order_by("start_on"))
    assert {c.name for c in children} >= {"安全生产月集中执法检查", "国庆节前安全生产大检查"}
    assert all(c.phases.exists() and c.targets.exists() and c.member_units.exists() for c in children)
    tagged = InspectionAction.objects.filter(campaign__isnull=False).select_related("campaign")
    assert tagged.count() > 10
    assert all(a.campaign.start_on <= a.date <= a.campaign.end_on for a in tagged)
    assert not InspectionAction.objects.filter(note__startswith="专项行动：").exists()
    # A hazard found on a campaign's inspection belongs to it; the others to none.
    found = Hazard.objects.filter(inspection_record__action__campaign__isnull=False)
    assert found.exists()
    assert not found.exclude(campaign=F("inspection_record__action__campaign")).exists()
    assert not Hazard.objects.filter(campaign__isnull=False, inspection_record__isnull=True).exists()

    officer = User.objects.get(username="officer")
    month = Campaign.objects.get(name="安全生产月集中执法检查")
    progress = selectors.campaign_progress(user=officer, campaign=month)
    assert progress and all(row.done is not None for row in progress)
    assert progress[0].done == tagged.filter(campaign=month).count()
    # A case opened from a campaign's hazard or inspection counts for it (when opened within it): the
    # campaign pages show 立案查处 and 罚款金额.
    cases = Case.objects.filter(campaign__isnull=False).select_related("campaign")
    assert cases.exists()
    assert all(c.campaign.start_on <= c.opened_on <= c.campaign.end_on for c in cases)
    assert (
        not cases.exclude(source_hazard__campaign=F("campaign"))
        .exclude(source_record__action__campaign=F("campaign"))
        .exists()
    )
    figures = selectors.campaign_figures(
        user=officer, campaign_ids=[parent.pk], keys=["cases_opened", "fines"]
    )
    assert figures[parent.pk]["cases_opened"] > 0 and figures[parent.pk]["fines"] > 0
    client = Client()
    client.force_login(officer)
    assert client.get(month.get_absolute_url()).status_code == 200
    assert client.get(parent.get_absolute_url()).status_code == 200

    first = tags()
    call_command("seed_demo", "--seed", "7", "--enterprises", "120", "--reset", verbosity=0)
    assert tags() == first
