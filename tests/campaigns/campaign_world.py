"""Helpers of the campaign tests (and of other apps' tests that tag records to a campaign)."""

import datetime as dt
from decimal import Decimal

from campaigns.models import Campaign, CampaignKind
from campaigns.services import CampaignData, PhaseData, TargetData, campaign_create


def make_campaign(
    user,
    lead,
    *,
    name: str = "危化品安全专项整治",
    start: dt.date,
    end: dt.date,
    kind: str = "special-rectification",
    members=(),
    sectors=(),
    targets: list[tuple[str, int | str | Decimal] | tuple[str, int | str | Decimal, object]] = (),
    phases: list[tuple[str, dt.date, dt.date]] = (),
    parent: Campaign | None = None,
) -> Campaign:
    """A campaign created through the service; targets as (metric, number[, sector])."""
    return campaign_create(
        user=user,
        data=CampaignData(
            kind=CampaignKind.objects.get(code=kind),
            name=name,
            start_on=start,
            end_on=end,
            lead_department=lead,
            member_units=list(members),
            sectors=list(sectors),
            parent=parent,
            phases=[PhaseData(name=n, start_on=s, end_on=e) for n, s, e in phases],
            targets=[
                TargetData(metric=t[0], target=Decimal(str(t[1])), sector=t[2] if len(t) > 2 else None)
                for t in targets
            ],
        ),
    )
