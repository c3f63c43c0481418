"""seed_demo step: inspectors with 执法证, published check items, and a year of inspections.

The outings are planned in demo.outings; the check items, their codes and the units that send teams are
in demo/data/inspections.json.
"""

import datetime as dt
import random

from django.db.models import Q
from django.utils import timezone

from accounts.choices import Role
from accounts.models import Enterprise, NumberSequence, OrgUnit, Sector, User
from campaigns.models import Campaign
from inspections import selectors
from inspections.models import (
    CheckItem,
    CheckResult,
    InspectionAction,
    InspectionKind,
    InspectionPlan,
    InspectionRecord,
    PlanTarget,
    RandomDraw,
)
from inspections.services import TargetData, draw_create, plan_create, split_names

from .district import DemoContext, demo_password_hash
from .history import history_purge
from .outings import Planner, township_leaders, visit_results
from .tables import load


def _table() -> dict:
    return load("inspections")


def check_items() -> dict[str, list[str]]:
    """The demo's published check items: sector code → item titles, in order."""
    return _table()["check_items"]


def item_code(sector_code: str, i: int) -> str:
    """Item codes are the sector's first two letters, unless another sector already starts that way."""
    return f"{_table()['item_prefix'].get(sector_code, sector_code[:2].upper())}-{i:02d}"


def demo_today() -> dt.date:
    """The last day of the demo year so far (a test moves it to the year's end to see every campaign)."""
    return timezone.localdate()


def _inspectors(rng: random.Random, context: DemoContext) -> dict[int, list[User]]:
    """A few certified inspectors per department and township; the demo's own users get certs too."""
    expiry = dt.date(timezone.localdate().year + 2, 12, 31)
    teams: dict[int, list[User]] = {}
    # The district step hashed the demo password already; hashing it again costs half a second.
    password = context.users["officer"].password or demo_password_hash()
    units = [context.departments[s] for s in _table()["team_units"]] + context.townships
    for unit in units:
        members = []
        for i in range(4 if unit.is_department else 2):
            user = User(
                username=f"insp{unit.pk}_{i}",
                name=f"{unit.short_name or unit.name[:2]}检查员{i + 1}",
                role=Role.DEPARTMENT if unit.is_department else Role.TOWNSHIP,
                org_unit=unit,
                enforcement_cert_no=f"湘执{unit.pk:03d}{i:03d}",
                enforcement_cert_expiry=expiry,
            )
            user.password = password
            members.append(user)
        teams[unit.pk] = User.objects.bulk_create(members)
    User.objects.filter(username__in=["officer", "township", "department"]).update(
        enforcement_cert_no="湘执DEMO", enforcement_cert_expiry=expiry
    )
    return teams


def build(*, rng: random.Random, context: DemoContext) -> list[str]:
    """Check items, inspectors and the year's actions with their records and results, a 双随机 draw
    and the plans; the summary line."""
    sectors = {s.code: s for s in Sector.objects.all()}
    for code, titles in check_items().items():
        CheckItem.objects.bulk_create(
            [
                CheckItem(sector=sectors[code], code=item_code(code, i), title=t, order=i)
                for i, t in enumerate(titles, 1)
            ],
            ignore_conflicts=True,  # items kept by a reset (they hold results) stay as they are
        )
    teams = _inspectors(rng, context)
    kinds = {k.code: k for k in InspectionKind.objects.all()}
    officer = context.users["officer"]
    today = demo_today()
    year = today.year
    all_firms, pools, firm_sector_ids = _firms(context)
    departments = [context.departments[s].pk for s in _table()["team_units"]]
    units = {u.pk: u for u in [*context.townships, *context.departments.values()]}
    for pk in units:
        pools[pk] = pools.get(pk) or all_firms  # a unit with no firms of its own helps anywhere
    code_of = {s.pk: s.code for s in sectors.values()}
    planner = Planner(
        rng=rng,
        departments=departments,
        townships=[t.pk for t in context.townships],
        pools=pools,
        firm_sectors={pk: {code_of[s] for s in ids} for pk, ids in firm_sector_ids.items()},
        leaders=township_leaders(rng, context.townships),
    )
    outings = planner.outings(start=dt.date(year, 1, 1), today=today, total=max(40, len(all_firms) // 3))

    # 专项行动: demo.campaigns made the year's campaigns; the campaign outings are tagged to them.
    tagged = {
        c.name: c
        for c in Campaign.objects.filter(
            lead_department__path__startswith=context.district.path, end_on__year=year, parent__isnull=False
        )
    }
    serial: dict[int, int] = {}
    actions, team_links = [], []
    for outing in outings:
        organizer = units[outing.organizer_pk]
        own = teams[organizer.pk]
        team = rng.sample(own, k=min(len(own), rng.randint(2, 4)))
        if outing.kind == "joint":  # 联合检查: people of another department join the team
            other = teams[rng.choice([d for d in departments if d != organizer.pk])]
            team += rng.sample(other, k=rng.choice([1, 2]))
        serial[organizer.pk] = serial.get(organizer.pk, 0) + 1
        actions.append(
            InspectionAction(
                number=f"{organizer.short_name or organizer.name}检〔{year}〕{serial[organizer.pk]}号",
                date=outing.date,
                organizer=organizer,
                kind=kinds[outing.kind],
                is_unannounced=outing.unannounced,
                experts=outing.experts,
                person_count=len(team) + len(split_names(outing.experts)),
                is_leader_led=bool(outing.leader_level),
                leader_name=outing.leader_name,
                leader_level=outing.leader_level,
                note=outing.note,
                campaign=tagged.get(outing.campaign) if outing.campaign else None,
                created_by=officer,
            )
        )
        team_links.append(team)
    created = InspectionAction.objects.bulk_create(actions, batch_size=500)
    items = _firm_items(firm_sector_ids, sectors)
    record_serial: dict[int, int] = {}
    records, results = [], []
    for a, outing in zip(created, outings, strict=True):
        for pk in outing.firms:
            record_serial[a.organizer_id] = record_serial.get(a.organizer_id, 0) + 1
            label = a.organizer.short_name or a.organizer.name
            number = f"{label}现检〔{year}〕{record_serial[a.organizer_id]}号"
            rows, findings = visit_results(rng, items.get(pk, []))
            records.append(InspectionRecord(action=a, enterprise_id=pk, number=number, findings=findings))
            results.append(rows)
    saved = InspectionRecord.objects.bulk_create(records, batch_size=1000)
    CheckResult.objects.bulk_create(
        [
            CheckResult(record_id=r.pk, item_id=item, result=result, note=note)
            for r, rows in zip(saved, results, strict=True)
            for item, result, note in rows
        ],
        batch_size=2000,
    )
    through = InspectionAction.members.through
    through.objects.bulk_create(
        [
            through(inspectionaction_id=a.pk, user_id=u.pk)
            for a, team in zip(created, team_links, strict=True)
            for u in team
        ],
        batch_size=1000,
    )
    # Numbers issued later by the app continue after the demo's.
    NumberSequence.objects.bulk_create(
        [NumberSequence(series="inspection", org_unit_id=pk, year=year, last=n) for pk, n in serial.items()]
        + [
            NumberSequence(series="inspection-record", org_unit_id=pk, year=year, last=n)
            for pk, n in record_serial.items()
        ]
    )
    record_count = len(records)
    problems = sum(1 for r in records if r.findings)
    draw = _random_draw(rng, context)
    drawn = f"，双随机抽取 {draw.number}（{draw.enterprise_count} 家）" if draw else ""
    drawn += f"，检查计划 {_plans(rng, context)} 项"  # after the draw: its seed stays as it was
    return [
        f"检查行动 {len(created)} 次，检查记录 {record_count} 家次（发现问题 {problems} 家次），"
        f"检查事项 {CheckItem.objects.count()} 项" + drawn
    ]


def _firms(context: DemoContext) -> tuple[list[int], dict[int, list[int]], dict[int, set[int]]]:
    """The demo's firms in pk order; the firms of each township and of each supervising department;
    each firm's sector ids. Two queries."""
    rows = (
        Enterprise.objects.filter(pk__in=context.enterprise_ids)
        .order_by("pk")
        .values_list("pk", "jurisdiction__path", "supervising_department_id")
    )
    towns = [(t.path, t.pk) for t in context.townships]
    all_firms: list[int] = []
    pools: dict[int, list[int]] = {}
    for pk, path, department in rows:
        all_firms.append(pk)
        township = next((t for prefix, t in towns if path.startswith(prefix)), None)
        for unit in (township, department):
            if unit is not None:
                pools.setdefault(unit, []).append(pk)
    links = Enterprise.sectors.through.objects.filter(
        enterprise__jurisdiction__path__startswith=context.district.path
    ).values_list("enterprise_id", "sector_id")
    sector_ids: dict[int, set[int]] = {}
    for pk, sector in links:
        sector_ids.setdefault(pk, set()).add(sector)
    return all_firms, pools, sector_ids


def _firm_items(
    firm_sector_ids: dict[int, set[int]], sectors: dict[str, Sector]
) -> dict[int, list[tuple[int, str]]]:
    """The active check items (id, title) of each firm's sectors and their parents, as the entry form
    offers them (a 机械 firm gets the 工贸 items). One query."""
    parent = {s.pk: s.parent_id for s in sectors.values()}
    by_sector: dict[int, list[tuple[int, str]]] = {}
    rows = CheckItem.objects.filter(is_active=True).order_by("sector_id", "order", "pk")
    for pk, sector, title in rows.values_list("pk", "sector_id", "title"):
        by_sector.setdefault(sector, []).append((pk, title))
    chosen: dict[frozenset[int], list[tuple[int, str]]] = {}
    for ids in map(frozenset, firm_sector_ids.values()):
        if ids not in chosen:
            wanted = sorted(ids | {parent[s] for s in ids if parent.get(s)})
            chosen[ids] = [item for s in wanted for item in by_sector.get(s, [])]
    return {pk: chosen[frozenset(ids)] for pk, ids in firm_sector_ids.items()}


def _random_draw(rng: random.Random, context: DemoContext):
    """区应急管理局's 双随机 draw of this year: up to 20 危险化学品/工贸 firms weighted by grade, 2 inspectors
    each, left planned (计划中). It runs last so the seed it takes from `rng` changes nothing else."""
    officer = context.users["officer"]
    sector_ids = [context.sectors["hazchem"].pk, context.sectors["industry-trade"].pk]
    pool = selectors.draw_enterprise_pool(
        user=officer,
        organizer=context.departments["应急"],
        sector_ids=sector_ids,
        township_ids=[],
        risk_grade_ids=[],
        weighted=True,
    )
    seed = f"{rng.getrandbits(64):016x}"
    if not pool:
        return None  # a tiny demo (few enterprises) may have none to draw from
    today = timezone.localdate()
    return draw_create(
        user=officer,
        organizer=context.departments["应急"],
        title="危险化学品和工贸企业双随机抽查",
        planned_date=min(today + dt.timedelta(days=14), dt.date(today.year, 12, 31)),
        sector_ids=sector_ids,
        township_ids=[],
        risk_grade_ids=[],
        n=min(20, len(pool)),
        m=2,
        weighted_by_grade=True,
        seed=seed,
    )


def _plans(rng: random.Random, context: DemoContext) -> int:
    """检查计划 for the demo year: 区应急管理局's annual plan by sector and kind, and monthly plans of two
    townships. Targets are sized from what the demo's inspections have done so far, spread over the
    whole period, so some lines are on track and some behind, as in a real office."""
    officer = context.users["officer"]
    today = timezone.localdate()
    kinds = {k.code: k for k in InspectionKind.objects.filter(code__in=["routine", "special", "random"])}
    emergency = context.departments["应急"]
    specs = [
        (
            emergency,
            None,
            f"{emergency.name}{today.year}年度安全生产执法检查计划",
            [
                TargetData(1, sector=context.sectors["hazchem"]),
                TargetData(1, sector=context.sectors["industry-trade"]),
                TargetData(1, kind=kinds["special"]),
                TargetData(1, kind=kinds["random"]),
            ],
        )
    ]
    # The `township` user's town this month and last (a finished month), and a second town.
    monthly = [(context.townships[0], today.month), (context.townships[1], today.month)]
    if today.month > 1:
        monthly.append((context.townships[0], today.month - 1))
    for township, month in monthly:
        lines = [TargetData(1, township=township, kind=kinds[code]) for code in ("routine", "special")]
        specs.append((township, month, f"{township.name}{today.year}年{month}月安全检查计划", lines))
    plans = [
        plan_create(
            user=officer,
            organizer=organizer,
            year=today.year,
            month=month,
            title=title,
            note="演示数据：按行业领域和检查类型下达的检查家次指标。",
            targets=lines,
        )
        for organizer, month, title, lines in specs
    ]
    made = selectors.plan_list(user=officer).filter(pk__in=[p.pk for p in plans])
    progress = selectors.plans_progress(plans=made)
    targets = []
    for p in progress.values():
        share = p.elapsed.passed / p.elapsed.total if p.elapsed.passed else 1
        floor = 2 if p.plan.month else 10
        for line in p.lines:
            line.target.target_visits = max(floor, round(line.done / share * rng.uniform(0.85, 1.25)))
            targets.append(line.target)
    PlanTarget.objects.bulk_update(targets, ["target_visits"])
    return len(plans)


def reset(district: OrgUnit) -> None:
    """Remove what the step made inside the demo district (before its enterprises go)."""
    # Plans first: their lines protect the townships, sectors and kinds they name.
    plans = InspectionPlan.objects.filter(organizer__path__startswith=district.path)
    InspectionPlan.history.filter(id__in=list(plans.values_list("pk", flat=True))).delete()
    plans.delete()  # lines go with their plan
    # Then draws: their picks protect the enterprises, and they point at the planned actions.
    draws = RandomDraw.objects.filter(organizer__path__startswith=district.path)
    RandomDraw.history.filter(id__in=list(draws.values_list("pk", flat=True))).delete()
    draws.delete()
    actions = InspectionAction.objects.filter(organizer__path__startswith=district.path)
    action_ids = list(actions.values_list("pk", flat=True))
    InspectionRecord.history.filter(action_id__in=action_ids).delete()
    history_purge(InspectionAction, id__in=action_ids)
    actions.delete()  # records and results go with their action
    NumberSequence.objects.filter(
        series__in=["inspection", "inspection-record", "random-draw"],
        org_unit__path__startswith=district.path,
    ).delete()
    demo_items = Q(pk__in=[])
    for code, titles in check_items().items():
        codes = [item_code(code, i) for i in range(1, len(titles) + 1)]
        demo_items |= Q(sector__code=code, code__in=codes)
    CheckItem.objects.filter(demo_items, checkresult__isnull=True).delete()
    User.objects.filter(username__startswith="insp", org_unit__path__startswith=district.path).delete()
