"""案件台账导入's write: checked rows become cases in bulk (one statement per table per chunk), each built
by the same `_case_build` as a case opened by hand, with its penalties (单位罚款, 个人罚款), measures, a
line on the timeline and a history record. The rows were read and checked by
enforcement.importers.CaseImporter."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import OrgUnit, User
from accounts.services import number_block
from core.history import history_bulk_create
from core.imports import report_saving
from core.locks import transaction_lock

from ..choices import CaseEventKind, CaseState, MeasureKind, PenaltyKind, PenaltyTarget
from ..models import Case, CaseEvent, Measure, Penalty
from .cases import CASE_SERIES, CaseData, _Arrival, _case_build, case_number_text, reserve_given_numbers

_BATCH = 500
_CHUNK = 1000


@dataclass(frozen=True)
class CaseRow:
    """One checked row of an old case ledger. A blank `number` gets the next of the handling unit's series."""

    row: int
    number: str
    data: CaseData
    fine: Decimal | None = None
    person_fine: Decimal | None = None
    decided_on: dt.date | None = None
    closed_on: dt.date | None = None
    measures: tuple[str, ...] = ()


def _arrival(row: CaseRow) -> _Arrival:
    if row.closed_on is not None:
        return _Arrival(state=CaseState.CLOSED, decided_on=row.decided_on, closed_on=row.closed_on)
    if row.decided_on is not None:
        return _Arrival(state=CaseState.DECIDED, decided_on=row.decided_on)
    return _Arrival(settle_flag=True)


def _numbers(rows: list[CaseRow]) -> list[str]:
    reserve_given_numbers((row.number, row.data.handling_unit) for row in rows if row.number)
    wanted: dict[tuple[int, int], list[int]] = defaultdict(list)
    for index, row in enumerate(rows):
        if not row.number:
            wanted[(row.data.handling_unit.pk, row.data.opened_on.year)].append(index)
    numbers = [row.number for row in rows]
    units = OrgUnit.objects.in_bulk({unit for unit, _year in wanted})
    for (unit, year), indexes in wanted.items():
        serials = number_block(series=CASE_SERIES, org_unit=units[unit], year=year, count=len(indexes))
        for index, serial in zip(indexes, serials, strict=True):
            numbers[index] = case_number_text(units[unit], year, serial)
    return numbers


@transaction.atomic
def cases_import_many(*, user: User, rows: list[CaseRow]) -> int:
    """Write checked rows as new cases, in bulk; all or nothing. Returns how many."""
    now = timezone.now()
    transaction_lock("enforcement.cases_import_many")
    numbers = _numbers(rows)
    taken = sorted(Case.objects.filter(number__in=numbers).values_list("number", flat=True))
    if taken:
        raise ValidationError(_("案件编号已存在：{numbers}").format(numbers="、".join(taken)))
    note = _("Excel导入")
    for start in range(0, len(rows), _CHUNK):
        chunk = range(start, min(start + _CHUNK, len(rows)))
        cases = [
            _case_build(rows[i].data, number=numbers[i], user=user, arrival=_arrival(rows[i])) for i in chunk
        ]
        Case.objects.bulk_create(cases, batch_size=_BATCH)
        penalties: list[Penalty] = []
        measures: list[Measure] = []
        events: list[CaseEvent] = []
        for i, case in zip(chunk, cases, strict=True):
            row = rows[i]
            if row.fine is not None:
                penalties.append(
                    Penalty(case=case, target=PenaltyTarget.UNIT, kind=PenaltyKind.FINE, amount=row.fine)
                )
            if row.person_fine is not None:
                penalties.append(
                    Penalty(
                        case=case, target=PenaltyTarget.PERSON, kind=PenaltyKind.FINE, amount=row.person_fine
                    )
                )
            start_on = row.decided_on or row.data.opened_on
            measures.extend(
                Measure(case=case, kind=kind, start_on=start_on, created_by=user)
                for kind in dict.fromkeys(row.measures)
            )
            events.append(CaseEvent(case=case, kind=CaseEventKind.IMPORTED, note=note, user=user, at=now))
            if case.state != CaseState.OPEN:
                events.append(
                    CaseEvent(
                        case=case,
                        kind=CaseEventKind.TRANSITION,
                        from_state=CaseState.OPEN,
                        to_state=case.state,
                        note=_("按导入台账的案件状态"),
                        user=user,
                        at=now,
                    )
                )
        Penalty.objects.bulk_create(penalties, batch_size=_BATCH)
        Measure.objects.bulk_create(measures, batch_size=_BATCH)
        CaseEvent.objects.bulk_create(events, batch_size=_BATCH)
        history_bulk_create(Case, cases, user=user, when=now)
        history_bulk_create(Measure, measures, user=user, when=now)
        report_saving(chunk.stop, len(rows))
    return len(rows)


IMPORT_MEASURES = {
    "停产整顿": MeasureKind.SUSPENSION,
    "临时查封": MeasureKind.SEAL,
    "查封": MeasureKind.SEAL,
    "责令三停": MeasureKind.THREE_STOPS,
    "关闭取缔": MeasureKind.CLOSURE,
    "暂扣": MeasureKind.SEIZE,
    "扣押": MeasureKind.SEIZE,
    "责令限期整改": MeasureKind.RECTIFY_ORDER,
}
