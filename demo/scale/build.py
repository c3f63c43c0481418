"""seed_scale's order of work: the city (one transaction), then month after month of records (one
transaction a month, so a city load holds no more than a month of deferred FK checks), then the history
rows, the number counters, the sequences and ANALYZE."""

import datetime as dt
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from accounts.models import Sector
from core.tallies import tallies_rebuild
from inspections.models import CheckItem

from ..inspections import check_items, item_code
from .city import city_build
from .history import history_tables, history_write
from .loader import Loader, analyze, fk_triggers_off, fk_triggers_on, fk_verify, sequences_reset
from .records import COLUMNS, Generator


class ScaleError(Exception):
    """The load finished with rows that point nowhere (a generator bug): the message names the FKs."""


@dataclass(frozen=True)
class Size:
    enterprises: int
    years: int


SIZES = {"small": Size(1_000, 2), "city": Size(50_000, 5)}
# 街道/乡镇/管理处: one per 400 enterprises (the city: 125, ten districts' worth), at least four.
FIRMS_PER_TOWNSHIP = 400

LABELS = {
    "accounts_orgunit": "组织单位",
    "accounts_user": "用户",
    "accounts_enterprise": "生产经营单位",
    "accounts_enterprise_sectors": "单位行业领域",
    "inspections_inspectionaction": "检查行动",
    "inspections_inspectionaction_members": "检查人员",
    "inspections_inspectionrecord": "检查记录",
    "inspections_checkresult": "检查结果",
    "hazards_hazard": "隐患",
    "hazards_hazard_sectors": "隐患行业领域",
    "hazards_hazardevent": "隐患处理记录",
    "hazards_rectification": "整改记录",
    "enforcement_case": "案件",
    "enforcement_caseevent": "案件处理记录",
    "enforcement_penalty": "处罚",
    "enforcement_case_articles": "案件法律依据",
    "enforcement_case_officers": "案件承办人",
    "hazards_accident": "事故",
    "campaigns_activity": "活动",
    "campaigns_activityquantity": "活动数量",
    "accounts_numbersequence": "编号计数器",
}


def _check_items() -> None:
    """The published 检查事项 (the demo's list) if the database has none: check results need them."""
    if CheckItem.objects.exists():
        return
    sectors = {s.code: s for s in Sector.objects.all()}
    CheckItem.objects.bulk_create(
        [
            CheckItem(sector=sectors[code], code=item_code(code, i), title=title, order=i)
            for code, titles in check_items().items()
            if code in sectors
            for i, title in enumerate(titles, 1)
        ],
        ignore_conflicts=True,
    )


def scale_build(
    *, seed: int, enterprises: int, years: int, end_year: int, write: Callable[[str], None]
) -> Loader:
    """Load the city; `write` gets the progress lines. Returns the loader (rows and seconds per table)."""
    triggers_off = fk_triggers_off()
    try:
        return _build(seed=seed, enterprises=enterprises, years=years, end_year=end_year, write=write)
    finally:
        if triggers_off:
            fk_triggers_on()


def _build(*, seed: int, enterprises: int, years: int, end_year: int, write: Callable[[str], None]) -> Loader:
    rng = random.Random(seed)
    today = timezone.localdate()
    until = min(today, dt.date(end_year, 12, 31))
    first_year = end_year - years + 1
    started = time.monotonic()
    loader = Loader(COLUMNS)
    townships = max(4, min(125, round(enterprises / FIRMS_PER_TOWNSHIP)))
    with transaction.atomic():
        _check_items()
        at = timezone.make_aware(dt.datetime(first_year, 1, 1, 9, 0))
        city = city_build(rng=rng, loader=loader, enterprises=enterprises, townships=townships, start=at)
    write(
        f"城市：街道/乡镇 {townships} 个，生产经营单位 {enterprises:,} 家，"
        f"用户 {loader.stats['accounts_user'].rows:,} 个 … {time.monotonic() - started:.1f} s"
    )
    generator = Generator(rng=rng, city=city, loader=loader, today=today, until=until)
    for year in range(first_year, end_year + 1):
        before = {t: s.rows for t, s in loader.stats.items()}
        for month in range(1, 13):
            with transaction.atomic():
                generator.month(year, month)
                loader.flush()

        def added(table: str, before=before) -> str:
            return f"{loader.stats[table].rows - before.get(table, 0):,}" if table in loader.stats else "0"

        write(
            f"{year} 年：检查记录 {added('inspections_inspectionrecord')} 条，隐患 {added('hazards_hazard')} 条，"
            f"隐患处理记录 {added('hazards_hazardevent')} 条，案件 {added('enforcement_case')} 件，"
            f"事故 {added('hazards_accident')} 起，活动 {added('campaigns_activity')} 次 … "
            f"{time.monotonic() - started:.1f} s"
        )
    # The history rows join the loaded tables: the planner needs their statistics first.
    analyze(sorted(loader.stats))
    with transaction.atomic():
        generator.number_sequences()
        history_write(loader, dict(loader.first))
    write(f"历史记录 … {time.monotonic() - started:.1f} s")
    broken = fk_verify(dict(loader.first))
    if broken:
        raise ScaleError("外键指向不存在的行：" + "；".join(broken))
    write(f"外键核对 … {time.monotonic() - started:.1f} s")
    tables = sorted(set(loader.stats) | set(history_tables()))
    sequences_reset(tables)
    analyze(sorted(set(history_tables()) | {"accounts_numbersequence"}))  # the others were analysed above
    # The load ran with triggers off: the tallied tables' row counts (core.tallies) are counted afresh.
    tallies_rebuild()
    write(f"序列与统计信息（ANALYZE） … {time.monotonic() - started:.1f} s")
    return loader


def report_lines(loader: Loader) -> list[str]:
    lines = []
    for table, stat in sorted(loader.stats.items(), key=lambda item: -item[1].rows):
        label = LABELS.get(table, table)
        lines.append(f"{label} {stat.rows:,} 条 … {stat.seconds:.1f} s（{table}）")
    return lines
