"""seed_demo step: the year's 专项行动 (campaigns) under a three-year campaign, before the inspections.

The campaigns are the ones demo.outings plans inspections around (安全生产月, the weeks before the
Spring Festival and National Day, the flood season …, in demo/data/inspections.json); this step makes
them real Campaign rows with phases, member units, sectors and targets, as children of the district's
安全生产专项整治三年行动 (last year to next year). The inspections step then tags its campaign outings to
them, and the hazards step the hazards found on those outings. No randomness: the targets follow the
planned share of the year's inspections.
"""

import datetime as dt
import random
from decimal import Decimal

from accounts.models import OrgUnit
from campaigns.choices import TargetMetric
from campaigns.models import Campaign, CampaignKind
from campaigns.services import CampaignData, PhaseData, TargetData, campaign_create

from . import inspections as demo_inspections
from .district import DemoContext
from .history import history_purge
from .outings import campaigns as planned_campaigns
from .tables import load

THREE_YEAR = "安全生产专项整治三年行动"


def _kind(title: str) -> str:
    if "安全生产月" in title:
        return "safety-month"
    if "大检查" in title:
        return "big-inspection"
    return "special-rectification"


def _phases(start: dt.date, end: dt.date) -> list[PhaseData]:
    """动员部署 (the first days), 排查整治 (most of it), 总结验收 (the last days); a short campaign has two."""
    days = (end - start).days + 1
    if days < 10:
        return [
            PhaseData(name="排查整治", start_on=start, end_on=end - dt.timedelta(days=1)),
            PhaseData(name="总结验收", start_on=end, end_on=end),
        ]
    edge = max(2, days // 10)
    return [
        PhaseData(name="动员部署", start_on=start, end_on=start + dt.timedelta(days=edge - 1)),
        PhaseData(
            name="排查整治", start_on=start + dt.timedelta(days=edge), end_on=end - dt.timedelta(days=edge)
        ),
        PhaseData(name="总结验收", start_on=end - dt.timedelta(days=edge - 1), end_on=end),
    ]


def build(*, rng: random.Random, context: DemoContext) -> list[str]:
    year = demo_inspections.demo_today().year
    officer = context.users["officer"]
    lead = context.departments["应急"]
    kinds = {k.code: k for k in CampaignKind.objects.all()}
    teams = [context.departments[s] for s in load("inspections")["team_units"]]
    members = [*teams, *context.townships]
    # The inspections step plans max(40, firms // 3) outings in the year; a campaign's share of them.
    total = max(40, len(context.enterprise_ids) // 3)
    parent = campaign_create(
        user=officer,
        data=CampaignData(
            kind=kinds["three-year"],
            name=THREE_YEAR,
            start_on=dt.date(year - 1, 1, 1),
            end_on=dt.date(year + 1, 12, 31),
            lead_department=lead,
            member_units=members,
            document_number=f"区安委办〔{year - 1}〕1号",
            description="1个总体方案＋2个专题实施方案＋12个行业领域专项整治实施方案。",
            phases=[
                PhaseData(name="动员部署", start_on=dt.date(year - 1, 1, 1), end_on=dt.date(year - 1, 3, 31)),
                PhaseData(name="排查整治", start_on=dt.date(year - 1, 4, 1), end_on=dt.date(year, 12, 31)),
                PhaseData(name="集中攻坚", start_on=dt.date(year + 1, 1, 1), end_on=dt.date(year + 1, 9, 30)),
                PhaseData(
                    name="巩固提升", start_on=dt.date(year + 1, 10, 1), end_on=dt.date(year + 1, 12, 31)
                ),
            ],
            targets=[
                TargetData(
                    metric=TargetMetric.ENTERPRISES_INSPECTED, target=Decimal(len(context.enterprise_ids))
                ),
                TargetData(metric=TargetMetric.HAZARDS_RECTIFIED, target=Decimal(max(10, total // 2))),
            ],
        ),
    )
    made = 1
    for spec in planned_campaigns(year):
        share = total * spec.share
        sectors = [context.sectors[c] for c in spec.sectors if c in context.sectors]
        targets = [
            TargetData(metric=TargetMetric.INSPECTIONS, target=Decimal(max(1, round(share)))),
            TargetData(metric=TargetMetric.ENTERPRISES_INSPECTED, target=Decimal(max(1, round(share * 2)))),
        ]
        if sectors:
            targets.append(
                TargetData(
                    metric=TargetMetric.ENTERPRISES_INSPECTED,
                    target=Decimal(max(1, round(share))),
                    sector=sectors[0],
                )
            )
        campaign_create(
            user=officer,
            data=CampaignData(
                kind=kinds[_kind(spec.title)],
                name=spec.title,
                parent=parent,
                start_on=spec.start,
                end_on=spec.end,
                lead_department=lead,
                member_units=members,
                sectors=sectors,
                description=f"{spec.title}：各成员单位按行业领域开展检查，发现的隐患登记入台账并跟踪整改。",
                phases=_phases(spec.start, spec.end),
                targets=targets,
            ),
        )
        made += 1
    return [f"专项行动 {made} 项（含三年行动及其 {made - 1} 项子方案）"]


def reset(district: OrgUnit) -> None:
    """Remove the demo's campaigns (after the inspections, hazards and cases tagged to them went)."""
    ours = Campaign.objects.filter(lead_department__path__startswith=district.path)
    ids = list(ours.values_list("pk", flat=True))
    history_purge(Campaign, id__in=ids)
    ours.filter(parent__isnull=False).delete()  # sub-plans before their three-year campaign
    ours.delete()
