"""What the demo's inspections say, so that a year of them reads like the district summaries.

The summaries count 专项行动 around fixed points of the year (安全生产月 in June, the weeks before the
Spring Festival and National Day, the flood season), leader-led inspections at 市级 (a few), 区级
(many more) and 街镇级, and problems found on a small share of visits. This module plans the outings
(dates, organisers, kinds, leaders, visited firms) and the check results of each visit; demo.py turns
them into rows with bulk_create. Pure Python, no queries: the caller hands in what it looked up.
"""

import datetime as dt
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from accounts.choices import OrgKind
from accounts.models import OrgUnit

from .choices import CheckResultValue, LeaderLevel

CAMPAIGN_PREFIX = "专项行动："

# 春节 (Spring Festival) falls on a different day each year; the campaign runs in the weeks before it.
SPRING_FESTIVAL = {
    2024: (2, 10),
    2025: (1, 29),
    2026: (2, 17),
    2027: (2, 6),
    2028: (1, 26),
    2029: (2, 13),
    2030: (2, 3),
    2031: (1, 23),
    2032: (2, 11),
}


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
    festival = dt.date(year, *SPRING_FESTIVAL.get(year, (2, 5)))
    return [
        Campaign(
            "春节前安全生产大检查",
            festival - dt.timedelta(days=30),
            festival - dt.timedelta(days=2),
            0.08,
            ("fireworks", "gas", "commerce", "fire", "hazchem"),
            city_led=True,
        ),
        Campaign("全国两会期间安全防范检查", dt.date(year, 3, 1), dt.date(year, 3, 12), 0.03),
        Campaign("安全生产月集中执法检查", dt.date(year, 6, 1), dt.date(year, 6, 30), 0.12, city_led=True),
        Campaign(
            "汛期安全专项检查",
            dt.date(year, 6, 1),
            dt.date(year, 8, 31),
            0.08,
            ("construction", "mining", "confined-space", "hazchem", "waterway-fishery"),
        ),
        Campaign(
            "国庆节前安全生产大检查",
            dt.date(year, 9, 15),
            dt.date(year, 9, 30),
            0.06,
            ("culture-tourism", "commerce", "fire", "gas", "special-equipment"),
            city_led=True,
        ),
    ]


# Outside campaigns most inspections are routine; 专项/联合 happen now and then.
ORDINARY_KINDS = {
    "routine": 50,
    "special": 8,
    "joint": 3,
    "random": 8,
    "unannounced": 8,
    "follow-up": 13,
    "expert": 6,
}
CAMPAIGN_KINDS = {"special": 3, "joint": 1}

CITY_LEADERS = ("王卫东（市委常委、副市长）", "钱立群（副市长）", "赵建明（市政府秘书长）")
# The deputy in charge of work safety leads most; the secretary and the head of the district a few.
DISTRICT_LEADERS = {
    "陈志刚（区委书记）": 1,
    "刘建平（区长）": 2,
    "张红梅（常务副区长）": 2,
    "黄海涛（副区长）": 6,
    "吴晓东（区委常委、政法委书记）": 1,
    "林国栋（区人大常委会副主任）": 1,
}
TOWNSHIP_TITLES = {
    OrgKind.STREET: ("党工委书记", "办事处主任", "分管副主任"),
    OrgKind.TOWN: ("党委书记", "镇长", "分管副镇长"),
    OrgKind.OFFICE: ("党工委书记", "管理处主任", "分管副主任"),
}
SURNAMES = "王李张刘陈杨黄赵周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
_GIVEN = "建华志强海波晓东丽娟国庆卫民振宇秀英立新红军文斌春燕德明"
GIVEN = tuple(_GIVEN[i : i + 2] for i in range(0, len(_GIVEN), 2))  # two-character given names
EXPERTS = ("王建国", "李志华", "陈立新", "张海燕", "刘振宇", "杨文斌", "彭学军", "何静")

# 发现问题 as inspectors write them, one or two per check item.
FINDINGS = {
    "是否建立安全风险分级管控和隐患排查治理制度": ("未建立隐患排查治理台账", "风险分级管控清单未及时更新"),
    "重大危险源是否登记建档并定期检测": ("储罐区可燃气体检测报警仪未定期检测", "重大危险源未按规定备案"),
    "特种作业人员是否持证上岗": ("一名电工作业人员特种作业操作证过期", "焊接作业人员未持证上岗"),
    "疏散通道、安全出口是否畅通": ("二楼疏散通道堆放纸箱等杂物", "安全出口上锁，疏散指示标志损坏"),
    "消防设施器材是否完好有效": ("部分灭火器压力不足", "室内消火栓箱内水带缺失"),
    "是否落实每日防火巡查": ("未落实每日防火巡查，无巡查记录",),
    "深基坑、高支模是否编制专项施工方案": ("高支模专项施工方案未经专家论证", "深基坑未按方案进行监测"),
    "起重机械是否经检验合格": ("塔吊未办理使用登记", "施工升降机限位装置失效"),
    "临边洞口防护是否到位": ("三层楼板临边未设防护栏杆", "电梯井口未设置防护门"),
    "有限空间作业是否审批并检测": ("有限空间作业未执行审批制度", "污水池入口未设置警示标识"),
    "粉尘涉爆场所是否按规定清扫": ("除尘器积尘未及时清理", "粉尘清扫记录缺失"),
    "安全生产责任制是否健全": ("全员安全生产责任制未覆盖一线岗位", "未明确专职安全管理人员"),
    "燃气管道是否存在占压": ("燃气管道上方违规搭建库房",),
    "用气场所是否安装可燃气体报警装置": ("后厨未安装可燃气体报警装置", "报警装置未与紧急切断阀联动"),
    "钢瓶是否在检验有效期内": ("两只液化气钢瓶超期未检", "钢瓶与灶具间距不足"),
    "经营场所是否违规住人": ("二楼仓库违规设置员工宿舍",),
    "电气线路是否规范敷设": ("电气线路私拉乱接", "插座串接使用大功率电器"),
    "是否配备灭火器材": ("未按规定配备灭火器", "灭火器过期未更换"),
    "特种设备是否办理使用登记": ("一台叉车未办理使用登记",),
    "特种设备是否在检验有效期内": ("电梯超过检验有效期", "压力容器安全阀未定期校验"),
    "电梯是否落实维保并张贴标识": ("电梯维保记录不全", "轿厢内未张贴安全检验合格标志"),
    "校舍及周边是否存在安全隐患": ("围墙局部开裂未处置",),
    "食堂燃气使用是否规范": ("食堂燃气软管老化",),
    "是否定期开展应急疏散演练": ("本学期未开展应急疏散演练",),
    "营运车辆是否按规定年检和二级维护": ("两辆营运车辆未按期二级维护",),
    "动态监控系统是否正常运行": ("动态监控平台值守记录不全", "一辆车辆卫星定位装置离线"),
    "驾驶员是否定期开展安全教育": ("驾驶员安全教育培训记录缺失",),
    "除尘系统是否按规范设置": ("除尘系统未设置泄爆装置", "采用正压吹送粉尘"),
    "是否建立粉尘清扫制度": ("未建立粉尘清扫制度",),
    "是否使用防爆电气设备": ("粉尘作业区使用非防爆照明灯具",),
    "有限空间是否辨识并设置警示标志": ("有限空间未辨识建档", "化粪池未设置安全警示标志"),
    "是否配备气体检测和通风设备": ("未配备便携式气体检测报警仪",),
    "作业人员是否经专项培训": ("作业人员未经有限空间专项安全培训",),
    "游乐设施是否定期检查": ("游乐设施日常检查记录缺失",),
    "人员密集区域是否落实限流措施": ("未制定节假日限流方案",),
    "应急预案是否制定并演练": ("应急预案未组织演练",),
    "医用氧气、危化试剂是否规范存放": ("氧气瓶未固定存放", "危化试剂未落实双人双锁管理"),
    "消防控制室是否24小时双人值班": ("消防控制室夜间单人值班",),
    "放射诊疗场所防护是否到位": ("放射机房工作状态指示灯损坏",),
    "养老机构是否落实夜间巡查": ("夜间巡查记录不全",),
    "老人居室是否违规使用电器": ("老人居室使用电热毯等大功率电器",),
    "厨房燃气是否安装报警装置": ("厨房未安装可燃气体报警装置",),
    "船舶是否按规定配备救生设备": ("渔船救生衣配备数量不足",),
    "是否存在“三无”船舶": ("发现一艘“三无”船舶停靠码头",),
    "渡口是否落实安全管理制度": ("渡口未张贴安全乘船须知",),
    "是否超范围、超许可量储存": ("零售点超许可量储存烟花爆竹",),
    "储存场所是否与居住场所分开": ("零售点与居住场所未有效分隔",),
    "是否有非法产品": ("发现少量无标识烟花爆竹产品",),
    "边坡是否按设计分台阶开采": ("采场边坡未按设计分台阶开采",),
    "爆破作业是否规范": ("爆破警戒范围不足",),
    "尾矿库、排土场是否定期监测": ("排土场监测记录不全",),
    "是否落实野外用火管控": ("林区边缘发现烧荒痕迹",),
    "护林员是否按规定巡山": ("护林员巡山记录缺失",),
    "防火物资是否储备到位": ("扑火工具储备不足",),
}
FOLLOW_UPS = (
    "已当场责令整改。",
    "已下达责令限期整改指令书，限期7日内整改完毕。",
    "已责令限期15日内整改，届时组织复查。",
    "现场已整改完毕。",
)
NONCOMPLIANT_SHARE = 0.10  # records with one or two 不符合 items
NO_RESULTS_SHARE = 0.05  # records entered without item results (paper forms typed in later)
NOT_APPLICABLE_SHARE = 0.04


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


@dataclass(frozen=True)
class Leaders:
    township: Mapping[int, Sequence[str]]  # township pk → its leaders, the one in charge last

    def district(self, rng: random.Random) -> str:
        return rng.choices(list(DISTRICT_LEADERS), weights=list(DISTRICT_LEADERS.values()))[0]

    def of_township(self, rng: random.Random, pk: int) -> str:
        names = self.township[pk]
        return rng.choices(names, weights=[1, 2, 5][: len(names)])[0]


def township_leaders(rng: random.Random, townships: Sequence[OrgUnit]) -> Leaders:
    leaders = {}
    for township in townships:
        titles = TOWNSHIP_TITLES.get(township.kind, TOWNSHIP_TITLES[OrgKind.STREET])
        if township.name.endswith("乡"):
            titles = ("党委书记", "乡长", "分管副乡长")
        leaders[township.pk] = [f"{rng.choice(SURNAMES)}{rng.choice(GIVEN)}（{title}）" for title in titles]
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
        kinds, weights = list(ORDINARY_KINDS), list(ORDINARY_KINDS.values())
        while len(planned) < total:
            day = _day(rng, start, today)
            organizer = rng.choice([*self.departments, *self.townships])
            kind = rng.choices(kinds, weights=weights)[0]
            planned.append(self._outing(day, organizer, kind, campaign=False))
        # Numbers run in date order per organiser, as an office issuing them day by day would.
        planned.sort(key=lambda o: o.date)
        return planned

    def _campaign_outing(self, campaign: Campaign, day: dt.date, *, city: bool) -> Outing:
        rng = self.rng
        # A city leader's inspection is accompanied by 区应急管理局.
        organizer = self.departments[0] if city else rng.choice([*self.departments, *self.townships])
        kind = rng.choices(list(CAMPAIGN_KINDS), weights=list(CAMPAIGN_KINDS.values()))[0]
        outing = self._outing(day, organizer, kind, campaign=True, sectors=campaign.sectors)
        outing.note = f"{CAMPAIGN_PREFIX}{campaign.title}"
        if city:
            outing.leader_level, outing.leader_name = LeaderLevel.CITY, rng.choice(CITY_LEADERS)
        return outing

    def _outing(
        self, day: dt.date, organizer: int, kind: str, *, campaign: bool, sectors: tuple[str, ...] = ()
    ) -> Outing:
        rng = self.rng
        counts = (2, 2, 3, 4, 5) if kind == "joint" else (1, 2, 2, 3, 4) if campaign else (1, 1, 2, 3, 4)
        outing = Outing(day, organizer, kind, _pick_firms(rng, self.pool(organizer, sectors), counts))
        if kind == "expert" or (kind == "joint" and rng.random() < 0.3):
            outing.experts = "、".join(rng.sample(EXPERTS, k=rng.choice([1, 2])))
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
    found = FINDINGS.get(title)
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
    if len(problems) == 1:
        return rows, f"{problems[0]}。{rng.choice(FOLLOW_UPS)}"
    listed = "；".join(f"{n}. {p}" for n, p in enumerate(problems, start=1))
    return rows, f"{listed}。{rng.choice(FOLLOW_UPS)}"
