"""The city of seed_scale: one district root holding ten districts' worth of 街道/乡镇/管理处 (skewed
sizes), their 社区/村, the 安委会成员单位 with the sectors they supervise, the users (four with fixed
usernames for the benchmark) and the enterprises — all loaded with COPY, ids allocated by the Loader.
"""

import datetime as dt
import random
from bisect import bisect
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import accumulate

from django.contrib.auth.hashers import make_password

from accounts.choices import EnterpriseScale, EnterpriseStatus, OrgKind, RiskGradeCode, Role
from accounts.models import RiskGrade, Sector
from accounts.validators import USCC_CHARSET, uscc_check_char

from ..tables import load
from .loader import Loader

SCALE_DISTRICT = "星城区"
SCALE_SHORT = "星城"
SCALE_PASSWORD = "scale12345"
OFFICER, LEADER, DEPARTMENT_USER, TOWNSHIP_USER = (
    "scale_officer",
    "scale_leader",
    "scale_department",
    "scale_township",
)
# 行政区划代码 in the generated 统一社会信用代码: one the demo district never uses, so both can share a database.
AREA_CODE = "430198"
CENTRE_LON, CENTRE_LAT = 112.94, 28.23

_FIRST = "东西南北金银青白红黄新长永安平和宁乐福康泰兴华丰盛龙凤云星月"
_SECOND = "山河湖塘桥湾岭坪岗港口坝洲园林溪川阳城冲铺"
_TOWN_KINDS = (
    (OrgKind.STREET, "街道", "社区"),
    (OrgKind.TOWN, "镇", "村"),
    (OrgKind.OFFICE, "管理处", "社区"),
)
_TRADES = {
    "hazchem": "化工",
    "mining": "矿业",
    "fireworks": "烟花",
    "construction": "建设工程",
    "road-traffic": "运输",
    "gas": "燃气",
    "special-equipment": "电梯工程",
    "culture-tourism": "文化旅游",
    "education": "培训学校",
    "waterway-fishery": "水产",
    "health": "医院",
    "civil-affairs": "养老院",
    "commerce": "商贸",
    "forest-fire": "林场",
    "fire": "酒店",
}
GRADE_WEIGHTS = {
    RiskGradeCode.RED: 3,
    RiskGradeCode.ORANGE: 12,
    RiskGradeCode.YELLOW: 35,
    RiskGradeCode.BLUE: 50,
}
# How much more often a unit of the grade / scale is inspected and found at fault.
GRADE_FACTOR = {
    RiskGradeCode.RED: 4.0,
    RiskGradeCode.ORANGE: 2.5,
    RiskGradeCode.YELLOW: 1.3,
    RiskGradeCode.BLUE: 0.8,
}
SCALE_FACTOR = {EnterpriseScale.ABOVE: 1.5, EnterpriseScale.BELOW: 1.0, EnterpriseScale.MICRO: 0.7}


@dataclass
class Unit:
    pk: int
    name: str
    short: str
    kind: str
    users: list[int] = field(default_factory=list)  # inspectors / staff of the unit


@dataclass
class Firm:
    pk: int
    name: str
    jurisdiction: int
    township: int
    department: int
    sectors: tuple[int, ...]
    contact: str
    weight: float


class Picker:
    """Weighted choice by bisect on cumulative weights: rng.choices re-sums the weights on every call."""

    def __init__(self, items: list, weights: list[float]) -> None:
        self.items, self.cum = items, list(accumulate(weights))

    def __call__(self, rng: random.Random):
        return self.items[bisect(self.cum, rng.random() * self.cum[-1])]


@dataclass
class City:
    district: Unit
    townships: list[Unit]
    grids: dict[int, list[Unit]]
    departments: dict[str, Unit]  # by short name: 应急, 住建 …
    sector_department: dict[int, int]  # sector id → supervising department id
    users: dict[str, int]  # fixed usernames → id
    firms: list[Firm] = field(default_factory=list)
    start: dt.datetime | None = None


def person(rng: random.Random) -> str:
    table = load("district")
    names = table["given"]
    given = rng.choice(names) if rng.random() < 0.3 else rng.choice(names) + rng.choice(names)
    return rng.choice(table["surnames"]) + given


def phone(rng: random.Random) -> str:
    return f"1{rng.choice('35789')}{rng.randrange(10**9):09d}"


def _skewed(rng: random.Random, count: int, power: float) -> list[float]:
    """Zipf-like weights 1/rank^power in a random order."""
    weights = [1 / (rank**power) for rank in range(1, count + 1)]
    rng.shuffle(weights)
    return weights


def _units(rng: random.Random, loader: Loader, townships: int, at: dt.datetime) -> City:
    table = "accounts_orgunit"
    root = Unit(loader.next_id(table), SCALE_DISTRICT, SCALE_SHORT, OrgKind.DISTRICT)
    rows = [(root.pk, root.name, root.short, root.kind, f"/{root.pk}/", 0, 0, True, at, at, None)]
    names = rng.sample([a + b for a in _FIRST for b in _SECOND], k=townships)
    towns, grids = [], {}
    for order, name in enumerate(names, 1):
        kind, suffix, grid_word = _TOWN_KINDS[0 if order % 2 else (1 if order % 9 else 2)]
        town = Unit(loader.next_id(table), name + suffix, name, kind)
        towns.append(town)
        path = f"/{root.pk}/{town.pk}/"
        rows.append((town.pk, town.name, "", kind, path, 1, order, True, at, at, root.pk))
        grid_kind = OrgKind.VILLAGE if kind == OrgKind.TOWN else OrgKind.COMMUNITY
        grids[town.pk] = []
        for g, word in enumerate(rng.sample(_FIRST, k=rng.randint(4, 14)), 1):
            unit = Unit(loader.next_id(table), f"{name}{word}{grid_word}", "", grid_kind)
            grids[town.pk].append(unit)
            rows.append((unit.pk, unit.name, "", grid_kind, f"{path}{unit.pk}/", 2, g, True, at, at, town.pk))
    departments, links, sector_department = {}, [], {}
    sectors = {s.code: s for s in Sector.objects.all()}
    for order, spec in enumerate(load("district")["departments"], 1):
        unit = Unit(loader.next_id(table), spec["name"], spec["short"], OrgKind.DEPARTMENT)
        departments[spec["short"]] = unit
        rows.append(
            (
                unit.pk,
                unit.name,
                unit.short,
                unit.kind,
                f"/{root.pk}/{unit.pk}/",
                1,
                1000 + order,
                True,
                at,
                at,
                root.pk,
            )
        )
        for code in spec["sectors"]:
            if code in sectors:
                links.append(
                    (loader.next_id("accounts_orgunit_supervised_sectors"), unit.pk, sectors[code].pk)
                )
                sector_department.setdefault(sectors[code].pk, unit.pk)
    safety = departments["应急"].pk
    for sector in sectors.values():  # 工贸's branches and anything unlisted: 应急 supervises them
        sector_department.setdefault(sector.pk, sector_department.get(sector.parent_id, safety))
    loader.copy(table, rows)
    loader.copy("accounts_orgunit_supervised_sectors", links)
    return City(root, towns, grids, departments, sector_department, users={})


def _users(rng: random.Random, loader: Loader, city: City, at: dt.datetime) -> None:
    """The four fixed logins and the staff of every unit (who inspect, record and decide)."""
    password = make_password(SCALE_PASSWORD)
    expiry = dt.date(at.year + 10, 12, 31)
    rows = []

    def add(username: str, role: str, unit: Unit) -> int:
        pk = loader.next_id("accounts_user")
        cert = f"湘执SC{pk:06d}" if role != Role.LEADER else ""
        rows.append(
            (pk, password, None, False, username, "", "", "", False, True, at, person(rng), role, phone(rng),
             unit.pk, expiry if cert else None, cert)
        )  # fmt: skip
        unit.users.append(pk)
        return pk

    safety, first = city.departments["应急"], city.townships[0]
    city.users[OFFICER] = add(OFFICER, Role.OFFICER, safety)
    city.users[LEADER] = add(LEADER, Role.LEADER, city.district)
    city.district.users.clear()  # a leader inspects nothing
    city.users[DEPARTMENT_USER] = add(DEPARTMENT_USER, Role.DEPARTMENT, safety)
    city.users[TOWNSHIP_USER] = add(TOWNSHIP_USER, Role.TOWNSHIP, first)
    for n in range(1, 5):
        add(f"scale_officer{n}", Role.OFFICER, city.district)
    for i, unit in enumerate(city.departments.values(), 1):
        for n in range(1, 7 - len(unit.users)):
            add(f"scale_d{i:02d}_{n}", Role.DEPARTMENT, unit)
    for i, unit in enumerate(city.townships, 1):
        for n in range(1, 4 - len(unit.users)):
            add(f"scale_t{i:03d}_{n}", Role.TOWNSHIP, unit)
    loader.copy("accounts_user", rows)


def _uscc(serial: int) -> str:
    """91 + area + a 9-character organisation code from the serial + the check character: unique, valid."""
    digits, n = [], serial
    for _ in range(8):
        n, r = divmod(n, len(USCC_CHARSET))
        digits.append(USCC_CHARSET[r])
    body = "91" + AREA_CODE + "".join(reversed(digits)) + "0"
    return body + uscc_check_char(body)


def _enterprises(rng: random.Random, loader: Loader, city: City, count: int, at: dt.datetime) -> None:
    table = load("district")
    brands, roads, road_kinds = table["brands"], table["roads"], table["road_kinds"]
    sectors = list(Sector.objects.order_by("pk"))
    sector_pick = Picker(sectors, _skewed(rng, len(sectors), 1.1))
    fire = next((s for s in sectors if s.code == "fire"), None)
    grades = {g.code: g.pk for g in RiskGrade.objects.all()}
    grade_pick = Picker(list(GRADE_WEIGHTS), list(GRADE_WEIGHTS.values()))
    scale_pick = Picker(list(SCALE_FACTOR), [15, 35, 50])
    status_pick = Picker(
        [EnterpriseStatus.OPERATING, EnterpriseStatus.SUSPENDED, EnterpriseStatus.CLOSED], [95, 3, 2]
    )
    town_pick = Picker(city.townships, _skewed(rng, len(city.townships), 0.7))
    centre = {t.pk: (rng.uniform(-0.4, 0.4), rng.uniform(-0.3, 0.3)) for t in city.townships}
    base = rng.randrange(10**9)
    rows, links = [], []
    for _ in range(count):
        pk = loader.next_id("accounts_enterprise")
        town = town_pick(rng)
        grids = city.grids[town.pk]
        jurisdiction = rng.choice(grids).pk if grids and rng.random() < 0.7 else town.pk
        main = sector_pick(rng)
        own = [main.pk]
        if fire is not None and main.pk != fire.pk and rng.random() < 0.3:
            own.append(fire.pk)
        elif rng.random() < 0.1:
            other = sector_pick(rng)
            if other.pk not in own:
                own.append(other.pk)
        grade = grade_pick(rng) if rng.random() < 0.9 else None
        scale = scale_pick(rng)
        trade = _TRADES.get(main.code, main.name.split("/")[0])
        name = (
            f"{town.short}{rng.choice(brands)}{trade}{rng.choice(('有限公司', '有限责任公司', '厂', '店'))}"
        )
        contact = person(rng)
        dx, dy = centre[town.pk]
        lon = Decimal(f"{CENTRE_LON + dx + rng.uniform(-0.02, 0.02):.6f}")
        lat = Decimal(f"{CENTRE_LAT + dy + rng.uniform(-0.02, 0.02):.6f}")
        address = f"{town.name}{rng.choice(roads)}{rng.choice(road_kinds)}{rng.randint(1, 399)}号"
        rows.append(
            (pk, _uscc(base + pk), name, scale, status_pick(rng), address, lon, lat, contact, phone(rng),
             main.code == "fire" and rng.random() < 0.2, main.code == "hazchem" and rng.random() < 0.3,
             at, at, jurisdiction, city.sector_department[main.pk], grades.get(grade) if grade else None, 0)
        )  # fmt: skip
        for sector in own:
            links.append((loader.next_id("accounts_enterprise_sectors"), pk, sector))
        weight = GRADE_FACTOR.get(grade, 1.0) * SCALE_FACTOR[scale] * rng.lognormvariate(0, 0.5)
        firm = Firm(
            pk, name, jurisdiction, town.pk, city.sector_department[main.pk], tuple(own), contact, weight
        )
        city.firms.append(firm)
    loader.copy("accounts_enterprise", rows)
    loader.copy("accounts_enterprise_sectors", links)


def city_build(
    *, rng: random.Random, loader: Loader, enterprises: int, townships: int, start: dt.datetime
) -> City:
    city = _units(rng, loader, townships, start)
    city.start = start
    _users(rng, loader, city, start)
    _enterprises(rng, loader, city, enterprises, start)
    return city
