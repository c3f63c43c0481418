"""双随机抽取 (RandomDraw): the draw itself, stored with its seed and pools so anyone can replay it (复核),
and a planned inspection (计划中) for each pick. The arithmetic is inspections.draws."""

import datetime as dt
import secrets
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import TOWNSHIP_KINDS, EnterpriseStatus
from accounts.models import Enterprise, OrgUnit, RiskGrade, Sector, User
from accounts.services import number_next

from .. import permissions, selectors
from ..choices import ActionStatus
from ..draws import draw_compute, draw_matches
from ..models import DrawPick, InspectionKind, RandomDraw
from .actions import action_create, unit_label

DRAW_KIND_CODE = "random"  # InspectionKind 双随机抽查


def _draw_criteria(*, sector_ids, township_ids, risk_grade_ids) -> dict:
    """The filters as stored with the draw: ids and the names they had, so the record reads the same later."""
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
    if not permissions.can_enter(user):
        raise PermissionDenied(_("您没有组织双随机抽查的权限。"))
    if not permissions.can_draw(user, organizer):
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
        action = action_create(
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
