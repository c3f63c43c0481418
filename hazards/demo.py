"""seed_demo step: a year of hazards, most of them closed, so the ledger and its figures look real.

Every 不符合 check result of the demo's inspections becomes a hazard linked to its record (or, when
the inspections carry no results, a sample of the records does); hazards from 企业自查, 专家查隐患,
线上巡查 and 群众举报 are added. Each hazard gets a believable story — rectification entries, 复查,
now and then a failed 复查 or an approved 延期 — told by its timeline; a few are 重大 with the full
五落实, some of those 挂牌督办, one or two already 摘牌. Rows go in with bulk_create (no history rows:
nobody entered them); the nightly overdue sweep is then run once, so overdue ones notify as they would.
"""

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.apps import apps
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone

from accounts.choices import Role
from accounts.demo import DISTRICT_SHORT, DemoContext, find_district
from accounts.models import Enterprise, Notification, NumberSequence, OrgUnit, Sector, User
from inspections.choices import ActionStatus, CheckResultValue
from inspections.models import CheckResult, InspectionAction, InspectionRecord

from .choices import (
    EventKind,
    ExtensionStatus,
    HazardLevel,
    HazardSource,
    HazardState,
    ListingLevel,
)
from .models import (
    DeadlineExtension,
    Hazard,
    HazardCategory,
    HazardEvent,
    HazardPhoto,
    Rectification,
    RectificationPhoto,
)
from .services import hazards_mark_overdue

# (category code, description, location, measures) of hazards found other than by inspection.
GENERAL = [
    (
        "fire",
        "安全出口上锁，疏散通道堆放货物",
        "一楼东侧安全出口",
        "立即清理通道、拆除门锁，落实每日防火巡查",
    ),
    ("fire", "部分灭火器压力不足，未按月检查", "仓库", "更换失效灭火器，建立月度检查记录"),
    ("fire", "应急照明和疏散指示标志损坏", "二楼走廊", "维修更换应急照明和疏散指示标志"),
    ("fire", "员工宿舍与仓库设置在同一建筑内", "厂区北侧仓库", "拆除宿舍隔间，人员迁出仓库"),
    ("electrical", "电气线路私拉乱接，未穿管保护", "生产车间", "由持证电工重新规范敷设线路并穿管保护"),
    ("electrical", "配电箱未接地，箱门缺失", "配电房", "配电箱可靠接地并加装箱门、警示标识"),
    ("electrical", "电动自行车在楼道内停放充电", "楼梯间", "清理楼道车辆，设置集中充电区域"),
    ("equipment", "冲床光电保护装置失效", "冲压车间", "修复光电保护装置，停机整改并复核"),
    ("equipment", "砂轮机防护罩缺失", "机修间", "加装防护罩和挡屑板"),
    ("equipment", "传动皮带外露，未设防护罩", "生产车间", "加装传动部位防护罩"),
    ("hazchem", "危险化学品未分类存放，禁忌物混存", "危化品仓库", "按禁忌要求分区分类存放并设置标识"),
    ("hazchem", "储罐区可燃气体报警器未定期检定", "储罐区", "委托检定并建立维护台账"),
    ("gas", "餐饮场所未安装可燃气体报警装置", "后厨", "安装可燃气体报警装置及紧急切断阀"),
    ("gas", "液化气钢瓶超期未检，与明火同室", "厨房", "更换合格钢瓶，钢瓶间与灶间分隔"),
    (
        "special-equipment",
        "叉车未办理使用登记，司机无证操作",
        "物流仓库",
        "办理使用登记，司机培训取证前停止作业",
    ),
    ("special-equipment", "电梯维保记录缺失", "住宅楼", "督促维保单位补齐记录并按期维保"),
    ("confined-space", "污水井未设置有限空间警示标志", "厂区污水处理站", "设置警示标志，建立有限空间台账"),
    ("dust", "除尘器未设置泄爆装置，积尘未及时清扫", "打磨车间", "加装泄爆片，落实每班清扫制度"),
    ("construction", "临边洞口防护缺失", "3号楼施工现场", "按规范设置防护栏杆和安全网"),
    ("construction", "塔吊限位装置失灵", "施工现场", "停止使用，维修后经检测合格再投用"),
    ("management", "安全生产责任制未落实到岗位", "企业办公室", "修订完善全员安全生产责任制并组织考核"),
    ("management", "未按要求开展年度应急演练", "企业", "制定演练计划，组织开展应急疏散演练"),
    ("management", "特种作业人员证书过期仍上岗", "生产车间", "安排复审取证，期间调整岗位"),
    ("environment", "物料堆放超高，作业通道堵塞", "仓库", "清理物料，规范堆放高度，划定通道线"),
]

# 重大事故隐患 (判定标准): (category code, description, location, measures).
MAJOR = [
    ("hazchem", "涉及重点监管危险化工工艺的装置未实现自动化控制", "生产装置区",
     "委托设计单位完成自动化控制改造，改造完成前降负荷运行并专人值守"),
    ("dust", "粉尘爆炸危险场所设置在非框架结构的多层建筑内", "三楼抛光车间",
     "抛光工序搬迁至单层厂房，原场所停止涉粉作业"),
    ("fire", "人员密集场所自动喷水灭火系统瘫痪，疏散通道被封堵", "商场一至三层",
     "维修恢复喷淋系统，拆除封堵物，整改期间限流并增派巡查人员"),
    ("gas", "燃气管道被违章建筑占压", "沿街商铺后侧",
     "拆除占压建筑，燃气企业对管道进行检测并加装警示桩"),
    ("construction", "深基坑未按专项方案施工，支护结构出现变形", "基坑东侧",
     "停止坑边作业，组织专家论证加固方案并实施监测"),
    ("confined-space", "有限空间作业未落实“先通风、再检测、后作业”，无应急救援措施", "发酵池",
     "停止有限空间作业，配齐检测、通风和救援设备，开展专项培训"),
    ("special-equipment", "大型游乐设施超期未检仍在运营", "游乐场",
     "立即停止运营，经检验合格后方可使用"),
]  # fmt: skip

# Which sectors a category's hazards are found in (the sector or its parent); none: any firm.
CATEGORY_SECTORS = {
    "hazchem": {"hazchem"},
    "gas": {"gas", "commerce"},
    "construction": {"construction"},
    "dust": {"dust", "industry-trade"},
    "confined-space": {"confined-space", "industry-trade"},
    "equipment": {"industry-trade"},
    "special-equipment": {"special-equipment", "industry-trade", "culture-tourism"},
}
SECTOR_CATEGORY = {
    "hazchem": "hazchem",
    "fireworks": "hazchem",
    "fire": "fire",
    "construction": "construction",
    "gas": "gas",
    "special-equipment": "special-equipment",
    "dust": "dust",
    "confined-space": "confined-space",
    "industry-trade": "equipment",
    "commerce": "fire",
}
CATEGORY_MEASURES = {
    "hazchem": "规范危险化学品储存和使用管理，完善检测报警设施",
    "fire": "清理通道杂物，维修消防设施，落实每日防火巡查",
    "construction": "按专项方案整改防护设施，整改完成前停止相关作业",
    "gas": "规范用气设施，安装可燃气体报警装置，更换不合格钢瓶",
    "special-equipment": "办理使用登记并按期检验，作业人员持证上岗",
    "dust": "完善除尘和防爆设施，落实粉尘清扫制度",
    "confined-space": "设置警示标志，配齐检测通风设备，作业前审批",
    "equipment": "修复或加装安全防护装置，整改完成前停止使用",
    "management": "完善安全管理制度和台账，组织全员培训",
}
OTHER_SOURCES = {
    HazardSource.SELF_REPORT: 40,
    HazardSource.EXPERT: 25,
    HazardSource.ONLINE: 20,
    HazardSource.TIP_OFF: 15,
}
RECTIFIED = ["已按要求整改：{measures}。", "企业已完成整改，{measures}。", "{measures}，已整改到位。"]
FAILED = [
    "复查发现整改不彻底，请继续整改",
    "现场复查仍有问题未整改到位，退回继续整改",
    "整改资料不全，请补充后重新申请复查",
]
LISTING_LEADERS = {
    ListingLevel.DISTRICT: ["陈志强副区长", "刘建华副区长", "周敏副区长"],
    ListingLevel.CITY: ["王海涛副市长", "赵立新副市长"],
    ListingLevel.PROVINCE: ["李明远副省长"],
}
LISTING_OFFICES = {
    ListingLevel.DISTRICT: DISTRICT_SHORT[0],
    ListingLevel.CITY: "潭",
    ListingLevel.PROVINCE: "湘",
}
DEADLINE_DAYS = [7, 10, 15, 15, 15, 20, 30, 30, 30, 45]
STUCK_SHARE = 0.015  # old hazards still open: the overdue ones the office chases
QUICK_SHARE = 0.45  # fixed on the spot or within days
LATE_SHARE = 0.08  # closed after the deadline (some with an approved extension)
FAILED_SHARE = 0.05  # one 复查 failed before 销号


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


# ---------------------------------------------------------------- what is there to build on


def _firms(context: DemoContext) -> dict[int, Firm]:
    towns = [(t.path, t.pk) for t in context.townships]
    code_of = dict(Sector.objects.values_list("pk", "code"))
    parent_of = {s.pk: s.parent_id for s in Sector.objects.only("pk", "parent")}
    sectors: dict[int, list[int]] = {}
    links = Enterprise.sectors.through.objects.filter(
        enterprise__jurisdiction__path__startswith=context.district.path
    )
    for enterprise_id, sector_id in links.values_list("enterprise_id", "sector_id"):
        sectors.setdefault(enterprise_id, []).append(sector_id)
    firms = {}
    rows = context.enterprises.order_by("pk").values_list(
        "pk", "jurisdiction_id", "jurisdiction__path", "supervising_department_id", "contact_person"
    )
    for pk, jurisdiction_id, path, department_id, contact in rows:
        township = next((t for prefix, t in towns if path.startswith(prefix)), jurisdiction_id)
        ids = sectors.get(pk, [])
        codes = {code_of[s] for s in ids} | {code_of[parent_of[s]] for s in ids if parent_of[s]}
        firms[pk] = Firm(pk, jurisdiction_id, township, department_id, contact, ids, codes)
    return firms


def _unit_users(context: DemoContext) -> dict[int, User]:
    """The login of each township and department (the named `township`/`department` users first)."""
    users: dict[int, User] = {}
    for user in context.users.values():
        if user.role in (Role.TOWNSHIP, Role.DEPARTMENT):
            users.setdefault(user.org_unit_id, user)
    return users


def _noncompliant(done: QuerySet[InspectionRecord]) -> list[tuple]:
    """(result, record, firm, action, date, leader-led, text, category) of every 不符合 item."""
    category_of = {
        pk: SECTOR_CATEGORY.get(code, "management") for pk, code in Sector.objects.values_list("pk", "code")
    }
    results = (
        CheckResult.objects.filter(record__in=done, result=CheckResultValue.NONCOMPLIANT)
        .order_by("pk")
        .values_list(
            "pk",
            "record_id",
            "record__enterprise_id",
            "record__action_id",
            "record__action__date",
            "record__action__is_leader_led",
            "item__title",
            "item__sector_id",
            "note",
        )
    )
    return [
        (pk, record, firm, action, date, led, note.strip() or f"检查发现：{title}", category_of[sector])
        for pk, record, firm, action, date, led, title, sector, note in results
    ]


def _sampled_visits(rng: random.Random, done: QuerySet[InspectionRecord]) -> list[tuple]:
    """The same rows for inspections entered without item results: about one visit in eight found
    something, told by its 发现问题 text."""
    visits = list(
        done.order_by("pk").values_list(
            "pk", "enterprise_id", "action_id", "action__date", "action__is_leader_led", "findings"
        )
    )
    rows = []
    for record, firm, action, date, led, findings in sorted(rng.sample(visits, k=len(visits) // 8)):
        category, text, _location, _measures = rng.choice(GENERAL)
        rows.append((None, record, firm, action, date, led, findings.strip() or text, category))
    return rows


def _from_inspections(rng: random.Random, context: DemoContext, firms: dict[int, Firm], today: dt.date):
    """Drafts from the 不符合 results of the demo's inspections, or from a sample of its visits."""
    done = InspectionRecord.objects.filter(
        action__organizer__path__startswith=context.district.path,
        action__status=ActionStatus.DONE,
        action__date__lte=today,
    )
    # Whoever was first on the team records the hazard.
    members: dict[int, int] = {}
    through = InspectionAction.members.through.objects.filter(
        inspectionaction__organizer__path__startswith=context.district.path
    ).order_by("user_id")
    for action_id, user_id in through.values_list("inspectionaction_id", "user_id"):
        members.setdefault(action_id, user_id)
    users = User.objects.in_bulk(set(members.values()))
    rows = _noncompliant(done) or _sampled_visits(rng, done)
    return [
        Draft(
            source=HazardSource.INSPECTION,
            firm=firms[firm],
            found_on=date,
            description=text,
            category=category,
            measures=CATEGORY_MEASURES.get(category, CATEGORY_MEASURES["management"]),
            record_id=record,
            result_id=result,
            creator=users.get(members.get(action)),
            leader_led=led,
        )
        for result, record, firm, action, date, led, text, category in rows
        if firm in firms
    ]


def _firm_for(rng: random.Random, category: str, firms: Sequence[Firm]) -> Firm:
    wanted = CATEGORY_SECTORS.get(category)
    fitting = [f for f in firms if wanted & f.codes] if wanted else []
    return rng.choice(fitting or firms)


def _from_other_sources(
    rng: random.Random, firms: Sequence[Firm], count: int, start: dt.date, today: dt.date
) -> list[Draft]:
    sources, weights = zip(*OTHER_SOURCES.items(), strict=True)
    days = (today - start).days + 1
    drafts = []
    for _ in range(count):
        category, text, location, measures = rng.choice(GENERAL)
        drafts.append(
            Draft(
                source=rng.choices(sources, weights=weights)[0],
                firm=_firm_for(rng, category, firms),
                found_on=start + dt.timedelta(days=rng.randrange(days)),
                description=text,
                category=category,
                location=location,
                measures=measures,
            )
        )
    return drafts


def _make_major(rng: random.Random, draft: Draft, firms: Sequence[Firm], spec: tuple) -> None:
    category, text, location, measures = spec
    draft.major = True
    draft.category, draft.description, draft.location, draft.measures = category, text, location, measures
    draft.firm = _firm_for(rng, category, firms)


# ---------------------------------------------------------------- each hazard's story


@dataclass
class Cast:
    officer: User
    unit_users: dict[int, User]
    categories: dict[str, HazardCategory]
    today: dt.date


def _follower(cast: Cast, unit_id: int) -> User:
    return cast.unit_users.get(unit_id, cast.officer)


def _hazard(rng: random.Random, draft: Draft, number: str, cast: Cast) -> Hazard:
    firm = draft.firm
    span = rng.choice([60, 90, 120]) if draft.major else rng.choice(DEADLINE_DAYS)
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


def _story(rng: random.Random, draft: Draft, hazard: Hazard, cast: Cast, stuck: bool) -> Story:
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
    text = rng.choice(RECTIFIED).format(measures=hazard.measures or "按整改要求落实")
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
                      rng.choice(FAILED), verifier)  # fmt: skip
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


def _listings(rng: random.Random, stories: list[Story], cast: Cast) -> tuple[int, int]:
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
        hazard.listing_leader = rng.choice(LISTING_LEADERS[level])
        serial[level] += rng.randint(1, 6)
        year = hazard.listed_on.year
        hazard.listing_document = f"{LISTING_OFFICES[level]}安委办〔{year}〕{serial[level]}号"
        note = f"{hazard.get_listing_level_display()} {hazard.listing_document}"
        story.add(hazard.listed_on, EventKind.LISTED, note=note, user=cast.officer)
        if hazard.closed_on and delisted < 2 and hazard.closed_on < cast.today:
            hazard.delisted_on = min(cast.today, hazard.closed_on + dt.timedelta(days=rng.randint(1, 10)))
            story.add(hazard.delisted_on, EventKind.DELISTED, user=cast.officer)
            delisted += 1
    return len(listed), delisted


# ---------------------------------------------------------------- the step


def _drafts(rng: random.Random, context: DemoContext, firms: dict[int, Firm], today: dt.date) -> list[Draft]:
    start = dt.date(today.year, 1, 1)
    if (today - start).days < 90:  # early in the year: a year back, not a few weeks
        start = today - dt.timedelta(days=364)
    drafts = [d for d in _from_inspections(rng, context, firms, today) if d.found_on >= start]
    everyone = list(firms.values())
    if not everyone:
        return drafts
    drafts += _from_other_sources(rng, everyone, max(12, round(len(drafts) * 0.35)), start, today)
    drafts.sort(key=lambda d: d.found_on)
    # A few 重大, found by experts or reported (an inspection's 不符合 item keeps its own words): two
    # found early, so that by now some are closed, listed and 摘牌, one lately, the rest any time.
    others = [d for d in drafts if d.source != HazardSource.INSPECTION]
    count = min(len(others), max(3, round(len(drafts) * 0.02)))
    early = others[: max(1, len(others) * 2 // 5)]
    chosen = rng.sample(early, k=min(2, len(early), count))
    if len(others) > len(chosen) < count:
        chosen.append(others[-1])
    later = [d for d in others if all(d is not c for c in chosen)]
    chosen += rng.sample(later, k=min(len(later), count - len(chosen)))
    for draft in chosen:
        _make_major(rng, draft, everyone, rng.choice(MAJOR))
    return drafts


def seed_hazards(*, rng: random.Random, context: DemoContext) -> str:
    today = timezone.localdate()
    firms = _firms(context)
    drafts = _drafts(rng, context, firms, today)
    if not drafts:
        return "隐患 0 条"
    cast = Cast(
        officer=context.users["officer"],
        unit_users=_unit_users(context),
        categories={c.code: c for c in HazardCategory.objects.all()},
        today=today,
    )
    # The ones still open long after their deadline; never from a leader-led inspection (全部整改到位).
    old = [
        i for i, d in enumerate(drafts) if (today - d.found_on).days > 60 and not d.leader_led and not d.major
    ]
    stuck = set(rng.sample(old, k=min(len(old), max(2, round(len(old) * STUCK_SHARE)))))
    # The latest major hazard is still being dealt with: the 挂牌督办 page has an open one to show.
    stuck |= {max((i for i, d in enumerate(drafts) if d.major), default=-1)}
    serial: dict[int, int] = {}
    stories = []
    for i, draft in enumerate(drafts):  # in found_on order: numbers run as the office issued them
        year = draft.found_on.year
        serial[year] = serial.get(year, 0) + 1
        hazard = _hazard(rng, draft, f"YH{year}{serial[year]:05d}", cast)
        stories.append(_story(rng, draft, hazard, cast, i in stuck))
    listed, delisted = _listings(rng, stories, cast)
    for story in stories:
        story.timed(rng)
    _save(stories, context.district)
    NumberSequence.objects.bulk_create(
        [
            NumberSequence(series="hazard", org_unit=context.district, year=y, last=n)
            for y, n in serial.items()
        ]
    )
    overdue = hazards_mark_overdue(today=today)
    _date_overdue_events(context)
    return _summary(stories, listed, delisted, overdue)


def _save(stories: list[Story], district: OrgUnit) -> None:
    hazards = Hazard.objects.bulk_create([s.hazard for s in stories], batch_size=500)
    if hazards and hazards[0].pk is None:  # a backend that cannot return ids from a bulk insert
        ids = dict(Hazard.objects.filter(number__in=[h.number for h in hazards]).values_list("number", "pk"))
        for h in hazards:
            h.pk = ids[h.number]
    through = Hazard.sectors.through
    through.objects.bulk_create(
        [through(hazard_id=s.hazard.pk, sector_id=pk) for s in stories for pk in s.sectors], batch_size=1000
    )
    extensions, rectifications, events = [], [], []
    for story in stories:
        for ext in story.extensions:
            ext.hazard_id = story.hazard.pk
            extensions.append(ext)
        for entry in story.rectifications:
            entry.hazard_id = story.hazard.pk
            rectifications.append(entry)
        for at, kind, before, after, note, user, rect, ext in story.events:
            extension = story.extensions[ext] if ext is not None else None
            if kind == EventKind.EXTENSION_APPROVED:
                extension.decided_at = at
            events.append(
                HazardEvent(
                    hazard=story.hazard,
                    kind=kind,
                    from_state=before,
                    to_state=after,
                    note=note,
                    user=user,
                    at=at,
                    rectification=story.rectifications[rect] if rect is not None else None,
                    extension=extension,
                )
            )
    DeadlineExtension.objects.bulk_create(extensions, batch_size=500)
    Rectification.objects.bulk_create(rectifications, batch_size=500)
    HazardEvent.objects.bulk_create(events, batch_size=1000)
    _dates_from_timeline(district)


def _dates_from_timeline(district: OrgUnit) -> None:
    """auto_now(_add) fields take "now" on insert; the timeline's times are put back, one UPDATE a table."""
    inside = Q(hazard__jurisdiction__path__startswith=district.path)
    timeline = HazardEvent.objects.filter(hazard=OuterRef("pk"))
    Hazard.objects.filter(jurisdiction__path__startswith=district.path).update(
        created=Subquery(timeline.order_by("at", "pk").values("at")[:1]),
        updated=Subquery(timeline.order_by("-at", "-pk").values("at")[:1]),
    )
    logged = HazardEvent.objects.filter(rectification=OuterRef("pk"), kind=EventKind.RECTIFICATION)
    Rectification.objects.filter(inside).update(created=Subquery(logged.values("at")[:1]))
    asked = HazardEvent.objects.filter(extension=OuterRef("pk"), kind=EventKind.EXTENSION_REQUESTED)
    DeadlineExtension.objects.filter(inside).update(requested_at=Subquery(asked.values("at")[:1]))


def _date_overdue_events(context: DemoContext) -> None:
    """The sweep just flagged the demo's late hazards; its 逾期 lines belong on the day they fell due."""
    events = list(
        HazardEvent.objects.filter(
            kind=EventKind.OVERDUE,
            hazard__jurisdiction__path__startswith=context.district.path,
            hazard__is_overdue=True,
        ).select_related("hazard")
    )
    for e in events:
        day = e.hazard.overdue_since or e.hazard.deadline
        e.at = timezone.make_aware(dt.datetime.combine(day, dt.time(0, 30)))
    HazardEvent.objects.bulk_update(events, ["at"], batch_size=500)


def _summary(stories: list[Story], listed: int, delisted: int, overdue: int) -> str:
    counted = [s.hazard for s in stories]
    closed = sum(h.state == HazardState.CLOSED for h in counted)
    major = sum(h.level == HazardLevel.MAJOR for h in counted)
    rate = f"{Decimal(closed * 100) / Decimal(len(counted)):.1f}%" if counted else "—"
    return (
        f"隐患 {len(counted)} 条（已销号 {closed}，整改率 {rate}），重大隐患 {major} 条、"
        f"挂牌督办 {listed} 条（已摘牌 {delisted}），逾期 {overdue} 条"
    )


def reset_hazards() -> None:
    """Remove every hazard of the demo district and all that hangs on it (before the inspections,
    whose records the hazards protect, and before the enterprises)."""
    district = find_district()
    if district is None:
        return
    hazards = Hazard.objects.filter(jurisdiction__path__startswith=district.path)
    ids = list(hazards.values_list("pk", flat=True))
    urls = [reverse("hazards:hazard_detail", args=[pk]) for pk in ids]
    Notification.objects.filter(url__in=urls).delete()
    HazardEvent.objects.filter(hazard__in=hazards).delete()
    photos = RectificationPhoto.objects.filter(rectification__hazard__in=hazards)
    for photo in photos:  # uploads made while trying the demo out; the demo itself has none
        photo.image.delete(save=False)
    photos.delete()
    Rectification.objects.filter(hazard__in=hazards).delete()
    for found in HazardPhoto.objects.filter(hazard__in=hazards):  # photos users added in the demo
        found.image.delete(save=False)
    HazardPhoto.objects.filter(hazard__in=hazards).delete()
    DeadlineExtension.objects.filter(hazard__in=hazards).delete()
    hazards.delete()
    # After the rows, so that '-' rows written by the delete (history not paused) go as well; the m2m
    # snapshots are linked without a database constraint, so nothing cascades.
    history = Hazard.history.filter(id__in=ids)
    snapshots = apps.get_model("hazards", "HistoricalHazard_sectors")
    snapshots.objects.filter(history__in=history.values("pk")).delete()
    history.delete()
    NumberSequence.objects.filter(series="hazard", org_unit=district).delete()
