"""seed_demo step "evaluation": last month's 月度评估 of the townships, published as a ranking notice
(排名通报) with a 警示告知书 to the last-placed township — so the leader's 统计 page shows a ranking and the
township staff find their rank in the bell. The office's own scores (entered indicators) are given with
a reason, as the office would; everything goes through the evaluation's services.

Reset: published evaluations, their scores and follow-ups are frozen by a trigger; the demo's reset is
the one deliberate purge (`SET LOCAL reports.purge = 'on'`)."""

import random
from decimal import Decimal

from django.db import connection

from accounts.models import NumberSequence, OrgUnit
from reports.models import Evaluation, EvaluationFollowUp, EvaluationScore, EvaluationTarget, IndicatorRule
from reports.periods import Period
from reports.services_evaluation import (
    NOTICE_SERIES,
    RANKING_SERIES,
    evaluation_compute,
    evaluation_publish,
    evaluation_score_enter,
    follow_up_create,
)

from . import inspections as demo_inspections
from .district import DemoContext

# The office's reasons, by how well the unit did (share of the indicator's weight).
REASONS = {
    Decimal("1.0"): "按时完成月度重点任务，报送材料齐全",
    Decimal("0.9"): "重点任务基本完成，个别材料报送稍迟",
    Decimal("0.8"): "专项整治推进偏慢，督办事项未全部办结",
    Decimal("0.7"): "安委办交办事项两项逾期未反馈",
}


def build(*, rng: random.Random, context: DemoContext) -> list[str]:
    officer = context.users["officer"]
    month = Period.containing("month", demo_inspections.demo_today()).previous()
    evaluation = evaluation_compute(user=officer, period=month, target=EvaluationTarget.TOWNSHIP)
    entered = [spec for spec in evaluation.indicators if spec["rule"] == IndicatorRule.ENTERED]
    for row in evaluation.results.get("rows", []):
        for spec in entered:
            share = rng.choice(list(REASONS))
            evaluation_score_enter(
                user=officer,
                evaluation=evaluation,
                indicator_code=spec["code"],
                unit_id=row["unit_id"],
                score=str((Decimal(spec["weight"]) * share).quantize(Decimal("0.1"))),
                reason=REASONS[share],
            )
    evaluation = evaluation_publish(user=officer, evaluation=Evaluation.objects.get(pk=evaluation.pk))
    lines = [f"月度评估：{month.label}街镇排名通报 {evaluation.number}"]
    rows = evaluation.results.get("rows", [])
    if rows:
        last = max(rows, key=lambda r: (r["rank"], r.get("position", 0)))
        notice = follow_up_create(
            user=officer, evaluation=evaluation, unit_id=last["unit_id"], kind="warning"
        )
        lines.append(f"警示告知书：{notice.number}（{last['unit_name']}）")
    return lines


def reset(district: OrgUnit) -> None:
    """Every evaluation (a demo database has the demo's district only), with its scores, follow-ups, files
    and number series."""
    NumberSequence.objects.filter(series__in=[RANKING_SERIES, NOTICE_SERIES], org_unit=district).delete()
    if not Evaluation.objects.exists():
        return
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL reports.purge = 'on'")
    for model, field in ((EvaluationFollowUp, "pdf"), (Evaluation, "pdf"), (Evaluation, "xlsx")):
        for name in model.objects.exclude(**{field: ""}).values_list(field, flat=True):
            model._meta.get_field(field).storage.delete(name)
    EvaluationFollowUp.objects.all().delete()
    EvaluationScore.objects.all().delete()
    Evaluation.objects.all().delete()
