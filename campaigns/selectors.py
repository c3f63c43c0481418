"""Reads of the campaigns (专项行动) and their progress.

Campaigns are district-wide plans: every signed-in user reads every campaign, so the campaign rows
are not narrowed by `restrict()`. The figures are: each registered measure counts the tagged records
through its own app's `restrict()`, so a township sees the progress its own records make (and the
district office the whole district's). See docs/manual.md, 专项行动.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.choices import TOWNSHIP_KINDS, OrgKind
from accounts.models import OrgUnit, User
from accounts.scoping import scope_for

from .choices import CampaignState
from .measures import CampaignMeasure, Number, get_measure, measure_total, measure_values, measures
from .models import Campaign, CampaignTarget

# Who may lead a campaign: the district (安委办/应急局), a department, a 专委会.
LEAD_KINDS = (OrgKind.DISTRICT, OrgKind.DEPARTMENT, OrgKind.COMMITTEE)


def campaign_list(*, user: User) -> QuerySet[Campaign]:
    return (
        Campaign.objects.select_related("kind", "lead_department", "parent")
        .annotate(children_count=Count("children", distinct=True))
        .order_by("-start_on", "-pk")
    )


def campaign_get(*, user: User, pk) -> Campaign:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        pk = 0
    return get_object_or_404(
        Campaign.objects.select_related("kind", "lead_department", "parent", "created_by"), pk=pk
    )


def state_q(state: str, today: dt.date | None = None) -> Q:
    today = today or timezone.localdate()
    if state == CampaignState.UPCOMING:
        return Q(start_on__gt=today)
    if state == CampaignState.ENDED:
        return Q(end_on__lt=today)
    if state == CampaignState.ACTIVE:
        return Q(start_on__lte=today, end_on__gte=today)
    return Q()


# A record may be entered some time after the day: the tagging fields offer the campaigns of this window.
TAGGING_WINDOW = dt.timedelta(days=366)


def campaigns_for_tagging(*, day: dt.date | None = None, include: int | None = None) -> QuerySet[Campaign]:
    """What a tagging field (录入检查 step 1, 登记隐患) offers: the campaigns running on `day` (today when
    not known) or ended within a year before it, and the one already chosen so an edit keeps it. The
    service then checks the record's date against the chosen campaign's period."""
    day = day or timezone.localdate()
    window = Q(start_on__lte=day, end_on__gte=day - TAGGING_WINDOW)
    return Campaign.objects.filter(window | Q(pk=include or 0)).order_by("-start_on", "name")


def campaigns_by_name(names: set[str]) -> dict[str, list[Campaign]]:
    """Campaigns by exact name, in one query (for the inspection import's 专项行动 column)."""
    found: dict[str, list[Campaign]] = {}
    for campaign in Campaign.objects.filter(name__in=names).order_by("-start_on", "pk"):
        found.setdefault(campaign.name, []).append(campaign)
    return found


def campaign_match(candidates: list[Campaign], day: dt.date | None) -> tuple[Campaign | None, str]:
    """The one campaign a name in a ledger means on `day`: among the campaigns of that name, the one
    active on the day; failing that the only one of that name. (None, reason) when none or ambiguous:
    "unknown", "ambiguous"."""
    if not candidates:
        return None, "unknown"
    if day is not None:
        active = [c for c in candidates if c.is_active_on(day)]
        if len(active) == 1:
            return active[0], ""
        if len(active) > 1:
            return None, "ambiguous"
    if len(candidates) == 1:
        return candidates[0], ""
    return None, "ambiguous"


# ---------------------------------------------------------------- figures


def _percent(done: Number, target: Decimal) -> Decimal | None:
    if not target:
        return None
    return (Decimal(done) * 100 / Decimal(target)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def campaign_families(campaign_ids) -> dict[int, list[int]]:
    """Each campaign with its sub-plans at any depth (a 三年行动 with its 1+2+12 plans), in one query over
    the campaigns' parent links."""
    children: dict[int, list[int]] = defaultdict(list)
    for pk, parent in Campaign.objects.filter(parent__isnull=False).values_list("pk", "parent_id"):
        children[parent].append(pk)
    families = {}
    for root in campaign_ids:
        family, stack = [root], [root]
        while stack:
            for child in children.get(stack.pop(), ()):
                if child not in family:
                    family.append(child)
                    stack.append(child)
        families[root] = family
    return families


def campaign_figures(
    *,
    user: User,
    campaign_ids: list[int],
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    keys: list[str] | None = None,
) -> dict[int, dict[str, Number]]:
    """Per campaign (with its sub-plans), every registered measure (or those of `keys`): tagged
    inspections, enterprises, hazards, cases, fines … within the period, scoped to what `user` may
    see. ONE query per measure for all the campaigns (plus one for the sub-plans); a figure that does
    not add up across campaigns (distinct enterprises) takes one more query per campaign that has
    sub-plans. Missing values are 0 (Decimal 0.00 for money)."""
    families = campaign_families(campaign_ids)
    everyone = sorted({pk for family in families.values() for pk in family})
    result: dict[int, dict[str, Number]] = {pk: {} for pk in campaign_ids}
    period = {"date_from": date_from, "date_to": date_to}
    for measure in measures():
        if keys is not None and measure.key not in keys:
            continue
        values = measure_values(measure, user, everyone, **period)
        for pk in campaign_ids:
            family = families[pk]
            if len(family) > 1 and not measure.additive:
                result[pk][measure.key] = measure_total(measure, user, family, **period)
            else:
                result[pk][measure.key] = sum((values.get(c, measure.zero) for c in family), measure.zero)
    return result


def campaign_tagged(*, user: User, campaign: Campaign) -> list[tuple[CampaignMeasure, Number]]:
    """Everything tagged to one campaign and its sub-plans that `user` may see, measure by measure
    (one query each)."""
    family = campaign_families([campaign.pk])[campaign.pk]
    return [(m, measure_total(m, user, family)) for m in measures()]


def sees_everything(user: User) -> bool:
    """Whether the figures `user` sees are the whole district's (else they are the user's scope's)."""
    return scope_for(user).everything


@dataclass
class TargetProgress:
    target: CampaignTarget
    label: str
    unit: str
    done: Number | None  # None: no app counts this metric (not installed)
    percent: Decimal | None
    list_url: str | None

    @property
    def bar(self) -> int:
        """The bar's width, 0–100."""
        return min(100, int(self.percent or 0))


def campaign_progress(*, user: User, campaign: Campaign) -> list[TargetProgress]:
    """Each target with what the records tagged to the campaign and its sub-plans (that `user` may
    see) have achieved: one query per target."""
    family = campaign_families([campaign.pk])[campaign.pk]
    rows = []
    for target in campaign.targets.select_related("sector"):
        measure = get_measure(target.metric)
        done = None if measure is None else measure_total(measure, user, family, sector_id=target.sector_id)
        rows.append(
            TargetProgress(
                target=target,
                label=target.label,
                unit=target.unit,
                done=done,
                percent=_percent(done, target.target) if done is not None else None,
                list_url=measure.list_url if measure else None,
            )
        )
    return rows


def _covers(member: OrgUnit, unit_id: int, path: str) -> bool:
    """A member township covers its communities; the district (when it leads) only its own work."""
    if member.is_district:
        return member.pk == unit_id
    return path.startswith(member.path)


@dataclass
class UnitContribution:
    unit: OrgUnit | None  # None: units that are not members of the campaign
    is_lead: bool
    values: list[Number]


def campaign_contributions(
    *, user: User, campaign: Campaign
) -> tuple[list[CampaignMeasure], list[UnitContribution]]:
    """The member units' contributions to the campaign and its sub-plans: for each measure that can be
    split by unit, what each member unit (with the units below it, e.g. a township's communities)
    achieved, the lead unit first. Work by units that are not members goes into one 其他单位 row. One
    query per measure, plus the sub-plans and the units."""
    split = [m for m in measures() if m.by_unit is not None]
    family = campaign_families([campaign.pk])[campaign.pk]
    members = [u for u in campaign.member_units.all() if u.pk != campaign.lead_department_id]
    members.insert(0, campaign.lead_department)
    by_measure = [m.by_unit(user, family) for m in split]
    unit_ids = set().union(*(values.keys() for values in by_measure)) if by_measure else set()
    paths = dict(OrgUnit.objects.filter(pk__in=unit_ids).values_list("pk", "path"))
    # The deepest member unit above each unit that did the work.
    ordered = sorted(members, key=lambda u: len(u.path), reverse=True)
    owner: dict[int, int | None] = {}
    for unit_id, path in paths.items():
        owner[unit_id] = next((m.pk for m in ordered if _covers(m, unit_id, path)), None)
    rows = {m.pk: UnitContribution(m, m.pk == campaign.lead_department_id, []) for m in members}
    other = UnitContribution(None, False, [])
    for measure, values in zip(split, by_measure, strict=True):
        totals: dict[int | None, Number] = {}
        for unit_id, value in values.items():
            key = owner.get(unit_id)
            totals[key] = totals.get(key, measure.zero) + value
        for pk, row in rows.items():
            row.values.append(totals.get(pk, measure.zero))
        other.values.append(totals.get(None, measure.zero))
    result = list(rows.values())
    if any(other.values):
        result.append(other)
    return split, result


def lead_units() -> QuerySet[OrgUnit]:
    """Who may lead a campaign: the district, its departments (安委会成员单位) and 专委会."""
    return OrgUnit.objects.filter(is_active=True, kind__in=LEAD_KINDS).order_by("path")


def member_unit_choices() -> QuerySet[OrgUnit]:
    """Member units: the townships (街道/乡镇/管理处) and the departments, 专委会 and district."""
    return OrgUnit.objects.filter(is_active=True, kind__in=(*LEAD_KINDS, *TOWNSHIP_KINDS)).order_by("path")
