"""Step "statistics": the stored figures (reports.Rollup) the leader's dashboard opens on, so the demo
shows its trend chart and township rankings at once instead of after the first night's roll-up.

Computed after the demo's transaction commits: records saved during the build mark overlapping
roll-ups stale on commit (reports.signals), and figures computed inside the transaction would be
marked stale straight away. What is computed is what the dashboard reads on its default view — this
year and its twelve months for the district, this year for each township and department — not every
period (the nightly roll-up and 重新计算 do the rest).
"""

import random

from django.db import transaction

from accounts.models import OrgUnit
from reports.models import Rollup
from reports.periods import Period, today
from reports.rollups import rollup_compute
from reports.scopes import WHOLE_DISTRICT, StatsScope, scope_units

from .district import DemoContext


def compute_default_view() -> int:
    """Compute and store the default dashboard's roll-ups; returns how many."""
    year = Period.containing("year", today())
    done = 0
    for period in [*year.months(), year]:
        rollup_compute(period=period, stats_scope=WHOLE_DISTRICT)
        done += 1
    for unit in scope_units():
        rollup_compute(period=year, stats_scope=StatsScope(unit))
        done += 1
    return done


def build(*, rng: random.Random, context: DemoContext) -> list[str]:
    transaction.on_commit(compute_default_view)
    return ["统计：提交后计算本年及各月的全区统计、各街镇与部门的本年统计（领导驾驶舱默认视图）"]


def reset(district: OrgUnit) -> None:
    # Township and department rows go with their units; the district-wide rows are the demo's too.
    Rollup.objects.all().delete()
