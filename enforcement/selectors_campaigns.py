"""The cases' part of a campaign's (专项行动) progress, registered with
`campaigns.measures.register_campaign_measure` from EnforcementConfig.ready().

Each function counts, for several campaigns at once, the cases tagged to them that `user` may see,
in ONE query grouped by campaign (or, `combined`, for them together; or by handling unit). 立案 counts by 立案日期; 罚款 (万元, the
summaries' unit; the ledger keeps yuan) by 处罚决定日期, fines only (not 没收违法所得), on the unit
and on the person (一案双罚).
"""

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, QuerySet, Sum

from accounts.models import User
from accounts.scoping import restrict

from .choices import PenaltyKind
from .models import Case, Penalty

TEN_THOUSAND = Decimal(10000)
CENT = Decimal("0.01")


def _cases(
    user: User, campaign_ids, *, sector_id=None, day: str, date_from=None, date_to=None
) -> QuerySet[Case]:
    cases = Case.objects.filter(campaign_id__in=campaign_ids)
    if date_from is not None:
        cases = cases.filter(**{f"{day}__gte": date_from})
    if date_to is not None:
        cases = cases.filter(**{f"{day}__lte": date_to})
    if sector_id is not None:
        in_sector = Case.objects.filter(
            Q(enterprise__sectors=sector_id) | Q(enterprise__sectors__parent=sector_id)
        ).values("pk")
        cases = cases.filter(pk__in=in_sector)
    return restrict(cases, user).order_by()


def _opened(queryset: QuerySet[Case], key: str, combined: bool):
    if combined:
        return queryset.aggregate(n=Count("pk", distinct=True))["n"] or 0
    rows = queryset.values(key).annotate(n=Count("pk", distinct=True)).order_by()
    return {row[key]: row["n"] for row in rows if row[key]}


def campaign_cases(user: User, campaign_ids, *, sector_id=None, date_from=None, date_to=None, combined=False):
    """立案查处 起 per campaign."""
    cases = _cases(
        user, campaign_ids, sector_id=sector_id, day="opened_on", date_from=date_from, date_to=date_to
    )
    return _opened(cases, "campaign_id", combined)


def campaign_cases_by_unit(user: User, campaign_ids, *, date_from=None, date_to=None):
    cases = _cases(user, campaign_ids, day="opened_on", date_from=date_from, date_to=date_to)
    return _opened(cases, "handling_unit_id", False)


def _wan(total) -> Decimal:
    return (Decimal(total or 0) / TEN_THOUSAND).quantize(CENT, rounding=ROUND_HALF_UP)


def _fines(cases: QuerySet[Case], key: str, combined: bool):
    fines = Penalty.objects.filter(case__in=cases.values("pk"), kind=PenaltyKind.FINE)
    if combined:
        return _wan(fines.aggregate(total=Sum("amount"))["total"])
    rows = fines.values(f"case__{key}").annotate(total=Sum("amount")).order_by()
    return {row[f"case__{key}"]: _wan(row["total"]) for row in rows if row[f"case__{key}"]}


def campaign_fines(user: User, campaign_ids, *, sector_id=None, date_from=None, date_to=None, combined=False):
    """罚款 万元 per campaign."""
    cases = _cases(
        user, campaign_ids, sector_id=sector_id, day="decided_on", date_from=date_from, date_to=date_to
    )
    return _fines(cases, "campaign_id", combined)


def campaign_fines_by_unit(user: User, campaign_ids, *, date_from=None, date_to=None):
    cases = _cases(user, campaign_ids, day="decided_on", date_from=date_from, date_to=date_to)
    return _fines(cases, "handling_unit_id", False)
