"""检查计划 (InspectionPlan): annual or monthly quotas of 家次 per organising unit, by sector, township
and kind. How much of a plan is done is read by selectors.plans_progress."""

from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.choices import TOWNSHIP_KINDS
from accounts.models import OrgUnit, Sector, User

from .. import permissions, selectors
from ..choices import ActionStatus
from ..models import InspectionAction, InspectionKind, InspectionPlan, InspectionRecord, PlanTarget
from .actions import _action_save, action_build, check_can_enter

TASK_KIND_CODE = "routine"  # 日常检查: the kind of a task whose plan line names none


@dataclass(frozen=True)
class TargetData:
    """One plan line: 计划检查家次 in a sector and/or a township, of a kind; an empty one means 不限."""

    target_visits: int
    sector: Sector | None = None
    township: OrgUnit | None = None
    kind: InspectionKind | None = None


def _check_targets(*, user: User, targets: Sequence[TargetData]) -> None:
    if not targets:
        raise ValidationError({"targets": _("请至少填写一条计划指标。")})
    errors, seen = [], set()
    for line, t in enumerate(targets, 1):
        if t.target_visits is None or t.target_visits < 1:
            errors.append(_("第%(line)d条：计划检查家次应至少为1。") % {"line": line})
        if t.township is not None:
            if t.township.kind not in TOWNSHIP_KINDS:
                errors.append(_("第%(line)d条：所选单位不是街道/乡镇。") % {"line": line})
            elif not permissions.can_target(user, t.township):
                errors.append(_("第%(line)d条：所选街道/乡镇不在您的管辖范围内。") % {"line": line})
        key = (
            t.sector.pk if t.sector else None,
            t.township.pk if t.township else None,
            t.kind.pk if t.kind else None,
        )
        if key in seen:
            errors.append(_("第%(line)d条：与前面的指标重复。") % {"line": line})
        seen.add(key)
    if errors:
        raise ValidationError({"targets": errors})


def _plan_save(
    *,
    user: User,
    plan: InspectionPlan,
    year: int,
    month: int | None,
    title: str,
    note: str,
    targets: Sequence[TargetData],
) -> InspectionPlan:
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": _("年度应在2000至2100之间。")})
    if month is not None and not 1 <= month <= 12:
        raise ValidationError({"month": _("月份应为1至12，年度计划请留空。")})
    if not title.strip():
        raise ValidationError({"title": _("请填写计划名称。")})
    _check_targets(user=user, targets=targets)
    # The organiser's row is locked so two people saving the same period at once cannot both pass
    # the check below (month may be empty, which a unique constraint would not catch).
    OrgUnit.objects.select_for_update().filter(pk=plan.organizer_id).first()
    others = InspectionPlan.objects.filter(organizer_id=plan.organizer_id, year=year, month=month)
    if others.exclude(pk=plan.pk).exists():
        period = f"{year}年{month}月" if month else f"{year}年度"
        message = _("%(unit)s已有%(period)s的检查计划。") % {"unit": plan.organizer.name, "period": period}
        raise ValidationError({"month": message})
    plan.year, plan.month, plan.title, plan.note = year, month, title.strip(), note
    plan._history_user = user
    plan.full_clean()
    plan.save()
    plan.targets.all().delete()
    PlanTarget.objects.bulk_create(
        [
            PlanTarget(
                plan=plan, sector=t.sector, township=t.township, kind=t.kind, target_visits=t.target_visits
            )
            for t in targets
        ]
    )
    return plan


@transaction.atomic
def plan_create(
    *,
    user: User,
    organizer: OrgUnit,
    year: int,
    month: int | None,
    title: str,
    note: str = "",
    targets: Sequence[TargetData],
) -> InspectionPlan:
    """制定检查计划: an annual (month empty) or monthly plan of one organising unit, with its lines.

    One plan per unit and period. Quotas are the office's tool: lines are by sector, township and
    kind, never by inspector.
    """
    if not permissions.can_enter(user):
        raise PermissionDenied(_("您没有制定检查计划的权限。"))
    if not permissions.can_organize(user, organizer):
        raise ValidationError({"organizer": _("您不能为该单位制定检查计划。")})
    plan = InspectionPlan(organizer=organizer, created_by=user)
    return _plan_save(user=user, plan=plan, year=year, month=month, title=title, note=note, targets=targets)


@transaction.atomic
def plan_update(
    *,
    user: User,
    plan: InspectionPlan,
    year: int,
    month: int | None,
    title: str,
    note: str = "",
    targets: Sequence[TargetData],
) -> InspectionPlan:
    """修改检查计划: period, title and note; the lines are replaced by `targets`. The unit stays."""
    if not permissions.can_change_plan(user, plan):
        raise PermissionDenied(_("您不能修改该单位的检查计划。"))
    return _plan_save(user=user, plan=plan, year=year, month=month, title=title, note=note, targets=targets)


@dataclass(frozen=True)
class TasksCreated:
    """What 生成检查任务 did: the new planned inspections, and the lines whose pool ran short."""

    actions: list[InspectionAction]
    short: list[PlanTarget]


@transaction.atomic
def plan_tasks_create(*, user: User, plan: InspectionPlan) -> TasksCreated:
    """生成检查任务: planned inspections (计划中) of the plan's unit for its lines, one enterprise each.

    Only lines naming a sector or a township generate tasks. A line gets as many tasks as its
    计划家次 less the plan's tasks that already match it, so a second run creates only what is
    missing. The enterprises are the line's pool as for a 双随机 draw (operating, in the user's scope and
    the unit's remit, in the sector with its sub-sectors and the township with its communities), less
    those already given a task of this plan, taken in the order they were registered. The organiser is
    the plan's unit, the date the last day of the plan's period (the deadline), the kind the line's
    (日常检查 when it names none); the team is chosen when the task is started (开始录入).
    """
    if not permissions.can_change_plan(user, plan):
        raise PermissionDenied(_("您不能为该单位的检查计划生成检查任务。"))
    check_can_enter(user)
    # One generation at a time per plan, so two clicks cannot both fill the same gap.
    plan = InspectionPlan.objects.select_for_update().select_related("organizer").get(pk=plan.pk)
    default_kind = InspectionKind.objects.filter(code=TASK_KIND_CODE, is_active=True).first()
    _start, deadline = selectors.plan_period(plan)
    taken = set(InspectionRecord.objects.filter(action__plan=plan).values_list("enterprise_id", flat=True))
    created: list[InspectionAction] = []
    short: list[PlanTarget] = []
    targets = plan.targets.select_related("sector", "township", "kind").order_by("pk")
    for target in targets:
        if not (target.sector_id or target.township_id):
            continue
        missing = target.target_visits - selectors.plan_task_count(plan=plan, target=target)
        if missing <= 0:
            continue
        kind = target.kind or default_kind
        if kind is None:
            raise ValidationError({"kind": _("检查类型“日常检查”不存在或已停用，请联系系统管理员。")})
        pool = selectors.draw_enterprise_pool(
            user=user,
            organizer=plan.organizer,
            sector_ids=[target.sector_id] if target.sector_id else [],
            township_ids=[target.township_id] if target.township_id else [],
            risk_grade_ids=[],
            weighted=False,
        )
        chosen = [pk for pk, _weight in pool if pk not in taken][:missing]
        if len(chosen) < missing:
            short.append(target)
        for enterprise_pk in chosen:
            action = action_build(
                user=user,
                organizer=plan.organizer,
                date=deadline,
                kind=kind,
                members=[],
                note=_("检查计划“%(title)s”（%(period)s）的检查任务")
                % {"title": plan.title, "period": plan.period_label},
                status=ActionStatus.PLANNED,
            )
            action.plan = plan
            record = InspectionRecord(action=action, enterprise_id=enterprise_pk)
            created.append(
                _action_save(
                    user=user, action=action, records=[record], members=[], visits={}, numbered=False
                )
            )
            taken.add(enterprise_pk)
    return TasksCreated(actions=created, short=short)
