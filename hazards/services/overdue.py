"""逾期: the overdue rule, and the nightly sweep that applies it to the whole ledger."""

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.models import Notification
from accounts.services import notifications_create

from ..choices import ACTIVE_STATES, EventKind, HazardLevel
from ..models import Hazard, HazardEvent


def _settle_overdue(hazard: Hazard, today: dt.date | None = None) -> bool:
    """The overdue flag of an open hazard from its deadline, after it is recorded, reopened or given a
    new deadline. True when it has just become overdue: the caller then logs it and notifies as the
    nightly sweep would, since the sweep only looks at hazards not flagged yet."""
    today = today or timezone.localdate()
    if hazard.state not in ACTIVE_STATES or hazard.deadline >= today:
        hazard.is_overdue, hazard.overdue_since = False, None
        return False
    since = hazard.deadline + dt.timedelta(days=1)
    newly = not hazard.is_overdue or hazard.overdue_since != since
    hazard.is_overdue, hazard.overdue_since = True, since
    return newly


def _log_overdue(hazards: list[Hazard]) -> None:
    """The 逾期 line on each timeline and the notifications: to the responsible unit and, for a major
    hazard, to the district office. Keys name the hazard and its deadline, so nobody is told twice."""
    notes = []
    for hazard in hazards:
        url = reverse("hazards:hazard_detail", args=[hazard.pk])
        title = _("隐患逾期未整改：%(number)s %(name)s") % {
            "number": hazard.number,
            "name": hazard.enterprise.name,
        }
        body = _("整改期限 %(deadline)s 已过，请督促整改。") % {"deadline": hazard.deadline.isoformat()}
        key = f"hazard-overdue:{hazard.pk}:{hazard.deadline.isoformat()}"
        notes.append(
            Notification(
                org_unit=hazard.responsible_unit,
                kind="hazard_overdue",
                title=title,
                body=body,
                url=url,
                key=f"{key}:unit",
            )
        )
        if hazard.level == HazardLevel.MAJOR:
            notes.append(
                Notification(
                    role=Role.OFFICER,
                    kind="hazard_overdue",
                    title=_("【重大】") + title,
                    body=body,
                    url=url,
                    key=f"{key}:district",
                )
            )
    HazardEvent.objects.bulk_create(
        [HazardEvent(hazard=h, kind=EventKind.OVERDUE, note=_("超过整改期限")) for h in hazards],
        batch_size=500,
    )
    notifications_create(notes)


@transaction.atomic
def hazards_mark_overdue(*, today: dt.date | None = None) -> int:
    """Mark open hazards past their deadline overdue and notify who must act. Idempotent: a hazard
    already marked is left alone, and notification keys are unique, so a second run adds nothing."""
    today = today or timezone.localdate()
    due = list(
        Hazard.objects.select_for_update(skip_locked=True)
        .filter(state__in=ACTIVE_STATES, deadline__lt=today, is_overdue=False)
        .select_related("enterprise", "responsible_unit")
    )
    for hazard in due:
        _settle_overdue(hazard, today)
    Hazard.objects.bulk_update(due, ["is_overdue", "overdue_since"], batch_size=500)
    _log_overdue(due)
    return len(due)
