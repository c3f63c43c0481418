"""Scoped reads of the activity ledger, and its figures for the work summaries.

Every figure takes the user (the scoping rule), a period (`date_from`, `date_to`, inclusive, by the
activity's date) and answers in ONE query: “组织开展‘一把手谈安全’活动129场”, “悬挂宣传横幅2000余条”,
“区委常委会会议9次”, “约谈*个街镇、*个部门”. The reports reuse them as metrics.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.choices import TOWNSHIP_KINDS, OrgKind
from accounts.models import Enterprise, OrgUnit, User
from accounts.scoping import get_object_in_scope, restrict, scope_for

from .choices_activities import ORGANISER_KINDS, ActivityKind
from .models import (
    Activity,
    ActivityAttachment,
    ActivityQuantity,
    ActivitySubtype,
    ActivityTalkTarget,
    ActivityType,
    Campaign,
    QuantityUnit,
)


def activity_list(*, user: User, action: str = "view") -> QuerySet[Activity]:
    return restrict(Activity.objects.all(), user, action).select_related(
        "type", "subtype", "organiser", "campaign"
    )


def activity_rows(*, user: User) -> QuerySet[Activity]:
    """The list page's rows: each with its quantities (one query more for the page, not one per row)."""
    return activity_list(user=user).prefetch_related(
        Prefetch("quantities", queryset=ActivityQuantity.objects.select_related("unit"))
    )


def activity_get(*, user: User, pk: int, action: str = "view") -> Activity:
    """One activity the user may see (or change), or 404."""
    return get_object_in_scope(
        Activity.objects.select_related("type", "subtype", "organiser", "campaign", "created_by"),
        user,
        action,
        pk=pk,
    )


def activity_detail(*, user: User, pk: int) -> Activity:
    """The detail page's activity with its quantities, 约谈 targets and evidence files."""
    return get_object_in_scope(
        Activity.objects.select_related(
            "type", "subtype", "organiser", "campaign", "created_by"
        ).prefetch_related(
            Prefetch("quantities", queryset=ActivityQuantity.objects.select_related("unit")),
            Prefetch(
                "talk_targets", queryset=ActivityTalkTarget.objects.select_related("org_unit", "enterprise")
            ),
            Prefetch("attachments", queryset=ActivityAttachment.objects.select_related("uploaded_by")),
        ),
        user,
        "view",
        pk=pk,
    )


def attachment_get(*, user: User, pk: int, activity_pk: int | None = None) -> ActivityAttachment:
    """An evidence file of an activity the user may view; 404 otherwise (never a bare /media/ link)."""
    visible = restrict(Activity.objects.all(), user).values("pk")
    files = ActivityAttachment.objects.filter(activity__in=visible)
    if activity_pk is not None:
        files = files.filter(activity_id=activity_pk)
    return get_object_or_404(files, pk=pk)


def enterprise_talks(*, user: User, enterprise: Enterprise, limit: int = 10) -> list[Activity]:
    """约谈 that named this enterprise, newest first, among the activities the user may see."""
    talks = activity_list(user=user).filter(
        pk__in=ActivityTalkTarget.objects.filter(enterprise=enterprise).values("activity")
    )
    return list(talks[:limit])


# A 约谈 is offered for linking to a hazard or case for two years after it was held.
TALK_LINK_DAYS = 730


def talks_for_linking(*, user: User, include: Iterable[int] = ()) -> QuerySet[Activity]:
    """The 约谈 a hazard or case may be linked to (the hazard / case edit forms): those the user may see,
    held in the last two years, plus the ones already linked (so an edit keeps them); newest first."""
    recent = Q(date__gte=timezone.localdate() - dt.timedelta(days=TALK_LINK_DAYS))
    return (
        activity_list(user=user)
        .filter(subtype__is_talk=True)
        .filter(recent | Q(pk__in=list(include)))
        .order_by("-date", "-pk")
    )


def campaign_activities(*, user: User, campaign: Campaign, limit: int = 10) -> list[Activity]:
    """The latest activities tagged to a campaign, among those the user may see."""
    return list(activity_list(user=user).filter(campaign=campaign)[:limit])


# ---------------------------------------------------------------- choices for forms and filters


def activity_types() -> QuerySet[ActivityType]:
    return ActivityType.objects.all()


def subtypes_active() -> QuerySet[ActivitySubtype]:
    return ActivitySubtype.objects.filter(is_active=True).select_related("type")


def units_active() -> QuerySet[QuantityUnit]:
    return QuantityUnit.objects.filter(is_active=True)


def campaigns_all() -> QuerySet[Campaign]:
    """Campaigns are plans every signed-in user reads: any may be named on an activity."""
    return Campaign.objects.order_by("-start_on", "name")


def organisers_writable(*, user: User) -> QuerySet[OrgUnit]:
    """Units this user may record an activity for: all for the district office, a township's own
    subtree, a department itself."""
    units = OrgUnit.objects.filter(kind__in=ORGANISER_KINDS, is_active=True).order_by("path")
    scope = scope_for(user, "change")
    if scope.everything:
        return units
    condition = Q(pk__in=[])
    if scope.subtree_path is not None:
        condition |= Q(path__startswith=scope.subtree_path)
    if scope.department_id is not None:
        condition |= Q(pk=scope.department_id)
    return units.filter(condition)


def organisers_visible(*, user: User) -> QuerySet[OrgUnit]:
    """Units whose activities the user may see: the list filter's choices."""
    units = OrgUnit.objects.filter(kind__in=ORGANISER_KINDS).order_by("path")
    scope = scope_for(user)
    if scope.everything:
        return units
    condition = Q(pk__in=[])
    if scope.subtree_path is not None:
        condition |= Q(path__startswith=scope.subtree_path)
    if scope.department_id is not None:
        condition |= Q(pk=scope.department_id)
    return units.filter(condition)


def talk_townships() -> QuerySet[OrgUnit]:
    return OrgUnit.objects.filter(kind__in=TOWNSHIP_KINDS, is_active=True).order_by("path")


def talk_departments() -> QuerySet[OrgUnit]:
    return OrgUnit.objects.filter(kind=OrgKind.DEPARTMENT, is_active=True).order_by("path")


def talk_enterprises(*, user: User) -> QuerySet[Enterprise]:
    return restrict(Enterprise.objects.all(), user).order_by("name")


# ---------------------------------------------------------------- figures (one query each)


def _in_period(user: User, date_from: dt.date, date_to: dt.date) -> QuerySet[Activity]:
    return restrict(Activity.objects.all(), user).filter(date__gte=date_from, date__lte=date_to).order_by()


def activity_figures(*, user: User, date_from: dt.date, date_to: dt.date) -> list[dict]:
    """Activities, 场次 and 参与人次 by kind and sub-type: one row per (kind, sub-type), in the code
    tables' order; sub-type None for activities recorded without one."""
    rows = (
        _in_period(user, date_from, date_to)
        .values("type__code", "type__name", "type__order", "subtype_id", "subtype__name", "subtype__order")
        .annotate(activities=Count("pk"), sessions=Sum("sessions"), participants=Sum("participants"))
        .order_by("type__order", "subtype__order", "subtype_id")
    )
    return [
        {
            "kind": r["type__code"],
            "kind_name": r["type__name"],
            "subtype": r["subtype__name"],
            "subtype_id": r["subtype_id"],
            "activities": r["activities"],
            "sessions": r["sessions"],
            "participants": r["participants"],
        }
        for r in rows
    ]


def activity_totals(*, user: User, date_from: dt.date, date_to: dt.date) -> dict[str, dict[str, int]]:
    """Activities, 场次 and 参与人次 of each kind (every kind present, zeros included), in one query."""
    agg = {}
    for kind in ActivityKind.values:
        only = Q(type__code=kind)
        agg[f"{kind}__activities"] = Count("pk", filter=only)
        agg[f"{kind}__sessions"] = Sum("sessions", filter=only, default=0)
        agg[f"{kind}__participants"] = Sum("participants", filter=only, default=0)
    flat = _in_period(user, date_from, date_to).aggregate(**agg)
    totals: dict[str, dict[str, int]] = {kind: {} for kind in ActivityKind.values}
    for key, value in flat.items():
        kind, what = key.split("__")
        totals[kind][what] = value
    return totals


def quantity_figures(*, user: User, date_from: dt.date, date_to: dt.date) -> list[dict]:
    """Each quantity unit summed by kind and sub-type (横幅 条 of 安全生产月 …), in one query."""
    rows = (
        ActivityQuantity.objects.filter(activity__in=_in_period(user, date_from, date_to).values("pk"))
        .values(
            "activity__type__code",
            "activity__type__order",
            "activity__subtype_id",
            "activity__subtype__name",
            "activity__subtype__order",
            "unit__code",
            "unit__name",
            "unit__unit",
            "unit__order",
        )
        .annotate(amount=Sum("amount"))
        .order_by("activity__type__order", "activity__subtype__order", "activity__subtype_id", "unit__order")
    )
    return [
        {
            "kind": r["activity__type__code"],
            "subtype": r["activity__subtype__name"],
            "subtype_id": r["activity__subtype_id"],
            "unit": r["unit__code"],
            "unit_name": r["unit__name"],
            "unit_label": r["unit__unit"],
            "amount": r["amount"],
        }
        for r in rows
    ]


def quantity_totals(
    *, user: User, date_from: dt.date, date_to: dt.date, kind: str | None = None
) -> list[dict]:
    """Each quantity unit summed over the period (“悬挂宣传横幅2000余条”), optionally of one kind only;
    in the catalogue's order, units with nothing left out. One query."""
    activities = _in_period(user, date_from, date_to)
    if kind:
        activities = activities.filter(type__code=kind)
    rows = (
        ActivityQuantity.objects.filter(activity__in=activities.values("pk"))
        .values("unit__code", "unit__name", "unit__unit", "unit__order")
        .annotate(amount=Sum("amount"))
        .order_by("unit__order", "unit__code")
    )
    return [
        {
            "unit": r["unit__code"],
            "name": r["unit__name"],
            "unit_label": r["unit__unit"],
            "amount": r["amount"],
        }
        for r in rows
    ]


def meeting_figures(*, user: User, date_from: dt.date, date_to: dt.date) -> list[dict]:
    """Meetings by sub-type (“区委常委会会议9次、区政府常务会议10次”): meetings and 场次, one query."""
    rows = (
        _in_period(user, date_from, date_to)
        .filter(type__code=ActivityKind.MEETING)
        .values("subtype_id", "subtype__name", "subtype__order")
        .annotate(meetings=Count("pk"), sessions=Sum("sessions"), participants=Sum("participants"))
        .order_by("subtype__order", "subtype_id")
    )
    return [
        {
            "subtype": r["subtype__name"],
            "subtype_id": r["subtype_id"],
            "meetings": r["meetings"],
            "sessions": r["sessions"],
            "participants": r["participants"],
        }
        for r in rows
    ]


def talk_figures(*, user: User, date_from: dt.date, date_to: dt.date) -> dict[str, int]:
    """约谈 by target kind (“约谈*个街镇、*个部门”, “约谈消防安全重点单位X家”): distinct townships,
    departments and enterprises talked to, the talks that named them, and the target-times; one query."""
    targets = ActivityTalkTarget.objects.filter(
        activity__in=_in_period(user, date_from, date_to).values("pk")
    )
    figures = targets.aggregate(
        talks=Count("activity", distinct=True),
        townships=Count("org_unit", filter=Q(kind="township"), distinct=True),
        departments=Count("org_unit", filter=Q(kind="department"), distinct=True),
        enterprises=Count("enterprise", distinct=True),
        township_times=Count("pk", filter=Q(kind="township")),
        department_times=Count("pk", filter=Q(kind="department")),
        enterprise_times=Count("pk", filter=Q(kind="enterprise")),
    )
    return figures


def activities_by_unit(*, user: User, date_from: dt.date, date_to: dt.date) -> list[dict]:
    """Activities, 场次 and 参与人次 per organising unit (the townships' and departments' shares), one query."""
    rows = (
        _in_period(user, date_from, date_to)
        .values("organiser_id", "organiser__name", "organiser__path")
        .annotate(activities=Count("pk"), sessions=Sum("sessions"), participants=Sum("participants"))
        .order_by("organiser__path")
    )
    return [
        {
            "organiser_id": r["organiser_id"],
            "organiser": r["organiser__name"],
            "activities": r["activities"],
            "sessions": r["sessions"],
            "participants": r["participants"],
        }
        for r in rows
    ]


def list_figures(queryset: QuerySet[Activity]) -> dict[str, int]:
    """activities / sessions / participants of a (scoped, filtered) list, in one query: the list page's cards."""
    return queryset.order_by().aggregate(
        activities=Count("pk"),
        sessions=Sum("sessions", default=0),
        participants=Sum("participants", default=0),
    )


def list_quantities(queryset: QuerySet[Activity]) -> list[dict]:
    """Each quantity unit summed over a (scoped, filtered) list, in one query."""
    rows = (
        ActivityQuantity.objects.filter(activity__in=queryset.order_by().values("pk"))
        .values("unit__name", "unit__unit", "unit__order")
        .annotate(amount=Sum("amount"))
        .order_by("unit__order", "unit__name")
    )
    return [{"name": r["unit__name"], "unit": r["unit__unit"], "amount": r["amount"]} for r in rows]


def quantities_by_activity(activity_ids) -> dict[int, list[ActivityQuantity]]:
    """Quantities of many activities in one query (the export)."""
    found: dict[int, list[ActivityQuantity]] = defaultdict(list)
    for q in ActivityQuantity.objects.filter(activity_id__in=activity_ids).select_related("unit"):
        found[q.activity_id].append(q)
    return found
