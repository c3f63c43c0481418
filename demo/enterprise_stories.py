"""Some enterprises with a past: the district step creates the registry in bulk, with no history, so
every enterprise page would read "变更记录 暂无" and show no 风险等级 history. Here a few dozen of them
get the story an office's registry really has — registered about a year ago, re-graded by the district
office after an inspection, the address corrected by their township — written through the same
service as a user's edit (accounts.services.enterprise_update: optimistic lock, scope check, history
with who did it), then dated back to when it happened.

Reset: the district step's reset deletes the enterprises' history rows with them.
"""

import datetime as dt
import random
from datetime import datetime

from django.utils import timezone

from accounts.choices import EnterpriseStatus, RiskGradeCode, Role
from accounts.models import Enterprise, OrgUnit
from accounts.services import EnterpriseData, enterprise_update
from core.history import history_bulk_create

from .district import DemoContext

PER_TOWNSHIP = 3
# The grade an enterprise had before its re-grading, one step away from the grade the district step gave
# it (橙 before it became 红 after hazards were found, 黄 before 橙, 橙 before 黄 once they were closed …),
# so the story ends at the grade the registry has and the demo's grade counts stay as they were.
PREVIOUS_GRADE = {
    RiskGradeCode.RED: RiskGradeCode.ORANGE,
    RiskGradeCode.ORANGE: RiskGradeCode.YELLOW,
    RiskGradeCode.YELLOW: RiskGradeCode.ORANGE,
    RiskGradeCode.BLUE: RiskGradeCode.YELLOW,
}


def _data(e: Enterprise) -> EnterpriseData:
    return EnterpriseData(
        uscc=e.uscc,
        name=e.name,
        jurisdiction=e.jurisdiction,
        sectors=list(e.sectors.all()),
        supervising_department=e.supervising_department,
        risk_grade=e.risk_grade,
        scale=e.scale,
        status=e.status,
        address=e.address,
        longitude=e.longitude,
        latitude=e.latitude,
        contact_person=e.contact_person,
        contact_phone=e.contact_phone,
        is_fire_key_unit=e.is_fire_key_unit,
        has_major_hazard_source=e.has_major_hazard_source,
    )


def _at(day: dt.date, rng: random.Random) -> datetime:
    hour, minute = rng.randint(8, 17), rng.randint(0, 59)
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, minute))


def _chosen(rng: random.Random, context: DemoContext) -> list[Enterprise]:
    firms = list(
        context.enterprises.filter(status=EnterpriseStatus.OPERATING, risk_grade__isnull=False)
        .select_related("jurisdiction", "supervising_department", "risk_grade")
        .prefetch_related("sectors")
        .order_by("pk")
    )
    by_township: dict[int, list[Enterprise]] = {}
    township_of = {u.pk: u.pk for u in context.townships}
    parents = dict(
        OrgUnit.objects.filter(path__startswith=context.district.path).values_list("pk", "parent_id")
    )
    for firm in firms:
        unit = firm.jurisdiction_id
        while unit is not None and unit not in township_of:
            unit = parents.get(unit)
        if unit is not None:
            by_township.setdefault(unit, []).append(firm)
    chosen = []
    for township in context.townships:
        pool = by_township.get(township.pk, [])
        chosen += rng.sample(pool, min(PER_TOWNSHIP, len(pool)))
    return chosen


def build(*, rng: random.Random, context: DemoContext) -> list[str]:
    """Registration, a re-grading and an address correction for a few enterprises of each township."""
    firms = _chosen(rng, context)
    if not firms:
        return []
    today = timezone.localdate()
    admin, officer = context.users["admin"], context.users["officer"]
    township_users = {u.org_unit_id: u for u in context.users.values() if u.role == Role.TOWNSHIP}
    grades = context.risk_grades
    parents = dict(
        OrgUnit.objects.filter(path__startswith=context.district.path).values_list("pk", "parent_id")
    )

    # 1. 登记: the first history row, as the registry had the enterprise then (its previous grade).
    current = {firm.pk: firm.risk_grade for firm in firms}
    for firm in firms:
        firm.risk_grade = grades[PREVIOUS_GRADE[firm.risk_grade.code]]
    Enterprise.objects.bulk_update(firms, ["risk_grade"])
    through = Enterprise.sectors.through
    links = list(through.objects.filter(enterprise__in=firms))
    registered = history_bulk_create(
        Enterprise,
        firms,
        user=admin,
        when=_at(today - dt.timedelta(days=360), rng),
        m2m_field="sectors",
        links=links,
    )
    dates: dict[int, list[datetime]] = {}
    regraded = moved = 0
    for firm in firms:
        # 2. The district office re-grades it after an inspection (through the service, as a user would).
        data = _data(firm)
        data.risk_grade = current[firm.pk]
        firm = enterprise_update(user=officer, enterprise=firm, data=data, expected_version=firm.version)
        regraded += 1
        stamps = [_at(today - dt.timedelta(days=rng.randint(120, 300)), rng)]
        # 3. Its township corrects the address (a new 门牌号) some weeks later.
        unit = firm.jurisdiction_id
        while unit is not None and unit not in township_users:
            unit = parents.get(unit)
        editor = township_users.get(unit, officer)
        data = _data(firm)
        stem = data.address.rstrip("号").rstrip("0123456789")
        data.address = f"{stem}{rng.randint(1, 888)}号" if stem != data.address else f"{data.address}（东侧）"
        enterprise_update(user=editor, enterprise=firm, data=data, expected_version=firm.version)
        moved += 1
        stamps.append(_at(today - dt.timedelta(days=rng.randint(10, 100)), rng))
        dates[firm.pk] = stamps

    # Date each save back to when it happened: the rows of one save (the row and its sectors) share it.
    history = Enterprise.history.model
    for firm in firms:
        later = list(history.objects.filter(id=firm.pk, history_type="~").order_by("history_id"))
        saves: list[list] = []
        for record in later:
            if saves and saves[-1][0].history_user_id == record.history_user_id:
                saves[-1].append(record)
            else:
                saves.append([record])
        for save, when in zip(saves, dates[firm.pk], strict=False):
            for record in save:
                record.history_date = when
        history.objects.bulk_update([r for save in saves for r in save], ["history_date"])
    return [
        f"变更记录：{len(registered)} 家单位有登记、风险等级调整（{regraded} 次）和地址更正（{moved} 次）的历史，"
        "在单位页的“风险等级变更”和“变更记录”中可见"
    ]


def reset(district: OrgUnit) -> None:
    """Nothing of its own: the district step's reset removes the enterprises with their history."""
