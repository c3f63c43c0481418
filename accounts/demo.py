"""The demo district: a believable 区 with its 街道/乡镇, 社区/村, member departments, enterprises
and the five demo users, deterministic for a seed.

Later apps add a year of their own records by registering a step here from their AppConfig.ready();
accounts never imports them.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction

from .choices import EnterpriseScale, EnterpriseStatus, OrgKind, RiskGradeCode, Role
from .models import Enterprise, OrgUnit, RiskGrade, Sector, User
from .validators import USCC_CHARSET, uscc_check_char

DEMO_PASSWORD = "demo12345"
DISTRICT_NAME = "清河区"


@dataclass
class DemoContext:
    district: OrgUnit
    townships: list[OrgUnit]
    departments: dict[str, OrgUnit]  # by short name: 应急, 住建 …
    users: dict[str, User]
    enterprise_ids: list[int] = field(default_factory=list)


DemoStep = Callable[..., str]
_steps: list[tuple[int, str, DemoStep, Callable[[], None] | None]] = []


def register_demo_step(
    name: str, func: DemoStep, order: int, reset: Callable[[], None] | None = None
) -> None:
    """Add `func(*, rng, context) -> summary line` to seed_demo, run after the district exists.

    `reset` removes what the step made; `seed_demo --reset` calls the resets in reverse order before
    the district's own data goes (records of later apps protect the enterprises they point at).
    """
    if all(existing != name for _, existing, _, _ in _steps):
        _steps.append((order, name, func, reset))
        _steps.sort(key=lambda s: s[0])


def registered_steps() -> list[tuple[str, DemoStep]]:
    return [(name, func) for _, name, func, _ in _steps]


def demo_password_hash() -> str:
    """Hash the demo password once: hashing it per user would take most of the seeding time."""
    from django.contrib.auth.hashers import make_password

    return make_password(DEMO_PASSWORD)


# (name, kind, communities)
TOWNSHIPS = [
    ("城关街道", OrgKind.STREET, ["城北社区", "城南社区", "鼓楼社区", "文昌社区", "府前社区"]),
    ("河西街道", OrgKind.STREET, ["河西社区", "望江社区", "滨河社区", "桃源社区"]),
    ("东湖街道", OrgKind.STREET, ["东湖社区", "湖滨社区", "月塘社区", "新村社区", "荷花社区", "学府社区"]),
    ("火车站街道", OrgKind.STREET, ["站前社区", "铁路社区", "建设社区"]),
    ("高新街道", OrgKind.STREET, ["科创社区", "园区社区", "长岭社区", "创业社区"]),
    ("白石镇", OrgKind.TOWN, ["白石村", "石门村", "青山村", "桥头村", "下湾村", "柳林村"]),
    ("金桥镇", OrgKind.TOWN, ["金桥村", "马坪村", "枫树村", "黄土村", "新塘村"]),
    ("龙泉镇", OrgKind.TOWN, ["龙泉村", "清水村", "竹山村", "大湾村", "塘边村", "凤凰村", "沙坪村"]),
    ("清溪镇", OrgKind.TOWN, ["清溪村", "杨家村", "茶园村", "双江村"]),
    ("长乐乡", OrgKind.TOWN, ["长乐村", "高坪村", "松林村", "田心村", "石桥村"]),
    (
        "云台乡",
        OrgKind.TOWN,
        ["云台村", "岩口村", "木林村", "水口村", "花园村", "太平村", "新华村", "雷公村"],
    ),
    ("经开区管理处", OrgKind.OFFICE, ["工业园社区", "物流园社区", "新材料社区"]),
]

# (name, short name, supervised sector codes)
DEPARTMENTS = [
    ("区应急管理局", "应急", ["hazchem", "mining", "fireworks", "industry-trade", "dust", "confined-space"]),
    ("区住房和城乡建设局", "住建", ["construction", "gas"]),
    ("区消防救援大队", "消防", ["fire"]),
    ("区市场监督管理局", "市场监管", ["special-equipment", "commerce"]),
    ("区交通运输局", "交通", ["road-traffic", "waterway-fishery"]),
    ("区教育体育局", "教体", ["education"]),
    ("区文化旅游局", "文旅", ["culture-tourism"]),
    ("区民政局", "民政", ["civil-affairs"]),
    ("区卫生健康局", "卫健", ["health"]),
    ("区农业农村局", "农业农村", ["waterway-fishery"]),
    ("区城市管理局", "城管", ["gas"]),
    ("区林业局", "林业", ["forest-fire"]),
    ("区公安分局交警大队", "交警", ["road-traffic"]),
]

COMMITTEES = ["道路交通安全专委会", "消防安全专委会", "建设工程安全专委会", "危险化学品安全专委会"]

# (sector code, weight, name endings) — commerce and 工贸 dominate a district, mines are few.
SECTOR_MIX = [
    ("machinery", 12, ["机械制造有限公司", "机电设备有限公司", "五金加工厂"]),
    ("light-industry", 10, ["食品有限公司", "家具厂", "包装制品有限公司", "印务有限公司"]),
    ("building-materials", 7, ["建材有限公司", "混凝土有限公司", "新型墙材厂"]),
    ("textile", 4, ["纺织有限公司", "服饰有限公司"]),
    ("metallurgy", 2, ["铸造有限公司", "钢材加工有限公司"]),
    ("nonferrous", 1, ["铝业有限公司", "有色金属制品厂"]),
    ("commerce", 16, ["商贸有限公司", "超市", "农贸市场", "商贸城", "购物广场"]),
    ("construction", 9, ["建筑工程有限公司", "建设有限公司", "市政工程有限公司"]),
    ("hazchem", 3, ["化工有限公司", "加油站", "气体有限公司"]),
    ("fireworks", 1, ["烟花爆竹零售点", "烟花爆竹经营部"]),
    ("mining", 1, ["采石场", "石料有限公司"]),
    ("gas", 3, ["燃气有限公司", "液化气供应站"]),
    ("road-traffic", 5, ["运输有限公司", "物流有限公司", "客运有限公司"]),
    ("education", 5, ["幼儿园", "培训学校", "小学"]),
    ("culture-tourism", 3, ["酒店", "旅行社", "KTV"]),
    ("civil-affairs", 2, ["养老院", "敬老院"]),
    ("health", 3, ["医院", "诊所", "卫生院"]),
    ("special-equipment", 2, ["电梯工程有限公司", "锅炉安装有限公司"]),
    ("waterway-fishery", 1, ["渔业专业合作社", "航运有限公司"]),
    ("fire", 4, ["网吧", "宾馆", "餐饮店"]),
    ("dust", 1, ["木制品有限公司"]),
]
PLACE_WORDS = [
    "清河",
    "金源",
    "鑫达",
    "华兴",
    "宏远",
    "顺发",
    "永安",
    "东方",
    "长城",
    "盛世",
    "恒通",
    "天成",
    "瑞丰",
    "汇通",
    "新星",
    "博远",
    "利民",
    "众鑫",
    "祥和",
    "安泰",
]
SURNAMES = ["王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"]
GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "涛",
    "明",
    "超",
    "秀英",
    "建华",
    "志强",
    "海燕",
    "国平",
]
STREETS = [
    "人民路",
    "解放路",
    "建设路",
    "中山路",
    "滨河路",
    "工业大道",
    "迎宾大道",
    "创业路",
    "兴业路",
    "府前街",
]

CENTRE_LON, CENTRE_LAT = Decimal("112.938814"), Decimal("28.228209")
GRADE_WEIGHTS = {
    RiskGradeCode.RED: 3,
    RiskGradeCode.ORANGE: 12,
    RiskGradeCode.YELLOW: 35,
    RiskGradeCode.BLUE: 50,
}


def demo_exists() -> bool:
    return OrgUnit.objects.filter(kind=OrgKind.DISTRICT, name=DISTRICT_NAME).exists()


@transaction.atomic
def demo_reset() -> None:
    """Remove what seed_demo made: the district's enterprises, users and units (leaves first)."""
    district = OrgUnit.objects.filter(kind=OrgKind.DISTRICT, name=DISTRICT_NAME).first()
    if district is None:
        return
    for _, _, _, reset in reversed(_steps):
        if reset is not None:
            reset()
    units = OrgUnit.objects.filter(path__startswith=district.path)
    Enterprise.history.filter(jurisdiction__in=units).delete()
    Enterprise.objects.filter(jurisdiction__in=units).delete()
    User.objects.filter(org_unit__in=units).delete()
    for unit in units.order_by("-depth"):
        unit.delete()


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _phone(rng: random.Random) -> str:
    return f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"


def _uscc(rng: random.Random, used: set[str]) -> str:
    while True:
        body = "91" + "430102" + "".join(rng.choice(USCC_CHARSET) for _ in range(9))
        code = body + uscc_check_char(body)
        if code not in used:
            used.add(code)
            return code


def _build_org(rng: random.Random) -> tuple[OrgUnit, list[OrgUnit], dict[str, OrgUnit]]:
    sectors = {s.code: s for s in Sector.objects.all()}
    district = OrgUnit.objects.create(name=DISTRICT_NAME, short_name="清河", kind=OrgKind.DISTRICT)
    townships = []
    for order, (name, kind, communities) in enumerate(TOWNSHIPS, start=1):
        township = OrgUnit.objects.create(name=name, kind=kind, parent=district, order=order)
        grid_kind = OrgKind.VILLAGE if kind == OrgKind.TOWN else OrgKind.COMMUNITY
        for i, community in enumerate(communities, start=1):
            OrgUnit.objects.create(name=community, kind=grid_kind, parent=township, order=i)
        townships.append(township)
    departments = {}
    for order, (name, short, codes) in enumerate(DEPARTMENTS, start=100):
        dept = OrgUnit.objects.create(
            name=name, short_name=short, kind=OrgKind.DEPARTMENT, parent=district, order=order
        )
        dept.supervised_sectors.set([sectors[c] for c in codes])
        departments[short] = dept
    for order, name in enumerate(COMMITTEES, start=200):
        OrgUnit.objects.create(name=name, kind=OrgKind.COMMITTEE, parent=district, order=order)
    return district, townships, departments


def _build_users(
    district: OrgUnit, townships: list[OrgUnit], departments: dict[str, OrgUnit]
) -> dict[str, User]:
    specs = [
        ("admin", "系统管理员", Role.ADMIN, district, True),
        ("officer", "周安全", Role.OFFICER, departments["应急"], False),
        ("township", "李街道", Role.TOWNSHIP, townships[0], False),
        ("department", "王住建", Role.DEPARTMENT, departments["住建"], False),
        ("leader", "陈区长", Role.LEADER, district, False),
    ]
    users = {}
    password = demo_password_hash()
    for username, name, role, unit, superuser in specs:
        user = User(
            username=username, name=name, role=role, org_unit=unit, is_staff=superuser, is_superuser=superuser
        )
        user.password = password
        user.save()
        users[username] = user
    return users


def _build_enterprises(
    rng: random.Random, count: int, townships: list[OrgUnit], departments: dict[str, OrgUnit]
) -> list[int]:
    sectors = {s.code: s for s in Sector.objects.all()}
    grades = {g.code: g for g in RiskGrade.objects.all()}
    dept_for_sector = {}
    for dept in departments.values():
        for s in dept.supervised_sectors.all():
            dept_for_sector.setdefault(s.pk, dept)
    # 工贸 sub-sectors are supervised through their parent.
    for s in sectors.values():
        if s.parent_id and s.pk not in dept_for_sector:
            dept_for_sector[s.pk] = dept_for_sector.get(s.parent_id)
    grids = {t.pk: list(OrgUnit.objects.filter(parent=t).order_by("order")) for t in townships}
    mix_weights = [w for _, w, _ in SECTOR_MIX]
    grade_codes, grade_weights = zip(*GRADE_WEIGHTS.items(), strict=True)
    used_codes: set[str] = set()
    used_names: set[str] = set()

    rows, links = [], []
    for _ in range(count):
        code, _, endings = rng.choices(SECTOR_MIX, weights=mix_weights)[0]
        primary = sectors[code]
        chosen = [primary]
        if rng.random() < 0.15:
            extra = sectors[rng.choice(["fire", "special-equipment", "confined-space", "dust"])]
            if extra != primary:
                chosen.append(extra)
        township = rng.choice(townships)
        jurisdiction = rng.choice(grids[township.pk]) if rng.random() < 0.85 else township
        name = ""
        for _attempt in range(20):
            first, second = rng.sample([township.name[:2], *PLACE_WORDS], 2)
            name = f"{first}{second}{rng.choice(endings)}"
            if name not in used_names:
                break
        else:
            name = f"{name[: -len(endings[0])]}{rng.choice(['一', '二', '三', '四'])}分公司"
            while name in used_names:
                name = f"{DISTRICT_NAME[:2]}{name}"
        used_names.add(name)
        status = rng.choices(
            [EnterpriseStatus.OPERATING, EnterpriseStatus.SUSPENDED, EnterpriseStatus.CLOSED],
            weights=[90, 6, 4],
        )[0]
        rows.append(
            Enterprise(
                uscc=_uscc(rng, used_codes),
                name=name,
                jurisdiction=jurisdiction,
                supervising_department=dept_for_sector.get(primary.pk),
                risk_grade=grades[rng.choices(grade_codes, weights=grade_weights)[0]],
                scale=rng.choices(list(EnterpriseScale.values), weights=[20, 35, 45])[0],
                status=status,
                address=f"{DISTRICT_NAME}{township.name}{rng.choice(STREETS)}{rng.randint(1, 999)}号",
                longitude=CENTRE_LON + Decimal(rng.randint(-15000, 15000)) / Decimal(100000),
                latitude=CENTRE_LAT + Decimal(rng.randint(-12000, 12000)) / Decimal(100000),
                contact_person=_person(rng),
                contact_phone=_phone(rng),
                is_fire_key_unit=rng.random() < 0.08,
                has_major_hazard_source=code == "hazchem" and rng.random() < 0.3,
            )
        )
        links.append(chosen)
    # Bulk inserts: 3000 units in seconds. Demo rows start without a history entry, which is
    # honest — nobody entered them.
    created = Enterprise.objects.bulk_create(rows, batch_size=500)
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


@transaction.atomic
def demo_build(*, seed: int, enterprises: int) -> list[str]:
    """Build the district and run every registered step; returns the summary lines."""
    rng = random.Random(seed)
    district, townships, departments = _build_org(rng)
    users = _build_users(district, townships, departments)
    ids = _build_enterprises(rng, enterprises, townships, departments)
    context = DemoContext(district, townships, departments, users, ids)
    units = OrgUnit.objects.filter(path__startswith=district.path)
    lines = [
        f"{district.name}：街道/乡镇 {len(townships)} 个，社区/村 {units.filter(kind__in=['community', 'village']).count()} 个，"
        f"成员单位 {len(departments)} 个，专委会 {len(COMMITTEES)} 个",
        f"生产经营单位 {len(ids)} 家",
        f"演示用户 {', '.join(users)}（密码 {DEMO_PASSWORD}）",
    ]
    for name, step in registered_steps():
        lines.append(step(rng=random.Random(f"{seed}:{name}"), context=context))
    return lines
