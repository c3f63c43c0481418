"""Each demo hazard's story: its deadline and 五落实, the days it took, rectification entries, 复查 (now
and then a failed one), an approved 延期, 销号 — told as the timeline the services would have written —
and the 挂牌督办 of some major ones. demo.hazards gathers the drafts and saves what is told here.
"""

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from hazards.choices import EventKind, ExtensionStatus, HazardLevel, HazardState, ListingLevel
from hazards.models import DeadlineExtension, Hazard, HazardCategory, Rectification

from .district import DISTRICT_SHORT
from .tables import load

QUICK_SHARE = 0.45  # fixed on the spot or within days
LATE_SHARE = 0.08  # closed after the deadline (some with an approved extension)
FAILED_SHARE = 0.05  # one 复查 failed before 销号


def _table() -> dict:
    return load("hazards")


def _listing_office(level: str) -> str:
    """The 安委办 issuing a level's 挂牌督办 document: the district's, the city's, the province's."""
    return DISTRICT_SHORT[0] if level == ListingLevel.DISTRICT else _table()["listing_offices"][level]


@dataclass
class Firm:
    pk: int
    jurisdiction_id: int
    township_id: int
    department_id: int | None
    contact: str
    sectors: list[int]
    codes: set[str]


@dataclass
class Draft:
    """A hazard before its story is told."""

    source: str
    firm: Firm
    found_on: dt.date
    description: str
    category: str
    location: str = ""
    measures: str = ""
    record_id: int | None = None
    result_id: int | None = None
    creator: User | None = None
    leader_led: bool = False
    major: bool = False


@dataclass
class Story:
    hazard: Hazard
    sectors: list[int]
    rectifications: list[Rectification] = field(default_factory=list)
    extensions: list[DeadlineExtension] = field(default_factory=list)
    # (day — a datetime once timed, kind, from, to, note, user, rectification index, extension index)
    events: list[tuple] = field(default_factory=list)

    def add(self, day: dt.date, kind: str, before="", after="", note="", user=None, rect=None, ext=None):
        self.events.append((day, kind, before, after, note, user, rect, ext))

    def timed(self, rng: random.Random) -> None:
        """Office-hour times, in the order things happened (the same day: in the order told)."""
        clock = _Clock(rng)
        self.events.sort(key=lambda e: e[0])
        self.events = [(clock.at(day), *rest) for day, *rest in self.events]


class _Clock:
    """Event times of one hazard: on the given day in office hours, never before the previous one."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.last: dt.datetime | None = None

    def at(self, day: dt.date) -> dt.datetime:
        minutes = self.rng.randint(8 * 60 + 30, 17 * 60 + 30)
        moment = timezone.make_aware(dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60)))
        if self.last is not None and moment <= self.last:
            moment = self.last + dt.timedelta(minutes=self.rng.randint(3, 40))
        self.last = moment
        return moment


@dataclass
class Cast:
    officer: User
    unit_users: dict[int, User]
    categories: dict[str, HazardCategory]
    today: dt.date


def _follower(cast: Cast, unit_id: int) -> User:
    return cast.unit_users.get(unit_id, cast.officer)


def new_hazard(rng: random.Random, draft: Draft, number: str, cast: Cast) -> Hazard:
    firm = draft.firm
    span = rng.choice([60, 90, 120]) if draft.major else rng.choice(_table()["deadline_days"])
    unit = firm.department_id if firm.department_id and rng.random() < 0.15 else firm.township_id
    person = firm.contact if (draft.major or rng.random() < 0.7) else ""
    return Hazard(
        number=number,
        enterprise_id=firm.pk,
        jurisdiction_id=firm.jurisdiction_id,
        township_id=firm.township_id,
        supervising_department_id=firm.department_id,
        source=draft.source,
        inspection_record_id=draft.record_id,
        check_result_id=draft.result_id,
        level=HazardLevel.MAJOR if draft.major else HazardLevel.GENERAL,
        category=cast.categories.get(draft.category) or cast.categories.get("other"),
        description=draft.description,
        location=draft.location,
        found_on=draft.found_on,
        deadline=draft.found_on + dt.timedelta(days=span),
        responsible_unit_id=unit,
        responsible_person=person or "",
        measures=draft.measures,
        funds=Decimal(f"{rng.uniform(3, 150):.2f}") if draft.major else None,
        contingency_plan=(
            "整改期间设置警戒区域，专人24小时值守，配备应急物资，发现异常立即停止作业、撤离人员并报告。"
            if draft.major
            else ""
        ),
        created_by=draft.creator or _follower(cast, firm.township_id),
    )


def _days_taken(rng: random.Random, draft: Draft, span: int) -> tuple[int, bool]:
    """How long from 发现 to 销号, and whether that overran the deadline."""
    if not draft.major and rng.random() < LATE_SHARE:
        return span + rng.randint(1, 20), True
    if not draft.major and rng.random() < QUICK_SHARE:  # 立查立改: fixed within days
        return rng.randint(1, 3), False
    return rng.randint(max(1, span // 5), max(1, span * 3 // 5)), False


def _extension(rng: random.Random, story: Story, cast: Cast, follower: User) -> None:
    """延期: asked for a few days before the deadline, granted the next day; the deadline moves."""
    hazard = story.hazard
    asked = max(hazard.found_on, hazard.deadline - dt.timedelta(days=rng.randint(1, 3)))
    if asked >= cast.today:
        return
    reason = "整改所需设备订货周期较长，申请延期"
    story.extensions.append(
        DeadlineExtension(
            old_deadline=hazard.deadline,
            new_deadline=hazard.deadline + dt.timedelta(days=rng.choice([15, 30])),
            reason=reason,
            status=ExtensionStatus.APPROVED,
            requested_by=follower,
            decided_by=cast.officer,
            decision_note="同意延期",
        )
    )
    story.add(asked, EventKind.EXTENSION_REQUESTED, note=reason, user=follower, ext=0)
    decided = min(asked + dt.timedelta(days=1), cast.today)
    story.add(decided, EventKind.EXTENSION_APPROVED, note="同意延期", user=cast.officer, ext=0)
    hazard.deadline = story.extensions[0].new_deadline


def tell_story(rng: random.Random, draft: Draft, hazard: Hazard, cast: Cast, stuck: bool) -> Story:
    """Dates of rectification, 复查 and 销号, and the timeline that tells them. A `stuck` hazard is
    still open long after its deadline."""
    today, story = cast.today, Story(hazard, draft.firm.sectors)
    follower = _follower(cast, hazard.responsible_unit_id)
    verifier = cast.officer
    if hazard.supervising_department_id in cast.unit_users and rng.random() < 0.2:
        verifier = cast.unit_users[hazard.supervising_department_id]

    def rectify(day: dt.date, text: str) -> None:
        story.rectifications.append(Rectification(text=text, done_on=day, created_by=follower))
        index = len(story.rectifications) - 1
        story.add(day, EventKind.RECTIFICATION, note=text, user=follower, rect=index)

    found = hazard.found_on
    story.add(found, EventKind.CREATED, note=hazard.get_source_display(), user=hazard.created_by)
    took, late = _days_taken(rng, draft, (hazard.deadline - found).days)
    if late and rng.random() < 0.4:
        _extension(rng, story, cast, follower)
    close_on = found + dt.timedelta(days=took)
    closed = not stuck and close_on < today
    if stuck:
        close_on = today + dt.timedelta(days=365)  # not in sight
    start_on = found + dt.timedelta(days=min(rng.randint(0, 2), took - 1))
    # 复查 follows the request within days: those asked for lately are still 待复查 today.
    submit_on = max(start_on, close_on - dt.timedelta(days=rng.choice([0, 1, 1, 2, 3, 5])))
    text = rng.choice(_table()["rectified"]).format(measures=hazard.measures or "按整改要求落实")
    hazard.state = HazardState.OPEN
    if today > start_on and not (stuck and rng.random() < 0.3):  # some stuck ones never started
        story.add(
            start_on, EventKind.TRANSITION, HazardState.OPEN, HazardState.RECTIFYING, "开始整改", follower
        )
        rectify(start_on, text if today > submit_on else "已制定整改方案，正在组织整改。")
        hazard.state = HazardState.RECTIFYING
    if hazard.state == HazardState.RECTIFYING and today > submit_on:
        if closed and rng.random() < FAILED_SHARE and submit_on - start_on > dt.timedelta(days=3):
            middle = start_on + (submit_on - start_on) / 2
            story.add(
                middle, EventKind.TRANSITION, HazardState.RECTIFYING, HazardState.VERIFYING, user=follower
            )
            story.add(middle, EventKind.TRANSITION, HazardState.VERIFYING, HazardState.RECTIFYING,
                      rng.choice(_table()["failed"]), verifier)  # fmt: skip
            rectify(submit_on, "按复查意见补充整改，" + text)
        story.add(
            submit_on, EventKind.TRANSITION, HazardState.RECTIFYING, HazardState.VERIFYING, user=follower
        )
        hazard.state = HazardState.VERIFYING
    if hazard.state == HazardState.VERIFYING and closed:
        story.add(close_on, EventKind.TRANSITION, HazardState.VERIFYING, HazardState.CLOSED,
                  "复查合格，予以销号", verifier)  # fmt: skip
        hazard.state, hazard.closed_on = HazardState.CLOSED, close_on
        if close_on > hazard.deadline:
            # Flagged by the nightly sweep while it was late; 销号 cleared the flag, not the date.
            hazard.overdue_since = hazard.deadline + dt.timedelta(days=1)
            story.add(hazard.overdue_since, EventKind.OVERDUE, note="超过整改期限")
    return story


def list_majors(rng: random.Random, stories: list[Story], cast: Cast) -> tuple[int, int]:
    """挂牌督办 some of the major hazards (each level at least once), and 摘牌 one or two closed ones."""
    majors = [s for s in stories if s.hazard.level == HazardLevel.MAJOR]  # in found_on order
    # The two oldest always: by now they are closed, so one or two can have been 摘牌.
    listed = majors[:2] + [s for s in majors[2:] if rng.random() < 0.6]
    levels = [ListingLevel.DISTRICT, ListingLevel.CITY, ListingLevel.PROVINCE]
    serial = {level: rng.randint(3, 20) for level in levels}
    delisted = 0
    for i, story in enumerate(listed):
        hazard = story.hazard
        level = levels[i] if i < len(levels) else rng.choices(levels, weights=[5, 3, 1])[0]
        end = min(cast.today, hazard.closed_on or cast.today)
        hazard.listed_on = min(end, hazard.found_on + dt.timedelta(days=rng.randint(3, 20)))
        hazard.listing_level = level
        hazard.listing_leader = rng.choice(_table()["listing_leaders"][level])
        serial[level] += rng.randint(1, 6)
        year = hazard.listed_on.year
        hazard.listing_document = f"{_listing_office(level)}安委办〔{year}〕{serial[level]}号"
        note = f"{hazard.get_listing_level_display()} {hazard.listing_document}"
        story.add(hazard.listed_on, EventKind.LISTED, note=note, user=cast.officer)
        if hazard.closed_on and delisted < 2 and hazard.closed_on < cast.today:
            hazard.delisted_on = min(cast.today, hazard.closed_on + dt.timedelta(days=rng.randint(1, 10)))
            story.add(hazard.delisted_on, EventKind.DELISTED, user=cast.officer)
            delisted += 1
    return len(listed), delisted
