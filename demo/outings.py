"""What the demo's inspections say, so that a year of them reads like the district summaries.

The summaries count 专项行动 around fixed points of the year (安全生产月 in June, the weeks before the
Spring Festival and National Day, the flood season), leader-led inspections at 市级 (a few), 区级
(many more) and 街镇级, and problems found on a small share of visits. This module plans the outings
(dates, organisers, kinds, leaders, visited firms) and the check results of each visit;
demo.inspections turns them into rows with bulk_create. Pure Python, no queries: the caller hands in
what it looked up. The names, leaders, calendars and findings are in demo/data/inspections.json.
"""

import datetime as dt
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from accounts.models import OrgUnit
from inspections.choices import CheckResultValue, LeaderLevel

from .tables import load

NONCOMPLIANT_SHARE = 0.10  # records with one or two 不符合 items
NO_RESULTS_SHARE = 0.05  # records entered without item results (paper forms typed in later)
NOT_APPLICABLE_SHARE = 0.04


def _table() -> dict:
    return load("inspections")


@dataclass(frozen=True)
class Campaign:
    """A 专项行动 window: its share of the year's actions, the sectors it targets first (none: any)."""

    title: str
    start: dt.date
    end: dt.date
    share: float
    sectors: tuple[str, ...] = ()
    city_led: bool = False  # a 市级 leader opens it, accompanied by 区应急管理局


def campaigns(year: int) -> list[Campaign]:
    """The year's campaigns. 春节 (Spring Festival) falls on a different day each year; the campaign
    before it is given in days before the festival, the others by month and day."""
    table = _table()
    festival = dt.date(year, *table["spring_festival"].get(str(year), (2, 5)))
    found = []
    for spec in table["campaigns"]:
        if "before_spring_festival" in spec:
            first, last = spec["before_spring_festival"]
            start, end = festival - dt.timedelta(days=first), festival - dt.timedelta(days=last)
        else:
            start, end = dt.date(year, *spec["start"]), dt.date(year, *spec["end"])
        sectors = tuple(spec.get("sectors", ()))
        found.append(Campaign(spec["title"], start, end, spec["share"], sectors, spec.get("city_led", False)))
    return found


@dataclass
class Outing:
    """One planned action: when, who organised it, what kind, under which campaign, who led it."""

    date: dt.date
    organizer_pk: int
    kind: str
    firms: list[int]
    note: str = ""
    leader_level: str = ""
    leader_name: str = ""
    experts: str = ""
    unannounced: bool = False  # 四不两直, a flag on the inspection
    campaign: str = ""  # the title of the 专项行动 it belongs to (demo.campaigns made it a Campaign)


@dataclass(frozen=True)
class Leaders:
    township: Mapping[int, Sequence[str]]  # township pk → its leaders, the one in charge last

    def district(self, rng: random.Random) -> str:
        leaders = _table()["district_leaders"]
        return rng.choices(list(leaders), weights=list(leaders.values()))[0]

    def of_township(self, rng: random.Random, pk: int) -> str:
        names = self.township[pk]
        return rng.choices(names, weights=[1, 2, 5][: len(names)])[0]


def township_leaders(rng: random.Random, townships: Sequence[OrgUnit]) -> Leaders:
    table = _table()
    all_titles = table["township_titles"]
    leaders = {}
    for township in townships:
        titles = all_titles.get(township.kind, all_titles["street"])
        if township.name.endswith("乡"):
            titles = all_titles["xiang"]
        leaders[township.pk] = [
            f"{rng.choice(table['surnames'])}{rng.choice(table['given'])}（{title}）" for title in titles
        ]
    return Leaders(township=leaders)


def _day(rng: random.Random, lo: dt.date, hi: dt.date) -> dt.date:
    """A day in [lo, hi]: inspections happen on weekdays, with the odd weekend sweep."""
    span = (hi - lo).days + 1
    day = lo
    for _ in range(4):
        day = lo + dt.timedelta(days=rng.randrange(span))
        if day.weekday() < 5 or rng.random() < 0.1:
            break
    return day


def _pick_firms(rng: random.Random, pool: Sequence[int], counts: Sequence[int]) -> list[int]:
    return rng.sample(pool, k=min(len(pool), rng.choice(counts)))


@dataclass
class Planner:
    """Plans a year's outings; `pools` are the firms each organiser inspects, `firm_sectors` their sectors."""

    rng: random.Random
    departments: Sequence[int]  # organising departments; departments[0] is 区应急管理局
    townships: Sequence[int]
    pools: Mapping[int, Sequence[int]]
    firm_sectors: Mapping[int, set[str]]
    leaders: Leaders

    def __post_init__(self) -> None:
        self._focused: dict[tuple[int, tuple[str, ...]], list[int]] = {}

    def pool(self, organizer_pk: int, sectors: tuple[str, ...]) -> Sequence[int]:
        """The organiser's firms, narrowed to the campaign's sectors when it has some there."""
        base = self.pools[organizer_pk]
        if not sectors:
            return base
        key = (organizer_pk, sectors)
        if key not in self._focused:
            wanted = set(sectors)
            self._focused[key] = [pk for pk in base if self.firm_sectors.get(pk, set()) & wanted]
        return self._focused[key] or base

    def outings(self, *, start: dt.date, today: dt.date, total: int) -> list[Outing]:
        rng = self.rng
        planned: list[Outing] = []
        for campaign in campaigns(start.year):
            lo, hi = max(campaign.start, start), min(campaign.end, today)
            if lo > hi:
                continue  # not begun yet this year
            length = (campaign.end - campaign.start).days + 1
            count = round(total * campaign.share * ((hi - lo).days + 1) / length)
            for i in range(count):
                day = _day(rng, lo, hi)
                city = campaign.city_led and (i == 0 or rng.random() < 0.03)
                planned.append(self._campaign_outing(campaign, day, city=city))
        # Outside campaigns most inspections are routine; 专项/联合 happen now and then. The table's
        # "unannounced" share is 日常检查 carried out 四不两直 (a flag, not a kind).
        ordinary = _table()["ordinary_kinds"]
        kinds, weights = list(ordinary), list(ordinary.values())
        while len(planned) < total:
            day = _day(rng, start, today)
            organizer = rng.choice([*self.departments, *self.townships])
            kind = rng.choices(kinds, weights=weights)[0]
            unannounced = kind == "unannounced"
            outing = self._outing(day, organizer, "routine" if unannounced else kind, campaign=False)
            outing.unannounced = unannounced
            planned.append(outing)
        # Numbers run in date order per organiser, as an office issuing them day by day would.
        planned.sort(key=lambda o: o.date)
        return planned

    def _campaign_outing(self, campaign: Campaign, day: dt.date, *, city: bool) -> Outing:
        rng, table = self.rng, _table()
        # A city leader's inspection is accompanied by 区应急管理局.
        organizer = self.departments[0] if city else rng.choice([*self.departments, *self.townships])
        kinds = table["campaign_kinds"]
        kind = rng.choices(list(kinds), weights=list(kinds.values()))[0]
        outing = self._outing(day, organizer, kind, campaign=True, sectors=campaign.sectors)
        outing.campaign = campaign.title
        if city:
            outing.leader_level, outing.leader_name = LeaderLevel.CITY, rng.choice(table["city_leaders"])
        return outing

    def _outing(
        self, day: dt.date, organizer: int, kind: str, *, campaign: bool, sectors: tuple[str, ...] = ()
    ) -> Outing:
        rng = self.rng
        counts = (2, 2, 3, 4, 5) if kind == "joint" else (1, 2, 2, 3, 4) if campaign else (1, 1, 2, 3, 4)
        outing = Outing(day, organizer, kind, _pick_firms(rng, self.pool(organizer, sectors), counts))
        if kind == "expert" or (kind == "joint" and rng.random() < 0.3):
            outing.experts = "、".join(rng.sample(_table()["experts"], k=rng.choice([1, 2])))
        # 重要节假日、重点时段 the district's leaders go out far more often.
        if organizer in self.leaders.township:
            if rng.random() < (0.22 if campaign else 0.08):
                outing.leader_level = LeaderLevel.TOWNSHIP
                outing.leader_name = self.leaders.of_township(rng, organizer)
            elif rng.random() < 0.06:  # a district leader's 联点督导 of the town
                outing.leader_level, outing.leader_name = LeaderLevel.DISTRICT, self.leaders.district(rng)
        elif rng.random() < (0.30 if campaign else 0.12):
            outing.leader_level, outing.leader_name = LeaderLevel.DISTRICT, self.leaders.district(rng)
        return outing


def finding_of(title: str, rng: random.Random) -> str:
    """发现问题 as inspectors write them for the item `title`, or one made from the title."""
    found = _table()["findings"].get(title)
    if found:
        return rng.choice(found)
    return f"未{title[2:]}" if title.startswith("是否") else f"{title}不符合要求"


def visit_results(
    rng: random.Random, items: Sequence[tuple[int, str]]
) -> tuple[list[tuple[int, str, str]], str]:
    """One visit's (item id, result, note) rows and its 发现问题 text. Most items 符合; on about one
    visit in ten one or two are 不符合, each with what was found."""
    if not items or rng.random() < NO_RESULTS_SHARE:
        return [], ""
    bad: set[int] = set()
    if rng.random() < NONCOMPLIANT_SHARE:
        bad = {pk for pk, _ in rng.sample(list(items), k=min(len(items), rng.choice([1, 1, 2])))}
    rows, problems = [], []
    for pk, title in items:
        if pk in bad:
            problem = finding_of(title, rng)
            problems.append(problem)
            rows.append((pk, CheckResultValue.NONCOMPLIANT, problem))
        elif rng.random() < NOT_APPLICABLE_SHARE:
            rows.append((pk, CheckResultValue.NOT_APPLICABLE, ""))
        else:
            rows.append((pk, CheckResultValue.COMPLIANT, ""))
    if not problems:
        return rows, ""
    follow_ups = _table()["follow_ups"]
    if len(problems) == 1:
        return rows, f"{problems[0]}。{rng.choice(follow_ups)}"
    listed = "；".join(f"{n}. {p}" for n, p in enumerate(problems, start=1))
    return rows, f"{listed}。{rng.choice(follow_ups)}"
