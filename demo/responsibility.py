"""seed_demo step: 安全责任 for the year — the district's and the townships' 职责清单, the district
office's and the first township's 工作清单 with due dates and progress, and the signed letters: the
district with every township and department (目标管理责任书), and each township with most of its
operating enterprises (安全承诺书; 安全生产责任状 for gas firms; 消防安全承诺书 for fire-key units), so that
coverage reads like the summaries (签订率 around 90 %). Texts in demo/data/responsibility.json.

Lists and work lists go through the services, as a user would enter them; the few thousand letters
are written in bulk with their history rows (core.history), by the officer who registered them.
"""

import datetime as dt
import random

from django.db.models import Q
from django.utils import timezone

from accounts.choices import EnterpriseStatus, OrgKind, WorkStatus
from accounts.models import (
    DutyList,
    Enterprise,
    LetterKind,
    OrgUnit,
    ResponsibilityLetter,
    WorkItem,
    WorkList,
)
from accounts.services_responsibility import (
    DutyItemData,
    duty_list_create,
    work_item_add,
    work_item_progress,
    work_list_create,
)
from core.history import history_bulk_create

from .district import DemoContext
from .tables import load


def _table() -> dict:
    return load("responsibility")


def _day(rng: random.Random, year: int, first: tuple[int, int], last: tuple[int, int]) -> dt.date:
    start, end = dt.date(year, *first), dt.date(year, *last)
    day = start + dt.timedelta(days=rng.randint(0, (end - start).days))
    return min(day, timezone.localdate())


def _duties(context: DemoContext, year: int) -> int:
    table = _table()
    officer = context.users["officer"]
    made = 0
    for spec in table["district_duties"]:
        duty_list_create(
            user=officer,
            unit=context.district,
            title=spec["title"],
            holder_name="",
            holder_post=spec["post"],
            year=year,
            items=[DutyItemData(text=text, category=category) for category, text in spec["items"]],
        )
        made += 1
    spec = table["township_duty"]
    for township in context.townships:
        duty_list_create(
            user=officer,
            unit=township,
            title=f"{township.name}{spec['post']}安全生产职责清单",
            holder_post=spec["post"],
            year=year,
            items=[DutyItemData(text=text, category=category) for category, text in spec["items"]],
        )
        made += 1
    return made


def _work(rng: random.Random, context: DemoContext, year: int) -> list[WorkItem]:
    table = _table()
    today = timezone.localdate()
    officer = context.users["officer"]
    township = context.townships[0]
    township_user = context.users["township"]
    lists = [
        (officer, work_list_create(user=officer, unit=context.district, year=year), table["work_tasks"]),
        (
            township_user,
            work_list_create(user=township_user, unit=township, year=year),
            table["township_tasks"],
        ),
    ]
    departments = list(context.departments.values())
    items = []
    for user, work, tasks in lists:
        for task, month, day in tasks:
            lead = rng.choice(departments) if user == officer and rng.random() < 0.5 else None
            item = work_item_add(
                user=user, work_list=work, task=task, lead_unit=lead, due_on=dt.date(year, month, day)
            )
            items.append(item)
            notes = table["progress_notes"]
            if item.due_on < today:  # past due: nearly all done, now and then one still going (overdue)
                if rng.random() < 0.9:
                    work_item_progress(
                        user=user, item=item, status=WorkStatus.DONE, note=rng.choice(notes["done"])
                    )
                else:
                    work_item_progress(
                        user=user,
                        item=item,
                        status=WorkStatus.IN_PROGRESS,
                        percent=rng.choice((60, 70, 80)),
                        note=rng.choice(notes["in_progress"]),
                    )
            elif (item.due_on - today).days < 60:
                work_item_progress(
                    user=user,
                    item=item,
                    status=WorkStatus.IN_PROGRESS,
                    percent=rng.choice((20, 40, 50)),
                    note=rng.choice(notes["in_progress"]),
                )
    return items


def _letters(rng: random.Random, context: DemoContext, year: int) -> list[ResponsibilityLetter]:
    kinds = {k.code: k for k in LetterKind.objects.all()}
    officer = context.users["officer"]
    low, high = _table()["coverage"]
    letters = []
    # The district with each township and department: 目标管理责任书 at the start of the year.
    for unit in [*context.townships, *context.departments.values()]:
        letters.append(
            ResponsibilityLetter(
                kind=kinds["target-responsibility"],
                year=year,
                title=f"{year}年度安全生产目标管理责任书",
                issuer=context.district,
                signer_unit=unit,
                signed_on=_day(rng, year, (1, 10), (2, 20)),
                created_by=officer,
            )
        )
    # Each township with most of its operating enterprises.
    firms = (
        context.enterprises.filter(status=EnterpriseStatus.OPERATING)
        .select_related("jurisdiction")
        .prefetch_related("sectors")
        .order_by("pk")
    )
    by_township: dict[int, list[Enterprise]] = {}
    for firm in firms:
        unit = firm.jurisdiction
        township_id = (
            unit.pk if unit.kind in (OrgKind.STREET, OrgKind.TOWN, OrgKind.OFFICE) else unit.parent_id
        )
        by_township.setdefault(township_id, []).append(firm)
    for township in context.townships:
        pool = by_township.get(township.pk, [])
        signed = rng.sample(pool, round(len(pool) * rng.uniform(low, high)))
        for firm in signed:
            sectors = {s.code for s in firm.sectors.all()}
            code = "responsibility-pledge" if "gas" in sectors else "commitment"
            letters.append(
                ResponsibilityLetter(
                    kind=kinds[code],
                    year=year,
                    title=f"{year}年度{kinds[code].name}",
                    issuer=township,
                    signer_enterprise=firm,
                    signed_on=_day(rng, year, (2, 1), (4, 30)),
                    created_by=officer,
                )
            )
            if firm.is_fire_key_unit:
                letters.append(
                    ResponsibilityLetter(
                        kind=kinds["fire-commitment"],
                        year=year,
                        title=f"{year}年度消防安全承诺书",
                        issuer=township,
                        signer_enterprise=firm,
                        signed_on=_day(rng, year, (3, 1), (5, 31)),
                        created_by=officer,
                    )
                )
    created = ResponsibilityLetter.objects.bulk_create(letters, batch_size=1000)
    history_bulk_create(ResponsibilityLetter, created, user=officer)
    return created


def build(*, rng: random.Random, context: DemoContext) -> list[str]:
    year = timezone.localdate().year
    duties = _duties(context, year)
    items = _work(rng, context, year)
    letters = _letters(rng, context, year)
    with_firms = sum(1 for x in letters if x.signer_enterprise_id)
    done = WorkItem.objects.filter(pk__in=[i.pk for i in items], status=WorkStatus.DONE).count()
    return [
        f"安全责任：职责清单 {duties} 份；工作清单 2 份、任务 {len(items)} 项（已完成 {done} 项）；"
        f"责任书 {len(letters)} 份，其中企业签订 {with_firms} 份（各街镇在营企业签订率约 86%—97%）"
    ]


def reset(district: OrgUnit) -> None:
    """Remove the district's lists, work lists and letters, with their history rows."""
    inside = district.path
    letters = ResponsibilityLetter.objects.filter(
        Q(issuer__path__startswith=inside)
        | Q(signer_unit__path__startswith=inside)
        | Q(signer_enterprise__jurisdiction__path__startswith=inside)
    )
    ids = list(letters.values_list("pk", flat=True))
    ResponsibilityLetter.history.filter(id__in=ids).delete()
    ResponsibilityLetter.objects.filter(pk__in=ids).delete()
    works = WorkList.objects.filter(unit__path__startswith=inside)
    WorkItem.history.filter(work_list_id__in=works.values("pk")).delete()
    WorkList.history.filter(id__in=list(works.values_list("pk", flat=True))).delete()
    works.delete()
    duties = DutyList.objects.filter(unit__path__startswith=inside)
    DutyList.history.filter(id__in=list(duties.values_list("pk", flat=True))).delete()
    duties.delete()
