"""The records of seed_scale, one month of the city at a time: inspection actions with their records and
check results, the hazards they (and self-checks, experts, tips) found with each hazard's whole story
(events, rectification, 销号, 逾期, 挂牌督办), the cases opened from them (events, penalties), accidents
and activities with their quantities.

Every count is a rate per enterprise-year (RATES, taken from the city figures: 50,000 enterprises over
five years give 500,000 records, 2,000,000 hazards, 100,000 cases), shaped by the season, so any
--enterprises/--years is consistent. Numbers, event kinds and their order, state fields and flags are the
ones the services write (hazards.services, inspections.services.actions, enforcement.services.cases).
"""

import calendar
import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings

from accounts.models import NumberSequence
from campaigns.models import ActivitySubtype, QuantityUnit
from enforcement.choices import CaseEventKind, CaseProcedure, CaseSource, CaseState, DeadlineFlag, PenaltyKind
from enforcement.models import LegalArticle
from hazards.choices import EventKind, HazardLevel, HazardSource, HazardState, ListingLevel
from hazards.models import AccidentCategory, HazardCategory
from inspections.choices import ActionStatus, CheckResultValue, LeaderLevel
from inspections.models import CheckItem, InspectionKind

from ..tables import load
from .city import SCALE_SHORT, City, Firm, Picker, person
from .loader import Loader

# Per enterprise-year, from the city figures (50,000 enterprises, 5 years).
RATES = {
    "records": 2.0,  # 500,000 检查记录
    "other_hazards": 3.2,  # 企业自查 and the rest; with ~2.4 per inspection record: 2,000,000 隐患
    "cases": 0.4,  # 100,000 案件
    "accidents": 0.006,  # 300 a year
    "activities": 0.16,  # 40,000 活动
}
# Share of each month in a year's work: slow around 春节, the 安全生产月 in June, the year-end push.
SEASON = (0.6, 0.55, 0.95, 1.0, 1.0, 1.35, 0.95, 0.9, 1.1, 1.0, 1.1, 1.5)
STUCK_SHARE = 0.02  # hazards never closed, found more than 60 days ago
MAJOR_SHARE = 0.015
LISTED_SHARE = 0.4  # of the major ones
QUICK_SHARE, LATE_SHARE = 0.45, 0.08

COLUMNS = {
    "accounts_orgunit": ("id", "name", "short_name", "kind", "path", "depth", "order", "is_active", "created",
                         "updated", "parent_id"),
    "accounts_orgunit_supervised_sectors": ("id", "orgunit_id", "sector_id"),
    "accounts_user": ("id", "password", "last_login", "is_superuser", "username", "first_name", "last_name",
                      "email", "is_staff", "is_active", "date_joined", "name", "role", "phone", "org_unit_id",
                      "enforcement_cert_expiry", "enforcement_cert_no"),
    "accounts_enterprise": ("id", "uscc", "name", "scale", "status", "address", "longitude", "latitude",
                            "contact_person", "contact_phone", "is_fire_key_unit", "has_major_hazard_source",
                            "created", "updated", "jurisdiction_id", "supervising_department_id",
                            "risk_grade_id", "version"),
    "accounts_enterprise_sectors": ("id", "enterprise_id", "sector_id"),
    "accounts_numbersequence": ("id", "series", "year", "last", "org_unit_id"),
    "inspections_inspectionaction": ("id", "number", "date", "experts", "person_count", "is_leader_led",
                                     "leader_name", "leader_level", "status", "note", "created", "updated",
                                     "created_by_id", "organizer_id", "kind_id", "cert_unverified",
                                     "is_unannounced", "plan_id", "campaign_id"),
    "inspections_inspectionaction_members": ("id", "inspectionaction_id", "user_id"),
    "inspections_inspectionrecord": ("id", "findings", "note", "created", "updated", "action_id",
                                     "enterprise_id", "number", "issued_at", "issued_by_id", "supersedes_id"),
    "inspections_checkresult": ("id", "result", "note", "item_id", "record_id"),
    "hazards_hazard": ("id", "number", "source", "level", "description", "location", "found_on", "deadline",
                       "responsible_person", "measures", "funds", "contingency_plan", "state", "closed_on",
                       "is_overdue", "overdue_since", "listing_level", "listed_on", "listing_leader",
                       "listing_document", "delisted_on", "created", "updated", "check_result_id",
                       "created_by_id", "enterprise_id", "inspection_record_id", "jurisdiction_id",
                       "responsible_unit_id", "supervising_department_id", "township_id", "category_id",
                       "campaign_id"),
    "hazards_hazard_sectors": ("id", "hazard_id", "sector_id"),
    "hazards_hazardevent": ("id", "kind", "from_state", "to_state", "note", "at", "extension_id", "hazard_id",
                            "user_id", "rectification_id"),
    "hazards_rectification": ("id", "text", "done_on", "created", "created_by_id", "hazard_id"),
    "enforcement_case": ("id", "number", "source", "procedure", "cause", "facts", "state", "opened_on",
                         "decided_on", "closed_on", "deadline", "deadline_flag", "hearing_requested",
                         "decision_summary", "outcome_reason", "transferred_to", "created", "updated",
                         "created_by_id", "enterprise_id", "handling_unit_id", "jurisdiction_id",
                         "source_hazard_id", "source_record_id", "township_id", "source_accident_id",
                         "source_tip_id", "campaign_id"),
    "enforcement_case_articles": ("id", "case_id", "legalarticle_id"),
    "enforcement_case_officers": ("id", "case_id", "user_id"),
    "enforcement_caseevent": ("id", "kind", "from_state", "to_state", "note", "at", "case_id", "user_id",
                              "extension_id", "measure_id"),
    "enforcement_penalty": ("id", "target", "person_name", "person_title", "kind", "amount", "detail",
                            "created", "case_id"),
    "hazards_accident": ("id", "number", "occurred_on", "occurred_at", "is_production_safety", "grade",
                         "deaths", "injuries", "direct_loss", "summary", "created", "updated",
                         "created_by_id", "enterprise_id", "sector_id", "township_id", "category_id"),
    "campaigns_activity": ("id", "date", "end_date", "theme", "sessions", "participants", "place",
                           "talk_reason", "notes", "created", "updated", "campaign_id", "created_by_id",
                           "organiser_id", "subtype_id", "type_id"),
    "campaigns_activityquantity": ("id", "amount", "activity_id", "unit_id"),
}  # fmt: skip

_CAUSES = (
    "未按规定开展事故隐患排查治理",
    "未采取措施消除事故隐患",
    "安全设备未经常性维护、保养",
    "未如实记录安全生产教育和培训情况",
    "特种作业人员未持证上岗作业",
    "消防设施、器材未保持完好有效",
    "未按规定设置安全警示标志",
    "危险物品未按规定储存",
)
_ACTIVITY_THEMES = {
    "publicity": (
        "安全生产月集中宣传咨询日",
        "“安全生产进万家”宣传活动",
        "消防安全知识进社区",
        "防灾减灾日宣传",
    ),
    "training": (
        "主要负责人和安全管理人员培训",
        "特种作业人员安全培训",
        "一线从业人员安全培训",
        "网格员业务培训",
    ),
    "drill": ("消防疏散演练", "危化品泄漏应急演练", "防汛应急演练", "电梯困人救援演练"),
    "meeting": ("安全生产工作例会", "安委会全体会议", "安全生产专题会议", "消防工作联席会议"),
}


@dataclass
class Counters:
    """Gap-free serials as the services issue them, per (series, unit, year); saved as NumberSequence."""

    last: Counter = field(default_factory=Counter)
    # Series whose numbers are unique across districts (YH…, SG…): start past what is there already.
    floor: dict[tuple[str, int], int] = field(default_factory=dict)

    def next(self, series: str, unit: int, year: int) -> int:
        key = (series, unit, year)
        if key not in self.last:
            self.last[key] = self.floor.get((series, year), 0)
        self.last[key] += 1
        return self.last[key]


class Clock:
    """Times in office hours on given days, each after the one before (a timeline's order)."""

    def __init__(self, rng: random.Random, tz: ZoneInfo) -> None:
        self.rng, self.tz, self.last = rng, tz, None

    def at(self, day: dt.date, early: bool = False) -> dt.datetime:
        minutes = 30 if early else self.rng.randint(8 * 60 + 30, 17 * 60 + 30)
        moment = dt.datetime(day.year, day.month, day.day, minutes // 60, minutes % 60, tzinfo=self.tz)
        if self.last is not None and moment <= self.last:
            moment = self.last + dt.timedelta(minutes=self.rng.randint(3, 40))
        self.last = moment
        return moment


@dataclass
class Found:
    """A hazard about to be numbered: what found it, where, when."""

    firm: Firm
    found_on: dt.date
    source: str
    creator: int
    record: int | None = None
    result: int | None = None
    spec: tuple = ()


class Generator:
    def __init__(
        self, *, rng: random.Random, city: City, loader: Loader, today: dt.date, until: dt.date
    ) -> None:
        self.rng, self.city, self.loader, self.today, self.until = rng, city, loader, today, until
        self.tz = ZoneInfo(settings.TIME_ZONE)
        self.counters = Counters()
        for series, year, last in NumberSequence.objects.filter(
            series__in=("hazard", "accident")
        ).values_list("series", "year", "last"):
            self.counters.floor[(series, year)] = max(self.counters.floor.get((series, year), 0), last)
        firms = city.firms
        self.firm_pick = Picker(firms, [f.weight for f in firms])
        by_town: dict[int, list[Firm]] = {}
        by_dept: dict[int, list[Firm]] = {}
        for firm in firms:
            by_town.setdefault(firm.township, []).append(firm)
            by_dept.setdefault(firm.department, []).append(firm)
        self.town_firms = {k: Picker(v, [f.weight for f in v]) for k, v in by_town.items()}
        self.dept_firms = {k: Picker(v, [f.weight for f in v]) for k, v in by_dept.items()}
        self.units = {u.pk: u for u in [city.district, *city.townships, *city.departments.values()]}
        self.town_pick = Picker(city.townships, [len(by_town.get(t.pk, ())) + 1 for t in city.townships])
        kinds = {k.code: k.pk for k in InspectionKind.objects.all()}
        weights = {"routine": 50, "special": 15, "joint": 5, "random": 10, "covert": 3, "follow-up": 8,
                   "expert": 4, "supervision": 5}  # fmt: skip
        wanted = [c for c in weights if c in kinds] or list(kinds)
        self.kind_pick = Picker([kinds[c] for c in wanted], [weights.get(c, 1) for c in wanted])
        self.items: dict[int, list[int]] = {}
        for pk, sector in CheckItem.objects.filter(is_active=True).values_list("pk", "sector_id"):
            self.items.setdefault(sector, []).append(pk)
        self.any_items = [pk for items in self.items.values() for pk in items]
        table = load("hazards")
        self.general = [
            (t["category"], t["description"], t["location"], t["measures"]) for t in table["general"]
        ]
        self.major = [(t["category"], t["description"], t["location"], t["measures"]) for t in table["major"]]
        self.rectified = table["rectified"]
        self.deadline_days = table["deadline_days"]
        self.leaders = table["listing_leaders"]
        self.offices = {ListingLevel.DISTRICT: SCALE_SHORT, **table["listing_offices"]}
        sources = {k: v for k, v in table["other_sources"].items() if k != "self"}
        self.other_source = Picker(list(sources), list(sources.values()))
        self.categories = dict(HazardCategory.objects.values_list("code", "pk"))
        self.source_label = {k: str(v) for k, v in HazardSource.choices}
        self.articles = list(LegalArticle.objects.filter(is_active=True).values_list("pk", flat=True))
        self.accident_categories = list(AccidentCategory.objects.values_list("pk", flat=True))
        subtypes = ActivitySubtype.objects.filter(is_active=True, is_talk=False).select_related("type")
        self.subtypes = [(s.pk, s.type_id, s.type.code) for s in subtypes]
        self.quantity_units = list(QuantityUnit.objects.filter(is_active=True).values_list("pk", "code"))
        self.officer = city.users["scale_officer"]
        # Fire and construction cases go to 消防 and 住建, the rest to 应急 (as in the demo).
        self.enforcer_of = {
            city.departments[s].pk: city.departments[s] for s in ("住建", "消防") if s in city.departments
        }
        self.listing_serial: Counter = Counter()

    # ------------------------------------------------------------ helpers

    def _count(self, rate: float, month_share: float) -> int:
        """A Poisson-free rounding of the expected count: the same total whatever the seed."""
        expected = rate * len(self.city.firms) / 12 * month_share
        whole = int(expected)
        return whole + (1 if self.rng.random() < expected - whole else 0)

    def _day(self, first: dt.date, last: dt.date) -> dt.date:
        span = (last - first).days
        for _ in range(3):  # offices work on weekdays, mostly
            day = first + dt.timedelta(days=self.rng.randint(0, span))
            if day.weekday() < 5:
                return day
        return day

    def _time(self, day: dt.date, hour: int | None = None) -> dt.datetime:
        hour = hour if hour is not None else self.rng.randint(9, 17)
        return dt.datetime(day.year, day.month, day.day, hour, self.rng.randint(0, 59), tzinfo=self.tz)

    def _staff(self, unit_id: int) -> list[int]:
        return self.units[unit_id].users or [self.officer]

    # ------------------------------------------------------------ a month

    def month(self, year: int, month: int) -> None:
        first = dt.date(year, month, 1)
        last = min(dt.date(year, month, calendar.monthrange(year, month)[1]), self.until)
        if last < first:
            return
        share = SEASON[month - 1] * ((last - first).days + 1) / calendar.monthrange(year, month)[1]
        found = self._inspections(first, last, share)
        found += self._other_hazards(first, last, share)
        found.sort(key=lambda f: f.found_on)
        hazards = [self._hazard(f) for f in found]
        records = [f for f in found if f.record is not None]
        self._cases(first, last, share, hazards, records)
        self._accidents(first, last, share)
        self._activities(first, last, share)

    # ------------------------------------------------------------ inspections

    def _inspections(self, first: dt.date, last: dt.date, share: float) -> list[Found]:
        rng, total = self.rng, self._count(RATES["records"], share)
        actions = []
        while total > 0:
            firm = self.firm_pick(rng)
            roll = rng.random()
            if roll < 0.6:
                organizer, pool = firm.township, self.town_firms[firm.township]
            elif roll < 0.95:
                organizer, pool = firm.department, self.dept_firms[firm.department]
            else:
                organizer, pool = self.city.district.pk, self.firm_pick
            size = min(total, 1 + min(int(rng.expovariate(1 / 1.5)), 5))
            visited = {firm.pk: firm}
            for _ in range(size * 2):
                if len(visited) >= size:
                    break
                other = pool(rng)
                visited.setdefault(other.pk, other)
            total -= len(visited)
            actions.append((self._day(first, last), organizer, list(visited.values())))
        actions.sort(key=lambda a: a[0])
        found: list[Found] = []
        for day, organizer, firms in actions:
            found += self._action(day, organizer, firms)
        return found

    def _action(self, day: dt.date, organizer: int, firms: list[Firm]) -> list[Found]:
        rng, loader, unit = self.rng, self.loader, self.units[organizer]
        staff = self._staff(organizer) if organizer != self.city.district.pk else self.city.district.users
        staff = staff or [self.officer]
        members = rng.sample(staff, k=min(len(staff), rng.choice((2, 2, 2, 3))))
        if len(members) < 2 and self.officer not in members:
            members.append(self.officer)
        leader = rng.random() < 0.03
        pk = loader.next_id("inspections_inspectionaction")
        label = unit.short or unit.name
        number = f"{label}检〔{day.year}〕{self.counters.next('inspection', organizer, day.year)}号"
        at = self._time(day, 17)
        loader.add(
            "inspections_inspectionaction",
            (pk, number, day, "", len(members), leader, person(rng) if leader else "",
             (LeaderLevel.DISTRICT if unit.kind == "department" else LeaderLevel.TOWNSHIP) if leader else "",
             ActionStatus.DONE, "", at, at, members[0], organizer, self.kind_pick(rng), False,
             rng.random() < 0.1, None, None),
        )  # fmt: skip
        for user in members:
            loader.add(
                "inspections_inspectionaction_members",
                (loader.next_id("inspections_inspectionaction_members"), pk, user),
            )
        found = []
        for firm in firms:
            found += self._record(day, at, pk, organizer, label, firm, members[0])
        return found

    def _record(self, day, at, action, organizer, label, firm, inspector) -> list[Found]:
        rng, loader = self.rng, self.loader
        pk = loader.next_id("inspections_inspectionrecord")
        number = f"{label}现检〔{day.year}〕{self.counters.next('inspection-record', organizer, day.year)}号"
        count = 0 if rng.random() < 0.35 else 1 + min(int(rng.expovariate(1 / 3.2)), 25)
        specs = [rng.choice(self.general) for _ in range(count)]
        findings = "；".join(s[1] for s in specs[:3]) + ("等" if count > 3 else "")
        issued = at if (self.today - day).days > 3 or rng.random() < 0.5 else None
        loader.add(
            "inspections_inspectionrecord",
            (pk, findings, "", at, at, action, firm.pk, number, issued, inspector if issued else None, None),
        )
        items = self.items.get(firm.sectors[0]) or self.any_items
        shown = rng.sample(items, k=min(len(items), rng.randint(min(count, 3), 3))) if items else []
        results = []
        for i, item in enumerate(shown):
            result_pk = loader.next_id("inspections_checkresult")
            bad = i < count
            value = (
                CheckResultValue.NONCOMPLIANT
                if bad
                else rng.choice((CheckResultValue.COMPLIANT,) * 4 + (CheckResultValue.NOT_APPLICABLE,))
            )
            loader.add("inspections_checkresult", (result_pk, value, specs[i][1] if bad else "", item, pk))
            if bad:
                results.append(result_pk)
        return [
            Found(
                firm,
                day,
                HazardSource.INSPECTION,
                inspector,
                pk,
                results[i] if i < len(results) else None,
                spec,
            )
            for i, spec in enumerate(specs)
        ]

    def _other_hazards(self, first: dt.date, last: dt.date, share: float) -> list[Found]:
        rng, found = self.rng, []
        for _ in range(self._count(RATES["other_hazards"], share)):
            firm = self.firm_pick(rng)
            source = HazardSource.SELF_REPORT if rng.random() < 0.75 else self.other_source(rng)
            creator = rng.choice(self._staff(firm.township))
            found.append(Found(firm, self._day(first, last), source, creator, spec=rng.choice(self.general)))
        return found

    # ------------------------------------------------------------ hazards

    def _hazard(self, f: Found) -> tuple:
        """Number, story and rows of one hazard; returns (pk, firm, found_on, level, number, description)."""
        rng, loader, today, firm = self.rng, self.loader, self.today, f.firm
        major = f.source != HazardSource.INSPECTION and rng.random() < MAJOR_SHARE * 2.5
        category, description, location, measures = rng.choice(self.major) if major else f.spec
        pk = loader.next_id("hazards_hazard")
        year = f.found_on.year
        number = f"YH{year}{self.counters.next('hazard', self.city.district.pk, year):05d}"
        span = rng.choice((60, 90, 120)) if major else rng.choice(self.deadline_days)
        deadline = f.found_on + dt.timedelta(days=span)
        follower_unit = firm.department if rng.random() < 0.15 else firm.township
        follower = rng.choice(self._staff(follower_unit))
        verifier = self.officer if rng.random() < 0.7 else rng.choice(self._staff(firm.department))
        clock = Clock(rng, self.tz)
        events: list[tuple] = []  # (day, early, kind, from, to, note, user, rectification)

        # How long it took, as demo.hazard_stories tells it.
        if not major and rng.random() < LATE_SHARE:
            took = span + rng.randint(1, 20)
        elif not major and rng.random() < QUICK_SHARE:
            took = rng.randint(1, 3)
        else:
            took = rng.randint(max(1, span // 5), max(1, span * 3 // 5))
        stuck = (today - f.found_on).days > 60 and not major and rng.random() < STUCK_SHARE
        close_on = f.found_on + dt.timedelta(days=took)
        closed = not stuck and close_on < today
        start_on = f.found_on + dt.timedelta(days=min(rng.randint(0, 2), took - 1))
        submit_on = max(start_on, close_on - dt.timedelta(days=rng.choice((0, 1, 1, 2, 3, 5))))
        events.append(
            (f.found_on, False, EventKind.CREATED, "", "", self.source_label[f.source], f.creator, None)
        )
        state, closed_on, rect_pk = HazardState.OPEN, None, None
        if today > start_on and not (stuck and rng.random() < 0.3):
            rect_pk = loader.next_id("hazards_rectification")
            text = rng.choice(self.rectified).format(measures=measures or "按整改要求落实")
            if not (today > submit_on):
                text = "已制定整改方案，正在组织整改。"
            events.append(
                (
                    start_on,
                    False,
                    EventKind.TRANSITION,
                    HazardState.OPEN,
                    HazardState.RECTIFYING,
                    "开始整改",
                    follower,
                    None,
                )
            )
            events.append((start_on, False, EventKind.RECTIFICATION, "", "", text, follower, rect_pk))
            state = HazardState.RECTIFYING
        if state == HazardState.RECTIFYING and today > submit_on and not stuck:
            events.append(
                (
                    submit_on,
                    False,
                    EventKind.TRANSITION,
                    HazardState.RECTIFYING,
                    HazardState.VERIFYING,
                    "",
                    follower,
                    None,
                )
            )
            state = HazardState.VERIFYING
        if state == HazardState.VERIFYING and closed:
            events.append(
                (
                    close_on,
                    False,
                    EventKind.TRANSITION,
                    HazardState.VERIFYING,
                    HazardState.CLOSED,
                    "复查合格，予以销号",
                    verifier,
                    None,
                )
            )
            state, closed_on = HazardState.CLOSED, close_on
        is_overdue, overdue_since = False, None
        if deadline < (closed_on or today):
            overdue_since = deadline + dt.timedelta(days=1)
            is_overdue = closed_on is None
            events.append((overdue_since, True, EventKind.OVERDUE, "", "", "超过整改期限", None, None))
        listing = ("", None, "", "", None)
        if major and rng.random() < LISTED_SHARE:
            level = rng.choices((ListingLevel.DISTRICT, ListingLevel.CITY, ListingLevel.PROVINCE), (5, 3, 1))[
                0
            ]
            end = min(today, closed_on or today)
            listed_on = min(end, f.found_on + dt.timedelta(days=rng.randint(3, 20)))
            self.listing_serial[(level, listed_on.year)] += rng.randint(1, 3)
            serial = self.listing_serial[(level, listed_on.year)]
            document = f"{self.offices[level]}安委办〔{listed_on.year}〕{serial}号"
            label = str(ListingLevel(level).label)
            events.append(
                (listed_on, False, EventKind.LISTED, "", "", f"{label} {document}", self.officer, None)
            )
            delisted = None
            if closed_on and closed_on < today and rng.random() < 0.8:
                delisted = min(today, closed_on + dt.timedelta(days=rng.randint(1, 10)))
                events.append((delisted, False, EventKind.DELISTED, "", "", "", self.officer, None))
            listing = (level, listed_on, rng.choice(self.leaders[level]), document, delisted)
        events.sort(key=lambda e: (e[0], not e[1]))
        timed = [(clock.at(day, early), *rest) for day, early, *rest in events]
        for at, kind, before, after, note, user, rect in timed:
            loader.add(
                "hazards_hazardevent",
                (loader.next_id("hazards_hazardevent"), kind, before, after, note, at, None, pk, user, rect),
            )
            if rect is not None:
                loader.add("hazards_rectification", (rect, note, at.date(), at, user, pk))
        created, updated = timed[0][0], timed[-1][0]
        loader.add(
            "hazards_hazard",
            (pk, number, f.source, HazardLevel.MAJOR if major else HazardLevel.GENERAL, description, location,
             f.found_on, deadline, firm.contact if (major or rng.random() < 0.7) else "", measures,
             Decimal(f"{rng.uniform(3, 150):.2f}") if major else None,
             "整改期间设置警戒区域，专人24小时值守，配备应急物资，发现异常立即停止作业、撤离人员并报告。" if major else "",
             state, closed_on, is_overdue, overdue_since, *listing, created, updated, f.result, f.creator,
             firm.pk,
             f.record, firm.jurisdiction, follower_unit, firm.department, firm.township,
             self.categories.get(category) or self.categories.get("other"), None),
        )  # fmt: skip
        for sector in firm.sectors:
            loader.add("hazards_hazard_sectors", (loader.next_id("hazards_hazard_sectors"), pk, sector))
        return (pk, firm, f.found_on, major, number, description)

    # ------------------------------------------------------------ cases

    def _cases(self, first, last, share, hazards: list[tuple], records: list[Found]) -> None:
        rng, wanted = self.rng, self._count(RATES["cases"], share)
        majors = [h for h in hazards if h[3]]
        sources = []
        for h in majors[:wanted]:
            sources.append(("hazard", h))
        while len(sources) < wanted and (hazards or records):
            if records and (rng.random() < 0.45 or not hazards):
                sources.append(("record", rng.choice(records)))
            else:
                sources.append(("hazard", rng.choice(hazards)))
        opened = []
        for kind, src in sources:
            day = (src[2] if kind == "hazard" else src.found_on) + dt.timedelta(days=rng.randint(0, 10))
            if day <= self.today:
                opened.append((day, kind, src))
        opened.sort(key=lambda o: o[0])
        for day, kind, src in opened:
            self._case(day, kind, src)

    def _case(self, opened_on: dt.date, kind: str, src) -> None:
        rng, loader, today = self.rng, self.loader, self.today
        if kind == "hazard":
            hazard_pk, firm, _, major, hazard_number, description = src
            record_pk, source = None, CaseSource.HAZARD
            origin = f"（来源隐患 {hazard_number}）"
        else:
            hazard_pk, firm, major, record_pk, source = (
                None,
                src.firm,
                False,
                src.record,
                CaseSource.INSPECTION,
            )
            description, origin = src.spec[1], ""
        unit = self.enforcer_of.get(firm.department) or self.city.departments["应急"]
        staff = self._staff(unit.pk)
        officers = rng.sample(staff, k=min(2, len(staff)))
        pk = loader.next_id("enforcement_case")
        serial = self.counters.next("case", unit.pk, opened_on.year)
        number = f"{unit.short or unit.name}案〔{opened_on.year}〕{serial}号"
        procedure = CaseProcedure.SIMPLE if not major and rng.random() < 0.25 else CaseProcedure.GENERAL
        cause = rng.choice(_CAUSES)
        clock = Clock(rng, self.tz)
        events = [(opened_on, CaseEventKind.CREATED, "", "", f"立案：{cause}{origin}", officers[0])]
        state, decided_on, closed_on, hearing = CaseState.OPEN, None, None, False
        summary, reason, transferred = "", "", ""
        penalties: list[tuple] = []

        def step(after: dt.date, lo: int, hi: int) -> dt.date | None:
            day = after + dt.timedelta(days=rng.randint(lo, hi))
            return day if day <= today else None

        def move(day: dt.date, to: str, note: str = "", user: int | None = None) -> None:
            nonlocal state
            events.append((day, CaseEventKind.TRANSITION, state, to, note, user or officers[0]))
            state = to

        day = opened_on
        if procedure == CaseProcedure.SIMPLE:
            penalties = self._penalties(firm, simple=True)
            decided_on = day
            move(day, CaseState.DECIDED, self._decision_note(penalties))
            closing = step(day, 0, 7)
            if closing:
                closed_on = closing
                move(closing, CaseState.CLOSED)
        else:
            path = [(CaseState.INVESTIGATING, 1, 5), (CaseState.NOTIFIED, 10, 40)]
            hearing = rng.random() < 0.05
            if hearing:
                path.append((CaseState.HEARING, 5, 15))
            for to, lo, hi in path:
                nxt = step(day, lo, hi)
                if nxt is None:
                    break
                day = nxt
                move(day, to)
            else:
                roll, nxt = rng.random(), step(day, 5, 20)
                if nxt is not None and roll < 0.04:
                    reason, closed_on = "违法行为轻微并及时改正，没有造成危害后果", nxt
                    move(nxt, CaseState.NO_PENALTY, reason)
                elif nxt is not None and roll < 0.06:
                    transferred, closed_on = "公安机关", nxt
                    reason = "涉嫌犯罪，依法移送"
                    move(nxt, CaseState.TRANSFERRED, reason)
                elif nxt is not None:
                    decided_on = nxt
                    penalties = self._penalties(firm, simple=False)
                    summary = "依据《安全生产法》作出行政处罚决定"
                    move(nxt, CaseState.DECIDED, self._decision_note(penalties))
                    executed = step(nxt, 1, 15)
                    if executed:
                        move(executed, CaseState.EXECUTING, f"{executed.isoformat()} 执行处罚决定")
                        closing = step(executed, 10, 60)
                        if closing:
                            closed_on = closing
                            move(closing, CaseState.CLOSED)
        deadline = opened_on + dt.timedelta(days=90) if procedure == CaseProcedure.GENERAL else None
        flag = DeadlineFlag.NONE
        if deadline and state in (
            CaseState.OPEN,
            CaseState.INVESTIGATING,
            CaseState.NOTIFIED,
            CaseState.HEARING,
        ):
            if deadline < today:
                flag = DeadlineFlag.OVERDUE
                events.append(
                    (
                        deadline + dt.timedelta(days=1),
                        CaseEventKind.OVERDUE,
                        "",
                        "",
                        f"办案期限 {deadline.isoformat()}",
                        None,
                    )
                )
            elif (deadline - today).days <= 10:
                flag = DeadlineFlag.NEAR
                events.append(
                    (today, CaseEventKind.DEADLINE_NEAR, "", "", f"办案期限 {deadline.isoformat()}", None)
                )
        events.sort(key=lambda e: e[0])
        timed = [(clock.at(d), *rest) for d, *rest in events]
        for at, kind_, before, after, note, user in timed:
            loader.add(
                "enforcement_caseevent",
                (
                    loader.next_id("enforcement_caseevent"),
                    kind_,
                    before,
                    after,
                    note,
                    at,
                    pk,
                    user,
                    None,
                    None,
                ),
            )
        decided_at = next((t[0] for t in timed if t[3] == CaseState.DECIDED), timed[0][0])
        for target, name, title, pkind, amount in penalties:
            loader.add(
                "enforcement_penalty",
                (
                    loader.next_id("enforcement_penalty"),
                    target,
                    name,
                    title,
                    pkind,
                    amount,
                    "",
                    decided_at,
                    pk,
                ),
            )
        loader.add(
            "enforcement_case",
            (pk, number, source, procedure, cause, f"经查，{firm.name}{description}。", state, opened_on,
             decided_on, closed_on, deadline, flag, hearing, summary, reason, transferred, timed[0][0],
             timed[-1][0], officers[0],
             firm.pk, unit.pk, firm.jurisdiction, hazard_pk, record_pk, firm.township, None, None, None),
        )  # fmt: skip
        for article in rng.sample(self.articles, k=min(len(self.articles), rng.randint(1, 2))):
            loader.add(
                "enforcement_case_articles", (loader.next_id("enforcement_case_articles"), pk, article)
            )
        for user in officers:
            loader.add("enforcement_case_officers", (loader.next_id("enforcement_case_officers"), pk, user))

    def _penalties(self, firm: Firm, *, simple: bool) -> list[tuple]:
        rng = self.rng
        if simple:
            if rng.random() < 0.4:
                return [("unit", "", "", PenaltyKind.WARNING, None)]
            return [("unit", "", "", PenaltyKind.FINE, Decimal(rng.randrange(200, 3001, 100)))]
        if rng.random() < 0.1:
            rows = [("unit", "", "", PenaltyKind.WARNING, None)]
        else:
            amount = min(500_000, max(1000, round(rng.lognormvariate(9.9, 0.8), -3)))
            rows = [("unit", "", "", PenaltyKind.FINE, Decimal(amount))]
        if rng.random() < 0.5:  # 一案双罚
            rows.append(
                (
                    "person",
                    firm.contact,
                    "主要负责人",
                    PenaltyKind.FINE,
                    Decimal(rng.randrange(2000, 30001, 500)),
                )
            )
        return rows

    @staticmethod
    def _decision_note(penalties: list[tuple]) -> str:
        labels = {k: str(v) for k, v in PenaltyKind.choices}
        items = []
        for target, name, _title, kind, amount in penalties:
            who = name if target == "person" else "单位"
            items.append(f"{who} {labels[kind]} {amount or ''}".strip())
        text = "处罚决定：" + "；".join(items)
        fines = sum((p[4] for p in penalties if p[4] is not None), Decimal("0"))
        return text + (f"（金额合计 {fines:.2f} 元）" if fines else "")

    # ------------------------------------------------------------ accidents and activities

    def _accidents(self, first: dt.date, last: dt.date, share: float) -> None:
        rng, loader = self.rng, self.loader
        rows = []
        for _ in range(self._count(RATES["accidents"], share)):
            day = first + dt.timedelta(days=rng.randint(0, (last - first).days))
            firm = self.firm_pick(rng) if rng.random() < 0.7 else None
            township = firm.township if firm else self.town_pick(rng).pk
            sector = firm.sectors[0] if firm else rng.choice(list(self.city.sector_department))
            roll = rng.random()
            deaths = 0 if roll < 0.85 else (1 if roll < 0.97 else rng.randint(2, 3))
            grade = "larger" if deaths >= 3 else "general"
            rows.append((day, firm, township, sector, deaths, grade))
        rows.sort(key=lambda r: r[0])
        for day, firm, township, sector, deaths, grade in rows:
            pk = loader.next_id("hazards_accident")
            number = f"SG{day.year}{self.counters.next('accident', self.city.district.pk, day.year):05d}"
            at = self._time(day)
            loader.add(
                "hazards_accident",
                (pk, number, day, at.time().replace(second=0), rng.random() < 0.85, grade, deaths,
                 rng.randint(0, 3) if deaths == 0 else rng.randint(0, 5),
                 Decimal(f"{rng.lognormvariate(2.5, 1.2):.2f}"),
                 f"{(firm.name if firm else '')}发生一起事故，造成{deaths}人死亡。",
                 at, at, self.officer, firm.pk if firm else None, sector, township,
                 rng.choice(self.accident_categories)),
            )  # fmt: skip

    def _activities(self, first: dt.date, last: dt.date, share: float) -> None:
        rng, loader = self.rng, self.loader
        if not self.subtypes:
            return
        for _ in range(self._count(RATES["activities"], share)):
            roll = rng.random()
            if roll < 0.7:
                unit = self.town_pick(rng)
            elif roll < 0.95:
                unit = rng.choice(list(self.city.departments.values()))
            else:
                unit = self.city.district
            subtype, type_id, code = rng.choice(self.subtypes)
            day = self._day(first, last)
            pk = loader.next_id("campaigns_activity")
            at = self._time(day)
            creator = rng.choice(unit.users or [self.officer])
            sessions = rng.randint(1, 3)
            participants = rng.randint(20, 300) * sessions
            theme = rng.choice(_ACTIVITY_THEMES.get(code, ("安全生产活动",)))
            loader.add(
                "campaigns_activity",
                (pk, day, None, f"{unit.short or unit.name}{theme}", sessions, participants, unit.name, "",
                 "",
                 at, at, None, creator, unit.pk, subtype, type_id),
            )  # fmt: skip
            count = rng.randint(2, 4) if code == "publicity" else rng.randint(0, 1)
            for unit_pk, unit_code in rng.sample(self.quantity_units, k=min(count, len(self.quantity_units))):
                amount = (
                    participants
                    if unit_code == "audience"
                    else rng.randint(1, 50) * (10 if unit_code == "leaflet" else 1)
                )
                loader.add(
                    "campaigns_activityquantity",
                    (loader.next_id("campaigns_activityquantity"), amount, pk, unit_pk),
                )

    # ------------------------------------------------------------ numbering

    def number_sequences(self) -> None:
        for (series, unit, year), last in sorted(self.counters.last.items()):
            self.loader.add(
                "accounts_numbersequence",
                (self.loader.next_id("accounts_numbersequence"), series, year, last, unit),
            )
        self.loader.flush("accounts_numbersequence")
