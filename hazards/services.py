"""The hazard ledger's writes: recording, the closed loop, extensions, listing, the overdue sweep.

Every transition is one function that locks the hazard row (SELECT … FOR UPDATE), re-reads its
state and only then acts, so when two people act on the same hazard at once exactly one change
happens and the other gets a message saying what the hazard has become. Nothing is ever deleted.
"""

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.models import Enterprise, Notification, OrgUnit, User
from accounts.scoping import restrict, scope_for
from accounts.services import number_next
from core.uploads import validate_image
from inspections.choices import CheckResultValue
from inspections.models import CheckResult, InspectionRecord

from .choices import (
    ACTIVE_STATES,
    EventKind,
    ExtensionStatus,
    HazardLevel,
    HazardSource,
    HazardState,
    ListingLevel,
    PhotoStage,
)
from .models import (
    DeadlineExtension,
    Hazard,
    HazardCategory,
    HazardEvent,
    HazardPhoto,
    Rectification,
    RectificationPhoto,
)

DISTRICT_ROLES = (Role.ADMIN, Role.OFFICER)


@dataclass(frozen=True)
class HazardData:
    """What a person fills in when recording a hazard."""

    enterprise: Enterprise
    source: str
    description: str
    found_on: dt.date
    deadline: dt.date
    responsible_unit: OrgUnit
    level: str = HazardLevel.GENERAL
    category: HazardCategory | None = None
    location: str = ""
    responsible_person: str = ""
    measures: str = ""
    funds: Decimal | None = None
    contingency_plan: str = ""
    inspection_record: InspectionRecord | None = None
    check_result: CheckResult | None = None
    photos: Sequence[UploadedFile] = ()


# ---------------------------------------------------------------- who may do what


def is_district_user(user: User) -> bool:
    """安委办/应急局 officers and administrators: the district office."""
    return user.is_superuser or user.role in DISTRICT_ROLES


def may_follow(user: User, hazard: Hazard) -> bool:
    """Log rectifications, submit, ask for more time: the district office or a unit with write scope."""
    if user.role == Role.LEADER:
        return False
    return restrict(Hazard.objects.filter(pk=hazard.pk), user, "change").exists()


def may_verify(user: User, hazard: Hazard) -> bool:
    """复查: the district office, or a supervising department in scope — never the township that
    logged the rectification, so nobody signs off their own work."""
    if is_district_user(user):
        return True
    if user.role != Role.DEPARTMENT or hazard.responsible_unit_id == user.org_unit_id:
        return False  # a department following the hazard itself does not verify its own work
    return may_follow(user, hazard)


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _lock(hazard: Hazard) -> Hazard:
    return Hazard.objects.select_for_update().get(pk=hazard.pk)


def _expect_state(hazard: Hazard, states: Iterable[str], doing: str) -> None:
    if hazard.state not in states:
        raise ValidationError(
            _("该隐患当前为“%(state)s”，不能%(doing)s。可能已有其他人处理，请刷新页面后再试。")
            % {"state": hazard.get_state_display(), "doing": doing},
            code="stale_state",
        )


def _need_reason(reason: str, field: str = "reason") -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({field: _("请填写理由。")}, code="reason_required")
    return reason


def _event(hazard: Hazard, user: User | None, kind: str, *, before: str = "", note: str = "", **links):
    return HazardEvent.objects.create(
        hazard=hazard,
        kind=kind,
        from_state=before,
        to_state=hazard.state if before else "",
        note=note,
        user=user,
        **links,
    )


def _save(hazard: Hazard, user: User | None, fields: list[str]) -> None:
    hazard._history_user = user
    hazard.save(update_fields=[*fields, "updated"])


# ---------------------------------------------------------------- recording


def hazard_number(*, enterprise: Enterprise, year: int) -> str:
    """YH202600042: one gap-free series per district and year."""
    root_id = int(enterprise.jurisdiction.path.strip("/").split("/")[0])
    serial = number_next(series="hazard", org_unit=OrgUnit.objects.get(pk=root_id), year=year)
    return f"YH{year}{serial:05d}"


def check_hazard_data(*, user: User, data: HazardData, today: dt.date | None = None) -> None:
    """The rules of a ledger entry, raised together so a form can show every problem at once."""
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if not restrict(Enterprise.objects.filter(pk=data.enterprise.pk), user, "change").exists():
        add("enterprise", _("所选单位不在您的管辖范围内。"))
    if data.source not in HazardSource.values:
        add("source", _("隐患来源无效。"))
    if data.level not in HazardLevel.values:
        add("level", _("隐患等级只能是一般或重大。"))
    if not data.description.strip():
        add("description", _("请填写隐患描述。"))
    if data.found_on > today:
        add("found_on", _("发现日期不能晚于今天。"))
    if data.deadline < data.found_on:
        add("deadline", _("整改期限不能早于发现日期。"))
    unit = data.responsible_unit
    if not (unit.is_township or unit.is_department or unit.is_district):
        add("responsible_unit", _("跟踪责任单位应为街道/乡镇、部门或区安委办。"))
    elif not unit.is_active:
        add("responsible_unit", _("该单位已停用，不能跟踪隐患。"))
    elif unit.is_township and not data.enterprise.jurisdiction.path.startswith(unit.path):
        # Another township could not even see the hazard: it would be told of it and find nothing.
        add("responsible_unit", _("跟踪责任单位为街道/乡镇时，应为该单位所在的街道/乡镇。"))
    if data.funds is not None and data.funds < 0:
        add("funds", _("整改资金不能为负数。"))
    if data.inspection_record is not None:
        if data.inspection_record.enterprise_id != data.enterprise.pk:
            add("inspection_record", _("检查记录与隐患所属单位不一致。"))
        if data.source != HazardSource.INSPECTION:
            add("source", _("关联了检查记录的隐患，来源应为“检查发现”。"))
    if data.check_result is not None:
        _check_result_problems(data, add)
    if data.level == HazardLevel.MAJOR:
        # 五落实: all five are required for a major hazard.
        five = {
            "responsible_person": data.responsible_person.strip(),
            "measures": data.measures.strip(),
            "funds": data.funds,
            "contingency_plan": data.contingency_plan.strip(),
        }
        for field, value in five.items():
            if value in ("", None):
                add(field, _("重大隐患须落实“五落实”：请填写此项。"))
    if errors:
        raise ValidationError(errors)


def _check_result_problems(data: HazardData, add: Callable[[str, str], None]) -> None:
    result = data.check_result
    if result.record_id != getattr(data.inspection_record, "pk", None):
        add("check_result", _("检查事项不属于该检查记录。"))
    elif result.result != CheckResultValue.NONCOMPLIANT:
        add("check_result", _("只有“不符合”的检查事项可以登记为隐患。"))
    elif result.hazards.exclude(state=HazardState.VOID).exists():
        add("check_result", _("该检查事项已登记为隐患。"))


@transaction.atomic
def hazard_record(*, user: User, data: HazardData) -> Hazard:
    """登记隐患: a new ledger entry in 待整改, numbered, placed where its enterprise is."""
    _require(user.role != Role.LEADER and not scope_for(user, "change").nothing, _("您没有登记隐患的权限。"))
    if data.check_result is not None:
        # Two clicks on 登记为隐患 at once: the second waits here, then finds the first one's hazard.
        CheckResult.objects.select_for_update().get(pk=data.check_result.pk)
    check_hazard_data(user=user, data=data)
    _photos_checked(data.photos)
    enterprise = data.enterprise
    hazard = Hazard(
        number=hazard_number(enterprise=enterprise, year=data.found_on.year),
        enterprise=enterprise,
        jurisdiction=enterprise.jurisdiction,
        township=enterprise.township,
        supervising_department=enterprise.supervising_department,
        source=data.source,
        inspection_record=data.inspection_record,
        check_result=data.check_result,
        level=data.level,
        category=data.category,
        description=data.description.strip(),
        location=data.location.strip(),
        found_on=data.found_on,
        deadline=data.deadline,
        responsible_unit=data.responsible_unit,
        responsible_person=data.responsible_person.strip(),
        measures=data.measures.strip(),
        funds=data.funds,
        contingency_plan=data.contingency_plan.strip(),
        created_by=user,
    )
    newly_overdue = _settle_overdue(hazard)
    hazard._history_user = user
    hazard.save()
    hazard.sectors.set(enterprise.sectors.all())
    for f in data.photos:
        HazardPhoto.objects.create(hazard=hazard, image=f, uploaded_by=user)
    _event(hazard, user, EventKind.CREATED, note=hazard.get_source_display())
    if newly_overdue:
        _log_overdue([hazard])
    return hazard


def default_responsible_unit(enterprise: Enterprise) -> OrgUnit:
    """属地管理: a hazard is followed by the township the enterprise lies in."""
    return enterprise.township


@transaction.atomic
def hazard_from_check_result(
    *,
    user: User,
    check_result: CheckResult,
    deadline: dt.date,
    responsible_unit: OrgUnit | None = None,
    level: str = HazardLevel.GENERAL,
    category: HazardCategory | None = None,
    description: str = "",
    **five,
) -> Hazard:
    """A 不符合 check item becomes a hazard in one step, linked to its inspection record."""
    if check_result.result != CheckResultValue.NONCOMPLIANT:
        raise ValidationError(_("只有“不符合”的检查事项可以登记为隐患。"))
    if check_result.hazards.exclude(state=HazardState.VOID).exists():
        raise ValidationError(_("该检查事项已登记为隐患。"))
    record = check_result.record
    text = description.strip() or "；".join(
        part for part in (check_result.item.title, check_result.note.strip()) if part
    )
    return hazard_record(
        user=user,
        data=HazardData(
            enterprise=record.enterprise,
            source=HazardSource.INSPECTION,
            description=text,
            found_on=record.action.date,
            deadline=deadline,
            responsible_unit=responsible_unit or default_responsible_unit(record.enterprise),
            level=level,
            category=category,
            inspection_record=record,
            check_result=check_result,
            **five,
        ),
    )


# ---------------------------------------------------------------- the closed loop


def _photos_checked(files: Sequence[UploadedFile]) -> None:
    errors = []
    for f in files:
        try:
            # The stored name takes the format the content proved, not the one the browser claimed.
            f.name = f"photo.{validate_image(f)}"
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError({"photos": errors})


@transaction.atomic
def rectification_add(
    *,
    user: User,
    hazard: Hazard,
    text: str,
    done_on: dt.date,
    photos_before: Sequence[UploadedFile] = (),
    photos_after: Sequence[UploadedFile] = (),
) -> Rectification:
    """整改记录: what was done, with before/after photos. The first entry moves 待整改 to 整改中."""
    hazard = _lock(hazard)
    _require(may_follow(user, hazard), _("您不能为该隐患记录整改情况。"))
    _expect_state(hazard, (HazardState.OPEN, HazardState.RECTIFYING), _("记录整改情况"))
    if not text.strip():
        raise ValidationError({"text": _("请填写整改情况。")})
    if done_on > timezone.localdate():
        raise ValidationError({"done_on": _("整改日期不能晚于今天。")})
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
    return entry


@transaction.atomic
def hazard_submit(*, user: User, hazard: Hazard, note: str = "") -> Hazard:
    """整改完成，申请复查: 整改中 → 待复查; at least one rectification entry is needed."""
    hazard = _lock(hazard)
    _require(may_follow(user, hazard), _("您不能为该隐患申请复查。"))
    _expect_state(hazard, (HazardState.RECTIFYING,), _("申请复查"))
    if not hazard.rectifications.exists():
        raise ValidationError(_("请先记录整改情况再申请复查。"), code="no_rectification")
    hazard.state = HazardState.VERIFYING
    _save(hazard, user, ["state"])
    _event(hazard, user, EventKind.TRANSITION, before=HazardState.RECTIFYING, note=note.strip())
    return hazard


@transaction.atomic
def hazard_verify(*, user: User, hazard: Hazard, passed: bool, note: str = "", on: dt.date | None = None):
    """复查: passed → 已销号 (closed today); failed → back to 整改中 with the reason."""
    hazard = _lock(hazard)
    _require(may_verify(user, hazard), _("只有区安委办/应急局或监管部门可以复查销号。"))
    _expect_state(hazard, (HazardState.VERIFYING,), _("复查"))
    if passed:
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
    return hazard


@transaction.atomic
def hazard_reopen(*, user: User, hazard: Hazard, reason: str) -> Hazard:
    """已销号 → 整改中: a district officer finds the hazard back; the reason is kept."""
    hazard = _lock(hazard)
    _require(is_district_user(user), _("只有区安委办/应急局可以重新打开已销号的隐患。"))
    _expect_state(hazard, (HazardState.CLOSED,), _("重新打开"))
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
    _require(is_district_user(user), _("只有区安委办/应急局可以作废隐患。"))
    _expect_state(hazard, [s for s in HazardState.values if s != HazardState.VOID], _("作废"))
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


# ---------------------------------------------------------------- extensions


@transaction.atomic
def extension_request(*, user: User, hazard: Hazard, new_deadline: dt.date, reason: str) -> DeadlineExtension:
    """申请延期: the unit following the hazard asks for a later deadline, with a reason."""
    hazard = _lock(hazard)
    _require(may_follow(user, hazard), _("您不能为该隐患申请延期。"))
    _expect_state(hazard, ACTIVE_STATES, _("申请延期"))
    reason = _need_reason(reason)
    if new_deadline <= hazard.deadline:
        raise ValidationError({"new_deadline": _("延期后的期限应晚于原整改期限。")})
    if hazard.extensions.filter(status=ExtensionStatus.PENDING).exists():
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
    _require(is_district_user(user), _("只有区安委办/应急局可以审批延期申请。"))
    if extension.status != ExtensionStatus.PENDING:
        raise ValidationError(_("该延期申请已处理，请刷新页面。"), code="stale_state")
    if not approve:
        note = _need_reason(note, "note")
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
    if newly_overdue:
        _log_overdue([hazard])
    return extension


# ---------------------------------------------------------------- 挂牌督办


@transaction.atomic
def hazard_list(
    *, user: User, hazard: Hazard, level: str, listed_on: dt.date, leader: str, document: str
) -> Hazard:
    """挂牌督办: a major, still-open hazard put under supervision at 区/市/省 level."""
    hazard = _lock(hazard)
    _require(is_district_user(user), _("只有区安委办/应急局可以挂牌督办。"))
    _expect_state(hazard, ACTIVE_STATES, _("挂牌督办"))
    errors = {}
    if hazard.level != HazardLevel.MAJOR:
        errors["level"] = _("只有重大隐患可以挂牌督办。")
    if hazard.is_listed:
        errors["listing_level"] = _("该隐患已挂牌督办。")
    if level not in ListingLevel.values:
        errors["listing_level"] = _("请选择挂牌督办级别。")
    if not leader.strip():
        errors["listing_leader"] = _("请填写督办领导。")
    if listed_on > timezone.localdate():
        errors["listed_on"] = _("挂牌日期不能晚于今天。")
    if errors:
        raise ValidationError(errors)
    hazard.listing_level = level
    hazard.listed_on = listed_on
    hazard.listing_leader = leader.strip()
    hazard.listing_document = document.strip()
    hazard.delisted_on = None
    _save(hazard, user, ["listing_level", "listed_on", "listing_leader", "listing_document", "delisted_on"])
    _event(hazard, user, EventKind.LISTED, note=f"{hazard.get_listing_level_display()} {document}".strip())
    return hazard


@transaction.atomic
def hazard_delist(*, user: User, hazard: Hazard, on: dt.date | None = None) -> Hazard:
    """摘牌: only once the hazard has been verified and closed (or voided as entered in error)."""
    hazard = _lock(hazard)
    _require(is_district_user(user), _("只有区安委办/应急局可以摘牌。"))
    if not hazard.is_listed:
        raise ValidationError(_("该隐患未挂牌督办。"), code="stale_state")
    _expect_state(hazard, (HazardState.CLOSED, HazardState.VOID), _("摘牌（须先复查销号）"))
    hazard.delisted_on = on or timezone.localdate()
    _save(hazard, user, ["delisted_on"])
    _event(hazard, user, EventKind.DELISTED)
    return hazard


# ---------------------------------------------------------------- the nightly overdue sweep


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
    Notification.objects.bulk_create(notes, ignore_conflicts=True, batch_size=500)


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
