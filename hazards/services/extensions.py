"""延期: the unit following a hazard asks for a later deadline; the district office decides."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User

from ..choices import ACTIVE_STATES, EventKind, ExtensionStatus
from ..models import DeadlineExtension, Hazard
from ..permissions import DECIDE, EXTEND, STALE_STATE, action_require, has_pending_extension
from . import notify
from ._common import _event, _lock, _need_reason, _save
from .overdue import _log_overdue, _settle_overdue


@transaction.atomic
def extension_request(*, user: User, hazard: Hazard, new_deadline: dt.date, reason: str) -> DeadlineExtension:
    """申请延期: the unit following the hazard asks for a later deadline, with a reason."""
    hazard = _lock(hazard)
    action_require(user, hazard, EXTEND)
    reason = _need_reason(reason)
    if new_deadline <= hazard.deadline:
        raise ValidationError({"new_deadline": _("延期后的期限应晚于原整改期限。")})
    if has_pending_extension(hazard):
        raise ValidationError(_("该隐患已有待审批的延期申请。"))
    extension = DeadlineExtension.objects.create(
        hazard=hazard,
        old_deadline=hazard.deadline,
        new_deadline=new_deadline,
        reason=reason,
        requested_by=user,
    )
    _event(hazard, user, EventKind.EXTENSION_REQUESTED, note=reason, extension=extension)
    return extension


@transaction.atomic
def extension_decide(*, user: User, extension: DeadlineExtension, approve: bool, note: str = ""):
    """批准或驳回延期: the district office decides; an approved one moves the deadline."""
    hazard = _lock(extension.hazard)
    extension = DeadlineExtension.objects.select_for_update().get(pk=extension.pk)
    action_require(user, hazard, DECIDE)
    if extension.status != ExtensionStatus.PENDING:
        raise ValidationError(_("该延期申请已处理，请刷新页面。"), code=STALE_STATE)
    if not approve:
        note = _need_reason(note, "note")
    limit = DeadlineExtension._meta.get_field("decision_note").max_length
    if len(note.strip()) > limit:
        raise ValidationError({"note": _("审批意见不能超过 %(n)s 字。") % {"n": limit}})
    extension.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REFUSED
    extension.decided_by = user
    extension.decided_at = timezone.now()
    extension.decision_note = note.strip()
    extension.save()
    newly_overdue = False
    if approve and hazard.state in ACTIVE_STATES:
        hazard.deadline = extension.new_deadline
        newly_overdue = _settle_overdue(hazard)
        _save(hazard, user, ["deadline", "is_overdue", "overdue_since"])
    kind = EventKind.EXTENSION_APPROVED if approve else EventKind.EXTENSION_REFUSED
    _event(hazard, user, kind, note=note.strip(), extension=extension)
    notify.extension_decided(extension)
    if newly_overdue:
        _log_overdue([hazard])
    return extension
