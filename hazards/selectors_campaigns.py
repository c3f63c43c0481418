"""The hazards' part of a campaign's (专项行动) progress, registered with
`campaigns.measures.register_campaign_measure` from HazardsConfig.ready().

Each function counts, for several campaigns at once, the hazards tagged to them that `user` may see,
in ONE query grouped by campaign (or, `combined`, for them together; or by the unit following the
hazard). Voided entries count nowhere.
Found counts by 发现日期 in the period; rectified/closed by 销号日期.
"""

from django.db.models import Count, Q, QuerySet

from accounts.models import User
from accounts.scoping import restrict

from .choices import HazardLevel, HazardState
from .models import Hazard


def _hazards(user: User, campaign_ids, *, sector_id=None, major=False, closed=False, date_from, date_to):
    hazards = Hazard.objects.filter(campaign_id__in=campaign_ids).exclude(state=HazardState.VOID)
    if major:
        hazards = hazards.filter(level=HazardLevel.MAJOR)
    day = "found_on"
    if closed:
        hazards = hazards.filter(state=HazardState.CLOSED)
        day = "closed_on"
    if date_from is not None:
        hazards = hazards.filter(**{f"{day}__gte": date_from})
    if date_to is not None:
        hazards = hazards.filter(**{f"{day}__lte": date_to})
    if sector_id is not None:
        in_sector = Hazard.objects.filter(Q(sectors=sector_id) | Q(sectors__parent=sector_id)).values("pk")
        hazards = hazards.filter(pk__in=in_sector)
    return restrict(hazards, user).order_by()


def _counted(queryset: QuerySet, key: str, combined: bool):
    if combined:
        return queryset.aggregate(n=Count("pk", distinct=True))["n"] or 0
    rows = queryset.values(key).annotate(n=Count("pk", distinct=True)).order_by()
    return {row[key]: row["n"] for row in rows if row[key]}


def _measure(**kind):
    def by_campaign(
        user: User, campaign_ids, *, sector_id=None, date_from=None, date_to=None, combined=False
    ):
        hazards = _hazards(
            user, campaign_ids, sector_id=sector_id, date_from=date_from, date_to=date_to, **kind
        )
        return _counted(hazards, "campaign_id", combined)

    def by_unit(user: User, campaign_ids, *, date_from=None, date_to=None):
        hazards = _hazards(user, campaign_ids, date_from=date_from, date_to=date_to, **kind)
        return _counted(hazards, "responsible_unit_id", False)

    return by_campaign, by_unit


campaign_hazards_found, campaign_hazards_found_by_unit = _measure()
campaign_hazards_rectified, campaign_hazards_rectified_by_unit = _measure(closed=True)
campaign_major_found, campaign_major_found_by_unit = _measure(major=True)
campaign_major_closed, campaign_major_closed_by_unit = _measure(major=True, closed=True)
