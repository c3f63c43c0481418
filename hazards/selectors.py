"""Scoped reads of the hazard ledger and its figures. The reports reuse `hazard_figures` as metrics."""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from accounts.models import User
from accounts.scoping import get_object_in_scope, restrict

from .choices import ACTIVE_STATES, ExtensionStatus, HazardLevel, HazardState
from .models import DeadlineExtension, Hazard, HazardEvent


def hazard_list(*, user: User, action: str = "view") -> QuerySet[Hazard]:
    return restrict(Hazard.objects.all(), user, action).select_related(
        "enterprise", "township", "responsible_unit", "category"
    )


def hazard_get(*, user: User, pk: int) -> Hazard:
    return get_object_in_scope(
        Hazard.objects.select_related(
            "enterprise",
            "township",
            "jurisdiction",
            "responsible_unit",
            "category",
            "created_by",
            "inspection_record__action",
            "check_result__item",
        ),
        user,
        "view",
        pk=pk,
    )


def overdue_q(today: dt.date) -> Q:
    """Overdue = deadline passed and not closed (nor void). Computed from dates, so a figure is right
    even before the nightly job has flagged the hazard."""
    return Q(state__in=ACTIVE_STATES, deadline__lt=today)


def rectification_rate(found: int, rectified: int) -> Decimal | None:
    """整改率 = rectified ÷ found × 100, one decimal; None (shown "—") when nothing was found."""
    if not found:
        return None
    return (Decimal(rectified) * 100 / Decimal(found)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def hazard_figures(queryset: QuerySet[Hazard], *, today: dt.date | None = None) -> dict:
    """found / rectified / rate / major / listed / overdue of a (scoped, filtered) ledger, in one query.

    Voided entries were entered in error: they are in no count.
    """
    today = today or timezone.localdate()
    counted = queryset.exclude(state=HazardState.VOID).order_by()
    figures = counted.aggregate(
        found=Count("pk", distinct=True),
        rectified=Count("pk", filter=Q(state=HazardState.CLOSED), distinct=True),
        major=Count("pk", filter=Q(level=HazardLevel.MAJOR), distinct=True),
        listed=Count("pk", filter=~Q(listing_level=""), distinct=True),
        overdue=Count("pk", filter=overdue_q(today), distinct=True),
    )
    figures["rate"] = rectification_rate(figures["found"], figures["rectified"])
    return figures


def hazards_to_follow(*, user: User, today: dt.date | None = None) -> QuerySet[Hazard]:
    """A unit's work list: its open hazards, overdue first, then due within 3 days, then the rest."""
    today = today or timezone.localdate()
    return (
        hazard_list(user=user, action="change")
        .filter(state__in=ACTIVE_STATES)
        .annotate(
            urgency=Case(
                When(deadline__lt=today, then=Value(0)),
                When(deadline__lte=today + dt.timedelta(days=3), then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .order_by("urgency", "deadline", "pk")
    )


def verification_queue(*, user: User) -> QuerySet[Hazard]:
    """待复查: rectifications reported and waiting for the officer's pass or fail."""
    return hazard_list(user=user, action="change").filter(state=HazardState.VERIFYING).order_by("updated")


def pending_extensions(*, user: User) -> QuerySet[DeadlineExtension]:
    hazards = restrict(Hazard.objects.all(), user, "change").values("pk")
    return (
        DeadlineExtension.objects.filter(status=ExtensionStatus.PENDING, hazard__in=hazards)
        .select_related("hazard__enterprise", "requested_by")
        .order_by("requested_at")
    )


def hazard_timeline(*, hazard: Hazard) -> QuerySet[HazardEvent]:
    return hazard.events.select_related("user", "rectification", "extension").prefetch_related(
        "rectification__photos"
    )


def listed_hazards(*, user: User) -> QuerySet[Hazard]:
    """挂牌督办 page: every listed hazard in scope, still-listed first."""
    return (
        hazard_list(user=user)
        .exclude(listing_level="")
        .order_by(Case(When(delisted_on__isnull=True, then=Value(0)), default=Value(1)), "listed_on")
    )


def hazards_found_on_leader_led(*, user: User, start: dt.date, end: dt.date) -> dict[str, int]:
    """“区级领导共带队检查367次，共发现隐患512个”: hazards found on leader-led inspections of a period
    (by the inspection's date), and how many of them are closed — one aggregate query."""
    found = (
        restrict(Hazard.objects.all(), user)
        .exclude(state=HazardState.VOID)
        .filter(
            inspection_record__action__is_leader_led=True,
            inspection_record__action__date__gte=start,
            inspection_record__action__date__lte=end,
        )
        .order_by()
    )
    return found.aggregate(found=Count("pk"), rectified=Count("pk", filter=Q(state=HazardState.CLOSED)))
