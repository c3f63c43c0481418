"""seed_demo step: two years of accidents (事故), so the year-over-year change shows — this year fewer
production-safety accidents and deaths than last — and a year of whistle-blower reports (举报), checked,
some substantiated and rewarded.

Accidents go in through the ledger's bulk service (numbered, with history, as an import would);
reports through their services one by one (recorded, checked, concluded, rewarded), so their history
tells who did what. The texts are in demo/data/accidents.json.
"""

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from accounts.models import Enterprise, Notification, NumberSequence, OrgUnit
from enforcement.choices_tips import TipChannel
from enforcement.models import Tip
from enforcement.services import TipData, tip_check_start, tip_conclude, tip_create, tip_reward
from hazards.models import Accident, AccidentCategory
from hazards.services import AccidentData, accidents_import_many

from .district import DemoContext
from .tables import load

LAST_YEAR_ACCIDENTS = 10  # production-safety accidents last year …
THIS_YEAR_ACCIDENTS = 4  # … and so far this year
TIPS = 36


def _day(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange((end - start).days + 1))


def _firm_picker(context: DemoContext):
    """A firm of a sector in a township, when there is one: (sector code, township) → enterprises."""
    cache: dict[tuple[str, int], list[Enterprise]] = {}

    def pick(rng: random.Random, code: str, township: OrgUnit) -> Enterprise | None:
        key = (code, township.pk)
        if key not in cache:
            cache[key] = list(
                context.enterprises.filter(sectors__code=code, jurisdiction__path__startswith=township.path)
                .select_related("jurisdiction")
                .order_by("pk")[:20]
            )
        return rng.choice(cache[key]) if cache[key] else None

    return pick


def _accidents(rng: random.Random, context: DemoContext, today: dt.date) -> list[AccidentData]:
    table = load("accidents")
    categories = {c.code: c for c in AccidentCategory.objects.all()}
    pick_firm = _firm_picker(context)
    kinds = table["accident_kinds"]
    weights = [k["weight"] for k in kinds]
    last_year = (dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 31))
    this_year = (dt.date(today.year, 1, 1), today)
    rows = []

    def add(kind: dict, on: dt.date, *, production: bool) -> None:
        township = rng.choice(context.townships)
        enterprise = pick_firm(rng, kind["sector"], township) if kind.get("enterprise") else None
        deaths = rng.choice([0, 1, 1, 1, 2]) if production else rng.choice([0, 1])
        rows.append(
            AccidentData(
                occurred_on=on,
                occurred_at=dt.time(rng.randrange(6, 22), rng.choice([0, 15, 30, 45])),
                township=township,
                sector=context.sectors[kind["sector"]],
                category=categories[kind["category"]],
                summary=rng.choice(kind["summaries"]),
                is_production_safety=production,
                deaths=deaths,
                injuries=rng.choice([0, 0, 1, 2]),
                direct_loss=Decimal(rng.randrange(50, 3000)) / 10,
                enterprise=enterprise,
            )
        )

    for period, count in ((last_year, LAST_YEAR_ACCIDENTS), (this_year, THIS_YEAR_ACCIDENTS)):
        for _i in range(count):
            add(rng.choices(kinds, weights)[0], _day(rng, *period), production=True)
        for kind in table["other_kinds"]:
            add(kind, _day(rng, *period), production=False)
    return sorted(rows, key=lambda r: r.occurred_on)


def _tips(rng: random.Random, context: DemoContext, today: dt.date) -> tuple[int, int, int]:
    table = load("accidents")
    officer = context.users["officer"]
    enterprises = list(context.enterprises.select_related("jurisdiction").order_by("pk")[:400])
    channels = [
        TipChannel.HOTLINE,
        TipChannel.HOTLINE,
        TipChannel.PHONE,
        TipChannel.ONLINE,
        TipChannel.LETTER,
        TipChannel.VISIT,
    ]
    substantiated = rewarded = 0
    start = today - dt.timedelta(days=364)
    for _i in range(TIPS):
        text = rng.choice(table["tip_texts"])
        received = _day(rng, start, today)
        tip = tip_create(
            user=officer,
            data=TipData(
                received_on=received,
                channel=rng.choice(channels),
                content=text["text"],
                enterprise=rng.choice(enterprises) if enterprises else None,
                township=None if enterprises else rng.choice(context.townships),
                reporter_name=rng.choice(table["reporters"]),
                reporter_phone=f"139{rng.randrange(10**8):08d}",
            ),
        )
        if (today - received).days < 7:
            continue  # still 已受理
        tip = tip_check_start(user=officer, tip=tip)
        if (today - received).days < 20 and rng.random() < 0.5:
            continue  # still 核查中
        checked = min(today, received + dt.timedelta(days=rng.randrange(3, 15)))
        true = text["result"].startswith("属实")
        tip = tip_conclude(
            user=officer, tip=tip, substantiated=true, checked_on=checked, result=text["result"]
        )
        substantiated += true
        if true and rng.random() < 0.3:
            paid = min(today, checked + dt.timedelta(days=rng.randrange(5, 30)))
            tip_reward(user=officer, tip=tip, amount=Decimal(rng.choice(table["rewards"])), paid_on=paid)
            rewarded += 1
    return TIPS, substantiated, rewarded


def build(*, rng: random.Random, context: DemoContext) -> list[str]:
    today = timezone.localdate()
    rows = _accidents(rng, context, today)
    accidents_import_many(user=context.users["officer"], rows=rows)
    last = sum(1 for r in rows if r.occurred_on.year == today.year - 1 and r.is_production_safety)
    now = sum(1 for r in rows if r.occurred_on.year == today.year and r.is_production_safety)
    received, substantiated, rewarded = _tips(rng, context, today)
    return [
        f"事故 {len(rows)} 起：生产安全事故去年 {last} 起、今年 {now} 起",
        f"举报 {received} 件，核查属实 {substantiated} 件，兑现奖励 {rewarded} 件",
    ]


def reset(district: OrgUnit) -> None:
    """Remove the district's reports and accidents and their history (cases opened from them are the
    cases step's to remove first)."""
    tips = Tip.objects.filter(township__path__startswith=district.path)
    tip_ids = list(tips.values_list("pk", flat=True))
    Notification.objects.filter(
        kind="tip_received", url__in=[tip.get_absolute_url() for tip in tips]
    ).delete()
    tips.delete()
    Tip.history.filter(id__in=tip_ids).delete()
    accidents = Accident.objects.filter(township__path__startswith=district.path)
    accident_ids = list(accidents.values_list("pk", flat=True))
    accidents.delete()
    Accident.history.filter(id__in=accident_ids).delete()
    NumberSequence.objects.filter(series__in=["accident", "tip"], org_unit=district).delete()
