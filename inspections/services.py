"""Writes with rules for inspections: one function per use case, in a transaction, who did it recorded."""

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Enterprise, OrgUnit, User
from accounts.scoping import restrict, scope_for
from accounts.services import number_next

from .choices import ActionStatus
from .models import InspectionAction, InspectionKind, InspectionRecord


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
) -> InspectionAction:
    """录入检查行动: one outing and a record for each visited enterprise (1 家次 each)."""
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
    serial = number_next(series="inspection", org_unit=organizer, year=date.year)
    action.number = f"{organizer.short_name or organizer.name}检〔{date.year}〕{serial}号"
    action._history_user = user
    action.full_clean()
    action.save()
    action.members.set(members)
    for enterprise in enterprises:
        record = InspectionRecord(action=action, enterprise=enterprise)
        record._history_user = user
        record.save()
    return action
