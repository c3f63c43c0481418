"""Scoped reads of the whistle-blower reports (举报) and their figures for the reports.

The reporter's identity is not a matter of scope but of role: the queryset is the same for everyone
in scope; pages, exports and the API leave the reporter out unless permissions_tips.can_see_reporter.
"""

import datetime as dt
from decimal import Decimal

from django.db.models import Count, DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from accounts.models import User
from accounts.scoping import get_object_in_scope, restrict

from .choices_tips import TipState
from .models import Case, Tip


def tip_list(*, user: User, action: str = "view") -> QuerySet[Tip]:
    return restrict(Tip.objects.all(), user, action).select_related("township", "enterprise", "sector")


def tip_get(*, user: User, pk: int) -> Tip:
    return get_object_in_scope(
        Tip.objects.select_related("township", "enterprise", "sector", "hazard", "created_by"),
        user,
        "view",
        pk=pk,
    )


def tip_figures(*, user: User, date_from: dt.date, date_to: dt.date) -> dict:
    """受理举报 (received in the period), 核查属实 (concluded 属实 in the period), 兑现奖励 (rewards paid
    in the period: how many and how much, 元, Decimal) — "奖励*人，奖励金额近*.*万元" — in one query."""
    received = Q(received_on__gte=date_from, received_on__lte=date_to)
    substantiated = Q(state=TipState.SUBSTANTIATED, checked_on__gte=date_from, checked_on__lte=date_to)
    paid = Q(reward_paid_on__gte=date_from, reward_paid_on__lte=date_to)
    return (
        restrict(Tip.objects.all(), user)
        .filter(received | substantiated | paid)
        .order_by()
        .aggregate(
            received=Count("pk", filter=received),
            substantiated=Count("pk", filter=substantiated),
            rewards_paid=Count("pk", filter=paid),
            rewards_amount=Coalesce(
                Sum("reward_amount", filter=paid),
                Value(Decimal("0.00")),
                output_field=DecimalField(max_digits=14, decimal_places=2),
            ),
        )
    )


def tip_cases(*, user: User, tip: Tip) -> QuerySet[Case]:
    """The cases opened from a report that the user may see."""
    return restrict(Case.objects.filter(source_tip=tip), user).order_by("opened_on", "pk")


def accident_cases(*, user: User, accident) -> QuerySet[Case]:
    """The cases opened from an accident that the user may see (the accident page's panel)."""
    return restrict(Case.objects.filter(source_accident=accident), user).order_by("opened_on", "pk")
