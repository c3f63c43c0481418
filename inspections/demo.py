"""seed_demo step: inspectors with 执法证, published check items, and a year of inspections."""

import datetime as dt
import random

from django.utils import timezone

from accounts.choices import Role
from accounts.demo import DemoContext, demo_password_hash
from accounts.models import Enterprise, NumberSequence, Sector, User

from .models import CheckItem, InspectionAction, InspectionKind, InspectionRecord

CHECK_ITEMS = {
    "hazchem": [
        "是否建立安全风险分级管控和隐患排查治理制度",
        "重大危险源是否登记建档并定期检测",
        "特种作业人员是否持证上岗",
    ],
    "fire": ["疏散通道、安全出口是否畅通", "消防设施器材是否完好有效", "是否落实每日防火巡查"],
    "construction": ["深基坑、高支模是否编制专项施工方案", "起重机械是否经检验合格", "临边洞口防护是否到位"],
    "industry-trade": ["有限空间作业是否审批并检测", "粉尘涉爆场所是否按规定清扫", "安全生产责任制是否健全"],
    "gas": ["燃气管道是否存在占压", "用气场所是否安装可燃气体报警装置", "钢瓶是否在检验有效期内"],
    "commerce": ["经营场所是否违规住人", "电气线路是否规范敷设", "是否配备灭火器材"],
}
TEAM_UNITS = ["应急", "住建", "消防", "市场监管", "交通"]
KIND_WEIGHTS = {
    "routine": 40,
    "special": 30,
    "joint": 8,
    "random": 6,
    "unannounced": 6,
    "follow-up": 6,
    "expert": 4,
}


def _inspectors(rng: random.Random, context: DemoContext) -> dict[int, list[User]]:
    """A few certified inspectors per department and township; the demo's own users get certs too."""
    expiry = dt.date(timezone.localdate().year + 2, 12, 31)
    teams: dict[int, list[User]] = {}
    password = demo_password_hash()
    units = [context.departments[s] for s in TEAM_UNITS] + context.townships
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


def seed_inspections(*, rng: random.Random, context: DemoContext) -> str:
    sectors = {s.code: s for s in Sector.objects.all()}
    for code, titles in CHECK_ITEMS.items():
        CheckItem.objects.bulk_create(
            [
                CheckItem(sector=sectors[code], code=f"{code[:2].upper()}-{i:02d}", title=t, order=i)
                for i, t in enumerate(titles, 1)
            ],
            ignore_conflicts=True,  # items kept by a reset (they hold results) stay as they are
        )
    teams = _inspectors(rng, context)
    kinds = {k.code: k for k in InspectionKind.objects.all()}
    kind_codes, kind_weights = zip(*KIND_WEIGHTS.items(), strict=True)
    officer = context.users["officer"]
    year = timezone.localdate().year
    start = dt.date(year, 1, 1)
    days = (timezone.localdate() - start).days + 1
    enterprises = list(
        Enterprise.objects.filter(pk__in=context.enterprise_ids).values_list("pk", "jurisdiction__path")
    )
    by_path: dict[str, list[int]] = {}
    for pk, path in enterprises:
        by_path.setdefault(path, []).append(pk)
    township_firms = {
        t.pk: [pk for path, pks in by_path.items() if path.startswith(t.path) for pk in pks]
        for t in context.townships
    }
    all_firms = [pk for pk, _ in enterprises]

    planned = []
    for _ in range(max(40, len(all_firms) // 3)):
        organizer_pk = rng.choice(list(teams))
        team = rng.sample(teams[organizer_pk], k=min(len(teams[organizer_pk]), rng.randint(2, 4)))
        pool = township_firms.get(organizer_pk) or all_firms
        firms = rng.sample(pool, k=min(len(pool), rng.choice([1, 1, 2, 3, 4])))
        date = start + dt.timedelta(days=rng.randrange(days))
        planned.append(
            (date, team, firms, rng.random() < 0.12, rng.choices(kind_codes, weights=kind_weights)[0])
        )
    # Numbers run in date order per organiser, as an office issuing them day by day would.
    planned.sort(key=lambda p: p[0])

    serial: dict[int, int] = {}
    actions, visits, team_links = [], [], []
    for date, team, firms, leader_led, kind_code in planned:
        organizer = team[0].org_unit
        serial[organizer.pk] = serial.get(organizer.pk, 0) + 1
        actions.append(
            InspectionAction(
                number=f"{organizer.short_name or organizer.name}检〔{year}〕{serial[organizer.pk]}号",
                date=date,
                organizer=organizer,
                kind=kinds[kind_code],
                person_count=len(team),
                is_leader_led=leader_led,
                leader_name=rng.choice(["陈区长", "刘副区长", "张书记"]) if leader_led else "",
                leader_level="district" if leader_led else "",
                created_by=officer,
            )
        )
        visits.append(firms)
        team_links.append(team)
    created = InspectionAction.objects.bulk_create(actions, batch_size=500)
    record_serial: dict[int, int] = {}
    records = []
    for a, firms in zip(created, visits, strict=True):
        for pk in firms:
            record_serial[a.organizer_id] = record_serial.get(a.organizer_id, 0) + 1
            label = a.organizer.short_name or a.organizer.name
            number = f"{label}现检〔{year}〕{record_serial[a.organizer_id]}号"
            records.append(InspectionRecord(action=a, enterprise_id=pk, number=number))
    InspectionRecord.objects.bulk_create(records, batch_size=1000)
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
    record_count = sum(len(v) for v in visits)
    return (
        f"检查行动 {len(created)} 次，检查记录 {record_count} 家次，检查事项 {CheckItem.objects.count()} 项"
    )


def reset_inspections() -> None:
    """Remove what seed_inspections made inside the demo district (before its enterprises go)."""
    from accounts.demo import find_district

    district = find_district()
    if district is None:
        return
    actions = InspectionAction.objects.filter(organizer__path__startswith=district.path)
    action_ids = list(actions.values_list("pk", flat=True))
    InspectionRecord.history.filter(action_id__in=action_ids).delete()
    InspectionAction.history.filter(id__in=action_ids).delete()
    actions.delete()  # records and results go with their action
    NumberSequence.objects.filter(
        series__in=["inspection", "inspection-record"], org_unit__path__startswith=district.path
    ).delete()
    demo_codes = [
        f"{code[:2].upper()}-{i:02d}"
        for code, titles in CHECK_ITEMS.items()
        for i in range(1, len(titles) + 1)
    ]
    CheckItem.objects.filter(code__in=demo_codes, checkresult__isnull=True).delete()
    User.objects.filter(username__startswith="insp", org_unit__path__startswith=district.path).delete()
