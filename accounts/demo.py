"""The demo district: a believable 区 with its 街道/乡镇/管理处, 社区/村, 安委会成员单位, 专委会,
生产经营单位 and demo users, the same for the same seed.

Later apps add a year of their own records by registering a step from their AppConfig.ready()
(`register_demo_step`); accounts never imports them. Each step gets its own `random.Random`
seeded from the command's seed and the step's name, so adding or reordering steps leaves the data
of the others unchanged.
"""

import random
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

from django.apps import apps
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Q, QuerySet

from .choices import GRID_KINDS, EnterpriseScale, EnterpriseStatus, OrgKind, RiskGradeCode, Role
from .models import Enterprise, OrgUnit, RiskGrade, Sector, User
from .validators import USCC_CHARSET, uscc_check_char

DEMO_PASSWORD = "demo12345"
CITY_NAME = "潭州市"
DISTRICT_NAME = "清河区"
DISTRICT_SHORT = "清河"
# 行政区划代码 in the 统一社会信用代码: most units register with the district, some with the city.
DISTRICT_AREA_CODE = "430199"
CITY_AREA_CODE = "430100"
CENTRE_LON, CENTRE_LAT = Decimal("112.938814"), Decimal("28.228209")


# --- the registry of later apps' steps --------------------------------------------------------


@dataclass
class DemoContext:
    """What the accounts step built, handed to every later step."""

    district: OrgUnit
    townships: list[OrgUnit]  # in order; townships[0] is the `township` user's
    departments: dict[str, OrgUnit]  # by short name: 应急, 住建, 消防 …
    users: dict[str, User]  # by username
    enterprise_ids: list[int] = field(default_factory=list)
    seed: int = 0
    communities: dict[int, list[OrgUnit]] = field(default_factory=dict)  # township pk → its 社区/村
    committees: list[OrgUnit] = field(default_factory=list)
    sectors: dict[str, Sector] = field(default_factory=dict)  # by code
    risk_grades: dict[str, RiskGrade] = field(default_factory=dict)  # by code

    @property
    def enterprises(self) -> QuerySet[Enterprise]:
        """The demo's enterprises: those placed in the district (one prefix query, no id list)."""
        return Enterprise.objects.filter(jurisdiction__path__startswith=self.district.path)


StepFunc = Callable[..., str]  # func(*, rng: random.Random, context: DemoContext) -> summary line
ResetFunc = Callable[[], None]


@dataclass(frozen=True)
class DemoStep:
    name: str
    func: StepFunc
    order: int
    reset: ResetFunc | None = None


_steps: dict[str, DemoStep] = {}


def register_demo_step(name: str, func: StepFunc, order: int, reset: ResetFunc | None = None) -> None:
    """Add `func(*, rng, context) -> summary line` to seed_demo, run after the district exists.

    Steps run by `order` (then name). `reset()` removes what the step made; `seed_demo --reset`
    calls the resets in reverse order before the district's own data goes (records of later apps
    protect the enterprises and users they point at). Registering a name again replaces the step.
    """
    _steps[name] = DemoStep(name, func, order, reset)


def registered_steps() -> list[DemoStep]:
    return sorted(_steps.values(), key=lambda s: (s.order, s.name))


def step_rng(seed: int, name: str) -> random.Random:
    """The step's own generator: string seeds hash the same in every process (no PYTHONHASHSEED)."""
    return random.Random(f"{seed}:{name}")


def demo_password_hash() -> str:
    """Hash the demo password once: hashing it per user would take most of the seeding time."""
    return make_password(DEMO_PASSWORD)


# --- the organisation ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Township:
    name: str
    kind: str
    slug: str  # for the extra user's login name
    weight: float  # share of the district's enterprises
    communities: tuple[str, ...]


TOWNSHIPS = [
    _Township(
        "城关街道",
        OrgKind.STREET,
        "chengguan",
        1.3,
        ("城北社区", "城南社区", "鼓楼社区", "文昌社区", "府前社区"),
    ),
    _Township("河西街道", OrgKind.STREET, "hexi", 1.0, ("河西社区", "望江社区", "滨河社区", "桃源社区")),
    _Township(
        "东湖街道",
        OrgKind.STREET,
        "donghu",
        1.1,
        ("东湖社区", "湖滨社区", "月塘社区", "新村社区", "荷花社区", "学府社区"),
    ),
    _Township("火车站街道", OrgKind.STREET, "huochezhan", 0.8, ("站前社区", "铁路社区", "建设社区")),
    _Township("高新街道", OrgKind.STREET, "gaoxin", 1.1, ("科创社区", "园区社区", "长岭社区", "创业社区")),
    _Township(
        "白石镇", OrgKind.TOWN, "baishi", 0.9, ("白石村", "石门村", "青山村", "桥头村", "下湾村", "柳林村")
    ),
    _Township("金桥镇", OrgKind.TOWN, "jinqiao", 0.8, ("金桥村", "马坪村", "枫树村", "黄土村", "新塘村")),
    _Township(
        "龙泉镇",
        OrgKind.TOWN,
        "longquan",
        0.8,
        ("龙泉村", "清水村", "竹山村", "大湾村", "塘边村", "凤凰村", "沙坪村"),
    ),
    _Township("清溪镇", OrgKind.TOWN, "qingxi", 0.6, ("清溪村", "杨家村", "茶园村", "双江村")),
    _Township("长乐乡", OrgKind.TOWN, "changle", 0.5, ("长乐村", "高坪村", "松林村", "田心村", "石桥村")),
    _Township(
        "云台乡",
        OrgKind.TOWN,
        "yuntai",
        0.5,
        ("云台村", "岩口村", "木林村", "水口村", "花园村", "太平村", "新华村", "雷公村"),
    ),
    _Township("经开区管理处", OrgKind.OFFICE, "jingkai", 1.4, ("工业园社区", "物流园社区", "新材料社区")),
]

# (name, short name, login slug, supervised sector codes)
DEPARTMENTS = [
    (
        "区应急管理局",
        "应急",
        "yingji",
        ["hazchem", "mining", "fireworks", "industry-trade", "dust", "confined-space"],
    ),
    ("区住房和城乡建设局", "住建", "zhujian", ["construction", "gas"]),
    ("区消防救援大队", "消防", "xiaofang", ["fire"]),
    ("区市场监督管理局", "市场监管", "shijian", ["special-equipment", "commerce"]),
    ("区交通运输局", "交通", "jiaotong", ["road-traffic", "waterway-fishery"]),
    ("区教育体育局", "教体", "jiaoti", ["education"]),
    ("区文化旅游局", "文旅", "wenlv", ["culture-tourism"]),
    ("区民政局", "民政", "minzheng", ["civil-affairs"]),
    ("区卫生健康局", "卫健", "weijian", ["health"]),
    ("区农业农村局", "农业农村", "nongye", ["waterway-fishery"]),
    ("区城市管理局", "城管", "chengguanju", ["gas"]),
    ("区林业局", "林业", "linye", ["forest-fire"]),
    ("区公安分局交警大队", "交警", "jiaojing", ["road-traffic"]),
]

# (name, the sectors it coordinates)
COMMITTEES = [
    ("道路交通安全专委会", ["road-traffic"]),
    ("消防安全专委会", ["fire"]),
    ("建设工程安全专委会", ["construction", "gas"]),
    ("危险化学品安全专委会", ["hazchem", "fireworks"]),
]

# (username, name, role, where: "district" | a department short name | "township")
NAMED_USERS = [
    ("admin", "孙立新", Role.ADMIN, "district"),
    ("officer", "周建军", Role.OFFICER, "应急"),
    ("township", "李秀梅", Role.TOWNSHIP, "township"),
    ("department", "王志强", Role.DEPARTMENT, "住建"),
    ("leader", "陈国华", Role.LEADER, "district"),
]


# --- the enterprises -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Name:
    """One kind of unit in a sector: its name pattern and what comes with that kind.

    Placeholders: {place} 清河/潭州/the township, {brand} 字号, {trade} the sector's trade word,
    {town} the township, {grid} the 社区/村, {cn} a Chinese ordinal.
    `prefix` is the first two characters of the 统一社会信用代码: 91 企业, 92 个体工商户,
    93 农民专业合作社, 12 事业单位, 52 民办非企业单位.
    """

    pattern: str
    weight: int = 1
    prefix: str = "91"
    extra: str | None = None  # a second sector this kind of unit always has
    department: str | None = None  # when not the sector's usual department
    major_hazard: float = 0.0  # chance of a 重大危险源
    fire_key: float | None = None  # chance of being a 消防安全重点单位, else the sector's


@dataclass(frozen=True)
class _Profile:
    sector: str
    weight: float  # share of the district's enterprises with this main sector
    department: str
    names: tuple[_Name, ...]
    trades: tuple[str, ...] = ("",)
    extras: tuple[str, ...] = ()  # plausible second sectors
    where: tuple[float, float, float] = (1.0, 1.0, 1.0)  # weight in 街道, 乡镇, 管理处
    risk: tuple[int, int, int, int] = (3, 12, 35, 50)  # 红橙黄蓝
    fire_key: float = 0.015


_CO = "{place}{brand}{trade}有限公司"
_INDUSTRY_NAMES = (
    _Name(_CO, 8),
    _Name("{place}{brand}{trade}制造有限公司", 2),
    _Name("{place}{brand}{trade}厂", 2),
    _Name("{place}{brand}{trade}股份有限公司", 1),
)
_INDUSTRY_WHERE = (0.4, 1.4, 3.0)

PROFILES = [
    _Profile(
        "machinery",
        13,
        "应急",
        _INDUSTRY_NAMES,
        trades=(
            "机械",
            "精密机械",
            "机电设备",
            "五金制品",
            "汽车零部件",
            "阀门",
            "轴承",
            "模具",
            "农机",
            "电机",
        ),
        extras=("dust", "confined-space", "special-equipment"),
        where=_INDUSTRY_WHERE,
        risk=(2, 12, 38, 48),
    ),
    _Profile(
        "light-industry",
        10,
        "应急",
        _INDUSTRY_NAMES,
        trades=("食品", "酿酒", "纸业", "塑料制品", "家具", "木业", "包装", "印务", "饮品", "竹木制品"),
        extras=("dust", "confined-space", "fire"),
        where=_INDUSTRY_WHERE,
    ),
    _Profile(
        "building-materials",
        7,
        "应急",
        _INDUSTRY_NAMES,
        trades=("水泥", "商品混凝土", "新型建材", "陶瓷", "玻璃", "石材", "管桩", "新型墙材", "保温材料"),
        extras=("dust", "special-equipment"),
        where=(0.3, 1.8, 2.0),
        risk=(3, 14, 38, 45),
    ),
    _Profile(
        "textile",
        5,
        "应急",
        _INDUSTRY_NAMES,
        trades=("纺织", "织造", "服饰", "印染", "家纺", "针织", "制衣"),
        extras=("dust", "fire"),
        where=_INDUSTRY_WHERE,
    ),
    _Profile(
        "metallurgy",
        2.5,
        "应急",
        _INDUSTRY_NAMES,
        trades=("钢铁", "特钢", "铸造", "金属制品", "钢管", "钢材加工"),
        extras=("confined-space", "special-equipment", "dust"),
        where=(0.1, 1.2, 4.0),
        risk=(6, 20, 40, 34),
    ),
    _Profile(
        "nonferrous",
        1.5,
        "应急",
        _INDUSTRY_NAMES,
        trades=("铝业", "铜业", "有色金属", "铝型材", "合金材料"),
        extras=("dust", "confined-space"),
        where=(0.1, 1.2, 4.0),
        risk=(6, 20, 40, 34),
    ),
    _Profile(
        "industry-trade",
        2,
        "应急",
        (_Name("{place}{brand}实业有限公司", 3), _Name("{place}{brand}工贸有限公司", 2)),
        extras=("confined-space",),
        where=_INDUSTRY_WHERE,
    ),
    _Profile(
        "commerce",
        16,
        "市场监管",
        (
            _Name("{place}{brand}商贸有限公司", 6),
            _Name("{place}{brand}百货有限公司", 1),
            _Name("{brand}超市", 3, prefix="92"),
            _Name("{brand}便利店", 2, prefix="92"),
            _Name("{grid}农贸市场", 1, fire_key=0.2),
            _Name("{place}{brand}商贸城", 1, fire_key=0.4),
            _Name("{place}{brand}购物广场有限公司", 1, fire_key=0.6),
            _Name("{place}{brand}建材市场有限公司", 1, fire_key=0.2),
        ),
        extras=("fire",),
        where=(1.6, 0.8, 0.5),
        risk=(1, 8, 33, 58),
        fire_key=0.015,
    ),
    _Profile(
        "construction",
        10,
        "住建",
        (
            _Name("{place}{brand}建筑工程有限公司", 6),
            _Name("{place}{brand}建设工程有限公司", 3),
            _Name("{place}{brand}建筑安装工程有限公司", 2),
            _Name("{place}{brand}市政工程有限公司", 2),
            _Name("{place}{brand}装饰工程有限公司", 2),
            _Name("{place}{brand}建筑劳务有限公司", 2),
            _Name("{place}{brand}园林绿化工程有限公司", 1),
        ),
        extras=("special-equipment",),
        risk=(3, 15, 40, 42),
    ),
    _Profile(
        "road-traffic",
        4,
        "交通",
        (
            _Name("{place}{brand}运输有限公司", 4),
            _Name("{place}{brand}物流有限公司", 3),
            _Name("{place}{brand}客运有限公司", 1),
            _Name("{place}{brand}公交客运有限公司", 1),
            _Name("{place}{brand}机动车驾驶员培训有限公司", 1),
            _Name("{place}{brand}出租汽车有限公司", 1),
            _Name("{place}{brand}危险货物运输有限公司", 1, extra="hazchem"),
        ),
        extras=("fire",),
        where=(1.0, 1.0, 1.5),
        risk=(4, 16, 40, 40),
    ),
    _Profile(
        "hazchem",
        3.5,
        "应急",
        (
            _Name("{place}{brand}化工有限公司", 4, major_hazard=0.45),
            _Name("{place}{brand}新材料科技有限公司", 2, major_hazard=0.3),
            _Name("{place}{brand}涂料有限公司", 1, major_hazard=0.2),
            _Name("{place}{brand}工业气体有限公司", 1, extra="special-equipment", major_hazard=0.3),
            _Name("{place}{brand}化学品贸易有限公司", 1, major_hazard=0.1),
            _Name("{town}{brand}加油站", 3),
        ),
        extras=("confined-space", "special-equipment"),
        where=(0.4, 1.0, 5.0),
        risk=(12, 30, 40, 18),
        fire_key=0.25,
    ),
    _Profile(
        "mining",
        0.8,
        "应急",
        (
            _Name("{place}{brand}矿业有限公司", 2),
            _Name("{place}{brand}石料有限公司", 2),
            _Name("{grid}采石场", 1),
            _Name("{place}{brand}砂石有限公司", 1),
        ),
        extras=("special-equipment",),
        where=(0.0, 3.0, 0.0),
        risk=(15, 35, 35, 15),
    ),
    _Profile(
        "fireworks",
        0.8,
        "应急",
        (
            _Name("{place}{brand}烟花爆竹有限公司", 1, major_hazard=0.3),
            _Name("{brand}烟花爆竹零售点", 4, prefix="92"),
            _Name("{town}{brand}烟花爆竹经营部", 2, prefix="92"),
        ),
        where=(0.5, 2.0, 0.2),
        risk=(10, 30, 40, 20),
        fire_key=0.1,
    ),
    _Profile(
        "gas",
        2,
        "住建",
        (
            _Name("{place}{brand}燃气有限公司", 3, major_hazard=0.2),
            _Name("{place}{brand}液化石油气有限公司", 2, department="城管", major_hazard=0.1),
            _Name("{town}{brand}液化气供应站", 3, prefix="92", department="城管"),
            _Name("{place}{brand}天然气加气站", 1, extra="special-equipment"),
        ),
        risk=(5, 20, 45, 30),
        fire_key=0.15,
    ),
    _Profile(
        "special-equipment",
        1.8,
        "市场监管",
        (
            _Name("{place}{brand}电梯工程有限公司", 3),
            _Name("{place}{brand}锅炉有限公司", 1),
            _Name("{place}{brand}起重设备有限公司", 2),
            _Name("{place}{brand}压力容器制造有限公司", 1),
            _Name("{place}{brand}叉车服务有限公司", 1),
        ),
        where=(1.0, 0.8, 1.5),
        risk=(3, 15, 40, 42),
    ),
    _Profile(
        "culture-tourism",
        3,
        "文旅",
        (
            _Name("{place}{brand}大酒店有限公司", 2, fire_key=0.6),
            _Name("{place}{brand}旅行社有限公司", 2, fire_key=0.0),
            _Name("{place}{brand}景区管理有限公司", 1),
            _Name("{brand}量贩KTV", 2, prefix="92", fire_key=0.5),
            _Name("{brand}网咖", 2, prefix="92"),
            _Name("{place}{brand}影城有限公司", 1, fire_key=0.6),
        ),
        extras=("fire",),
        where=(1.4, 0.8, 0.3),
        risk=(2, 10, 35, 53),
        fire_key=0.2,
    ),
    _Profile(
        "education",
        3.5,
        "教体",
        (
            _Name("{place}第{cn}中学", 2, prefix="12"),
            _Name("{town}中心小学", 1, prefix="12"),
            _Name("{grid}小学", 2, prefix="12"),
            _Name("{town}中心幼儿园", 1, prefix="12"),
            _Name("{place}{brand}幼儿园", 4, prefix="52"),
            _Name("{place}{brand}培训学校", 2, prefix="52", fire_key=0.05),
            _Name("{place}{brand}职业技术学校", 1, prefix="52"),
        ),
        extras=("fire",),
        where=(1.3, 1.0, 0.3),
        risk=(1, 6, 30, 63),
        fire_key=0.2,
    ),
    _Profile(
        "health",
        2.5,
        "卫健",
        (
            _Name("{town}卫生院", 1, prefix="12"),
            _Name("{grid}卫生室", 2, prefix="12", fire_key=0.0),
            _Name("{place}{brand}诊所", 3, prefix="92", fire_key=0.0),
            _Name("{place}{brand}口腔门诊部", 1),
            _Name("{place}{brand}医院有限公司", 1, fire_key=0.8),
            _Name("{place}第{cn}人民医院", 1, prefix="12", fire_key=1.0),
        ),
        extras=("fire",),
        where=(1.3, 1.0, 0.3),
        risk=(2, 10, 38, 50),
        fire_key=0.25,
    ),
    _Profile(
        "civil-affairs",
        1.5,
        "民政",
        (
            _Name("{town}敬老院", 2, prefix="12"),
            _Name("{place}{brand}养老院", 3, prefix="52"),
            _Name("{place}{brand}颐养中心", 1, prefix="52"),
            _Name("{grid}居家养老服务站", 2, prefix="52", fire_key=0.05),
            _Name("{place}{brand}老年公寓", 1, prefix="52"),
        ),
        extras=("fire",),
        risk=(2, 10, 38, 50),
        fire_key=0.4,
    ),
    _Profile(
        "fire",
        2.5,
        "消防",
        (
            _Name("{brand}宾馆", 3, prefix="92"),
            _Name("{place}{brand}酒店有限公司", 2),
            _Name("{place}{brand}餐饮管理有限公司", 2),
            _Name("{brand}洗浴中心", 1, prefix="92"),
            _Name("{place}{brand}仓储有限公司", 2),
            _Name("{place}{brand}物业管理有限公司", 1),
        ),
        where=(1.5, 0.7, 0.8),
        risk=(2, 10, 38, 50),
        fire_key=0.25,
    ),
    _Profile(
        "waterway-fishery",
        1.2,
        "农业农村",
        (
            _Name("{place}{brand}水产养殖专业合作社", 3, prefix="93"),
            _Name("{grid}渔业专业合作社", 2, prefix="93"),
            _Name("{place}{brand}渔业有限公司", 1),
            _Name("{place}{brand}船务有限公司", 1, department="交通"),
            _Name("{place}{brand}港务有限公司", 1, department="交通"),
        ),
        where=(0.3, 2.5, 0.5),
    ),
    _Profile(
        "forest-fire",
        0.5,
        "林业",
        (
            _Name("{place}{brand}林场", 1),
            _Name("{town}国有林场", 1, prefix="12"),
            _Name("{place}{brand}林业专业合作社", 2, prefix="93"),
            _Name("{place}{brand}苗木有限公司", 2),
        ),
        where=(0.1, 3.0, 0.0),
    ),
]


def _words(text: str) -> list[str]:
    return text.split()


BRANDS = _words(
    "恒达 鑫源 宏远 华盛 永兴 金泰 盛世 瑞丰 天成 中天 隆昌 新阳 通达 嘉信 宝利 鸿运 福瑞 顺昌 海川 联创 "
    "德润 康宁 安泰 兴旺 合力 广源 东升 益民 长青 博远 佳和 荣达 利民 天润 明辉 信诚 金鼎 银河 华美 宏泰 "
    "昌盛 富源 大成 凯达 恒通 三友 四海 永丰 聚源 鼎盛 泰和 润丰 裕隆 兆丰 锦程 远航 众诚 瑞祥 祥和 百信 "
    "金利 振华 华兴 同心 永盛 伟业 卓越 精工 金达 新宇 宏发 鑫达 鑫盛 鑫隆 森茂 林峰 嘉禾 德胜 荣昌 汇通 "
    "丰泽 润泽 信达 安达 安康 湘润 潭源 楚天 湘江 麓山 岳峰 星沙 芙蓉 橘洲 南岳 洞庭 韶华 梅溪 桂园 兰亭"
)
ORDINALS = "一二三四五六七八九十"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢傅钟谭"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志文斌海波宁红玉萍鹏辉飞凤琴云兰婷雪亮林峰晨浩宇欣佳俊鑫凯"
ROADS = _words(
    "人民 解放 建设 中山 文化 新华 湘江 滨河 迎宾 工业 创业 科技 兴业 振兴 富民 金山 银湖 翠屏 青年 团结 "
    "胜利 健康 育英 书院 府前 鼓楼 车站 芙蓉 桂花 梅林 长岭 龙泉 白石 金桥 清溪 望江 东湖 学府 园区 物流"
)
ROAD_KINDS = ("路", "路", "街", "大道")
TOWNSHIP_SUFFIXES = ("管理处", "街道", "镇", "乡")

STATUS_WEIGHTS = {EnterpriseStatus.OPERATING: 91, EnterpriseStatus.SUSPENDED: 6, EnterpriseStatus.CLOSED: 3}
SCALE_WEIGHTS = {EnterpriseScale.ABOVE: 15, EnterpriseScale.BELOW: 35, EnterpriseScale.MICRO: 50}
GRADE_ORDER = (RiskGradeCode.RED, RiskGradeCode.ORANGE, RiskGradeCode.YELLOW, RiskGradeCode.BLUE)
# 规上/规下 is a statistical size for firms; schools, hospitals and 民办非企业 have none.
NO_SCALE_PREFIXES = ("12", "52")


def _short(name: str) -> str:
    for suffix in TOWNSHIP_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def _grid_short(name: str) -> str:
    return name[:-2] if name.endswith("社区") else name.removesuffix("村")


def _person(rng: random.Random) -> str:
    given = rng.choice(GIVEN) if rng.random() < 0.3 else rng.choice(GIVEN) + rng.choice(GIVEN)
    return rng.choice(SURNAMES) + given


def _phone(rng: random.Random) -> str:
    return f"1{rng.choice('35789')}{rng.randrange(10**9):09d}"


def _org_code(rng: random.Random, *, new_style: bool) -> str:
    """The 9-character 组织机构代码 part (GB 11714): 8 characters and their check character."""
    body = (
        "MA" + "".join(rng.choice(USCC_CHARSET) for _ in range(6))
        if new_style
        else "".join(rng.choice("0123456789") for _ in range(8))
    )
    total = sum(int(ch, 36) * w for ch, w in zip(body, (3, 7, 9, 10, 5, 8, 4, 2), strict=True))
    check = 11 - total % 11
    return body + {10: "X", 11: "0"}.get(check, str(check))


def _uscc(rng: random.Random, prefix: str, used: set[str]) -> str:
    while True:
        area = DISTRICT_AREA_CODE if rng.random() < 0.85 else CITY_AREA_CODE
        first17 = prefix + area + _org_code(rng, new_style=prefix[0] == "9" and rng.random() < 0.6)
        code = first17 + uscc_check_char(first17)
        if code not in used:
            used.add(code)
            return code


def _offset(rng: random.Random, spread: float) -> Decimal:
    return Decimal(round(rng.uniform(-spread, spread), 6)).quantize(Decimal("0.000001"))


# --- building ------------------------------------------------------------------------------


class DemoConflict(Exception):
    """The database holds something the demo would have to overwrite."""


def find_district() -> OrgUnit | None:
    return OrgUnit.objects.filter(kind=OrgKind.DISTRICT, name=DISTRICT_NAME, parent=None).first()


def demo_exists() -> bool:
    """The demo is there if its district is, or its `officer` user (the one every step leans on)."""
    return find_district() is not None or User.objects.filter(username="officer").exists()


def _build_org(sectors: dict[str, Sector]) -> DemoContext:
    district = OrgUnit.objects.create(name=DISTRICT_NAME, short_name=DISTRICT_SHORT, kind=OrgKind.DISTRICT)
    townships, communities = [], {}
    for order, spec in enumerate(TOWNSHIPS, start=1):
        township = OrgUnit.objects.create(
            name=spec.name, short_name=_short(spec.name), kind=spec.kind, parent=district, order=order * 10
        )
        grid_kind = OrgKind.VILLAGE if spec.kind == OrgKind.TOWN else OrgKind.COMMUNITY
        communities[township.pk] = [
            OrgUnit.objects.create(name=name, kind=grid_kind, parent=township, order=i * 10)
            for i, name in enumerate(spec.communities, start=1)
        ]
        townships.append(township)
    departments = {}
    for order, (name, short, _slug, codes) in enumerate(DEPARTMENTS, start=100):
        dept = OrgUnit.objects.create(
            name=name, short_name=short, kind=OrgKind.DEPARTMENT, parent=district, order=order * 10
        )
        dept.supervised_sectors.set([sectors[c] for c in codes])
        departments[short] = dept
    committees = []
    for order, (name, codes) in enumerate(COMMITTEES, start=200):
        committee = OrgUnit.objects.create(
            name=name,
            short_name=name.removesuffix("专委会"),
            kind=OrgKind.COMMITTEE,
            parent=district,
            order=order * 10,
        )
        committee.supervised_sectors.set([sectors[c] for c in codes])
        committees.append(committee)
    return DemoContext(
        district=district,
        townships=townships,
        departments=departments,
        users={},
        communities=communities,
        committees=committees,
        sectors=sectors,
    )


def _build_users(rng: random.Random, context: DemoContext) -> dict[str, User]:
    """The five named demo users, and one more login for every township and department."""
    specs = []
    for username, name, role, where in NAMED_USERS:
        if where == "district":
            unit = context.district
        elif where == "township":
            unit = context.townships[0]
        else:
            unit = context.departments[where]
        specs.append((username, name, role, unit))
    for spec, township in zip(TOWNSHIPS, context.townships, strict=True):
        specs.append((f"township_{spec.slug}", _person(rng), Role.TOWNSHIP, township))
    for _name, short, slug, _codes in DEPARTMENTS:
        specs.append((f"dept_{slug}", _person(rng), Role.DEPARTMENT, context.departments[short]))

    taken = set(User.objects.filter(username__in=[s[0] for s in specs]).values_list("username", flat=True))
    if taken:
        raise DemoConflict(f"用户名已被占用（不是演示数据创建的，未覆盖）：{'、'.join(sorted(taken))}")
    password = demo_password_hash()
    users = {}
    for username, name, role, unit in specs:
        admin = role == Role.ADMIN
        user = User(
            username=username,
            name=name,
            role=role,
            org_unit=unit,
            phone=_phone(rng),
            is_staff=admin,
            is_superuser=admin,
            password=password,
        )
        user.save()
        users[username] = user
    return users


def _layout(rng: random.Random, context: DemoContext) -> dict[int, tuple[Decimal, Decimal, float]]:
    """Map positions (lon, lat, spread) per unit: streets near the centre, towns further out."""
    where: dict[int, tuple[Decimal, Decimal, float]] = {}
    for township in context.townships:
        radius = {OrgKind.STREET: 0.035, OrgKind.OFFICE: 0.07}.get(township.kind, 0.13)
        lon = CENTRE_LON + _offset(rng, radius)
        lat = CENTRE_LAT + _offset(rng, radius * 0.8)
        where[township.pk] = (lon, lat, 0.012 if township.kind == OrgKind.STREET else 0.03)
        for grid in context.communities[township.pk]:
            spread = where[township.pk][2]
            where[grid.pk] = (lon + _offset(rng, spread), lat + _offset(rng, spread), spread / 3)
    return where


def _build_enterprises(rng: random.Random, context: DemoContext, count: int) -> list[int]:
    sectors, grades, departments = context.sectors, context.risk_grades, context.departments
    kind_index = {OrgKind.STREET: 0, OrgKind.TOWN: 1, OrgKind.OFFICE: 2}
    profile_weights = [[p.weight * p.where[i] for p in PROFILES] for i in range(3)]
    township_weights = [spec.weight for spec in TOWNSHIPS]
    roads = {t.pk: [rng.choice(ROADS) + rng.choice(ROAD_KINDS) for _ in range(5)] for t in context.townships}
    positions = _layout(rng, context)
    used_codes = set(Enterprise.objects.values_list("uscc", flat=True))
    used_names: set[str] = set()

    rows, links = [], []
    for _ in range(count):
        township = rng.choices(context.townships, weights=township_weights)[0]
        grids = context.communities[township.pk]
        jurisdiction = rng.choice(grids) if rng.random() < 0.85 else township
        grid = jurisdiction if jurisdiction.kind in GRID_KINDS else rng.choice(grids)
        profile = rng.choices(PROFILES, weights=profile_weights[kind_index[township.kind]])[0]
        kind_weights = [n.weight for n in profile.names]

        name = ""
        for attempt in range(30):
            if attempt % 5 == 0:  # one 中心小学 per township: after a few clashes, try another kind
                kind = rng.choices(profile.names, weights=kind_weights)[0]
            place = rng.choices([DISTRICT_SHORT, CITY_NAME[:2], township.short_name], weights=[45, 20, 35])[0]
            if township.kind == OrgKind.OFFICE and place == township.short_name:
                place = DISTRICT_SHORT + township.short_name
            name = kind.pattern.format(
                place=place,
                brand=rng.choice(BRANDS),
                trade=rng.choice(profile.trades),
                town=township.short_name,
                grid=_grid_short(grid.name),
                cn=rng.choice(ORDINALS),
            )
            if name not in used_names:
                break
        base, n = name, 1
        while name in used_names:  # a 农贸市场 or 卫生院 per place only; a second one is a branch
            n += 1
            name = f"{base}（{_grid_short(grid.name)}{'' if n == 2 else n}）"
        used_names.add(name)

        chosen = [profile.sector]
        extra = kind.extra or (rng.choice(profile.extras) if profile.extras and rng.random() < 0.3 else None)
        if extra and extra not in chosen:
            chosen.append(extra)
        major = rng.random() < kind.major_hazard
        grade = rng.choices(GRADE_ORDER, weights=profile.risk)[0]
        if major and grade in (RiskGradeCode.YELLOW, RiskGradeCode.BLUE):
            grade = RiskGradeCode.ORANGE  # a 重大危险源 is at least 较大风险
        fire_key = kind.fire_key if kind.fire_key is not None else profile.fire_key
        if "fire" in chosen[1:]:  # tagged 消防 for a reason: a crowded or flammable place
            fire_key = max(fire_key, 0.08)
        if kind.prefix in NO_SCALE_PREFIXES:
            scale = ""
        elif kind.prefix == "92":
            scale = EnterpriseScale.MICRO
        else:
            scale = rng.choices(list(SCALE_WEIGHTS), weights=list(SCALE_WEIGHTS.values()))[0]
        if jurisdiction.kind == OrgKind.VILLAGE and rng.random() < 0.6:
            address = f"{jurisdiction.name}{rng.randint(1, 12)}组{rng.randint(1, 99)}号"
        else:
            address = f"{rng.choice(roads[township.pk])}{rng.randint(1, 888)}号"
        lon, lat, spread = positions[jurisdiction.pk]

        rows.append(
            Enterprise(
                uscc=_uscc(rng, kind.prefix, used_codes),
                name=name,
                jurisdiction=jurisdiction,
                supervising_department=departments[kind.department or profile.department],
                risk_grade=grades[grade],
                scale=scale,
                status=rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()))[0],
                address=f"{CITY_NAME}{DISTRICT_NAME}{township.name}{address}",
                longitude=lon + _offset(rng, spread),
                latitude=lat + _offset(rng, spread),
                contact_person=_person(rng),
                contact_phone=_phone(rng),
                is_fire_key_unit=rng.random() < fire_key,
                has_major_hazard_source=major,
            )
        )
        links.append([sectors[code] for code in chosen])

    # bulk_create, not bulk_create_with_history: no history row for the demo's enterprises. That is
    # honest (nobody entered them), and simple_history's bulk helper would not record their sectors
    # (m2m history is written only on m2m_changed), so each first history row would be wrong.
    created = Enterprise.objects.bulk_create(rows, batch_size=500)
    if created and created[0].pk is None:  # a backend that cannot return ids from a bulk insert
        ids = dict(Enterprise.objects.filter(uscc__in=[e.uscc for e in rows]).values_list("uscc", "pk"))
        for e in created:
            e.pk = ids[e.uscc]
    through = Enterprise.sectors.through
    through.objects.bulk_create(
        [
            through(enterprise_id=e.pk, sector_id=s.pk)
            for e, chosen in zip(created, links, strict=True)
            for s in chosen
        ],
        batch_size=1000,
    )
    return [e.pk for e in created]


def _summary(context: DemoContext) -> list[str]:
    units = Counter(
        OrgUnit.objects.filter(path__startswith=context.district.path).values_list("kind", flat=True)
    )
    qs = context.enterprises
    status = Counter(qs.values_list("status", flat=True))
    grade = Counter(qs.values_list("risk_grade__code", flat=True))
    fire_key = qs.filter(is_fire_key_unit=True).count()
    major = qs.filter(has_major_hazard_source=True).count()
    return [
        f"{context.district.name}：街道 {units[OrgKind.STREET]} 个、乡镇 {units[OrgKind.TOWN]} 个、"
        f"管理处 {units[OrgKind.OFFICE]} 个，社区 {units[OrgKind.COMMUNITY]} 个、村 {units[OrgKind.VILLAGE]} 个；"
        f"安委会成员单位 {units[OrgKind.DEPARTMENT]} 个，专委会 {units[OrgKind.COMMITTEE]} 个",
        f"生产经营单位 {len(context.enterprise_ids)} 家：在营 {status[EnterpriseStatus.OPERATING]}、"
        f"停产 {status[EnterpriseStatus.SUSPENDED]}、关闭 {status[EnterpriseStatus.CLOSED]}；"
        f"红 {grade[RiskGradeCode.RED]}、橙 {grade[RiskGradeCode.ORANGE]}、黄 {grade[RiskGradeCode.YELLOW]}、"
        f"蓝 {grade[RiskGradeCode.BLUE]}；消防安全重点单位 {fire_key} 家，重大危险源 {major} 家",
        f"用户 {len(context.users)} 个（{'、'.join(u for u, *_ in NAMED_USERS)} 及各街镇、部门账号），"
        f"密码均为 {DEMO_PASSWORD}",
    ]


@transaction.atomic
def demo_build(*, seed: int, enterprises: int) -> list[str]:
    """Build the district and run every registered step; returns the summary lines, in Chinese."""
    rng = random.Random(seed)
    sectors = {s.code: s for s in Sector.objects.all()}
    context = _build_org(sectors)
    context.seed = seed
    context.risk_grades = {g.code: g for g in RiskGrade.objects.all()}
    context.users = _build_users(rng, context)
    context.enterprise_ids = _build_enterprises(rng, context, enterprises)
    lines = _summary(context)
    for step in registered_steps():
        lines.append(step.func(rng=step_rng(seed, step.name), context=context))
    return lines


# --- reset ---------------------------------------------------------------------------------


@contextmanager
def _history_paused() -> Iterator[None]:
    """simple_history reads SIMPLE_HISTORY_ENABLED on every signal. Off, deleting 3000 demo rows is
    a few batched queries instead of 3000 '-' history inserts that the purge would remove anyway."""
    previous = getattr(settings, "SIMPLE_HISTORY_ENABLED", True)
    settings.SIMPLE_HISTORY_ENABLED = False
    try:
        yield
    finally:
        settings.SIMPLE_HISTORY_ENABLED = previous


def _purge_history(model, ids: QuerySet, *m2m_history: str) -> None:
    """Delete the history rows of the records `ids` (a values("pk") queryset), m2m snapshots first:
    simple_history links those without a database constraint, so nothing cascades."""
    history = model.history.filter(id__in=ids)
    for name in m2m_history:
        apps.get_model("accounts", name).objects.filter(history__in=history.values("pk")).delete()
    history.delete()


@transaction.atomic
def demo_reset() -> None:
    """Remove what seed_demo made: later steps' records, then the district's enterprises, users and
    units (leaves first), and their history rows. Units and users outside the district stay."""
    district = find_district()
    if district is None:  # nothing of ours; later steps' resets may clear whole tables, so not them
        return
    with _history_paused():
        for step in reversed(registered_steps()):
            if step.reset is not None:
                step.reset()
        inside = Q(path__startswith=district.path)
        units = OrgUnit.objects.filter(inside)
        firms = Enterprise.objects.filter(
            Q(jurisdiction__path__startswith=district.path)
            | Q(supervising_department__path__startswith=district.path)
        )
        _purge_history(Enterprise, firms.values("pk"), "HistoricalEnterprise_sectors")
        firms.delete()
        users = User.objects.filter(org_unit__path__startswith=district.path)
        _purge_history(User, users.values("pk"))
        users.delete()
        _purge_history(OrgUnit, units.values("pk"), "HistoricalOrgUnit_supervised_sectors")
        for depth in sorted(set(units.values_list("depth", flat=True)), reverse=True):
            OrgUnit.objects.filter(inside, depth=depth).delete()
