"""Writes of the monthly evaluation (月度评估): compute a month's draft, enter the office's scores, publish
the ranking (numbered, frozen, with its PDF and Excel), and follow it up with a 警示告知书 or a 约谈.

Every write is the district office's (permissions_evaluation.can_manage: 403 otherwise), locks the
evaluation row, re-reads its state and refuses (ValidationError, in Chinese) to touch a published one —
as the database's trigger does (migration 0005).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import OrgKind
from accounts.models import OrgUnit, User
from accounts.services import notification_create, number_next
from campaigns import services as campaign_services
from campaigns.choices_activities import ORGANISER_KINDS, TalkTargetKind
from campaigns.models import ActivitySubtype
from core.errors import STALE_STATE

from . import evaluation as calc
from .excel_evaluation import ranking_xlsx
from .models_evaluation import (
    Evaluation,
    EvaluationFollowUp,
    EvaluationIndicator,
    EvaluationScore,
    EvaluationState,
    EvaluationTarget,
    FollowUpKind,
    IndicatorRule,
)
from .pdf_evaluation import notice_pdf, ranking_pdf
from .periods import Period, today
from .permissions_evaluation import can_manage
from .registry import get_metric

RANKING_SERIES = "eval:ranking"
NOTICE_SERIES = "eval:warning"
RANKING_NUMBER = "{short}安评〔{year}〕{n}号"
NOTICE_NUMBER = "{short}安警〔{year}〕{n}号"
TEXT_MAX = 2000


def _check_manager(user: User) -> None:
    if not can_manage(user):
        raise PermissionDenied(_("只有安委办可以进行月度评估。"))


def _frozen_error() -> ValidationError:
    return ValidationError(_("该月度评估已发布，不能再修改。"), code=STALE_STATE)


def _district() -> OrgUnit:
    root = OrgUnit.objects.filter(kind=OrgKind.DISTRICT).order_by("path").first()
    if root is None:
        raise ValidationError(_("尚未建立区级单位，无法编号。"))
    return root


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _entered(evaluation: Evaluation) -> dict[tuple[str, int], Decimal]:
    return {
        (code, unit_id): score
        for code, unit_id, score in EvaluationScore.objects.filter(evaluation=evaluation).values_list(
            "indicator__code", "unit_id", "score"
        )
    }


# ---------------------------------------------------------------- indicators


def indicator_problems(indicator: EvaluationIndicator) -> dict[str, list[str]]:
    """What is wrong with an indicator's settings, by field ({} when it may be saved)."""
    errors: dict[str, list[str]] = {}
    if indicator.source == "entered":
        indicator.rule, indicator.metric_key, indicator.points_per = IndicatorRule.ENTERED, "", Decimal(0)
        return errors
    if indicator.rule not in (IndicatorRule.RATE, IndicatorRule.DEDUCT):
        errors.setdefault("rule", []).append(_("由数据计算的指标请选择“按比率得分”或“按数量扣分”。"))
        return errors
    try:
        metric = get_metric(indicator.metric_key)
    except KeyError:
        errors.setdefault("metric_key", []).append(
            _("统计指标“%(key)s”不存在，请从列表中选择。") % {"key": indicator.metric_key}
        )
        return errors
    if indicator.rule == IndicatorRule.RATE and metric.kind != "rate":
        errors.setdefault("metric_key", []).append(_("按比率得分须选择一个比率（%）指标。"))
    if indicator.rule == IndicatorRule.DEDUCT:
        if metric.kind == "rate":
            errors.setdefault("metric_key", []).append(_("按数量扣分须选择一个计数指标，不能选比率。"))
        if metric.kind == "money":
            errors.setdefault("metric_key", []).append(_("考核不以罚款金额计分，请选择其他指标。"))
        if not indicator.points_per or indicator.points_per <= 0:
            errors.setdefault("points_per", []).append(_("按数量扣分须填写每个扣多少分（大于0）。"))
    return errors


@transaction.atomic
def indicator_save(*, user: User, indicator: EvaluationIndicator) -> EvaluationIndicator:
    """新增或修改考核指标 (an indicator already scored in a published evaluation keeps its snapshot there)."""
    _check_manager(user)
    errors = indicator_problems(indicator)
    if errors:
        raise ValidationError(errors)
    if not indicator.code:
        indicator.code = f"custom-{uuid.uuid4().hex[:10]}"
    indicator.updated_by = user
    indicator.save()
    return indicator


# ---------------------------------------------------------------- compute


@transaction.atomic
def evaluation_compute(*, user: User, period: Period, target: str) -> Evaluation:
    """计算 (or 重新计算) a month's draft: the active indicators that apply to the target as they are now,
    every unit's figures from the records, the entered scores kept. A published month is refused."""
    _check_manager(user)
    if period.kind != "month":
        raise ValidationError({"period": _("月度评估按月进行，请选择一个月份。")})
    if target not in EvaluationTarget.values:
        raise ValidationError({"target": _("请选择评估对象：街道/乡镇或部门。")})
    if not period.has_started():
        raise ValidationError({"period": _("%(month)s尚未开始，不能评估。") % {"month": period.label}})
    Evaluation.objects.get_or_create(period_key=period.key, target=target)
    evaluation = Evaluation.objects.select_for_update().get(period_key=period.key, target=target)
    if evaluation.is_published:
        raise _frozen_error()
    indicators = [
        i
        for i in EvaluationIndicator.objects.filter(is_active=True).order_by("order", "pk")
        if i.applies(target)
    ]
    if not indicators:
        raise ValidationError(_("没有启用的考核指标，请先在“考核指标”中设置。"))
    specs = []
    for indicator in indicators:
        try:
            specs.append(calc.snapshot(indicator))
        except KeyError as exc:
            raise ValidationError(
                _("考核指标“%(name)s”所用的统计指标不存在，请先修改该指标。") % {"name": indicator.name}
            ) from exc
    units = list(calc.units_for(target))
    if not units:
        raise ValidationError(_("没有可评估的单位。"))
    values = calc.raw_values(period, units, specs)
    as_of = min(period.end, today())
    evaluation.indicators = specs
    evaluation.results = calc.results_build(
        units=units, specs=specs, values=values, entered=_entered(evaluation), as_of=as_of
    )
    evaluation.computed_at = timezone.now()
    evaluation.computed_by = user
    evaluation.save()
    return evaluation


# ---------------------------------------------------------------- entered scores


def _score_value(text, weight: Decimal) -> Decimal:
    try:
        score = Decimal(str(text).strip())
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError({"score": _("得分请填写数字。")}) from exc
    if not score.is_finite() or score < 0 or score > weight:
        raise ValidationError(
            {"score": _("得分应在 0 至 %(weight)s 分之间。") % {"weight": f"{weight.normalize():f}"}}
        )
    if score != score.quantize(calc.CENT):
        raise ValidationError({"score": _("得分最多保留两位小数。")})
    return score


@transaction.atomic
def evaluation_score_enter(
    *, user: User, evaluation: Evaluation, indicator_code: str, unit_id: int, score, reason: str
) -> EvaluationScore:
    """评分: the office's score of one unit on one entered indicator, with the reason (required); the
    totals and ranks are recounted from the stored figures."""
    _check_manager(user)
    evaluation = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    if evaluation.is_published:
        raise _frozen_error()
    spec = next(
        (
            s
            for s in evaluation.indicators
            if s["code"] == indicator_code and s["rule"] == IndicatorRule.ENTERED
        ),
        None,
    )
    if spec is None:
        raise ValidationError({"indicator": _("请选择一个由安委办评分的指标。")})
    if unit_id not in {row["unit_id"] for row in evaluation.results.get("rows", [])}:
        raise ValidationError({"unit": _("该单位不在本次评估之中。")})
    value = _score_value(score, Decimal(spec["weight"]))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请写明评分理由。")})
    if len(reason) > TEXT_MAX:
        raise ValidationError({"reason": _("评分理由不能超过 %(n)d 个字。") % {"n": TEXT_MAX}})
    entry, _created = EvaluationScore.objects.update_or_create(
        evaluation=evaluation,
        indicator_id=spec["id"],
        unit_id=unit_id,
        defaults={"score": value, "reason": reason, "entered_by": user},
    )
    evaluation.results = calc.results_rescore(evaluation.results, evaluation.indicators, _entered(evaluation))
    evaluation.save(update_fields=["results"])
    return entry


# ---------------------------------------------------------------- publish


@transaction.atomic
def evaluation_publish(*, user: User, evaluation: Evaluation) -> Evaluation:
    """发布排名通报: the month must have ended, the draft be computed and every entered score given. The
    results are frozen as they stand, numbered ({district}安评〔year〕n号, gap-free), and the PDF and the
    Excel written once, with their sha256."""
    _check_manager(user)
    evaluation = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    if evaluation.is_published:
        raise _frozen_error()
    period = Period.parse(evaluation.period_key)
    if not period.has_ended():
        raise ValidationError(_("%(month)s尚未结束，月末之后才能发布排名。") % {"month": period.label})
    rows = evaluation.results.get("rows", [])
    if not rows or evaluation.computed_at is None:
        raise ValidationError(_("请先计算本月的评估。"))
    missing = [row["unit_name"] for row in rows if row.get("missing")]
    if missing:
        raise ValidationError(_("以下单位尚有安委办评分未填写：%(units)s。") % {"units": "、".join(missing)})
    now = timezone.now()
    year = timezone.localdate(now).year
    district = _district()
    serial = number_next(series=RANKING_SERIES, org_unit=district, year=year)
    evaluation.number = RANKING_NUMBER.format(short=district.short_name or district.name, year=year, n=serial)
    evaluation.state = EvaluationState.PUBLISHED
    evaluation.published_at = now
    evaluation.published_by = user
    pdf = ranking_pdf(evaluation)
    xlsx = ranking_xlsx(evaluation)
    stem = f"ranking-{evaluation.period_key}-{evaluation.target}"
    evaluation.pdf.save(f"{stem}.pdf", ContentFile(pdf), save=False)
    evaluation.xlsx.save(f"{stem}.xlsx", ContentFile(xlsx), save=False)
    evaluation.pdf_sha256 = _sha256(pdf)
    evaluation.xlsx_sha256 = _sha256(xlsx)
    evaluation.save()
    _tell_units_their_rank(evaluation, period, len(rows))
    return evaluation


def _tell_units_their_rank(evaluation: Evaluation, period: Period, count: int) -> None:
    """Each evaluated unit hears its own total and rank (and where to see why) with the notice."""
    units = OrgUnit.objects.in_bulk([row["unit_id"] for row in evaluation.results.get("rows", [])])
    for row in evaluation.results.get("rows", []):
        unit = units.get(row["unit_id"])
        if unit is None:
            continue
        notification_create(
            key=f"evaluation-published:{evaluation.pk}:{unit.pk}",
            kind="evaluation_published",
            title=_("%(month)s月度评估排名通报（%(number)s）")
            % {"month": period.label, "number": evaluation.number},
            body=_(
                "本单位得分 %(total)s 分，在 %(count)s 个单位中排名第 %(rank)s。各项指标的得分和扣分原因见通报页面。"
            )
            % {"total": row["total"], "count": count, "rank": row["rank"]},
            url=evaluation.get_absolute_url(),
            org_unit=unit,
        )


# ---------------------------------------------------------------- follow-ups


def _follow_up_unit(evaluation: Evaluation, unit_id) -> OrgUnit:
    ids = {row["unit_id"] for row in evaluation.results.get("rows", [])}
    try:
        unit_id = int(unit_id)
    except (TypeError, ValueError):
        unit_id = None
    if unit_id not in ids:
        raise ValidationError({"unit": _("请选择本次评估中的一个单位。")})
    return OrgUnit.objects.get(pk=unit_id)


def default_notice_text(evaluation: Evaluation, unit: OrgUnit) -> str:
    return _(
        "你单位本月安全生产工作评估排名靠后，隐患排查治理和各项工作落实存在差距。请认真分析原因，"
        "制定整改措施，并于收到本告知书之日起15日内将整改情况书面报送区安委办。"
    )


def _talk_organiser(user: User) -> OrgUnit:
    unit = user.org_unit
    if unit is not None and unit.kind in ORGANISER_KINDS and unit.is_active:
        return unit
    return _district()


@transaction.atomic
def follow_up_create(
    *,
    user: User,
    evaluation: Evaluation,
    unit_id,
    kind: str,
    text: str = "",
    talk_date: dt.date | None = None,
    place: str = "",
) -> EvaluationFollowUp:
    """后续措施 for a unit of a published ranking: a 警示告知书 (numbered {district}安警〔year〕n号, its PDF
    written once) or a 约谈, recorded in the activity ledger through the campaigns services (a 会议 of the
    约谈 sub-type, the unit as its 约谈对象, the text as 约谈事由)."""
    _check_manager(user)
    evaluation = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    if not evaluation.is_published:
        raise ValidationError(_("排名通报发布之后才能发警示告知书或约谈。"))
    unit = _follow_up_unit(evaluation, unit_id)
    text = (text or "").strip()
    if len(text) > TEXT_MAX:
        raise ValidationError({"text": _("内容不能超过 %(n)d 个字。") % {"n": TEXT_MAX}})
    follow_up = EvaluationFollowUp(evaluation=evaluation, unit=unit, kind=kind, created_by=user)
    if kind == FollowUpKind.WARNING:
        district = _district()
        year = timezone.localdate().year
        serial = number_next(series=NOTICE_SERIES, org_unit=district, year=year)
        follow_up.number = NOTICE_NUMBER.format(
            short=district.short_name or district.name, year=year, n=serial
        )
        follow_up.text = text or default_notice_text(evaluation, unit)
        follow_up.save()
        pdf = notice_pdf(follow_up)
        follow_up.pdf.save(f"notice-{follow_up.pk}.pdf", ContentFile(pdf), save=False)
        follow_up.pdf_sha256 = _sha256(pdf)
        follow_up.save(update_fields=["pdf", "pdf_sha256"])
        notification_create(
            key=f"evaluation-warning:{follow_up.pk}",
            kind="evaluation_warning",
            title=_("警示告知书 %(number)s") % {"number": follow_up.number},
            body=_("依据%(ranking)s，对本单位发出警示告知书，请按告知书要求整改并报告。")
            % {"ranking": evaluation.number},
            url=evaluation.get_absolute_url(),
            org_unit=unit,
        )
        return follow_up
    if kind != FollowUpKind.TALK:
        raise ValidationError({"kind": _("请选择警示告知书或约谈。")})
    if not text:
        raise ValidationError({"text": _("请填写约谈事由。")})
    if talk_date is None:
        raise ValidationError({"talk_date": _("请填写约谈日期。")})
    subtype = ActivitySubtype.objects.filter(is_talk=True, is_active=True).select_related("type").first()
    if subtype is None:
        raise ValidationError(_("活动台账中没有“约谈”子类型，请管理员先设置。"))
    period = Period.parse(evaluation.period_key)
    data = campaign_services.ActivityData(
        date=talk_date,
        type=subtype.type,
        subtype=subtype,
        theme=_("%(month)s安全生产工作月度评估约谈%(unit)s") % {"month": period.label, "unit": unit.name},
        organiser=_talk_organiser(user),
        place=place,
        talk_reason=text,
        notes=evaluation.number,
        talk_targets=(
            campaign_services.TalkTargetData(
                kind=TalkTargetKind.DEPARTMENT if unit.is_department else TalkTargetKind.TOWNSHIP,
                org_unit=unit,
            ),
        ),
    )
    follow_up.activity = campaign_services.activity_create(user=user, data=data)
    follow_up.text = text
    follow_up.save()
    notification_create(
        key=f"evaluation-talk:{follow_up.pk}",
        kind="evaluation_talk",
        title=_("约谈通知：%(date)s") % {"date": talk_date.isoformat()},
        body=_("依据%(ranking)s，安委办将于 %(date)s 在%(place)s约谈本单位。事由：%(reason)s")
        % {
            "ranking": evaluation.number,
            "date": talk_date.isoformat(),
            "place": place or _("（地点另行通知）"),
            "reason": text,
        },
        url=evaluation.get_absolute_url(),
        org_unit=unit,
    )
    return follow_up
