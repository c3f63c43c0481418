"""seed_demo step: a year of the activity ledger (宣传/培训/演练/会议, 约谈), so its list, figures and
home panel look like a district's year.

The calendar follows the summaries: 防灾减灾日 (May 12) in every township, 安全生产月 (June) with its
咨询日 (mid-June) everywhere and the district's big event tagged to the year's 安全生产月 campaign, the
119 消防宣传日 and 消防宣传月 (November); trainings of 主要负责人/安全管理人员/特种作业人员/一线员工 and
drills across townships and departments through the year; the district's 区委常委会, 区政府常务会议,
安委会全会 and 专题会议, each township's own meetings; and a few 约谈 of townships, a department and
fire-key enterprises. Only dates up to today (the ledger records what was done). Deterministic per
seed: everything is drawn from the step's own generator. Written through the import's bulk service.
"""

import datetime as dt
import random
from dataclasses import dataclass, field

from django.utils import timezone

from accounts.models import OrgUnit, User
from campaigns.choices_activities import TalkTargetKind
from campaigns.models import Activity, ActivitySubtype, ActivityType, Campaign, QuantityUnit
from campaigns.services import ActivityData, TalkTargetData, activities_import_many

from . import inspections as demo_inspections
from .district import DemoContext


@dataclass
class _Plan:
    """The year's activities as they are drawn, grouped by who records them."""

    today: dt.date
    types: dict[str, ActivityType]
    subtypes: dict[str, ActivitySubtype]
    units: dict[str, QuantityUnit]
    rows: dict[int, list[ActivityData]] = field(default_factory=dict)  # creator id → rows

    def add(self, creator: User, on: dt.date, subtype: str, theme: str, organiser: OrgUnit, **fields) -> None:
        if on > self.today:
            return
        sub = self.subtypes[subtype]
        quantities = tuple((self.units[code], n) for code, n in fields.pop("quantities", {}).items() if n)
        self.rows.setdefault(creator.pk, []).append(
            ActivityData(
                date=on,
                type=sub.type,
                subtype=sub,
                theme=theme,
                organiser=organiser,
                quantities=quantities,
                **fields,
            )
        )


def _day(rng: random.Random, year: int, month: int, first: int = 1, last: int = 28) -> dt.date:
    return dt.date(year, month, rng.randint(first, last))


def _publicity(rng: random.Random, big: bool = False) -> dict[str, int]:
    """横幅 条, 宣传资料 份, 展板 块 … of one publicity event, in the range the summaries report."""
    scale = 8 if big else 1
    return {
        "banner": rng.randint(6, 30) * scale,
        "leaflet": rng.randrange(300, 2500, 50) * scale,
        "board": rng.randint(3, 16) * (2 if big else 1),
        "column": rng.randint(0, 4),
        "screen": rng.randint(0, 20) * scale,
        "wechat": rng.randint(1, 6),
        "media": rng.randint(0, 2) + (3 if big else 0),
        "audience": rng.randrange(300, 3000, 50) * scale,
    }


def build(*, rng: random.Random, context: DemoContext) -> list[str]:
    # The ledger records what was done: nothing after today, even when a test moves the demo year on.
    today = min(demo_inspections.demo_today(), timezone.localdate())
    year = today.year
    plan = _Plan(
        today=today,
        types={t.code: t for t in ActivityType.objects.all()},
        subtypes={s.code: s for s in ActivitySubtype.objects.select_related("type")},
        units={u.code: u for u in QuantityUnit.objects.all()},
    )
    officer = context.users["officer"]
    township_user = context.users["township"]
    district = context.district
    safety_month = Campaign.objects.filter(kind__code="safety-month", start_on__year=year).first()
    departments = context.departments

    def creator(unit: OrgUnit) -> User:
        return township_user if unit.pk == township_user.org_unit_id else officer

    # ---- publicity: 防灾减灾日, 安全生产月 (咨询日), 消防宣传日/月, and through the year
    for town in context.townships:
        who = creator(town)
        plan.add(
            who,
            dt.date(year, 5, 12),
            "disaster-day",
            f"{town.name}全国防灾减灾日宣传活动",
            town,
            sessions=1,
            participants=rng.randrange(150, 600, 10),
            place=f"{town.name}文化广场",
            quantities=_publicity(rng),
        )
        for i in range(rng.randint(2, 4)):
            plan.add(
                who,
                _day(rng, year, 6, 2, 30),
                "safety-month",
                f"{town.name}“安全生产月”{['进企业', '进社区', '进学校', '进农村'][i % 4]}宣传",
                town,
                sessions=rng.randint(1, 3),
                participants=rng.randrange(80, 500, 10),
                campaign=safety_month,
                quantities=_publicity(rng),
            )
        plan.add(
            who,
            dt.date(year, 6, 16),
            "consult-day",
            f"{town.name}安全生产宣传咨询日",
            town,
            participants=rng.randrange(200, 900, 10),
            campaign=safety_month,
            quantities=_publicity(rng),
        )
        plan.add(
            who,
            dt.date(year, 11, 9),
            "fire-day",
            f"{town.name}“119”消防宣传日活动",
            town,
            participants=rng.randrange(100, 500, 10),
            quantities=_publicity(rng),
        )
        for community in rng.sample(
            context.communities.get(town.pk, []), k=min(2, len(context.communities.get(town.pk, [])))
        ):
            plan.add(
                who,
                _day(rng, year, 11, 10, 30),
                "five-into",
                f"消防安全“五进”走进{community.name}",
                community,
                participants=rng.randrange(40, 200, 5),
                quantities=_publicity(rng),
            )
        # A township's own meetings: a quarterly 安委会 and a 专题会议 before the flood season.
        for quarter in range(4):
            plan.add(
                who,
                _day(rng, year, quarter * 3 + 1, 5, 25),
                "safety-special",
                f"{town.name}第{quarter + 1}季度安全生产工作会议",
                town,
                participants=rng.randint(20, 60),
            )
        # Drills: a flood drill in June, a fire evacuation in a school or community.
        plan.add(
            who,
            _day(rng, year, 6, 1, 20),
            "flood",
            f"{town.name}防汛抢险应急演练",
            town,
            participants=rng.randint(40, 150),
        )
        plan.add(
            who,
            _day(rng, year, rng.choice([3, 9, 11]), 1, 28),
            "fire-evacuation",
            f"{town.name}消防疏散演练",
            town,
            participants=rng.randrange(100, 800, 10),
        )
        plan.add(
            who,
            _day(rng, year, rng.choice([4, 10]), 1, 28),
            "grassroots",
            f"{town.name}网格员隐患排查业务培训",
            town,
            participants=rng.randint(30, 120),
        )

    plan.add(
        officer,
        dt.date(year, 6, 16),
        "consult-day",
        "全区“安全生产月”宣传咨询日主场活动",
        district,
        sessions=1,
        participants=rng.randrange(2000, 5000, 100),
        place="区政府广场",
        campaign=safety_month,
        quantities=_publicity(rng, big=True),
    )
    plan.add(
        officer,
        dt.date(year, 5, 12),
        "disaster-day",
        "全区防灾减灾日主题宣传",
        district,
        participants=rng.randrange(800, 2000, 50),
        quantities=_publicity(rng, big=True),
    )
    plan.add(
        officer,
        _day(rng, year, 6, 5, 25),
        "quiz",
        "全区安全生产网络知识竞赛",
        district,
        participants=rng.randrange(3000, 9000, 100),
        campaign=safety_month,
        quantities={"wechat": rng.randint(5, 12), "media": 2},
    )
    if "消防" in departments:
        fire = departments["消防"]
        plan.add(
            officer,
            dt.date(year, 11, 9),
            "fire-day",
            "“119”消防宣传月启动仪式",
            fire,
            participants=rng.randrange(500, 1500, 50),
            quantities=_publicity(rng, big=True),
        )
        for _ in range(3):
            plan.add(
                officer,
                _day(rng, year, 11, 10, 30),
                "fire-month",
                "消防宣传月“消防夜市”直播",
                fire,
                participants=rng.randrange(1000, 20000, 500),
                quantities={"media": rng.randint(1, 3), "audience": rng.randrange(5000, 60000, 1000)},
            )
    # 一把手谈安全 and 警示教育 by the departments through the year.
    for short, unit in departments.items():
        for _ in range(rng.randint(1, 3)):
            plan.add(
                officer,
                _day(rng, year, rng.randint(1, 12)),
                "chief-talks",
                f"{short}系统“一把手谈安全”",
                unit,
                participants=rng.randint(20, 120),
            )
        if rng.random() < 0.5:
            plan.add(
                officer,
                _day(rng, year, rng.randint(1, 12)),
                "warning-education",
                f"{short}系统安全生产警示教育",
                unit,
                participants=rng.randint(30, 200),
                quantities={"board": rng.randint(0, 8)},
            )

    # ---- training: 应急 trains principals and safety managers each quarter; sectors their own.
    emergency = departments.get("应急", district)
    for quarter in range(4):
        month = quarter * 3 + rng.randint(1, 3)
        plan.add(
            officer,
            _day(rng, year, month),
            "principal",
            f"第{quarter + 1}期企业主要负责人安全培训",
            emergency,
            sessions=rng.randint(1, 2),
            participants=rng.randint(60, 220),
        )
        plan.add(
            officer,
            _day(rng, year, month),
            "safety-manager",
            f"第{quarter + 1}期安全管理人员培训",
            emergency,
            sessions=rng.randint(1, 2),
            participants=rng.randint(50, 180),
        )
    for short, subtype, theme in (
        ("市场监管", "special-operations", "特种设备作业人员培训"),
        ("住建", "special-operations", "建筑施工特种作业人员培训"),
        ("住建", "frontline", "建筑工人岗前安全教育"),
        ("交通", "frontline", "道路运输驾驶员安全培训"),
        ("教体", "team-leader", "学校安全管理干部培训"),
    ):
        if short in departments:
            plan.add(
                officer,
                _day(rng, year, rng.randint(2, 11)),
                subtype,
                theme,
                departments[short],
                participants=rng.randint(40, 300),
            )

    # ---- drills by the departments
    for short, subtype, theme, month in (
        ("市场监管", "elevator", "电梯困人应急救援演练", 6),
        ("林业", "forest-fire", "森林防灭火应急演练", 3),
        ("应急", "sector-emergency", "危险化学品泄漏事故应急演练", 6),
        ("应急", "onsite-plan", "企业现场处置方案演练观摩", 9),
        ("教体", "fire-evacuation", "中小学消防疏散演练", 11),
    ):
        if short in departments:
            plan.add(
                officer,
                _day(rng, year, month),
                subtype,
                theme,
                departments[short],
                participants=rng.randrange(50, 600, 10),
            )

    # ---- the district's meetings (“区委常委会会议9次、区政府常务会议10次、区安委会全会5次 …”)
    # Spread over the months so far, so the year-to-date counts read like the summaries (9, 10, 5 …).
    months = list(range(1, today.month + 1)) if today.year == year else list(range(1, 13))
    for subtype, count, theme in (
        ("party-standing", 9, "区委常委会会议专题研究安全生产工作"),
        ("government-executive", 10, "区政府常务会议听取安全生产工作汇报"),
        ("safety-committee", 5, "区安委会全体会议"),
        ("safety-special", 16, "全区安全生产专题会议"),
        ("fire-joint", 3, "区消安委联席会议"),
    ):
        for month in sorted(rng.choices(months, k=count)):
            last = min(28, today.day) if (year, month) == (today.year, today.month) else 28
            day = _day(rng, year, month, 1, last)
            plan.add(officer, day, subtype, theme, district, participants=rng.randint(15, 80))

    # ---- 约谈: townships and a department whose hazards ran late, fire-key enterprises
    towns = rng.sample(context.townships, k=min(2, len(context.townships)))
    if towns:
        plan.add(
            officer,
            _day(rng, year, 4),
            "talk",
            "重大事故隐患整改逾期约谈",
            district,
            talk_targets=tuple(TalkTargetData(TalkTargetKind.TOWNSHIP, org_unit=t) for t in towns),
            talk_reason="辖区重大事故隐患整改逾期，月度评估排名靠后",
        )
    if "城管" in departments:
        plan.add(
            officer,
            _day(rng, year, 8),
            "talk",
            "城镇燃气安全监管约谈",
            district,
            talk_targets=(TalkTargetData(TalkTargetKind.DEPARTMENT, org_unit=departments["城管"]),),
            talk_reason="瓶装液化气隐患排查整治进度滞后",
        )
    fire_keys = list(context.enterprises.filter(is_fire_key_unit=True).order_by("pk")[:40])
    if fire_keys and "消防" in departments:
        for month in (3, 10):
            picked = rng.sample(fire_keys, k=min(3, len(fire_keys)))
            plan.add(
                officer,
                _day(rng, year, month),
                "talk",
                "消防安全重点单位约谈",
                departments["消防"],
                talk_targets=tuple(TalkTargetData(TalkTargetKind.ENTERPRISE, enterprise=e) for e in picked),
                talk_reason="火灾隐患未按期整改",
            )

    users = {u.pk: u for u in (officer, township_user)}
    total = 0
    for creator_id, rows in plan.rows.items():
        total += activities_import_many(user=users[creator_id], rows=sorted(rows, key=lambda r: r.date))
    talks = sum(1 for rows in plan.rows.values() for r in rows if r.subtype.is_talk)
    return [f"活动台账：{total} 项（宣传、培训、演练、会议），其中约谈 {talks} 次"]


def reset(district: OrgUnit) -> None:
    """Remove the activities organised in the demo district, with their history."""
    activities = Activity.objects.filter(organiser__path__startswith=district.path)
    Activity.history.filter(id__in=list(activities.values_list("pk", flat=True))).delete()
    activities.delete()  # quantities, 约谈 targets and files go with their activity
