"""The closed loop: 整改 → 申请复查 → 复查 (销号 or back to 整改), reopening, voiding.

Every transition locks the hazard row (SELECT … FOR UPDATE), re-reads its state and only then acts,
so when two people act on the same hazard at once exactly one change happens and the other gets a
message saying what the hazard has become. Who may act, and in which states, is permissions.RULES.
"""

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User

from ..choices import EventKind, ExtensionStatus, HazardState, PhotoStage
from ..models import Hazard, Rectification, RectificationPhoto
from ..permissions import RECTIFY, REOPEN, SUBMIT, VERIFY, VOID, action_require, permission_require
from ..selectors import five_missing
from . import notify
from ._common import _event, _lock, _need_reason, _photos_checked, _save
from .overdue import _log_overdue, _settle_overdue


@transaction.atomic
def rectification_create(
    *,
    user: User,
    hazard: Hazard,
    text: str,
    done_on: dt.date,
    photos_before: Sequence[UploadedFile] = (),
    photos_after: Sequence[UploadedFile] = (),
    submit: bool = False,
    note: str = "",
) -> Rectification:
    """整改记录: what was done, with before/after photos. The first entry moves 待整改 to 整改中.

    `submit` is 整改完成，提交复查 in the same move: the entry and the request for 复查 are written in
    one transaction, so the hazard is never left 整改中 with a finished rectification by a half step.
    """
    hazard = _lock(hazard)
    action_require(user, hazard, RECTIFY)
    if submit:
        permission_require(user, hazard, SUBMIT)
    if not text.strip():
        raise ValidationError({"text": _("请填写整改情况。")})
    if done_on > timezone.localdate():
        raise ValidationError({"done_on": _("整改日期不能晚于今天。")})
    if done_on < hazard.found_on:
        raise ValidationError({"done_on": _("整改日期不能早于发现日期。")})
    _photos_checked([*photos_before, *photos_after])
    entry = Rectification.objects.create(hazard=hazard, text=text.strip(), done_on=done_on, created_by=user)
    for stage, files in ((PhotoStage.BEFORE, photos_before), (PhotoStage.AFTER, photos_after)):
        for f in files:
            RectificationPhoto.objects.create(rectification=entry, stage=stage, image=f)
    before = hazard.state
    if before == HazardState.OPEN:
        hazard.state = HazardState.RECTIFYING
        _save(hazard, user, ["state"])
        _event(hazard, user, EventKind.TRANSITION, before=before, note=_("开始整改"))
    _event(hazard, user, EventKind.RECTIFICATION, note=entry.text, rectification=entry)
    if submit:
        hazard_submit(user=user, hazard=hazard, note=note)
    return entry


@transaction.atomic
def hazard_submit(*, user: User, hazard: Hazard, note: str = "") -> Hazard:
    """整改完成，申请复查: 整改中 → 待复查; at least one rectification entry is needed."""
    hazard = _lock(hazard)
    action_require(user, hazard, SUBMIT)
    if not hazard.rectifications.exists():
        raise ValidationError(_("请先记录整改情况再申请复查。"), code="no_rectification")
    hazard.state = HazardState.VERIFYING
    _save(hazard, user, ["state"])
    _event(hazard, user, EventKind.TRANSITION, before=HazardState.RECTIFYING, note=note.strip())
    notify.hazard_submitted(hazard)
    return hazard


@transaction.atomic
def hazard_verify(*, user: User, hazard: Hazard, passed: bool, note: str = "", on: dt.date | None = None):
    """复查: passed → 已销号 (closed today); failed → back to 整改中 with the reason."""
    hazard = _lock(hazard)
    action_require(user, hazard, VERIFY)
    if passed:
        if missing := five_missing(hazard):
            raise ValidationError(
                _("重大隐患须落实“五落实”后才能销号，尚缺：%(items)s。请先在“修改隐患信息”中补充。")
                % {"items": "、".join(missing)},
                code="five_incomplete",
            )
        hazard.state = HazardState.CLOSED
        hazard.closed_on = on or timezone.localdate()
        hazard.is_overdue = False
        _save(hazard, user, ["state", "closed_on", "is_overdue"])
        note = note.strip() or _("复查合格，予以销号")
        _end_pending_extensions(hazard, user, _("隐患已销号，延期申请自动结束。"))
    else:
        note = _need_reason(note, "note")
        hazard.state = HazardState.RECTIFYING
        _save(hazard, user, ["state"])
    _event(hazard, user, EventKind.TRANSITION, before=HazardState.VERIFYING, note=note)
    notify.hazard_verified(hazard, passed=passed, note=note)
    return hazard


@transaction.atomic
def hazard_reopen(*, user: User, hazard: Hazard, reason: str) -> Hazard:
    """已销号 → 整改中: a district officer finds the hazard back; the reason is kept."""
    hazard = _lock(hazard)
    action_require(user, hazard, REOPEN)
    reason = _need_reason(reason)
    hazard.state = HazardState.RECTIFYING
    hazard.closed_on = None
    newly_overdue = _settle_overdue(hazard)
    _save(hazard, user, ["state", "closed_on", "is_overdue", "overdue_since"])
    _event(hazard, user, EventKind.TRANSITION, before=HazardState.CLOSED, note=reason)
    if newly_overdue:
        _log_overdue([hazard])
    return hazard


@transaction.atomic
def hazard_void(*, user: User, hazard: Hazard, reason: str) -> Hazard:
    """作废: an entry made in error leaves the counts but stays in the ledger with its reason."""
    hazard = _lock(hazard)
    action_require(user, hazard, VOID)
    reason = _need_reason(reason)
    before = hazard.state
    hazard.state = HazardState.VOID
    hazard.is_overdue = False
    _save(hazard, user, ["state", "is_overdue"])
    _event(hazard, user, EventKind.TRANSITION, before=before, note=reason)
    _end_pending_extensions(hazard, user, _("隐患已作废，延期申请自动结束。"))
    return hazard


def _end_pending_extensions(hazard: Hazard, user: User, note: str) -> None:
    """A closed or voided hazard needs no more time: its pending request is closed, not left waiting."""
    for extension in hazard.extensions.filter(status=ExtensionStatus.PENDING):
        extension.status = ExtensionStatus.REFUSED
        extension.decided_by, extension.decided_at, extension.decision_note = user, timezone.now(), note
        extension.save()
        _event(hazard, user, EventKind.EXTENSION_REFUSED, note=note, extension=extension)
