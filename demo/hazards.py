"""seed_demo step: a year of hazards, most of them closed, so the ledger and its figures look real.

Every 不符合 check result of the demo's inspections becomes a hazard linked to its record (or, when
the inspections carry no results, a sample of the records does); hazards from 企业自查, 专家查隐患,
线上巡查 and 群众举报 are added. Each hazard gets a believable story (demo.hazard_stories) — rectification
entries, 复查, now and then a failed 复查 or an approved 延期 — told by its timeline; a few are 重大 with
the full 五落实, some of those 挂牌督办, one or two already 摘牌. Rows go in with bulk_create (no history
rows: nobody entered them); the nightly overdue sweep is then run once, so overdue ones notify as they
would. The descriptions, measures and sources are in demo/data/hazards.json.
"""

import datetime as dt
import random
from collections.abc import Sequence
from decimal import Decimal
from functools import cache

from django.apps import apps
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone

from accounts.choices import Role
from accounts.models import Enterprise, Notification, NumberSequence, OrgUnit, Sector, User
from hazards.choices import EventKind, HazardLevel, HazardSource, HazardState
from hazards.models import (
    DeadlineExtension,
    Hazard,
    HazardCategory,
    HazardEvent,
    HazardPhoto,
    Rectification,
    RectificationPhoto,
)
from hazards.services import hazards_mark_overdue
from inspections.choices import ActionStatus, CheckResultValue
from inspections.models import CheckResult, InspectionAction, InspectionRecord

from .district import DemoContext
from .hazard_stories import Cast, Draft, Firm, Story, list_majors, new_hazard, tell_story
from .tables import load

STUCK_SHARE = 0.015  # old hazards still open: the overdue ones the office chases


def _table() -> dict:
    return load("hazards")


@cache
def _texts(key: str) -> tuple[tuple[str, str, str, str], ...]:
    """(category code, description, location, measures) of the "general" hazards found other than by
    inspection, or of the "major" ones (重大事故隐患, as the 判定标准 word them)."""
    return tuple((t["category"], t["description"], t["location"], t["measures"]) for t in _table()[key])


def _measures(category: str) -> str:
    measures = _table()["category_measures"]
    return measures.get(category, measures["management"])


# ---------------------------------------------------------------- what is there to build on


def _firms(context: DemoContext) -> dict[int, Firm]:
    towns = [(t.path, t.pk) for t in context.townships]
    code_of = dict(Sector.objects.values_list("pk", "code"))
    parent_of = {s.pk: s.parent_id for s in Sector.objects.only("pk", "parent")}
    sectors: dict[int, list[int]] = {}
    links = Enterprise.sectors.through.objects.filter(
        enterprise__jurisdiction__path__startswith=context.district.path
    )
    for enterprise_id, sector_id in links.values_list("enterprise_id", "sector_id"):
        sectors.setdefault(enterprise_id, []).append(sector_id)
    firms = {}
    rows = context.enterprises.order_by("pk").values_list(
        "pk", "jurisdiction_id", "jurisdiction__path", "supervising_department_id", "contact_person"
    )
    for pk, jurisdiction_id, path, department_id, contact in rows:
        township = next((t for prefix, t in towns if path.startswith(prefix)), jurisdiction_id)
        ids = sectors.get(pk, [])
        codes = {code_of[s] for s in ids} | {code_of[parent_of[s]] for s in ids if parent_of[s]}
        firms[pk] = Firm(pk, jurisdiction_id, township, department_id, contact, ids, codes)
    return firms


def _unit_users(context: DemoContext) -> dict[int, User]:
    """The login of each township and department (the named `township`/`department` users first)."""
    users: dict[int, User] = {}
    for user in context.users.values():
        if user.role in (Role.TOWNSHIP, Role.DEPARTMENT):
            users.setdefault(user.org_unit_id, user)
    return users


def _noncompliant(done: QuerySet[InspectionRecord]) -> list[tuple]:
    """(result, record, firm, action, date, leader-led, text, category) of every 不符合 item."""
    of_sector = _table()["sector_category"]
    category_of = {
        pk: of_sector.get(code, "management") for pk, code in Sector.objects.values_list("pk", "code")
    }
    results = (
        CheckResult.objects.filter(record__in=done, result=CheckResultValue.NONCOMPLIANT)
        .order_by("pk")
        .values_list(
            "pk",
            "record_id",
            "record__enterprise_id",
            "record__action_id",
            "record__action__date",
            "record__action__is_leader_led",
            "item__title",
            "item__sector_id",
            "note",
        )
    )
    return [
        (pk, record, firm, action, date, led, note.strip() or f"检查发现：{title}", category_of[sector])
        for pk, record, firm, action, date, led, title, sector, note in results
    ]


def _sampled_visits(rng: random.Random, done: QuerySet[InspectionRecord]) -> list[tuple]:
    """The same rows for inspections entered without item results: about one visit in eight found
    something, told by its 发现问题 text."""
    visits = list(
        done.order_by("pk").values_list(
            "pk", "enterprise_id", "action_id", "action__date", "action__is_leader_led", "findings"
        )
    )
    rows = []
    for record, firm, action, date, led, findings in sorted(rng.sample(visits, k=len(visits) // 8)):
        category, text, *_ = rng.choice(_texts("general"))
        rows.append((None, record, firm, action, date, led, findings.strip() or text, category))
    return rows


def _from_inspections(rng: random.Random, context: DemoContext, firms: dict[int, Firm], today: dt.date):
    """Drafts from the 不符合 results of the demo's inspections, or from a sample of its visits."""
    done = InspectionRecord.objects.filter(
        action__organizer__path__startswith=context.district.path,
        action__status=ActionStatus.DONE,
        action__date__lte=today,
    )
    # Whoever was first on the team records the hazard.
    members: dict[int, int] = {}
    through = InspectionAction.members.through.objects.filter(
        inspectionaction__organizer__path__startswith=context.district.path
    ).order_by("user_id")
    for action_id, user_id in through.values_list("inspectionaction_id", "user_id"):
        members.setdefault(action_id, user_id)
    users = User.objects.in_bulk(set(members.values()))
    rows = _noncompliant(done) or _sampled_visits(rng, done)
    return [
        Draft(
            source=HazardSource.INSPECTION,
            firm=firms[firm],
            found_on=date,
            description=text,
            category=category,
            measures=_measures(category),
            record_id=record,
            result_id=result,
            creator=users.get(members.get(action)),
            leader_led=led,
        )
        for result, record, firm, action, date, led, text, category in rows
        if firm in firms
    ]


def _firm_for(rng: random.Random, category: str, firms: Sequence[Firm]) -> Firm:
    wanted = set(_table()["category_sectors"].get(category, ()))
    fitting = [f for f in firms if wanted & f.codes] if wanted else []
    return rng.choice(fitting or firms)


def _from_other_sources(
    rng: random.Random, firms: Sequence[Firm], count: int, start: dt.date, today: dt.date
) -> list[Draft]:
    sources, weights = zip(*_table()["other_sources"].items(), strict=True)
    days = (today - start).days + 1
    drafts = []
    for _ in range(count):
        category, text, location, measures = rng.choice(_texts("general"))
        drafts.append(
            Draft(
                source=rng.choices(sources, weights=weights)[0],
                firm=_firm_for(rng, category, firms),
                found_on=start + dt.timedelta(days=rng.randrange(days)),
                description=text,
                category=category,
                location=location,
                measures=measures,
            )
        )
    return drafts


def _make_major(rng: random.Random, draft: Draft, firms: Sequence[Firm], spec: tuple) -> None:
    category, text, location, measures = spec
    draft.major = True
    draft.category, draft.description, draft.location, draft.measures = category, text, location, measures
    draft.firm = _firm_for(rng, category, firms)


# ---------------------------------------------------------------- the step


def _drafts(rng: random.Random, context: DemoContext, firms: dict[int, Firm], today: dt.date) -> list[Draft]:
    start = dt.date(today.year, 1, 1)
    if (today - start).days < 90:  # early in the year: a year back, not a few weeks
        start = today - dt.timedelta(days=364)
    drafts = [d for d in _from_inspections(rng, context, firms, today) if d.found_on >= start]
    everyone = list(firms.values())
    if not everyone:
        return drafts
    drafts += _from_other_sources(rng, everyone, max(12, round(len(drafts) * 0.35)), start, today)
    drafts.sort(key=lambda d: d.found_on)
    # A few 重大, found by experts or reported (an inspection's 不符合 item keeps its own words): two
    # found early, so that by now some are closed, listed and 摘牌, one lately, the rest any time.
    others = [d for d in drafts if d.source != HazardSource.INSPECTION]
    count = min(len(others), max(3, round(len(drafts) * 0.02)))
    early = others[: max(1, len(others) * 2 // 5)]
    chosen = rng.sample(early, k=min(2, len(early), count))
    if len(others) > len(chosen) < count:
        chosen.append(others[-1])
    later = [d for d in others if all(d is not c for c in chosen)]
    chosen += rng.sample(later, k=min(len(later), count - len(chosen)))
    for draft in chosen:
        _make_major(rng, draft, everyone, rng.choice(_texts("major")))
    return drafts


def build(*, rng: random.Random, context: DemoContext) -> list[str]:
    """A year of hazards with their stories; the summary line."""
    today = timezone.localdate()
    firms = _firms(context)
    drafts = _drafts(rng, context, firms, today)
    if not drafts:
        return ["隐患 0 条"]
    cast = Cast(
        officer=context.users["officer"],
        unit_users=_unit_users(context),
        categories={c.code: c for c in HazardCategory.objects.all()},
        today=today,
    )
    # The ones still open long after their deadline; never from a leader-led inspection (全部整改到位).
    old = [
        i for i, d in enumerate(drafts) if (today - d.found_on).days > 60 and not d.leader_led and not d.major
    ]
    stuck = set(rng.sample(old, k=min(len(old), max(2, round(len(old) * STUCK_SHARE)))))
    # The latest major hazard is still being dealt with: the 挂牌督办 page has an open one to show.
    stuck |= {max((i for i, d in enumerate(drafts) if d.major), default=-1)}
    serial: dict[int, int] = {}
    stories = []
    for i, draft in enumerate(drafts):  # in found_on order: numbers run as the office issued them
        year = draft.found_on.year
        serial[year] = serial.get(year, 0) + 1
        hazard = new_hazard(rng, draft, f"YH{year}{serial[year]:05d}", cast)
        stories.append(tell_story(rng, draft, hazard, cast, i in stuck))
    listed, delisted = list_majors(rng, stories, cast)
    for story in stories:
        story.timed(rng)
    _save(stories, context.district)
    # 专项行动: a hazard found on an inspection of a campaign belongs to that campaign.
    Hazard.objects.filter(
        township__path__startswith=context.district.path, inspection_record__action__campaign__isnull=False
    ).update(
        campaign=Subquery(
            InspectionRecord.objects.filter(pk=OuterRef("inspection_record")).values("action__campaign")[:1]
        )
    )
    NumberSequence.objects.bulk_create(
        [
            NumberSequence(series="hazard", org_unit=context.district, year=y, last=n)
            for y, n in serial.items()
        ]
    )
    overdue = hazards_mark_overdue(today=today)
    _date_overdue_events(context)
    return [_summary(stories, listed, delisted, overdue)]


def _save(stories: list[Story], district: OrgUnit) -> None:
    hazards = Hazard.objects.bulk_create([s.hazard for s in stories], batch_size=500)
    if hazards and hazards[0].pk is None:  # a backend that cannot return ids from a bulk insert
        ids = dict(Hazard.objects.filter(number__in=[h.number for h in hazards]).values_list("number", "pk"))
        for h in hazards:
            h.pk = ids[h.number]
    through = Hazard.sectors.through
    through.objects.bulk_create(
        [through(hazard_id=s.hazard.pk, sector_id=pk) for s in stories for pk in s.sectors], batch_size=1000
    )
    extensions, rectifications, events = [], [], []
    for story in stories:
        for ext in story.extensions:
            ext.hazard_id = story.hazard.pk
            extensions.append(ext)
        for entry in story.rectifications:
            entry.hazard_id = story.hazard.pk
            rectifications.append(entry)
        for at, kind, before, after, note, user, rect, ext in story.events:
            extension = story.extensions[ext] if ext is not None else None
            if kind == EventKind.EXTENSION_APPROVED:
                extension.decided_at = at
            events.append(
                HazardEvent(
                    hazard=story.hazard,
                    kind=kind,
                    from_state=before,
                    to_state=after,
                    note=note,
                    user=user,
                    at=at,
                    rectification=story.rectifications[rect] if rect is not None else None,
                    extension=extension,
                )
            )
    DeadlineExtension.objects.bulk_create(extensions, batch_size=500)
    Rectification.objects.bulk_create(rectifications, batch_size=500)
    HazardEvent.objects.bulk_create(events, batch_size=1000)
    _dates_from_timeline(district)


def _dates_from_timeline(district: OrgUnit) -> None:
    """auto_now(_add) fields take "now" on insert; the timeline's times are put back, one UPDATE a table."""
    inside = Q(hazard__jurisdiction__path__startswith=district.path)
    timeline = HazardEvent.objects.filter(hazard=OuterRef("pk"))
    Hazard.objects.filter(jurisdiction__path__startswith=district.path).update(
        created=Subquery(timeline.order_by("at", "pk").values("at")[:1]),
        updated=Subquery(timeline.order_by("-at", "-pk").values("at")[:1]),
    )
    logged = HazardEvent.objects.filter(rectification=OuterRef("pk"), kind=EventKind.RECTIFICATION)
    Rectification.objects.filter(inside).update(created=Subquery(logged.values("at")[:1]))
    asked = HazardEvent.objects.filter(extension=OuterRef("pk"), kind=EventKind.EXTENSION_REQUESTED)
    DeadlineExtension.objects.filter(inside).update(requested_at=Subquery(asked.values("at")[:1]))


def _date_overdue_events(context: DemoContext) -> None:
    """The sweep just flagged the demo's late hazards; its 逾期 lines belong on the day they fell due."""
    events = list(
        HazardEvent.objects.filter(
            kind=EventKind.OVERDUE,
            hazard__jurisdiction__path__startswith=context.district.path,
            hazard__is_overdue=True,
        ).select_related("hazard")
    )
    for e in events:
        day = e.hazard.overdue_since or e.hazard.deadline
        e.at = timezone.make_aware(dt.datetime.combine(day, dt.time(0, 30)))
    HazardEvent.objects.bulk_update(events, ["at"], batch_size=500)


def _summary(stories: list[Story], listed: int, delisted: int, overdue: int) -> str:
    counted = [s.hazard for s in stories]
    closed = sum(h.state == HazardState.CLOSED for h in counted)
    major = sum(h.level == HazardLevel.MAJOR for h in counted)
    rate = f"{Decimal(closed * 100) / Decimal(len(counted)):.1f}%" if counted else "—"
    return (
        f"隐患 {len(counted)} 条（已销号 {closed}，整改率 {rate}），重大隐患 {major} 条、"
        f"挂牌督办 {listed} 条（已摘牌 {delisted}），逾期 {overdue} 条"
    )


def reset(district: OrgUnit) -> None:
    """Remove every hazard of the demo district and all that hangs on it (before the inspections,
    whose records the hazards protect, and before the enterprises)."""
    hazards = Hazard.objects.filter(jurisdiction__path__startswith=district.path)
    ids = list(hazards.values_list("pk", flat=True))
    urls = [reverse("hazards:hazard_detail", args=[pk]) for pk in ids]
    Notification.objects.filter(url__in=urls).delete()
    HazardEvent.objects.filter(hazard__in=hazards).delete()
    photos = RectificationPhoto.objects.filter(rectification__hazard__in=hazards)
    for photo in photos:  # uploads made while trying the demo out; the demo itself has none
        photo.image.delete(save=False)
    photos.delete()
    Rectification.objects.filter(hazard__in=hazards).delete()
    for found in HazardPhoto.objects.filter(hazard__in=hazards):  # photos users added in the demo
        found.image.delete(save=False)
    HazardPhoto.objects.filter(hazard__in=hazards).delete()
    DeadlineExtension.objects.filter(hazard__in=hazards).delete()
    hazards.delete()
    # After the rows, so that '-' rows written by the delete (history not paused) go as well; the m2m
    # snapshots are linked without a database constraint, so nothing cascades.
    history = Hazard.history.filter(id__in=ids)
    snapshots = apps.get_model("hazards", "HistoricalHazard_sectors")
    snapshots.objects.filter(history__in=history.values("pk")).delete()
    history.delete()
    NumberSequence.objects.filter(series="hazard", org_unit=district).delete()
