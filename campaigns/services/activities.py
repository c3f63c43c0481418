"""活动台账's writes: record, correct and delete an activity (宣传/培训/演练/会议, 约谈), its evidence
files, and the Excel import's bulk write.

One rule set, `activity_problems`, for every way in (the form, the API, the import): the import
reports its answers by row and column, the others by field. One builder, `_activity_build`, for the
one-record service and the bulk import.

Deleting: an activity is a plain record of what a unit did, not a case file; one entered by mistake
is deleted by its unit or the district office (the history keeps who deleted it and what it held),
rather than voided and carried in every count's filter.
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Enterprise, OrgUnit, User
from accounts.scoping import restrict
from core.dates import EARLIEST
from core.history import history_bulk_create
from core.imports import report_saving
from core.locks import transaction_lock
from core.uploads import validate_document

from ..choices_activities import ORGANISER_KINDS, AttachmentKind, TalkTargetKind
from ..models import (
    Activity,
    ActivityAttachment,
    ActivityQuantity,
    ActivitySubtype,
    ActivityTalkTarget,
    ActivityType,
    Campaign,
    QuantityUnit,
)
from ..permissions_activities import can_change, can_organise_for, can_record

THEME_MAX = 200
PLACE_MAX = 200
MAX_SESSIONS = 100_000
MAX_PARTICIPANTS = 10_000_000
MAX_AMOUNT = 100_000_000
MAX_ATTACHMENTS = 30
_BATCH = 500
_CHUNK = 1000


@dataclass(frozen=True)
class TalkTargetData:
    """约谈对象: a township or department (org_unit), or an enterprise."""

    kind: str
    org_unit: OrgUnit | None = None
    enterprise: Enterprise | None = None


@dataclass(frozen=True)
class ActivityData:
    """What a person fills in when recording an activity. `quantities` are (unit, amount) pairs; a
    zero amount means "none" and is not stored."""

    date: dt.date
    type: ActivityType
    theme: str
    organiser: OrgUnit
    subtype: ActivitySubtype | None = None
    end_date: dt.date | None = None
    campaign: Campaign | None = None
    sessions: int = 1
    participants: int = 0
    place: str = ""
    notes: str = ""
    talk_reason: str = ""
    quantities: Sequence[tuple[QuantityUnit, int]] = ()
    talk_targets: Sequence[TalkTargetData] = field(default_factory=tuple)


def activity_data_of(activity: Activity) -> ActivityData:
    """An activity as it stands, for a change that sends only some fields (the API's PATCH)."""
    return ActivityData(
        date=activity.date,
        type=activity.type,
        theme=activity.theme,
        organiser=activity.organiser,
        subtype=activity.subtype,
        end_date=activity.end_date,
        campaign=activity.campaign,
        sessions=activity.sessions,
        participants=activity.participants,
        place=activity.place,
        notes=activity.notes,
        talk_reason=activity.talk_reason,
        quantities=tuple((q.unit, q.amount) for q in activity.quantities.select_related("unit")),
        talk_targets=tuple(
            TalkTargetData(kind=t.kind, org_unit=t.org_unit, enterprise=t.enterprise)
            for t in activity.talk_targets.select_related("org_unit", "enterprise")
        ),
    )


# ---------------------------------------------------------------- the rules of an entry


def activity_problems(
    *, user: User, data: ActivityData, today: dt.date | None = None, before: Activity | None = None
) -> dict[str, list[str]]:
    """Every problem of `data`, by field; {} when it may be saved. No query: the form, the API and
    each import row ask it. `before` is the activity being changed (its retired sub-type or unit may stay)."""
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if data.date > today:
        add("date", _("日期不能晚于今天：台账记录已开展的活动。"))
    elif data.date < EARLIEST:
        add("date", _("日期不能早于 %(year)s 年。") % {"year": EARLIEST.year})
    if data.end_date is not None:
        if data.end_date < data.date:
            add("end_date", _("结束日期不能早于日期。"))
        elif data.end_date > today:
            add("end_date", _("结束日期不能晚于今天。"))
    subtype = data.subtype
    if subtype is not None:
        if subtype.type_id != data.type.pk:
            add(
                "subtype",
                _("子类型“%(name)s”不属于%(type)s。") % {"name": subtype.name, "type": data.type.name},
            )
        elif not subtype.is_active and getattr(before, "subtype_id", None) != subtype.pk:
            add("subtype", _("子类型“%(name)s”已停用。") % {"name": subtype.name})
    theme = data.theme.strip()
    if not theme:
        add("theme", _("请填写主题。"))
    elif len(theme) > THEME_MAX:
        add("theme", _("主题不能超过 %(n)d 个字。") % {"n": THEME_MAX})
    if len(data.place.strip()) > PLACE_MAX:
        add("place", _("地点不能超过 %(n)d 个字。") % {"n": PLACE_MAX})
    _check_organiser(user, data.organiser, before, add)
    if not 1 <= data.sessions <= MAX_SESSIONS:
        add("sessions", _("场次应为 1 到 %(max)d 之间的整数。") % {"max": MAX_SESSIONS})
    if not 0 <= data.participants <= MAX_PARTICIPANTS:
        add("participants", _("参与人次应为 0 到 %(max)d 之间的整数。") % {"max": MAX_PARTICIPANTS})
    _check_quantities(data, before, add)
    _check_talk(data, add)
    return errors


def _check_organiser(user: User, unit: OrgUnit, before: Activity | None, add) -> None:
    if unit.kind not in ORGANISER_KINDS:
        add("organiser", _("组织单位应为区、街道/乡镇、社区/村、部门或专委会。"))
    elif not unit.is_active and getattr(before, "organiser_id", None) != unit.pk:
        add("organiser", _("该单位已停用。"))
    elif not can_organise_for(user, unit):
        add("organiser", _("您不能以该单位的名义登记活动：只能登记本单位（及下属社区/村）的活动。"))


def _check_quantities(data: ActivityData, before: Activity | None, add) -> None:
    kept = set(before.quantities.values_list("unit_id", flat=True)) if before is not None else set()
    seen: set[int] = set()
    for unit, amount in data.quantities:
        if unit.pk in seen:
            add("quantities", _("“%(unit)s”填写了多次。") % {"unit": unit.label})
        seen.add(unit.pk)
        if not unit.is_active and unit.pk not in kept:
            add("quantities", _("数量单位“%(unit)s”已停用。") % {"unit": unit.label})
        if not 0 <= amount <= MAX_AMOUNT:
            add(
                "quantities",
                _("“%(unit)s”应为 0 到 %(max)d 之间的整数。") % {"unit": unit.label, "max": MAX_AMOUNT},
            )


def _check_talk(data: ActivityData, add) -> None:
    is_talk = data.subtype is not None and data.subtype.is_talk
    if not is_talk:
        if data.talk_targets:
            add("talk_targets", _("只有“约谈”类会议填写约谈对象。"))
        if data.talk_reason.strip():
            add("talk_reason", _("只有“约谈”类会议填写约谈事由。"))
        return
    if not data.talk_targets:
        add("talk_targets", _("约谈须写明约谈对象（街道/乡镇、部门或生产经营单位）。"))
    if not data.talk_reason.strip():
        add("talk_reason", _("请填写约谈事由。"))
    seen = set()
    for target in data.talk_targets:
        if target.kind == TalkTargetKind.ENTERPRISE:
            ok = target.enterprise is not None and target.org_unit is None
            key = ("e", getattr(target.enterprise, "pk", None))
        else:
            unit = target.org_unit
            ok = target.enterprise is None and unit is not None
            if ok and target.kind == TalkTargetKind.TOWNSHIP:
                ok = unit.is_township
            elif ok and target.kind == TalkTargetKind.DEPARTMENT:
                ok = unit.is_department
            elif ok:
                ok = False
            key = ("u", getattr(unit, "pk", None))
        if not ok:
            add(
                "talk_targets", _("约谈对象须为一个街道/乡镇、一个部门或一家生产经营单位，且与所选类别一致。")
            )
        elif key in seen:
            add(
                "talk_targets", _("约谈对象“%(name)s”重复。") % {"name": target.enterprise or target.org_unit}
            )
        seen.add(key)


def _check_enterprises_visible(user: User, data: ActivityData) -> None:
    """约谈 an enterprise: one the user may see (one query, only when there are such targets)."""
    ids = {t.enterprise.pk for t in data.talk_targets if t.enterprise is not None}
    if not ids:
        return
    visible = set(restrict(Enterprise.objects.filter(pk__in=ids), user).values_list("pk", flat=True))
    if ids - visible:
        raise ValidationError({"talk_targets": _("所选生产经营单位不在您的可见范围内。")})


def _raise_problems(user: User, data: ActivityData, before: Activity | None = None) -> None:
    errors = activity_problems(user=user, data=data, before=before)
    if errors:
        raise ValidationError(errors)
    _check_enterprises_visible(user, data)


# ---------------------------------------------------------------- building and writing


def _activity_build(data: ActivityData, *, user: User, activity: Activity | None = None) -> Activity:
    """The activity with `data`'s fields set (not saved): a new one, or `activity` changed."""
    activity = activity or Activity(created_by=user)
    activity.date = data.date
    activity.end_date = data.end_date
    activity.type = data.type
    activity.subtype = data.subtype
    activity.theme = data.theme.strip()
    activity.organiser = data.organiser
    activity.campaign = data.campaign
    activity.sessions = data.sessions
    activity.participants = data.participants
    activity.place = data.place.strip()
    activity.notes = data.notes.strip()
    activity.talk_reason = (
        data.talk_reason.strip() if data.subtype is not None and data.subtype.is_talk else ""
    )
    return activity


def _quantity_rows(activity: Activity, data: ActivityData) -> list[ActivityQuantity]:
    return [
        ActivityQuantity(activity=activity, unit=unit, amount=amount)
        for unit, amount in data.quantities
        if amount
    ]


def _target_rows(activity: Activity, data: ActivityData) -> list[ActivityTalkTarget]:
    if data.subtype is None or not data.subtype.is_talk:
        return []
    return [
        ActivityTalkTarget(activity=activity, kind=t.kind, org_unit=t.org_unit, enterprise=t.enterprise)
        for t in data.talk_targets
    ]


@transaction.atomic
def activity_create(*, user: User, data: ActivityData, files: Sequence[UploadedFile] = ()) -> Activity:
    """登记活动: with its quantities, its 约谈 targets and (optionally) its evidence files."""
    if not can_record(user):
        raise PermissionDenied(_("您没有登记活动的权限。"))
    _raise_problems(user, data)
    checked = _attachments_checked(files)
    activity = _activity_build(data, user=user)
    activity._history_user = user
    activity.save()
    ActivityQuantity.objects.bulk_create(_quantity_rows(activity, data))
    ActivityTalkTarget.objects.bulk_create(_target_rows(activity, data))
    _attachments_save(activity, user, checked)
    return activity


@transaction.atomic
def activity_update(*, user: User, activity: Activity, data: ActivityData) -> Activity:
    """修改活动: every field, the quantities and the 约谈 targets are replaced by `data`'s."""
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    if not can_change(user, activity):
        raise PermissionDenied(_("您不能修改该活动。"))
    _raise_problems(user, data, before=activity)
    activity = _activity_build(data, user=user, activity=activity)
    activity._history_user = user
    activity.save()
    activity.quantities.all().delete()
    ActivityQuantity.objects.bulk_create(_quantity_rows(activity, data))
    activity.talk_targets.all().delete()
    ActivityTalkTarget.objects.bulk_create(_target_rows(activity, data))
    return activity


@transaction.atomic
def activity_delete(*, user: User, activity: Activity) -> None:
    """删除活动 entered by mistake, with its quantities and files; the history keeps the record."""
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    if not can_change(user, activity):
        raise PermissionDenied(_("您不能删除该活动。"))
    names = list(activity.attachments.values_list("file", flat=True))
    activity._history_user = user
    activity.delete()
    transaction.on_commit(lambda: _delete_files(names))


def _delete_files(names: list[str]) -> None:
    storage = ActivityAttachment._meta.get_field("file").storage
    for name in names:
        if name:
            storage.delete(name)


# ---------------------------------------------------------------- evidence files


def attachment_check(file: UploadedFile) -> str:
    """The kind of an evidence file, by its content (core.uploads.validate_document): a real photo, or a
    real PDF without active content; a Chinese ValidationError otherwise. Sets the file's name to a
    safe one with the extension the content proved."""
    try:
        ext = validate_document(file)
    except ValidationError as exc:
        if exc.code == "bad_document":
            raise ValidationError(
                _("“%(name)s”不是有效的照片或 PDF 文件：只能上传 JPG、PNG、WEBP、GIF 照片或 PDF。")
                % {"name": file.name},
                code="bad_file",
            ) from exc
        raise
    file.name = f"file.{ext}" if ext == "pdf" else f"photo.{ext}"
    return AttachmentKind.PDF if ext == "pdf" else AttachmentKind.PHOTO


def _attachments_checked(files: Sequence[UploadedFile]) -> list[tuple[UploadedFile, str, str]]:
    """(file, kind, the name it was sent with) for each file, or one ValidationError listing every bad one."""
    if len(files) > MAX_ATTACHMENTS:
        raise ValidationError({"files": _("一次最多上传 %(n)d 个文件。") % {"n": MAX_ATTACHMENTS}})
    checked, errors = [], []
    for f in files:
        original = (f.name or "")[:200]
        try:
            checked.append((f, attachment_check(f), original))
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError({"files": errors})
    return checked


def _attachments_save(activity: Activity, user: User, checked) -> list[ActivityAttachment]:
    return [
        ActivityAttachment.objects.create(
            activity=activity, kind=kind, file=f, original_name=original, uploaded_by=user
        )
        for f, kind, original in checked
    ]


@transaction.atomic
def attachment_add(
    *, user: User, activity: Activity, files: Sequence[UploadedFile]
) -> list[ActivityAttachment]:
    """上传佐证材料 (photos, PDFs) to an activity."""
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    if not can_change(user, activity):
        raise PermissionDenied(_("您不能为该活动上传材料。"))
    if not files:
        raise ValidationError({"files": _("请选择要上传的照片或 PDF 文件。")})
    if activity.attachments.count() + len(files) > MAX_ATTACHMENTS:
        raise ValidationError({"files": _("每项活动最多 %(n)d 个佐证材料。") % {"n": MAX_ATTACHMENTS}})
    return _attachments_save(activity, user, _attachments_checked(files))


@transaction.atomic
def attachment_remove(*, user: User, attachment: ActivityAttachment) -> None:
    """删除一个佐证材料 (the file too, once the transaction commits)."""
    activity = Activity.objects.select_for_update().get(pk=attachment.activity_id)
    if not can_change(user, activity):
        raise PermissionDenied(_("您不能删除该活动的材料。"))
    name = attachment.file.name
    attachment.delete()
    transaction.on_commit(lambda: _delete_files([name]))


# ---------------------------------------------------------------- the import's write


def activity_key(data: ActivityData) -> tuple:
    """What makes two ledger lines the same activity: date, kind, sub-type, theme and organising unit."""
    return (data.date, data.type.pk, getattr(data.subtype, "pk", None), data.theme.strip(), data.organiser.pk)


def activity_keys_taken(rows: Sequence[ActivityData]) -> set[tuple]:
    """The keys of `rows` already in the ledger (one query): a file imported twice is refused, not doubled."""
    if not rows:
        return set()
    found = Activity.objects.filter(
        date__in={r.date for r in rows}, theme__in={r.theme.strip() for r in rows}
    ).values_list("date", "type_id", "subtype_id", "theme", "organiser_id")
    return set(found) & {activity_key(r) for r in rows}


@transaction.atomic
def activities_import_many(*, user: User, rows: Sequence[ActivityData]) -> int:
    """Write checked rows (activities_import's parse) as new activities, in bulk: one statement per
    table per chunk, each activity built by the same builder as one recorded by hand, with history.
    The rules are asked again here (they cost no query), so nothing reaches the table unchecked."""
    if not can_record(user):
        raise PermissionDenied(_("您没有登记活动的权限。"))
    errors = []
    for index, data in enumerate(rows, start=1):
        for messages in activity_problems(user=user, data=data).values():
            errors += [_("第%(n)d条：%(m)s") % {"n": index, "m": m} for m in messages]
    if errors:
        raise ValidationError(errors)
    # Imports take turns, so a second run of the same file sees the first one's rows (and is refused).
    transaction_lock("campaigns.activities_import_many")
    taken = activity_keys_taken(rows)
    if taken:
        themes = "、".join(sorted({key[3] for key in taken}))
        raise ValidationError(
            _("这些活动已在台账中（同一日期、类型、子类型、主题和组织单位）：%(themes)s") % {"themes": themes}
        )
    now = timezone.now()
    for start in range(0, len(rows), _CHUNK):
        chunk = rows[start : start + _CHUNK]
        activities = [_activity_build(data, user=user) for data in chunk]
        for activity in activities:
            activity.created = now
            activity.updated = now
        Activity.objects.bulk_create(activities, batch_size=_BATCH)
        ActivityQuantity.objects.bulk_create(
            [
                q
                for activity, data in zip(activities, chunk, strict=True)
                for q in _quantity_rows(activity, data)
            ],
            batch_size=_BATCH,
        )
        ActivityTalkTarget.objects.bulk_create(
            [
                t
                for activity, data in zip(activities, chunk, strict=True)
                for t in _target_rows(activity, data)
            ],
            batch_size=_BATCH,
        )
        history_bulk_create(Activity, activities, user=user, when=now)
        report_saving(start + len(chunk), len(rows))
    return len(rows)


def talk_links(*, user: User, current: Iterable[int], chosen: Iterable[Activity]) -> set[int]:
    """The 约谈 a hazard or a case is linked to after an edit (hazards and enforcement call this): the
    chosen ones — each a 约谈 the user may see — plus those already linked that the user cannot see (an
    edit does not drop what its form did not show). One query; ValidationError on `talks`."""
    chosen_ids, current_ids = {a.pk for a in chosen}, set(current)
    visible = set(
        restrict(
            Activity.objects.filter(pk__in=chosen_ids | current_ids, subtype__is_talk=True), user
        ).values_list("pk", flat=True)
    )
    if chosen_ids - visible:
        raise ValidationError({"talks": _("所选约谈不存在，或不在您的可见范围内。")}, code="invalid")
    return chosen_ids | (current_ids - visible)


__all__ = [
    "ORGANISER_KINDS",
    "ActivityData",
    "TalkTargetData",
    "activities_import_many",
    "activity_create",
    "activity_data_of",
    "activity_delete",
    "activity_key",
    "activity_keys_taken",
    "activity_problems",
    "activity_update",
    "attachment_add",
    "attachment_check",
    "attachment_remove",
    "talk_links",
]
