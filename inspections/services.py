"""Writes with rules for inspections: one function per use case, in a transaction, who did it recorded."""

import datetime as dt
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import TOWNSHIP_KINDS
from accounts.models import Enterprise, OrgUnit, Sector, User
from accounts.scoping import can_write, restrict, scope_for
from accounts.services import number_block, number_next
from core.uploads import validate_image

from . import selectors
from .choices import ActionStatus, CheckResultValue, LeaderLevel
from .models import (
    CheckItem,
    CheckResult,
    InspectionAction,
    InspectionDraft,
    InspectionKind,
    InspectionPlan,
    InspectionRecord,
    PlanTarget,
    RecordPhoto,
)
from .selectors import may_plan_for


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


ACTION_MARK, RECORD_MARK = "检", "现检"


def number_label(unit: OrgUnit, mark: str, year: int, serial: int) -> str:
    return f"{unit_label(unit)}{mark}〔{year}〕{serial}号"


def action_number(*, organizer: OrgUnit, year: int) -> str:
    """区应急管理局检〔2026〕12号: per organiser and year, no gaps (caller holds the transaction)."""
    serial = number_next(series="inspection", org_unit=organizer, year=year)
    return number_label(organizer, ACTION_MARK, year, serial)


def record_number(*, organizer: OrgUnit, year: int) -> str:
    """现场检查记录 number: 区应急管理局现检〔2026〕31号, its own gap-free series per organiser and year."""
    serial = number_next(series="inspection-record", org_unit=organizer, year=year)
    return number_label(organizer, RECORD_MARK, year, serial)


def _check_results(
    results: Sequence[ResultData], *, applicable: set[int] | None = None, kept: frozenset[int] = frozenset()
) -> None:
    """`applicable`: the items of the enterprise's sectors, when known (an API client may send any id);
    `kept`: items the record already has, which stay allowed though retired or re-sectored since."""
    valid = set(CheckResultValue.values)
    if any(r.result not in valid for r in results):
        raise ValidationError({"results": _("检查结果只能是符合、不符合或不涉及。")})
    ids = [r.item_id for r in results]
    if len(set(ids)) != len(ids):
        raise ValidationError({"results": _("同一检查事项只能记录一次结果。")})
    new = set(ids) - kept
    if CheckItem.objects.filter(pk__in=new, is_active=True).count() != len(new):
        raise ValidationError({"results": _("检查事项不存在或已停用。")})
    if applicable is not None and new - applicable:
        raise ValidationError({"results": _("检查事项不属于被检查单位的行业领域。")})


def _applicable_item_ids(enterprise_ids) -> dict[int, set[int]]:
    """The published items each enterprise may be checked on (its sectors and their parents)."""
    enterprises = Enterprise.objects.filter(pk__in=list(enterprise_ids)).prefetch_related("sectors")
    items = selectors.check_items_by_enterprise(enterprises)
    return {pk: {i.pk for i in found} for pk, found in items.items()}


@transaction.atomic
def record_save_visit(
    *,
    record: InspectionRecord,
    visit: VisitData,
    user: User,
    applicable: set[int] | None = None,
    kept: frozenset[int] = frozenset(),
) -> InspectionRecord:
    """Write one visit's findings and item results onto its record (replacing earlier results).

    Results whose item stays are updated in place, not deleted and re-created: a hazard registered
    from a 不符合 result (登记为隐患) keeps its link, so the item is not offered for registering twice.
    """
    _check_results(visit.results, applicable=applicable, kept=kept)
    record.findings = visit.findings
    record.note = visit.note
    record._history_user = user
    record.save()
    wanted = {r.item_id: r for r in visit.results}
    record.results.exclude(item_id__in=list(wanted)).delete()
    existing = {r.item_id: r for r in record.results.all()}
    changed = []
    for item_id, old in existing.items():
        given = wanted[item_id]
        if (old.result, old.note) != (given.result, given.note):
            old.result, old.note = given.result, given.note
            changed.append(old)
    CheckResult.objects.bulk_update(changed, ["result", "note"])
    CheckResult.objects.bulk_create(
        [
            CheckResult(record=record, item_id=r.item_id, result=r.result, note=r.note)
            for r in visit.results
            if r.item_id not in existing
        ]
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


def check_action_rules(
    *,
    user: User,
    organizer: OrgUnit,
    enterprise_ids: set[int],
    kind: InspectionKind,
    members: Sequence[User],
    on: dt.date,
    leader_name: str | None,
    visits: Mapping[int, VisitData],
    happened: bool = True,
) -> None:
    """The rules every inspection must meet, whether entered, completed, imported or planned.

    `leader_name` is None when the action is not leader-led; a planned one (`happened` False) may lie
    in the future.
    """
    from .selectors import may_plan_for

    if scope_for(user, "change").nothing:
        raise PermissionDenied(_("您没有录入检查的权限。"))
    if happened and on > timezone.localdate():
        raise ValidationError({"date": _("检查日期不能晚于今天。")})
    if not may_plan_for(user=user, organizer=organizer):
        raise ValidationError({"organizer": _("您不能以该单位的名义组织检查。")})
    if restrict(Enterprise.objects.filter(pk__in=enterprise_ids), user, "change").count() != len(
        enterprise_ids
    ):
        raise ValidationError({"enterprises": _("所选单位不在您的管辖范围内。")})
    if leader_name is not None and not leader_name.strip():
        raise ValidationError({"leader_name": _("领导带队的检查须填写带队领导。")})
    check_team_certificates(kind=kind, members=members, on=on)
    if set(visits) - enterprise_ids:
        raise ValidationError({"results": _("检查结果对应的单位不在本次检查中。")})
    applicable = _applicable_item_ids(pk for pk, visit in visits.items() if visit.results)
    for pk, visit in visits.items():
        _check_results(visit.results, applicable=applicable.get(pk, set()))


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
    if not enterprises:
        raise ValidationError({"enterprises": _("请至少选择一家被检查单位。")})
    ids = {e.pk for e in enterprises}
    if len(ids) != len(enterprises):
        raise ValidationError({"enterprises": _("同一检查行动中不能重复选择同一单位。")})
    visits = visits or {}
    check_action_rules(
        user=user,
        organizer=organizer,
        enterprise_ids=ids,
        kind=kind,
        members=members,
        on=date,
        leader_name=leader_name if is_leader_led else None,
        visits=visits,
        happened=status == ActionStatus.DONE,
    )

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


# ---------------------------------------------------------------- 双随机抽取

DRAW_KIND_CODE = "random"  # InspectionKind 双随机抽查


def _draw_criteria(*, sector_ids, township_ids, risk_grade_ids) -> dict:
    """The filters as stored with the draw: ids and the names they had, so the record reads the same later."""
    from accounts.choices import TOWNSHIP_KINDS, EnterpriseStatus
    from accounts.models import RiskGrade, Sector

    sectors = list(Sector.objects.filter(pk__in=sector_ids).order_by("order", "pk"))
    townships = list(OrgUnit.objects.filter(pk__in=township_ids, kind__in=TOWNSHIP_KINDS).order_by("path"))
    grades = list(RiskGrade.objects.filter(pk__in=risk_grade_ids).order_by("order"))
    errors = {}
    if len(sectors) != len(set(sector_ids)):
        errors["sectors"] = _("所选行业领域不存在。")
    if len(townships) != len(set(township_ids)):
        errors["townships"] = _("所选街道/乡镇不存在。")
    if len(grades) != len(set(risk_grade_ids)):
        errors["risk_grades"] = _("所选风险等级不存在。")
    if errors:
        raise ValidationError(errors)
    return {
        "sectors": [{"id": s.pk, "name": s.name} for s in sectors],
        "townships": [{"id": t.pk, "name": t.name} for t in townships],
        "risk_grades": [{"id": g.pk, "code": g.code, "label": g.label} for g in grades],
        "status": EnterpriseStatus.OPERATING.value,
    }


def _check_draw_sizes(*, n: int, m: int, pool_size: int, inspector_count: int) -> None:
    errors = {}
    if n < 1:
        errors["enterprise_count"] = _("抽取单位数至少为1家。")
    elif n > pool_size:
        errors["enterprise_count"] = _("抽取单位数（%(n)d家）超过符合条件的单位数（%(pool)d家）。") % {
            "n": n,
            "pool": pool_size,
        }
    if m < 2:
        errors["inspectors_per_enterprise"] = _("执法检查须有两名以上持有效执法证的人员，每家至少抽取2人。")
    elif m > inspector_count:
        errors["inspectors_per_enterprise"] = _(
            "每家检查人员数（%(m)d人）超过检查单位持有效执法证的人员数（%(pool)d人）。"
        ) % {"m": m, "pool": inspector_count}
    if errors:
        raise ValidationError(errors)


def draw_number(*, organizer: OrgUnit, year: int) -> str:
    """区应急管理局抽〔2026〕3号: per organiser and year, no gaps (caller holds the transaction)."""
    serial = number_next(series="random-draw", org_unit=organizer, year=year)
    return f"{unit_label(organizer)}抽〔{year}〕{serial}号"


@transaction.atomic
def draw_create(
    *,
    user: User,
    organizer: OrgUnit,
    title: str,
    planned_date: dt.date,
    sector_ids: Sequence[int],
    township_ids: Sequence[int],
    risk_grade_ids: Sequence[int],
    n: int,
    m: int,
    weighted_by_grade: bool,
    seed: str | None = None,
):
    """双随机抽取: N operating enterprises from the filtered pool in the user's scope, M inspectors holding
    a valid 执法证 of the organising unit for each; each pair becomes a planned inspection (计划中).

    The seed and both pools are stored with the result, so the draw can be replayed exactly (复核) and
    published; a later change of an enterprise's grade or an inspector's certificate cannot alter it.
    """
    import secrets

    from django.utils import timezone

    from . import selectors
    from .draws import draw_compute
    from .models import DrawPick, RandomDraw

    if scope_for(user, "change").nothing:
        raise PermissionDenied(_("您没有组织双随机抽查的权限。"))
    if not selectors.organizers_writable(user=user).filter(pk=organizer.pk).exists():
        raise ValidationError({"organizer": _("您不能以该单位的名义组织抽查。")})
    title = title.strip()
    if not title:
        raise ValidationError({"title": _("请填写抽查事项。")})
    seed = (seed or "").strip() or secrets.token_hex(8)
    if len(seed) > RandomDraw._meta.get_field("seed").max_length:
        raise ValidationError({"seed": _("随机种子过长。")})
    kind = InspectionKind.objects.filter(code=DRAW_KIND_CODE, is_active=True).first()
    if kind is None:
        raise ValidationError({"kind": _("检查类型“双随机抽查”不存在或已停用，请联系系统管理员。")})
    criteria = _draw_criteria(sector_ids=sector_ids, township_ids=township_ids, risk_grade_ids=risk_grade_ids)
    pool = selectors.draw_enterprise_pool(
        user=user,
        organizer=organizer,
        sector_ids=list(sector_ids),
        township_ids=list(township_ids),
        risk_grade_ids=list(risk_grade_ids),
        weighted=weighted_by_grade,
    )
    inspectors = selectors.draw_inspector_pool(organizer=organizer, on=planned_date)
    _check_draw_sizes(n=n, m=m, pool_size=len(pool), inspector_count=len(inspectors))
    result = draw_compute(seed=seed, enterprises=pool, inspectors=inspectors, n=n, m=m)

    draw = RandomDraw(
        number=draw_number(organizer=organizer, year=timezone.localdate().year),
        title=title,
        organizer=organizer,
        planned_date=planned_date,
        criteria=criteria,
        weighted_by_grade=weighted_by_grade,
        enterprise_count=n,
        inspectors_per_enterprise=m,
        seed=seed,
        pool_enterprise_ids=[[pk, weight] for pk, weight in pool],
        pool_inspector_ids=inspectors,
        created_by=user,
    )
    draw._history_user = user
    draw.save()
    enterprises = Enterprise.objects.in_bulk([pk for pk, _team in result])
    people = User.objects.in_bulk([pk for _pk, team in result for pk in team])
    links = []
    for order, (enterprise_pk, team) in enumerate(result, start=1):
        action = action_record(
            user=user,
            date=planned_date,
            organizer=organizer,
            kind=kind,
            members=[people[pk] for pk in team],
            enterprises=[enterprises[enterprise_pk]],
            status=ActionStatus.PLANNED,
            note=_("双随机抽取 %(number)s 第%(order)d号：%(title)s")
            % {"number": draw.number, "order": order, "title": title},
        )
        pick = DrawPick.objects.create(draw=draw, order=order, enterprise_id=enterprise_pk, action=action)
        links += [DrawPick.inspectors.through(drawpick_id=pick.pk, user_id=pk) for pk in team]
    DrawPick.inspectors.through.objects.bulk_create(links)
    return draw


def draw_verify(*, draw) -> bool:
    """复核: re-run the draw from its stored seed and pools; True when it gives exactly the stored picks."""
    from .draws import draw_compute, draw_matches

    try:
        result = draw_compute(
            seed=draw.seed,
            enterprises=[(pk, weight) for pk, weight in draw.pool_enterprise_ids],
            inspectors=list(draw.pool_inspector_ids),
            n=draw.enterprise_count,
            m=draw.inspectors_per_enterprise,
        )
    except (TypeError, ValueError):
        return False  # pools that cannot be replayed at all have been altered
    picks = draw.picks.prefetch_related("inspectors")
    stored = [(p.enterprise_id, [u.pk for u in p.inspectors.all()]) for p in picks]
    return draw_matches(result, stored)


# ---------------------------------------------------------------- 检查计划


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
    scope = scope_for(user, "change")
    errors, seen = [], set()
    for line, t in enumerate(targets, 1):
        if t.target_visits is None or t.target_visits < 1:
            errors.append(_("第%(line)d条：计划检查家次应至少为1。") % {"line": line})
        if t.township is not None:
            if t.township.kind not in TOWNSHIP_KINDS:
                errors.append(_("第%(line)d条：所选单位不是街道/乡镇。") % {"line": line})
            elif not (scope.everything or scope.department_id is not None or scope.admits_unit(t.township)):
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
    if scope_for(user, "change").nothing:
        raise PermissionDenied(_("您没有制定检查计划的权限。"))
    if not may_plan_for(user=user, organizer=organizer):
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
    if not may_plan_for(user=user, organizer=plan.organizer):
        raise PermissionDenied(_("您不能修改该单位的检查计划。"))
    return _plan_save(user=user, plan=plan, year=year, month=month, title=title, note=note, targets=targets)


# ---------------------------------------------------------------- records via the API (检查记录)


def _check_record_writable(*, user: User, record: InspectionRecord) -> None:
    """A record is the organising unit's document: seeing its enterprise is not enough to rewrite it."""
    from .selectors import may_plan_for

    in_scope = restrict(InspectionRecord.objects.filter(pk=record.pk), user, "change").exists()
    if not in_scope or not may_plan_for(user=user, organizer=record.action.organizer):
        raise PermissionDenied(_("您没有修改该检查记录的权限：检查记录只能由检查单位修改。"))


@transaction.atomic
def record_update(*, user: User, record: InspectionRecord, visit: VisitData) -> InspectionRecord:
    """修改检查记录: findings, note and item results, by someone who may change its enterprise's records.

    Only inspections that happened: a planned one (双随机, 计划中) gets its results when it is completed.
    """
    _check_record_writable(user=user, record=record)
    if record.action.status != ActionStatus.DONE:
        raise ValidationError({"status": _("该检查尚未完成，请通过“开始录入”完成检查后再填写检查结果。")})
    applicable = _applicable_item_ids([record.enterprise_id]).get(record.enterprise_id, set())
    kept = frozenset(record.results.values_list("item_id", flat=True))
    return record_save_visit(record=record, visit=visit, user=user, applicable=applicable, kept=kept)


@transaction.atomic
def record_photo_add(*, user: User, record: InspectionRecord, image, caption: str = "") -> RecordPhoto:
    """上传现场照片 to a record: a real image (checked by content, not by name) within the size limit."""
    _check_record_writable(user=user, record=record)
    try:
        ext = validate_image(image)
    except ValidationError as exc:
        raise ValidationError({"image": exc.messages}) from exc
    image.name = f"photo.{ext}"  # the stored name takes the true format, never the browser's name
    return RecordPhoto.objects.create(
        record=record,
        enterprise_id=record.enterprise_id,
        image=image,
        caption=caption.strip(),
        uploaded_by=user,
    )


# ---------------------------------------------------------------- 完成计划检查 and 录入草稿


@transaction.atomic
def action_complete_planned(
    *,
    user: User,
    action: InspectionAction,
    date: dt.date,
    kind: InspectionKind,
    members: Sequence[User],
    experts: str = "",
    is_leader_led: bool = False,
    leader_name: str = "",
    leader_level: str = "",
    note: str = "",
    visits: Mapping[int, VisitData] | None = None,
) -> InspectionAction:
    """完成计划检查: a planned inspection (a 双随机 pick, 计划中) has happened; it gets its team, its
    results and, only now, its numbers. Its enterprises are the planned ones."""
    if not can_write(user):
        raise PermissionDenied(_("您没有录入检查的权限。"))
    action = InspectionAction.objects.select_for_update().select_related("organizer").get(pk=action.pk)
    if action.status != ActionStatus.PLANNED:
        raise ValidationError({"status": _("该检查不是计划中的检查，不能再次完成。")})
    records = list(action.records.order_by("pk"))
    visits = visits or {}
    check_action_rules(
        user=user,
        organizer=action.organizer,
        enterprise_ids={r.enterprise_id for r in records},
        kind=kind,
        members=members,
        on=date,
        leader_name=leader_name if is_leader_led else None,
        visits=visits,
    )

    names = split_names(experts)
    action.date = date
    action.kind = kind
    action.experts = "、".join(names)
    action.person_count = len({m.pk for m in members}) + len(names)
    action.is_leader_led = is_leader_led
    action.leader_name = leader_name.strip() if is_leader_led else ""
    action.leader_level = leader_level if is_leader_led else ""
    action.note = note or action.note
    action.status = ActionStatus.DONE
    action.number = action_number(organizer=action.organizer, year=date.year)
    action._history_user = user
    action.full_clean()
    action.save()
    action.members.set(members)
    for record in records:
        record.number = record_number(organizer=action.organizer, year=date.year)
        record._history_user = user
        record.save()
        if record.enterprise_id in visits:
            record_save_visit(record=record, visit=visits[record.enterprise_id], user=user)
    return action


# draft.data, as the entry form fills it step by step (checked only on submit):
#   {"basics": {"date": "2026-05-01", "kind": 3, "organizer": 7, "members": [4, 9], "experts": "张工",
#               "is_leader_led": false, "leader_name": "", "leader_level": "", "note": ""},
#    "enterprises": [12, 15],
#    "visits": {"12": {"results": {"31": {"result": "noncompliant", "note": "…"}}, "findings": "…"}}}
DRAFT_STEPS = 4
# Which step of the form shows the field a ValidationError names: the user is sent back there.
DRAFT_FIELD_STEPS = {
    "date": 1,
    "kind": 1,
    "organizer": 1,
    "members": 1,
    "experts": 1,
    "is_leader_led": 1,
    "leader_name": 1,
    "leader_level": 1,
    "note": 1,
    "enterprises": 2,
    "results": 3,
    "findings": 3,
    "photo": 3,
}


@dataclass(frozen=True)
class DraftBasics:
    """Step 1 of a draft, resolved to objects and checked against the user's scope."""

    date: dt.date
    kind: InspectionKind
    organizer: OrgUnit
    members: list[User]
    experts: str = ""
    is_leader_led: bool = False
    leader_name: str = ""
    leader_level: str = ""
    note: str = ""

    def action_kwargs(self) -> dict:
        return {
            "date": self.date,
            "kind": self.kind,
            "members": self.members,
            "experts": self.experts,
            "is_leader_led": self.is_leader_led,
            "leader_name": self.leader_name,
            "leader_level": self.leader_level,
            "note": self.note,
        }


def _int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _own_draft(*, user: User, draft: InspectionDraft, lock: bool = False) -> InspectionDraft:
    """Drafts are personal; re-read (and lock) so two taps or two tabs cannot interleave."""
    qs = InspectionDraft.objects.filter(pk=draft.pk, owner=user)
    if lock:
        qs = qs.select_for_update(of=("self",))
    found = qs.select_related("planned_action").first()
    if found is None:
        raise ValidationError({"draft": _("该草稿已提交或已删除。")})
    return found


def _delete_files_on_commit(names: list[str]) -> None:
    storage = RecordPhoto._meta.get_field("image").storage

    def delete() -> None:
        for name in names:
            storage.delete(name)

    transaction.on_commit(delete)


def draft_basics_from_action(action: InspectionAction) -> dict:
    return {
        "date": action.date.isoformat(),
        "kind": action.kind_id,
        "organizer": action.organizer_id,
        "members": [m.pk for m in action.members.all()],
        "experts": action.experts,
        "is_leader_led": action.is_leader_led,
        "leader_name": action.leader_name,
        "leader_level": action.leader_level,
        "note": action.note,
    }


@transaction.atomic
def draft_start(*, user: User, planned_action: InspectionAction | None = None) -> InspectionDraft:
    """开始录入: a new draft, or for a planned inspection the user's draft of it (resumed if it exists),
    prefilled from the plan."""
    if not can_write(user):
        raise PermissionDenied(_("您没有录入检查的权限。"))
    if planned_action is None:
        organizer = selectors.organizers_writable(user=user)
        own = organizer.filter(pk=user.org_unit_id).first() or organizer.first()
        basics = {"date": timezone.localdate().isoformat(), "organizer": own.pk if own else None}
        basics["members"] = [user.pk]
        return InspectionDraft.objects.create(owner=user, data={"basics": basics})
    if planned_action.status != ActionStatus.PLANNED:
        raise ValidationError({"planned_action": _("该检查不是计划中的检查，不能开始录入。")})
    if not may_plan_for(user=user, organizer=planned_action.organizer):
        # Submitting would be refused on the organiser anyway: say so before the form is filled in.
        message = _("该计划检查由%(unit)s组织，您不能录入。") % {"unit": planned_action.organizer}
        raise ValidationError({"planned_action": message})
    enterprise_ids = list(planned_action.records.order_by("pk").values_list("enterprise_id", flat=True))
    if restrict(Enterprise.objects.filter(pk__in=enterprise_ids), user, "change").count() != len(
        enterprise_ids
    ):
        raise PermissionDenied(_("该计划检查的被检查单位不在您的管辖范围内。"))
    existing = InspectionDraft.objects.filter(owner=user, planned_action=planned_action).first()
    if existing is not None:
        return existing
    data = {"basics": draft_basics_from_action(planned_action), "enterprises": enterprise_ids}
    return InspectionDraft.objects.create(owner=user, planned_action=planned_action, data=data)


def _clean_visits(visits: Mapping[str, Mapping]) -> dict:
    valid = set(CheckResultValue.values)
    cleaned = {}
    for enterprise_id, visit in visits.items():
        results = {}
        for item_id, entry in (visit.get("results") or {}).items():
            result, note = entry.get("result") or "", (entry.get("note") or "").strip()
            if result and result not in valid:
                raise ValidationError({"results": _("检查结果只能是符合、不符合或不涉及。")})
            if len(note) > 500:
                raise ValidationError({"results": _("每项说明不能超过500字。")})
            if result or note:
                results[str(int(item_id))] = {"result": result, "note": note}
        findings = (visit.get("findings") or "").strip()
        cleaned[str(int(enterprise_id))] = {"results": results, "findings": findings}
    return cleaned


@transaction.atomic
def draft_save(
    *,
    user: User,
    draft: InspectionDraft,
    step: int,
    basics: Mapping | None = None,
    enterprise_ids: Sequence[int] | None = None,
    visits: Mapping[str, Mapping] | None = None,
) -> InspectionDraft:
    """Keep what the user entered on one step and where they are; nothing is checked against the
    rules yet except scope: an enterprise outside the user's change scope never enters a draft."""
    draft = _own_draft(user=user, draft=draft, lock=True)
    data = dict(draft.data)
    if basics is not None:
        data["basics"] = dict(basics)
    if enterprise_ids is not None:
        ids = list(dict.fromkeys(int(pk) for pk in enterprise_ids))
        if draft.planned_action_id and ids != data.get("enterprises", []):
            raise ValidationError({"enterprises": _("计划检查的被检查单位不能更改。")})
        allowed = set(
            restrict(Enterprise.objects.filter(pk__in=ids), user, "change").values_list("pk", flat=True)
        )
        if set(ids) - allowed:
            raise ValidationError({"enterprises": _("所选单位不在您的管辖范围内。")})
        data["enterprises"] = ids
    if visits is not None:
        data["visits"] = {**data.get("visits", {}), **_clean_visits(visits)}
    draft.data = data
    draft.step = min(max(int(step), 1), DRAFT_STEPS)
    draft.save()
    return draft


def draft_basics(*, user: User, draft: InspectionDraft) -> DraftBasics:
    """Step 1 of the draft as objects, each id checked against what the user may choose."""
    raw = draft.data.get("basics") or {}
    planned = draft.planned_action
    errors: dict[str, str] = {}
    date = None
    try:
        date = dt.date.fromisoformat(raw.get("date") or "")
    except (TypeError, ValueError):
        errors["date"] = _("请填写检查日期。")
    if date and date > timezone.localdate():
        errors["date"] = _("检查日期不能晚于今天。")
    kind = InspectionKind.objects.filter(is_active=True, pk=_int_or_none(raw.get("kind"))).first()
    if kind is None:
        errors["kind"] = _("请选择检查类型。")
    if planned is not None:
        organizer = planned.organizer
    else:
        organizer = (
            selectors.organizers_writable(user=user).filter(pk=_int_or_none(raw.get("organizer"))).first()
        )
        if organizer is None:
            errors["organizer"] = _("请选择检查单位。")
    member_ids = {pk for pk in map(_int_or_none, raw.get("members") or []) if pk is not None}
    planned_members = planned.members.values_list("pk", flat=True) if planned else []
    members = list(
        selectors.team_candidates(user=user, include_ids=planned_members).filter(pk__in=member_ids)
    )
    if len(members) != len(member_ids):
        errors["members"] = _("所选检查人员不在可选范围内。")
    leader_level = raw.get("leader_level") or ""
    if leader_level and leader_level not in LeaderLevel.values:
        errors["leader_level"] = _("领导级别无效。")
    is_leader_led = bool(raw.get("is_leader_led"))
    leader_name = (raw.get("leader_name") or "").strip()
    if is_leader_led and not leader_name:
        errors["leader_name"] = _("领导带队的检查须填写带队领导。")
    if errors:
        raise ValidationError(errors)
    return DraftBasics(
        date=date,
        kind=kind,
        organizer=organizer,
        members=members,
        experts=raw.get("experts") or "",
        is_leader_led=is_leader_led,
        leader_name=leader_name,
        leader_level=leader_level,
        note=raw.get("note") or "",
    )


def draft_check_basics(*, user: User, draft: InspectionDraft) -> DraftBasics:
    """Step 1 against every rule submit will apply, so the 执法证 rule shows on step 1 already."""
    basics = draft_basics(user=user, draft=draft)
    check_team_certificates(kind=basics.kind, members=basics.members, on=basics.date)
    return basics


def _draft_visits(draft: InspectionDraft, enterprises: Sequence[Enterprise]) -> dict[int, VisitData]:
    """The ticked items of each chosen enterprise; items that no longer apply to it are left out."""
    items = selectors.check_items_by_enterprise(enterprises)
    stored = draft.data.get("visits") or {}
    visits = {}
    for enterprise in enterprises:
        visit = stored.get(str(enterprise.pk)) or {}
        applicable = {i.pk for i in items.get(enterprise.pk, [])}
        results = [
            ResultData(item_id=int(item_id), result=entry["result"], note=entry.get("note", ""))
            for item_id, entry in (visit.get("results") or {}).items()
            if entry.get("result") and int(item_id) in applicable
        ]
        visits[enterprise.pk] = VisitData(results=results, findings=visit.get("findings", ""))
    return visits


@transaction.atomic
def draft_photo_add(
    *, user: User, draft: InspectionDraft, enterprise_id: int, file, caption: str = ""
) -> RecordPhoto:
    """现场照片 on a draft: a real image (checked by content), for one of the chosen enterprises."""
    draft = _own_draft(user=user, draft=draft)
    if enterprise_id not in (draft.data.get("enterprises") or []):
        raise ValidationError({"photo": _("请先选择被检查单位，再上传照片。")})
    try:
        ext = validate_image(file)
    except ValidationError as exc:
        raise ValidationError({"photo": exc.messages}) from exc
    file.name = f"photo.{ext}"  # the stored name never comes from the browser
    return RecordPhoto.objects.create(
        draft=draft, enterprise_id=enterprise_id, image=file, caption=caption[:200], uploaded_by=user
    )


@transaction.atomic
def draft_photo_delete(*, user: User, draft: InspectionDraft, photo_id: int) -> None:
    draft = _own_draft(user=user, draft=draft)
    photo = draft.photos.filter(pk=photo_id).first()
    if photo is not None:
        _delete_files_on_commit([photo.image.name])
        photo.delete()


@transaction.atomic
def draft_discard(*, user: User, draft: InspectionDraft) -> None:
    """放弃草稿: the draft and its photos go; a planned inspection stays planned."""
    draft = _own_draft(user=user, draft=draft, lock=True)
    _delete_files_on_commit(list(draft.photos.values_list("image", flat=True)))
    draft.delete()


@transaction.atomic
def draft_submit(*, user: User, draft: InspectionDraft) -> InspectionAction:
    """提交: the draft becomes an inspection action with its records, results and photos, numbered;
    for a planned inspection, that action is completed. The draft is then gone."""
    draft = _own_draft(user=user, draft=draft, lock=True)
    basics = draft_check_basics(user=user, draft=draft)
    ids = draft.data.get("enterprises") or []
    enterprises = list(selectors.enterprises_writable(user=user, ids=ids))
    if not ids:
        raise ValidationError({"enterprises": _("请至少选择一家被检查单位。")})
    if len(enterprises) != len(set(ids)):
        raise ValidationError({"enterprises": _("所选单位不在您的管辖范围内。")})
    visits = _draft_visits(draft, enterprises)
    if draft.planned_action_id:
        action = action_complete_planned(
            user=user, action=draft.planned_action, visits=visits, **basics.action_kwargs()
        )
    else:
        action = action_record(
            user=user,
            organizer=basics.organizer,
            enterprises=enterprises,
            visits=visits,
            **basics.action_kwargs(),
        )
    records = {r.enterprise_id: r.pk for r in action.records.all()}
    leftovers = []
    for photo in draft.photos.all():
        if photo.enterprise_id in records:
            photo.record_id, photo.draft = records[photo.enterprise_id], None
            photo.save(update_fields=["record", "draft"])
        else:
            leftovers.append(photo.image.name)
    _delete_files_on_commit(leftovers)
    draft.delete()
    return action


# ---------------------------------------------------------------- 导入检查台账 (Excel)

_IMPORT_BATCH = 500
_SERIES = {ACTION_MARK: "inspection", RECORD_MARK: "inspection-record"}  # as action_number / record_number
_Fresh = tuple[InspectionAction, Sequence[User], list[InspectionRecord]]


@dataclass(frozen=True)
class ImportedAction:
    """One action of an imported ledger: the office's own number (blank: the system issues one), the
    team as the names resolved (a name without an account is an outside person, in `experts`), and
    the visited enterprises, each with the 备注 of its row."""

    date: dt.date
    organizer: OrgUnit
    kind: InspectionKind
    members: Sequence[User]
    visits: Sequence[tuple[Enterprise, str]]
    number: str = ""
    experts: Sequence[str] = ()
    is_leader_led: bool = False
    leader_name: str = ""
    note: str = ""


@transaction.atomic
def action_import_many(*, user: User, actions: Sequence[ImportedAction]) -> tuple[int, int]:
    """导入检查台账, all or nothing; returns (visits recorded in new actions, visits added to old ones).

    An action whose organiser already has its number was imported before: only the enterprises not
    yet recorded on it are added, so importing the same file twice adds nothing. Everything is
    written in bulk (a statement per step, not per row), with the history rows save() would leave.
    """
    if scope_for(user, "change").nothing:
        raise PermissionDenied(_("您没有录入检查的权限。"))
    ids = {e.pk for a in actions for e, _note in a.visits}
    if restrict(Enterprise.objects.filter(pk__in=ids), user, "change").count() != len(ids):
        raise ValidationError({"enterprises": _("所选单位不在您的管辖范围内。")})
    units = {a.organizer.pk for a in actions}
    if selectors.plan_organizers(user=user).filter(pk__in=units).count() != len(units):
        raise ValidationError({"organizer": _("您不能以该单位的名义录入检查。")})
    existing = _imported_before(actions)
    recorded = set(
        InspectionRecord.objects.filter(action__in=list(existing.values())).values_list(
            "action_id", "enterprise_id"
        )
    )
    fresh: list[_Fresh] = []  # new actions with their teams and records
    added: list[InspectionRecord] = []  # visits added to actions imported before
    for item in actions:
        old = existing.get((item.organizer.pk, item.number)) if item.number else None
        if old is None:
            records = [InspectionRecord(enterprise=e, note=n) for e, n in item.visits]
            fresh.append((_imported_action(item, user=user), item.members, records))
        elif (old.date, old.kind_id) != (item.date, item.kind.pk):
            raise ValidationError(
                {"number": _("检查行动编号“%(number)s”已用于另一次检查。") % {"number": item.number}}
            )
        else:
            added += [
                InspectionRecord(action=old, enterprise=e, note=n)
                for e, n in item.visits
                if (old.pk, e.pk) not in recorded
            ]
    _number_imported(fresh, added)
    _save_imported(fresh, added, user=user)
    return sum(len(records) for _a, _m, records in fresh), len(added)


def _imported_before(actions: Sequence[ImportedAction]) -> dict[tuple[int, str], InspectionAction]:
    """The file's numbers that their organisers already have, locked: (organiser id, number) → action."""
    numbers = {a.number for a in actions if a.number}
    found = (
        InspectionAction.objects.select_for_update(of=("self",))
        .filter(number__in=numbers)
        .select_related("organizer")
        .order_by("-pk")  # should a number repeat, the earliest action wins
    )
    return {(a.organizer_id, a.number): a for a in found}


def _imported_action(item: ImportedAction, *, user: User) -> InspectionAction:
    """A new action checked by the rules action_record applies, without its per-row queries."""
    if not item.visits:
        raise ValidationError({"enterprises": _("请至少选择一家被检查单位。")})
    if len({e.pk for e, _n in item.visits}) != len(item.visits):
        raise ValidationError({"enterprises": _("同一检查行动中不能重复选择同一单位。")})
    if item.is_leader_led and not item.leader_name.strip():
        raise ValidationError({"leader_name": _("领导带队的检查须填写带队领导。")})
    check_team_certificates(kind=item.kind, members=item.members, on=item.date)
    experts = list(dict.fromkeys(item.experts))
    action = InspectionAction(
        number=item.number,
        date=item.date,
        organizer=item.organizer,
        kind=item.kind,
        experts="、".join(experts),
        person_count=len({m.pk for m in item.members}) + len(experts),
        is_leader_led=item.is_leader_led,
        leader_name=item.leader_name.strip() if item.is_leader_led else "",
        note=item.note,
        status=ActionStatus.DONE,
        created_by=user,
    )
    action.clean_fields(exclude=["organizer", "kind", "created_by"])
    return action


def _number_imported(fresh: list[_Fresh], added: list[InspectionRecord]) -> None:
    """Issue the numbers the file lacks, in file order: each organiser and year takes one block, so the
    series stay gap-free exactly as numbering one by one would leave them."""
    unnumbered = [a for a, _m, _r in fresh if not a.number]
    for action, number in zip(unnumbered, _numbers(ACTION_MARK, unnumbered), strict=True):
        action.number = number
    records = [(r, a) for a, _m, rs in fresh for r in rs]
    records += [(r, r.action) for r in added if r.action.status == ActionStatus.DONE]
    for (record, _a), number in zip(records, _numbers(RECORD_MARK, [a for _r, a in records]), strict=True):
        record.number = number


def _numbers(mark: str, actions: list[InspectionAction]) -> list[str]:
    """One number per entry of `actions` (repeats welcome), from its organiser's series for its year."""
    wanted = Counter((a.organizer_id, a.date.year) for a in actions)
    units = {a.organizer_id: a.organizer for a in actions}
    blocks = {
        (unit_id, year): iter(number_block(series=_SERIES[mark], org_unit=units[unit_id], year=year, count=n))
        for (unit_id, year), n in wanted.items()
    }
    return [
        number_label(a.organizer, mark, a.date.year, next(blocks[(a.organizer_id, a.date.year)]))
        for a in actions
    ]


def _save_imported(fresh: list[_Fresh], added: list[InspectionRecord], *, user: User) -> None:
    now = timezone.now()
    actions = InspectionAction.objects.bulk_create([a for a, _m, _r in fresh], batch_size=_IMPORT_BATCH)
    through = InspectionAction.members.through
    links = through.objects.bulk_create(
        [
            through(inspectionaction_id=action.pk, user_id=pk)
            for action, members, _r in fresh
            for pk in dict.fromkeys(m.pk for m in members)
        ],
        batch_size=_IMPORT_BATCH,
    )
    for action, _m, records in fresh:
        for record in records:
            record.action = action
    records = InspectionRecord.objects.bulk_create(
        [r for _a, _m, rs in fresh for r in rs] + added, batch_size=_IMPORT_BATCH
    )
    history = InspectionAction.history.bulk_history_create(actions, default_user=user, default_date=now)
    if history:  # None when SIMPLE_HISTORY_ENABLED is off
        by_action = {h.id: h for h in history}
        team_history = InspectionAction.history.model.members.model
        team_history.objects.bulk_create(
            [
                team_history(
                    history=by_action[link.inspectionaction_id],
                    id=link.id,
                    inspectionaction_id=link.inspectionaction_id,
                    user_id=link.user_id,
                )
                for link in links
            ],
            batch_size=_IMPORT_BATCH,
        )
    InspectionRecord.history.bulk_history_create(records, default_user=user, default_date=now)
