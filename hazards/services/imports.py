"""隐患台账导入's write: checked rows become ledger entries, in bulk (one COPY per table per chunk).

Each hazard is built by the same `_hazard_build` a hazard recorded by hand goes through — its number,
place, sectors, responsible unit, overdue flag, a 登记 line on the timeline and a history record —
plus a line for the state and the listing it arrives with, so the timeline says where it came from.
The rows were read and checked by hazards.importers.HazardImporter.
"""

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import NumberSequence, OrgUnit, User
from accounts.services import number_block
from core.bulk import bulk_history_insert, bulk_insert, bulk_insert_values
from core.imports import report_saving
from core.locks import transaction_lock

from ..choices import EventKind, HazardSource, HazardState, ListingLevel
from ..models import Hazard, HazardEvent
from ..selectors import five_missing
from .create import HazardData, _hazard_build, district_id, number_text

_OWN_NUMBER = re.compile(r"^YH(\d{4})(\d{5})$")
_CHUNK = 2000  # rows written between two progress reports (and numbers checked per query)


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
    transaction_lock("hazards.hazards_import_many")
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


def _numbers(rows: list[HazardRow]) -> list[str]:
    """The given numbers, and for blank ones the next of each district's yearly series (as hazard_number)."""
    # A given number of the system's own form moves its series on, so later numbers never repeat it.
    highest: dict[tuple[int, int], int] = {}
    for row in rows:
        if match := _OWN_NUMBER.match(row.number):
            key = (district_id(row.data.enterprise), int(match.group(1)))
            highest[key] = max(highest.get(key, 0), int(match.group(2)))
    for (district, year), serial in highest.items():
        NumberSequence.objects.get_or_create(series="hazard", org_unit_id=district, year=year)
        NumberSequence.objects.filter(series="hazard", org_unit_id=district, year=year).update(
            last=Greatest(F("last"), serial)
        )

    wanted: dict[tuple[int, int], list[int]] = defaultdict(list)
    for index, row in enumerate(rows):
        if not row.number:
            wanted[(district_id(row.data.enterprise), row.data.found_on.year)].append(index)
    numbers = [row.number for row in rows]
    districts = OrgUnit.objects.in_bulk({district for district, _year in wanted})
    for (district, year), indexes in wanted.items():
        serials = number_block(series="hazard", org_unit=districts[district], year=year, count=len(indexes))
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
