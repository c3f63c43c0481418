"""The demo district: a believable 区 with its 街道/乡镇/管理处, 社区/村, 安委会成员单位, 专委会,
生产经营单位 and demo users, the same for the same seed. The first step of seed_demo (demo.steps);
its names and figures are the tables in demo/data/district.json.
"""

import random
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.db.models import Q, QuerySet

from accounts.choices import GRID_KINDS, EnterpriseScale, EnterpriseStatus, OrgKind, RiskGradeCode, Role
from accounts.models import Enterprise, OrgUnit, RiskGrade, Sector, User
from accounts.validators import USCC_CHARSET, uscc_check_char

from .tables import load

DEMO_PASSWORD = "demo12345"
CITY_NAME = "潭州市"
DISTRICT_NAME = "清河区"
DISTRICT_SHORT = "清河"
# 行政区划代码 in the 统一社会信用代码: most units register with the district, some with the city.
DISTRICT_AREA_CODE = "430199"
CITY_AREA_CODE = "430100"
CENTRE_LON, CENTRE_LAT = Decimal("112.938814"), Decimal("28.228209")

GRADE_ORDER = (RiskGradeCode.RED, RiskGradeCode.ORANGE, RiskGradeCode.YELLOW, RiskGradeCode.BLUE)
# 规上/规下 is a statistical size for firms; schools, hospitals and 民办非企业 have none.
NO_SCALE_PREFIXES = ("12", "52")
TOWNSHIP_SUFFIXES = ("管理处", "街道", "镇", "乡")


@dataclass
class DemoContext:
    """What the steps share: the command's seed and size, then what the district step built."""

    seed: int
    enterprise_count: int
    district: OrgUnit = field(init=False)
    townships: list[OrgUnit] = field(init=False)  # in order; townships[0] is the `township` user's
    departments: dict[str, OrgUnit] = field(init=False)  # by short name: 应急, 住建, 消防 …
    users: dict[str, User] = field(default_factory=dict)  # by username
    enterprise_ids: list[int] = field(default_factory=list)
    communities: dict[int, list[OrgUnit]] = field(default_factory=dict)  # township pk → its 社区/村
    committees: list[OrgUnit] = field(default_factory=list)
    sectors: dict[str, Sector] = field(default_factory=dict)  # by code
    risk_grades: dict[str, RiskGrade] = field(default_factory=dict)  # by code

    @property
    def enterprises(self) -> QuerySet[Enterprise]:
        """The demo's enterprises: those placed in the district (one prefix query, no id list)."""
        return Enterprise.objects.filter(jurisdiction__path__startswith=self.district.path)


class DemoConflict(Exception):
    """The database holds something the demo would have to overwrite."""


def find_district() -> OrgUnit | None:
    return OrgUnit.objects.filter(kind=OrgKind.DISTRICT, name=DISTRICT_NAME, parent=None).first()


def demo_exists() -> bool:
    """The demo is there if its district is, or its `officer` user (the one every step leans on)."""
    return find_district() is not None or User.objects.filter(username="officer").exists()


def demo_password_hash() -> str:
    """Hash the demo password once: hashing it per user would take most of the seeding time."""
    return make_password(DEMO_PASSWORD)


# --- the tables ------------------------------------------------------------------------------


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
    """The units whose main sector is `sector`; `names` may name a shared set in `name_sets`."""

    sector: str
    weight: float  # share of the district's enterprises with this main sector
    department: str
    names: tuple[_Name, ...]
    trades: tuple[str, ...] = ("",)
    extras: tuple[str, ...] = ()  # plausible second sectors
    where: tuple[float, float, float] = (1.0, 1.0, 1.0)  # weight in 街道, 乡镇, 管理处
    risk: tuple[int, int, int, int] = (3, 12, 35, 50)  # 红橙黄蓝
    fire_key: float = 0.015


def _table() -> dict:
    return load("district")


@cache
def _profiles() -> tuple[_Profile, ...]:
    table = _table()
    sets = {key: tuple(_Name(**n) for n in names) for key, names in table["name_sets"].items()}
    profiles = []
    for spec in table["profiles"]:
        names = spec["names"]
        spec = {k: tuple(v) if isinstance(v, list) else v for k, v in spec.items()}
        spec["names"] = sets[names] if isinstance(names, str) else tuple(_Name(**n) for n in names)
        profiles.append(_Profile(**spec))
    return tuple(profiles)


def _short(name: str) -> str:
    for suffix in TOWNSHIP_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def _grid_short(name: str) -> str:
    return name[:-2] if name.endswith("社区") else name.removesuffix("村")


def _person(rng: random.Random) -> str:
    given = _table()["given"]
    given = rng.choice(given) if rng.random() < 0.3 else rng.choice(given) + rng.choice(given)
    return rng.choice(_table()["surnames"]) + given


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


def _build_org(context: DemoContext) -> None:
    table, sectors = _table(), context.sectors
    district = OrgUnit.objects.create(name=DISTRICT_NAME, short_name=DISTRICT_SHORT, kind=OrgKind.DISTRICT)
    townships, communities = [], {}
    for order, spec in enumerate(table["townships"], start=1):
        township = OrgUnit.objects.create(
            name=spec["name"],
            short_name=_short(spec["name"]),
            kind=spec["kind"],
            parent=district,
            order=order * 10,
        )
        grid_kind = OrgKind.VILLAGE if spec["kind"] == OrgKind.TOWN else OrgKind.COMMUNITY
        communities[township.pk] = [
            OrgUnit.objects.create(name=name, kind=grid_kind, parent=township, order=i * 10)
            for i, name in enumerate(spec["communities"], start=1)
        ]
        townships.append(township)
    departments = {}
    for order, spec in enumerate(table["departments"], start=100):
        dept = OrgUnit.objects.create(
            name=spec["name"],
            short_name=spec["short"],
            kind=OrgKind.DEPARTMENT,
            parent=district,
            order=order * 10,
        )
        dept.supervised_sectors.set([sectors[c] for c in spec["sectors"]])
        departments[spec["short"]] = dept
    committees = []
    for order, spec in enumerate(table["committees"], start=200):
        committee = OrgUnit.objects.create(
            name=spec["name"],
            short_name=spec["name"].removesuffix("专委会"),
            kind=OrgKind.COMMITTEE,
            parent=district,
            order=order * 10,
        )
        committee.supervised_sectors.set([sectors[c] for c in spec["sectors"]])
        committees.append(committee)
    context.district, context.townships, context.communities = district, townships, communities
    context.departments, context.committees = departments, committees


def _build_users(rng: random.Random, context: DemoContext) -> dict[str, User]:
    """The five named demo users, and one more login for every township and department."""
    table = _table()
    specs = []
    for spec in table["named_users"]:
        where = spec["where"]
        if where == "district":
            unit = context.district
        elif where == "township":
            unit = context.townships[0]
        else:
            unit = context.departments[where]
        specs.append((spec["username"], spec["name"], spec["role"], unit))
    for spec, township in zip(table["townships"], context.townships, strict=True):
        specs.append((f"township_{spec['slug']}", _person(rng), Role.TOWNSHIP, township))
    for spec in table["departments"]:
        department = context.departments[spec["short"]]
        specs.append((f"dept_{spec['slug']}", _person(rng), Role.DEPARTMENT, department))

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


def _build_enterprises(rng: random.Random, context: DemoContext) -> list[int]:
    table, profiles = _table(), _profiles()
    brands, ordinals = table["brands"], table["ordinals"]
    status_weights, scale_weights = table["status_weights"], table["scale_weights"]
    sectors, grades, departments = context.sectors, context.risk_grades, context.departments
    kind_index = {OrgKind.STREET: 0, OrgKind.TOWN: 1, OrgKind.OFFICE: 2}
    profile_weights = [[p.weight * p.where[i] for p in profiles] for i in range(3)]
    township_weights = [spec["weight"] for spec in table["townships"]]
    road_names, road_kinds = table["roads"], table["road_kinds"]
    roads = {
        t.pk: [rng.choice(road_names) + rng.choice(road_kinds) for _ in range(5)] for t in context.townships
    }
    positions = _layout(rng, context)
    used_codes = set(Enterprise.objects.values_list("uscc", flat=True))
    used_names: set[str] = set()

    rows, links = [], []
    for _ in range(context.enterprise_count):
        township = rng.choices(context.townships, weights=township_weights)[0]
        grids = context.communities[township.pk]
        jurisdiction = rng.choice(grids) if rng.random() < 0.85 else township
        grid = jurisdiction if jurisdiction.kind in GRID_KINDS else rng.choice(grids)
        profile = rng.choices(profiles, weights=profile_weights[kind_index[township.kind]])[0]
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
                brand=rng.choice(brands),
                trade=rng.choice(profile.trades),
                town=township.short_name,
                grid=_grid_short(grid.name),
                cn=rng.choice(ordinals),
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
            scale = rng.choices(list(scale_weights), weights=list(scale_weights.values()))[0]
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
                status=rng.choices(list(status_weights), weights=list(status_weights.values()))[0],
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
    named = "、".join(u["username"] for u in _table()["named_users"])
    return [
        f"{context.district.name}：街道 {units[OrgKind.STREET]} 个、乡镇 {units[OrgKind.TOWN]} 个、"
        f"管理处 {units[OrgKind.OFFICE]} 个，社区 {units[OrgKind.COMMUNITY]} 个、村 {units[OrgKind.VILLAGE]} 个；"
        f"安委会成员单位 {units[OrgKind.DEPARTMENT]} 个，专委会 {units[OrgKind.COMMITTEE]} 个",
        f"生产经营单位 {len(context.enterprise_ids)} 家：在营 {status[EnterpriseStatus.OPERATING]}、"
        f"停产 {status[EnterpriseStatus.SUSPENDED]}、关闭 {status[EnterpriseStatus.CLOSED]}；"
        f"红 {grade[RiskGradeCode.RED]}、橙 {grade[RiskGradeCode.ORANGE]}、黄 {grade[RiskGradeCode.YELLOW]}、"
        f"蓝 {grade[RiskGradeCode.BLUE]}；消防安全重点单位 {fire_key} 家，重大危险源 {major} 家",
        f"用户 {len(context.users)} 个（{named} 及各街镇、部门账号），密码均为 {DEMO_PASSWORD}",
    ]


def build(*, rng: random.Random, context: DemoContext) -> list[str]:
    """The district, its units, users and enterprises; fills `context` for the steps after it."""
    context.sectors = {s.code: s for s in Sector.objects.all()}
    _build_org(context)
    context.risk_grades = {g.code: g for g in RiskGrade.objects.all()}
    context.users = _build_users(rng, context)
    context.enterprise_ids = _build_enterprises(rng, context)
    return _summary(context)


# --- reset ---------------------------------------------------------------------------------


def _purge_history(model, ids: QuerySet, *m2m_history: str) -> None:
    """Delete the history rows of the records `ids` (a values("pk") queryset), m2m snapshots first:
    simple_history links those without a database constraint, so nothing cascades."""
    history = model.history.filter(id__in=ids)
    for name in m2m_history:
        apps.get_model("accounts", name).objects.filter(history__in=history.values("pk")).delete()
    history.delete()


def reset(district: OrgUnit) -> None:
    """Remove the district's enterprises, users and units (leaves first), and their history rows.
    Units and users outside the district stay. Runs last: later steps' records point at these."""
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
