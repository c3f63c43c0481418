"""Writes with rules for inspections: one function per use case, in a transaction, who did it recorded."""

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Enterprise, OrgUnit, User
from accounts.scoping import restrict, scope_for
from accounts.services import number_next

from .choices import ActionStatus, CheckResultValue
from .models import CheckItem, CheckResult, InspectionAction, InspectionKind, InspectionRecord


@dataclass(frozen=True)
class ResultData:
    """One ticked check item: 符合 / 不符合 / 不涉及 and a note."""

    item_id: int
    result: str
    note: str = ""


@dataclass(frozen=True)
class VisitData:
    """What was found at one enterprise on an action: item results, findings, a note."""

    results: Sequence[ResultData] = field(default_factory=tuple)
    findings: str = ""
    note: str = ""


def unit_label(unit: OrgUnit) -> str:
    return unit.short_name or unit.name


def action_number(*, organizer: OrgUnit, year: int) -> str:
    """区应急管理局检〔2026〕12号: per organiser and year, no gaps (caller holds the transaction)."""
    serial = number_next(series="inspection", org_unit=organizer, year=year)
    return f"{unit_label(organizer)}检〔{year}〕{serial}号"


def record_number(*, organizer: OrgUnit, year: int) -> str:
    """现场检查记录 number: 区应急管理局现检〔2026〕31号, its own gap-free series per organiser and year."""
    serial = number_next(series="inspection-record", org_unit=organizer, year=year)
    return f"{unit_label(organizer)}现检〔{year}〕{serial}号"


def _check_results(results: Sequence[ResultData]) -> None:
    valid = set(CheckResultValue.values)
    if any(r.result not in valid for r in results):
        raise ValidationError({"results": _("检查结果只能是符合、不符合或不涉及。")})
    ids = [r.item_id for r in results]
    if len(set(ids)) != len(ids):
        raise ValidationError({"results": _("同一检查事项只能记录一次结果。")})
    if CheckItem.objects.filter(pk__in=ids, is_active=True).count() != len(set(ids)):
        raise ValidationError({"results": _("检查事项不存在或已停用。")})


def record_save_visit(*, record: InspectionRecord, visit: VisitData, user: User) -> InspectionRecord:
    """Write one visit's findings and item results onto its record (replacing earlier results)."""
    _check_results(visit.results)
    record.findings = visit.findings
    record.note = visit.note
    record._history_user = user
    record.save()
    record.results.all().delete()
    CheckResult.objects.bulk_create(
        [CheckResult(record=record, item_id=r.item_id, result=r.result, note=r.note) for r in visit.results]
    )
    return record


def split_names(text: str) -> list[str]:
    """Outside experts are typed as one line of names: 张三、李四, 王五."""
    for sep in ",，;；":
        text = text.replace(sep, "、")
    return [name.strip() for name in text.split("、") if name.strip()]


def check_team_certificates(*, kind: InspectionKind, members: Sequence[User], on: dt.date) -> None:
    """An enforcement inspection needs at least two members holding a valid 执法证 on the day."""
    if kind.is_enforcement and sum(m.holds_valid_cert(on) for m in members) < 2:
        raise ValidationError(
            {"members": _("执法检查的检查组须至少有两名持有效执法证的人员。")}, code="too_few_certified"
        )


@transaction.atomic
def action_record(
    *,
    user: User,
    date: dt.date,
    organizer: OrgUnit,
    kind: InspectionKind,
    members: Sequence[User],
    enterprises: Sequence[Enterprise],
    experts: str = "",
    is_leader_led: bool = False,
    leader_name: str = "",
    leader_level: str = "",
    note: str = "",
    status: str = ActionStatus.DONE,
    visits: Mapping[int, VisitData] | None = None,
) -> InspectionAction:
    """录入检查行动: one outing and a record for each visited enterprise (1 家次 each).

    `visits` maps an enterprise's pk to what was found there. A planned action (status 计划中)
    takes no number yet: numbers are issued to inspections that happened, so they stay gap-free.
    """
    if scope_for(user, "change").nothing:
        raise PermissionDenied(_("您没有录入检查的权限。"))
    if not enterprises:
        raise ValidationError({"enterprises": _("请至少选择一家被检查单位。")})
    ids = {e.pk for e in enterprises}
    if len(ids) != len(enterprises):
        raise ValidationError({"enterprises": _("同一检查行动中不能重复选择同一单位。")})
    if restrict(Enterprise.objects.filter(pk__in=ids), user, "change").count() != len(ids):
        raise ValidationError({"enterprises": _("所选单位不在您的管辖范围内。")})
    if is_leader_led and not leader_name.strip():
        raise ValidationError({"leader_name": _("领导带队的检查须填写带队领导。")})
    check_team_certificates(kind=kind, members=members, on=date)
    visits = visits or {}
    if set(visits) - ids:
        raise ValidationError({"results": _("检查结果对应的单位不在本次检查中。")})
    for visit in visits.values():
        _check_results(visit.results)

    action = InspectionAction(
        date=date,
        organizer=organizer,
        kind=kind,
        experts="、".join(split_names(experts)),
        person_count=len({m.pk for m in members}) + len(split_names(experts)),
        is_leader_led=is_leader_led,
        leader_name=leader_name.strip() if is_leader_led else "",
        leader_level=leader_level if is_leader_led else "",
        note=note,
        status=status,
        created_by=user,
    )
    done = status == ActionStatus.DONE
    if done:
        action.number = action_number(organizer=organizer, year=date.year)
    action._history_user = user
    action.full_clean()
    action.save()
    action.members.set(members)
    for enterprise in enterprises:
        record = InspectionRecord(action=action, enterprise=enterprise)
        if done:
            record.number = record_number(organizer=organizer, year=date.year)
        record._history_user = user
        record.save()
        if enterprise.pk in visits:
            record_save_visit(record=record, visit=visits[enterprise.pk], user=user)
    return action
