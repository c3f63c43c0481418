"""The case list as Excel (案件台账): the import's columns first, so an exported file can be read back by
`import_ledger cases` after the system's own columns are ignored, then what the list shows."""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone

from core.excel import write_workbook

from .choices import UNDECIDED_STATES, CaseProcedure, CaseState, MeasureKind, PenaltyKind, PenaltyTarget
from .importers import (
    ACTION,
    CASE_HEADERS,
    CAUSE,
    CLOSED_ON,
    DECIDED_ON,
    FINE,
    MEASURES,
    NUMBER,
    OPENED_ON,
    PERSON_FINE,
    PROCEDURE,
    UNIT,
    USCC,
)
from .models import Case, Measure, Penalty

ENTERPRISE = "单位名称"
TOWNSHIP = "所属街道"
STATE = "案件状态"
DEADLINE = "办案期限"
REMAINING = "剩余天数"
OTHER_PENALTIES = "其他处罚"

EXPORT_HEADERS = [
    "序号",
    *CASE_HEADERS,
    UNIT,
    ENTERPRISE,
    TOWNSHIP,
    STATE,
    DEADLINE,
    REMAINING,
    OTHER_PENALTIES,
]
_WIDTHS = {"序号": 7, NUMBER: 22, USCC: 22, CAUSE: 40, ENTERPRISE: 30, MEASURES: 20, OTHER_PENALTIES: 24}
# How the import names measures (its 措施 column); the others by their label.
_MEASURE_NAMES = {
    MeasureKind.SUSPENSION: "停产整顿",
    MeasureKind.SEAL: "临时查封",
    MeasureKind.THREE_STOPS: "责令三停",
    MeasureKind.CLOSURE: "关闭取缔",
    MeasureKind.SEIZE: "暂扣",
}

_COLUMNS = (
    "pk",
    "number",
    "opened_on",
    "enterprise__uscc",
    "enterprise__name",
    "procedure",
    "cause",
    "decided_on",
    "closed_on",
    "source_record__action__number",
    "handling_unit__name",
    "township__name",
    "state",
    "deadline",
)


def case_export(queryset: QuerySet[Case], *, today: dt.date | None = None) -> bytes:
    """The cases of `queryset` (scoped and filtered by the caller), in its order. Three queries whatever
    the number of rows: the cases as plain values, their penalties, their measures."""
    today = today or timezone.localdate()
    cases = list(queryset.values(*_COLUMNS))
    ids = queryset.values("pk")
    fines: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
    others: dict[int, list[str]] = defaultdict(list)
    kind_labels = {value: str(label) for value, label in PenaltyKind.choices}
    for case_id, target, kind, amount, name in Penalty.objects.filter(case__in=ids).values_list(
        "case_id", "target", "kind", "amount", "person_name"
    ):
        if kind == PenaltyKind.FINE:
            fines[(case_id, target)] += amount
        else:
            label = kind_labels.get(kind, kind)
            if amount is not None:
                label += f"{amount}元"
            others[case_id].append(f"{name}{label}" if target == PenaltyTarget.PERSON else label)
    measures: dict[int, list[str]] = defaultdict(list)
    measure_labels = {value: str(label) for value, label in MeasureKind.choices}
    for case_id, kind in (
        Measure.objects.filter(case__in=ids).order_by("start_on", "pk").values_list("case_id", "kind")
    ):
        name = _MEASURE_NAMES.get(kind) or measure_labels.get(kind, kind)
        if name not in measures[case_id]:
            measures[case_id].append(name)
    labels = {
        "procedure": {value: str(label) for value, label in CaseProcedure.choices},
        "state": {value: str(label) for value, label in CaseState.choices},
    }

    def row(index: int, c: dict) -> list:
        remaining = (
            (c["deadline"] - today).days
            if c["deadline"] is not None and c["state"] in UNDECIDED_STATES
            else None
        )
        return [
            index,
            c["number"],
            c["opened_on"],
            c["enterprise__uscc"],
            labels["procedure"].get(c["procedure"], c["procedure"]),
            c["cause"],
            fines.get((c["pk"], PenaltyTarget.UNIT)),
            fines.get((c["pk"], PenaltyTarget.PERSON)),
            c["decided_on"],
            "、".join(measures.get(c["pk"], ())),
            c["closed_on"],
            c["source_record__action__number"] or "",
            c["handling_unit__name"],
            c["enterprise__name"],
            c["township__name"],
            labels["state"].get(c["state"], c["state"]),
            c["deadline"],
            remaining,
            "；".join(others.get(c["pk"], ())),
        ]

    rows = (row(index, c) for index, c in enumerate(cases, start=1))
    return write_workbook(sheet_title="案件台账", headers=EXPORT_HEADERS, rows=rows, column_widths=_WIDTHS)


__all__ = ["EXPORT_HEADERS", "case_export"]
# Named for readers of the import format: the columns the export shares with it.
SHARED_COLUMNS = (
    NUMBER,
    OPENED_ON,
    USCC,
    PROCEDURE,
    CAUSE,
    FINE,
    PERSON_FINE,
    DECIDED_ON,
    MEASURES,
    CLOSED_ON,
    ACTION,
)
