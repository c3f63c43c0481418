"""隐患台账导入's write: checked rows become ledger entries, in bulk (one COPY per table per chunk).

Each hazard is built by the same `_hazard_build` a hazard recorded by hand goes through — its number,
place, sectors, responsible unit, overdue flag, a 登记 line on the timeline and a history record —
plus a line for the state and the listing it arrives with, so the timeline says where it came from.
The rows were read and checked by hazards.importers.HazardImporter.
"""

import datetime as dt
import logging
import operator
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from types import SimpleNamespace

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import NumberSequence, OrgUnit, User
from accounts.services import number_block
from core.bulk import (
    BackgroundWriter,
    allocate_ids,
    bulk_history_insert,
    bulk_insert,
    bulk_insert_values,
    copies_plainly,
    copy_sql,
    history_by_sql,
    history_insert_sql,
    insert_values_rows,
)
from core.imports import report_saving
from core.locks import transaction_lock

from ..choices import EventKind, HazardSource, HazardState, ListingLevel
from ..models import Hazard, HazardEvent
from ..selectors import five_missing
from .create import HazardData, _hazard_build, district_id, hazard_campaign_id, number_text
from .overdue import _settle_overdue

logger = logging.getLogger(__name__)

_OWN_NUMBER = re.compile(r"^YH(\d{4})(\d{5})$")
_CHUNK = 2000  # rows written between two progress reports (and numbers checked per query)
_LOCK = "hazards.hazards_import_many"
_STAMPED = {"id", "created", "updated"}  # given when written, not by the builder


@dataclass(frozen=True)
class HazardRow:
    """One checked row of an old ledger: the hazard as it would be recorded, and the state (and
    listing) it arrives in. A blank `number` gets the next of the district's series."""

    row: int
    number: str
    data: HazardData
    state: str = HazardState.OPEN
    closed_on: dt.date | None = None
    listing_level: str = ""
    listed_on: dt.date | None = None
    listing_leader: str = ""
    listing_document: str = ""


@transaction.atomic
def hazards_import_many(*, user: User, rows: list[HazardRow], sector_ids: dict[int, list[int]]) -> int:
    """Write checked rows as new ledger entries, in bulk; returns how many.

    `sector_ids` are each enterprise's sectors (enterprise id → sector ids), loaded once by the
    importer. Written a chunk at a time, telling the progress bar of a background import how far it
    is. An imported hazard already past its deadline is flagged overdue but not announced: an old
    ledger is not news.
    """
    today = timezone.localdate()
    now = timezone.now()
    # Imports take turns, so a second run of the same file sees the first one's hazards (and is refused
    # below) rather than colliding with them on the unique number.
    transaction_lock(_LOCK)
    numbers = _numbers(rows)
    # The importer checked the numbers before this transaction; recorded meanwhile, they are refused here.
    given = [n for n in numbers if n]
    taken = sorted(
        number
        for start in range(0, len(given), _CHUNK)
        for number in Hazard.objects.filter(number__in=given[start : start + _CHUNK]).values_list(
            "number", flat=True
        )
    )
    if taken:
        raise ValidationError(_("隐患编号已存在：{numbers}").format(numbers="、".join(taken)))
    for start in range(0, len(rows), _CHUNK):
        chunk = range(start, min(start + _CHUNK, len(rows)))
        hazards = [
            _hazard_build(
                rows[i].data,
                number=numbers[i],
                user=user,
                today=today,
                state=rows[i].state,
                closed_on=rows[i].closed_on,
                listing_level=rows[i].listing_level,
                listed_on=rows[i].listed_on,
                listing_leader=rows[i].listing_leader,
                listing_document=rows[i].listing_document,
            )[0]
            for i in chunk
        ]
        bulk_insert(Hazard, hazards)
        bulk_insert_values(
            Hazard.sectors.through,
            (
                {"hazard_id": h.pk, "sector_id": sector_id}
                for h in hazards
                for sector_id in dict.fromkeys(sector_ids.get(h.enterprise_id, []))
            ),
        )
        bulk_insert_values(HazardEvent, _events(hazards, user=user, at=now))
        bulk_history_insert(Hazard, hazards, user=user, when=now, m2m_field="sectors")
        report_saving(chunk.stop, len(rows))
    return len(rows)


class HazardImport:
    """hazards_import_many a chunk of rows at a time, for an importer that checks a long ledger in chunks:
    each clean chunk is handed over at once and written by a core.bulk.BackgroundWriter (the server
    writes it while the importer reads the next), in the caller's one transaction, so all-or-nothing holds.

    The same rows are written as hazards_import_many writes: the hazards (as plain values, the first row
    of each chunk compared with what `_hazard_build` makes of it), their sectors, timelines and history,
    the same numbers (a given number of the system's own form that would have moved a series already
    used makes the import renumber: what was written is undone and everything is written at the end).
    Nothing here raises while rows are added; finish() raises what went wrong, as hazards_import_many
    would have. The caller's own queries go through turn(); close() always, before the transaction ends.
    """

    def __init__(
        self, *, user: User, sector_ids: dict[int, list[int]], written: set[str] | None = None
    ) -> None:
        self.user = user
        self.sector_ids = sector_ids
        # Every number this import writes, added as it is handed over: the caller's check of later rows
        # against the ledger must not take them for numbers recorded before (nor must ours, below).
        self.written = set() if written is None else written
        self.today = timezone.localdate()
        self.now = timezone.now()
        self.rows: list[HazardRow] = []  # kept for a renumbering; the import holds them anyway
        self.taken: list[str] = []
        self.saved = 0
        self.bases: dict[tuple[int, int], int] = {}
        self.renumber = False
        self.plain = True
        self.locked = False
        self.townships: dict[int, int] = {}  # enterprise id → township id
        fields = Hazard._meta.concrete_fields
        self.attnames = [f.attname for f in fields]
        # Columns the builder leaves to their defaults (delisted_on …): as a new instance has them.
        self.defaults = {
            f.attname: f.get_default() for f in fields if not (f.has_default() and callable(f.default))
        }
        self.hazard_row = operator.itemgetter(*self.attnames)
        self.hazard_sql = copy_sql(Hazard._meta.db_table, [f.column for f in fields])
        through = Hazard.sectors.through._meta
        self.sector_sql = copy_sql(
            through.db_table, [through.get_field(n).column for n in ("hazard", "sector")]
        )
        self.writer = BackgroundWriter()

    @staticmethod
    def usable() -> bool:
        """Whether this database and these models allow it (PostgreSQL, plain columns); else use
        hazards_import_many."""
        return copies_plainly(Hazard) and history_by_sql(Hazard)

    def turn(self):
        return self.writer.turn()

    def add(self, rows: list[HazardRow]) -> None:
        """Checked rows, in file order, to be written (in the background, while the caller goes on)."""
        self.rows.extend(rows)
        if self.writer.error is not None:
            return
        try:
            with self.turn():
                if not self.locked:
                    transaction_lock(_LOCK)
                    self.locked = True
                # Checked by the importer before; recorded meanwhile, they are refused (all of them listed).
                given = [row.number for row in rows if row.number]
                for start in range(0, len(given), _CHUNK):
                    found = Hazard.objects.filter(number__in=given[start : start + _CHUNK])
                    self.taken += [n for n in found.values_list("number", flat=True) if n not in self.written]
                if self.taken or self.renumber:
                    return
                numbers = _numbers(rows, self.bases)
                if numbers is None:
                    self.renumber = True
                    return
                ids = allocate_ids(Hazard, len(rows))
        except DatabaseError as exc:
            self.writer.fail(exc)
            return
        self._submit(rows, numbers, ids)

    def finish(self) -> int:
        """Wait for every write, telling the progress bar; returns how many rows. Raises what
        hazards_import_many would have raised: ValidationError for numbers recorded meanwhile, a
        database error for a write that failed."""
        total = len(self.rows)
        self.saved += sum(self.writer.done(wait=False))
        if self.renumber and not self.taken and self.writer.error is None:
            self.saved += sum(self.writer.done(wait=True))
            self.writer.rollback()
            self.saved, self.renumber, self.bases = 0, False, {}
            with self.turn():
                numbers = _numbers(self.rows)
                ids = allocate_ids(Hazard, total)
            self._submit(self.rows, numbers, ids)
        if self.saved:
            report_saving(self.saved, total)  # written while the rows were checked
        for count in self.writer.done(wait=True):
            self.saved += count
            report_saving(self.saved, total)
        if self.taken:
            raise ValidationError(
                _("隐患编号已存在：{numbers}").format(numbers="、".join(sorted(self.taken)))
            )
        if self.writer.error is not None:
            raise self.writer.error
        return total

    def close(self) -> None:
        self.writer.close()

    def _submit(self, rows: list[HazardRow], numbers: list[str], ids: list[int]) -> None:
        for start in range(0, len(rows), _CHUNK):
            piece = slice(start, start + _CHUNK)
            self._submit_piece(rows[piece], numbers[piece], ids[piece])

    def _submit_piece(self, rows: list[HazardRow], numbers: list[str], ids: list[int]) -> None:
        self.written.update(numbers)
        stamp = timezone.now()
        hazards = [
            self._hazard(row, number, pk, stamp, check=not index)
            for index, (row, number, pk) in enumerate(zip(rows, numbers, ids, strict=True))
        ]
        sectors = [
            (h.pk, sector_id)
            for h in hazards
            for sector_id in dict.fromkeys(self.sector_ids.get(h.enterprise_id, []))
        ]
        event_columns, events = insert_values_rows(HazardEvent, _events(hazards, user=self.user, at=self.now))
        steps = [
            ("copy", self.hazard_sql, [self.hazard_row(vars(h)) for h in hazards]),
            ("copy", self.sector_sql, sectors),
            ("copy", copy_sql(HazardEvent._meta.db_table, event_columns), list(events)),
        ]
        if getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
            sql, params = history_insert_sql(
                Hazard, ids, user_id=self.user.pk, when=self.now, m2m_field="sectors"
            )
            steps.append(("sql", sql, params))
        self.writer.submit(steps, tag=len(rows))

    def _hazard(
        self, row: HazardRow, number: str, pk: int, stamp: dt.datetime, *, check: bool
    ) -> SimpleNamespace:
        """The hazard's column values (and the attributes five_missing and _events read), as _hazard_build
        and bulk_insert would store them. Built as plain values: 100,000 model instances cost seconds.
        With `check`, also through _hazard_build: should they ever differ, the instances are used."""
        arrival = {
            "state": row.state,
            "closed_on": row.closed_on,
            "listing_level": row.listing_level,
            "listed_on": row.listed_on,
            "listing_leader": row.listing_leader,
            "listing_document": row.listing_document,
        }
        values = self._plain(row, number, arrival) if self.plain else None
        if check or not self.plain:
            built = _hazard_build(row.data, number=number, user=self.user, today=self.today, **arrival)[0]
            expected = {a: getattr(built, a) for a in self.attnames if a not in _STAMPED}
            if values is not None and {a: values[a] for a in expected} != expected:
                logger.warning("Hazard import: plain values differ from _hazard_build's; using instances")
                self.plain = False
            if not self.plain:
                values = expected
        return SimpleNamespace(**{**values, "id": pk, "created": stamp, "updated": stamp, "pk": pk})

    def _plain(self, row: HazardRow, number: str, arrival: dict) -> dict:
        data = row.data
        enterprise = data.enterprise
        hazard = SimpleNamespace(**self.defaults)
        hazard.__dict__.update(
            number=number,
            enterprise_id=enterprise.pk,
            jurisdiction_id=enterprise.jurisdiction_id,
            township_id=self._township_id(enterprise),
            supervising_department_id=enterprise.supervising_department_id,
            source=data.source,
            inspection_record_id=_pk(data.inspection_record),
            check_result_id=_pk(data.check_result),
            level=data.level,
            category_id=_pk(data.category),
            description=data.description.strip(),
            location=data.location.strip(),
            found_on=data.found_on,
            deadline=data.deadline,
            responsible_unit_id=data.responsible_unit.pk,
            responsible_person=data.responsible_person.strip(),
            measures=data.measures.strip(),
            funds=data.funds,
            contingency_plan=data.contingency_plan.strip(),
            campaign_id=hazard_campaign_id(data),
            created_by_id=self.user.pk,
            **arrival,
        )
        _settle_overdue(hazard, self.today)
        return vars(hazard)

    def _township_id(self, enterprise) -> int:
        township = self.townships.get(enterprise.pk)
        if township is None:
            township = self.townships[enterprise.pk] = enterprise.township.pk
        return township


def _pk(obj) -> int | None:
    return None if obj is None else obj.pk


def _numbers(rows: list[HazardRow], bases: dict[tuple[int, int], int] | None = None) -> list[str] | None:
    """The given numbers, and for blank ones the next of each district's yearly series (as hazard_number).

    With `bases` (for rows written a chunk at a time: each series' value before the import's first blank
    of it was numbered, filled in here), None when a given number of the system's own form is past the
    base of a series already used: all-at-once, the earlier blanks would have been numbered after it.
    """
    districts_of: dict[int, int] = {}  # enterprise id → district id: the same few units over and over

    def district_of(enterprise) -> int:
        district = districts_of.get(enterprise.pk)
        if district is None:
            district = districts_of[enterprise.pk] = district_id(enterprise)
        return district

    # A given number of the system's own form moves its series on, so later numbers never repeat it.
    highest: dict[tuple[int, int], int] = {}
    for row in rows:
        if match := _OWN_NUMBER.match(row.number):
            key = (district_of(row.data.enterprise), int(match.group(1)))
            highest[key] = max(highest.get(key, 0), int(match.group(2)))
    if bases and any(key in bases and serial > bases[key] for key, serial in highest.items()):
        return None
    for (district, year), serial in highest.items():
        NumberSequence.objects.get_or_create(series="hazard", org_unit_id=district, year=year)
        NumberSequence.objects.filter(series="hazard", org_unit_id=district, year=year).update(
            last=Greatest(F("last"), serial)
        )

    wanted: dict[tuple[int, int], list[int]] = defaultdict(list)
    for index, row in enumerate(rows):
        if not row.number:
            wanted[(district_of(row.data.enterprise), row.data.found_on.year)].append(index)
    numbers = [row.number for row in rows]
    districts = OrgUnit.objects.in_bulk({district for district, _year in wanted})
    for (district, year), indexes in wanted.items():
        serials = number_block(series="hazard", org_unit=districts[district], year=year, count=len(indexes))
        if bases is not None:
            bases.setdefault((district, year), serials.start - 1)
        for index, serial in zip(indexes, serials, strict=True):
            numbers[index] = number_text(year, serial)
    return numbers


def _events(hazards: list[Hazard], *, user: User, at) -> Iterator[dict]:
    """The timeline each imported hazard starts with, as the rows of HazardEvent: the 登记 line (as
    _created_event writes it), then where the old ledger had it (its state, its listing)."""
    # Texts translated once, not once per row: 10,000 rows would spend seconds in gettext.
    created = {
        value: _("Excel导入（{source}）").format(source=label) for value, label in HazardSource.choices
    }
    state_note = _("按导入台账的整改状态")
    listing_labels = dict(ListingLevel.choices)
    common = {"user_id": user.pk, "at": at}
    for hazard in hazards:
        note = created[hazard.source]
        missing = five_missing(hazard)
        if missing:
            note += _("；五落实待补充：{items}").format(items="、".join(missing))
        yield {"hazard_id": hazard.pk, "kind": EventKind.CREATED, "note": note, **common}
        if hazard.state != HazardState.OPEN:
            yield {
                "hazard_id": hazard.pk,
                "kind": EventKind.TRANSITION,
                "from_state": HazardState.OPEN,
                "to_state": hazard.state,
                "note": state_note,
                **common,
            }
        if hazard.listing_level:
            listed = f"{listing_labels[hazard.listing_level]} {hazard.listing_document}".strip()
            yield {"hazard_id": hazard.pk, "kind": EventKind.LISTED, "note": listed, **common}
