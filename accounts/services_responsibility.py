"""安全责任 writes: 职责清单 (duty lists and their items), 工作清单 (a unit's tasks of the year and
their progress), and signed 责任书/责任状/承诺书 with their scanned file.

Who may write: anyone who may write records (not a leader), for a unit in their own scope — the
district office for every unit, a township for itself and its communities, a department for itself.
A letter, once saved, must be in the writer's scope (its issuer, signer unit or signing enterprise).
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from core.dates import EARLIEST
from core.uploads import validate_document

from .choices import DutyCategory, WorkStatus
from .models import (
    DutyItem,
    DutyList,
    Enterprise,
    LetterKind,
    OrgUnit,
    ResponsibilityLetter,
    User,
    WorkItem,
    WorkList,
)
from .permissions import (
    can_act_for_unit,
    can_change_duty_list,
    can_change_work_list,
    can_write_responsibility,
)
from .scoping import restrict


def _require_writer(user: User) -> None:
    if not can_write_responsibility(user):
        raise PermissionDenied(_("您没有录入安全责任资料的权限。"))


def _check_unit(user: User, unit: OrgUnit, field: str = "unit") -> None:
    if not can_act_for_unit(user, unit):
        raise ValidationError({field: _("该单位不在您的管辖范围内。")})


def _check_year(year: int | None, field: str = "year") -> None:
    if year is None:
        return
    if not EARLIEST.year <= year <= timezone.localdate().year + 1:
        raise ValidationError(
            {
                field: _("年度须在 %(a)s—%(b)s 之间。")
                % {"a": EARLIEST.year, "b": timezone.localdate().year + 1}
            }
        )


# ---------------------------------------------------------------- 职责清单


@dataclass(frozen=True)
class DutyItemData:
    text: str
    category: str = DutyCategory.OTHER


def _check_item(item: DutyItemData, field: str = "text") -> None:
    if not item.text.strip():
        raise ValidationError({field: _("请填写职责内容。")})
    if item.category not in DutyCategory.values:
        raise ValidationError({"category": _("职责类别不正确。")})


def _check_holder(holder_user: User | None, holder_name: str) -> None:
    if holder_user is not None and holder_name.strip():
        raise ValidationError({"holder_name": _("已选择领导账号时不必再填写姓名。")})


@transaction.atomic
def duty_list_create(
    *,
    user: User,
    unit: OrgUnit,
    title: str,
    holder_user: User | None = None,
    holder_name: str = "",
    holder_post: str = "",
    year: int | None = None,
    items: Sequence[DutyItemData] = (),
) -> DutyList:
    """新建职责清单 for a leader (an account, or a named person and post) or for the unit itself."""
    _require_writer(user)
    _check_unit(user, unit)
    if not title.strip():
        raise ValidationError({"title": _("请填写清单名称。")})
    _check_year(year)
    _check_holder(holder_user, holder_name)
    for item in items:
        _check_item(item, "items")
    duty_list = DutyList(
        unit=unit,
        title=title.strip(),
        holder_user=holder_user,
        holder_name=holder_name.strip(),
        holder_post=holder_post.strip(),
        year=year,
        created_by=user,
    )
    duty_list._history_user = user
    duty_list.save()
    DutyItem.objects.bulk_create(
        [
            DutyItem(duty_list=duty_list, order=n, category=item.category, text=item.text.strip())
            for n, item in enumerate(items, 1)
        ]
    )
    return duty_list


@transaction.atomic
def duty_item_add(
    *, user: User, duty_list: DutyList, text: str, category: str = DutyCategory.OTHER
) -> DutyItem:
    """添加一条职责, at the end of the list."""
    if not can_change_duty_list(user, duty_list):
        raise PermissionDenied(_("您不能修改该职责清单。"))
    item = DutyItemData(text=text, category=category)
    _check_item(item)
    locked = DutyList.objects.select_for_update().get(pk=duty_list.pk)
    last = locked.items.aggregate(m=Max("order"))["m"] or 0
    locked._history_user = user
    locked.save(update_fields=["updated"])
    return DutyItem.objects.create(duty_list=locked, order=last + 1, category=category, text=text.strip())


@transaction.atomic
def duty_item_remove(*, user: User, item: DutyItem) -> None:
    """删除一条职责 (the list keeps the others in order)."""
    if not can_change_duty_list(user, item.duty_list):
        raise PermissionDenied(_("您不能修改该职责清单。"))
    duty_list = DutyList.objects.select_for_update().get(pk=item.duty_list_id)
    DutyItem.objects.filter(pk=item.pk).delete()
    duty_list._history_user = user
    duty_list.save(update_fields=["updated"])


# ---------------------------------------------------------------- 工作清单


@transaction.atomic
def work_list_create(*, user: User, unit: OrgUnit, year: int, title: str = "") -> WorkList:
    """新建年度工作清单: one per unit and year."""
    _require_writer(user)
    _check_unit(user, unit)
    _check_year(year)
    if WorkList.objects.filter(unit=unit, year=year).exists():
        raise ValidationError({"year": _("该单位 %(year)s 年度已有工作清单。") % {"year": year}})
    work_list = WorkList(
        unit=unit,
        year=year,
        title=title.strip() or _("%(unit)s%(year)s年度安全生产工作清单") % {"unit": unit.name, "year": year},
        created_by=user,
    )
    work_list._history_user = user
    work_list.save()
    return work_list


@transaction.atomic
def work_item_add(
    *,
    user: User,
    work_list: WorkList,
    task: str,
    lead_unit: OrgUnit | None = None,
    due_on: dt.date | None = None,
) -> WorkItem:
    """添加工作任务 with its lead unit and due date; it starts 未开始."""
    if not can_change_work_list(user, work_list):
        raise PermissionDenied(_("您不能修改该工作清单。"))
    if not task.strip():
        raise ValidationError({"task": _("请填写工作任务。")})
    if due_on is not None and due_on.year not in (work_list.year, work_list.year + 1):
        raise ValidationError({"due_on": _("完成时限应在清单年度内（或次年初）。")})
    locked = WorkList.objects.select_for_update().get(pk=work_list.pk)
    last = locked.items.aggregate(m=Max("order"))["m"] or 0
    item = WorkItem(work_list=locked, order=last + 1, task=task.strip(), lead_unit=lead_unit, due_on=due_on)
    item._history_user = user
    item.save()
    return item


@transaction.atomic
def work_item_progress(
    *, user: User, item: WorkItem, status: str, percent: int | None = None, note: str = ""
) -> WorkItem:
    """更新进展: 未开始 is 0 %, 已完成 100 %, 进行中 what the unit says (below 100)."""
    if not can_change_work_list(user, item.work_list):
        raise PermissionDenied(_("只有清单所属单位可以更新进展。"))
    if status not in WorkStatus.values:
        raise ValidationError({"status": _("进展状态不正确。")})
    if status == WorkStatus.DONE:
        percent = 100
    elif status == WorkStatus.NOT_STARTED:
        percent = 0
    elif percent is None or not 0 <= percent < 100:
        raise ValidationError({"percent": _("进行中的任务完成比例须在 0—99 之间；已完成请选择“已完成”。")})
    locked = WorkItem.objects.select_for_update().get(pk=item.pk)
    locked.status, locked.percent, locked.progress_note = status, percent, note.strip()
    locked.progress_by, locked.progress_on = user, timezone.now()
    locked._history_user = user
    locked.save()
    return locked


# ---------------------------------------------------------------- 责任书


@transaction.atomic
def letter_create(
    *,
    user: User,
    kind: LetterKind,
    year: int,
    issuer: OrgUnit,
    signed_on: dt.date,
    signer_unit: OrgUnit | None = None,
    signer_enterprise: Enterprise | None = None,
    title: str = "",
    file: UploadedFile | None = None,
    note: str = "",
) -> ResponsibilityLetter:
    """登记签订的责任书: issued by a unit in the user's scope, signed by one other unit or one enterprise
    (in the user's scope), with the scanned letter (a real PDF or photo, checked by content)."""
    _require_writer(user)
    errors: dict[str, list[str]] = {}
    if not can_act_for_unit(user, issuer):
        errors.setdefault("issuer", []).append(_("发放单位不在您的管辖范围内。"))
    if (signer_unit is None) == (signer_enterprise is None):
        errors.setdefault("signer_unit", []).append(_("签订方须是一个单位或一家企业（二选一）。"))
    if signer_unit is not None and signer_unit.pk == issuer.pk:
        errors.setdefault("signer_unit", []).append(_("签订单位不能是发放单位本身。"))
    if (
        signer_enterprise is not None
        and not restrict(Enterprise.objects.filter(pk=signer_enterprise.pk), user).exists()
    ):
        errors.setdefault("signer_enterprise", []).append(_("所选企业不在您的管辖范围内。"))
    if not kind.is_active:
        errors.setdefault("kind", []).append(_("该类型已停用。"))
    today = timezone.localdate()
    if signed_on > today:
        errors.setdefault("signed_on", []).append(_("签订日期不能晚于今天。"))
    elif signed_on < EARLIEST:
        errors.setdefault("signed_on", []).append(
            _("签订日期不能早于 %(year)s 年。") % {"year": EARLIEST.year}
        )
    try:
        _check_year(year)
    except ValidationError as exc:
        errors.setdefault("year", []).extend(exc.messages)
    if not errors.get("year") and not errors.get("signed_on") and abs(signed_on.year - year) > 1:
        errors.setdefault("year", []).append(_("年度与签订日期相差过大，请核对。"))
    original = ""
    if file is not None:
        try:
            ext = validate_document(file)
        except ValidationError as exc:
            errors.setdefault("file", []).extend(exc.messages)
        else:
            original = (file.name or "")[:200]
            file.name = f"letter.{ext}"  # stored by what it is, never by the name sent
    if errors:
        raise ValidationError(errors)
    letter = ResponsibilityLetter(
        kind=kind,
        year=year,
        title=title.strip(),
        issuer=issuer,
        signer_unit=signer_unit,
        signer_enterprise=signer_enterprise,
        signed_on=signed_on,
        note=note.strip(),
        file_name=original,
        created_by=user,
    )
    if file is not None:
        letter.file = file
    letter._history_user = user
    letter.save()
    if not restrict(ResponsibilityLetter.objects.filter(pk=letter.pk), user, "change").exists():
        raise ValidationError({"issuer": _("该责任书不在您的管辖范围内。")})
    return letter
