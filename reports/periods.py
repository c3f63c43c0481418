"""Report periods: a calendar month, quarter, half or year in Asia/Shanghai (the project's TIME_ZONE).

A period has a short key that travels in URLs, the API and the command line — "2026" (year), "2026-H1"
(half), "2026-Q3" (quarter), "2026-M03" (month; "2026-03" is read too) — and a Chinese label as the
summaries write it ("2026年第三季度").
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

from django.utils import timezone
from django.utils.translation import gettext as _

PeriodKind = Literal["month", "quarter", "half", "year"]
KINDS: tuple[PeriodKind, ...] = ("month", "quarter", "half", "year")
# How many months a period of each kind spans.
_MONTHS = {"month": 1, "quarter": 3, "half": 6, "year": 12}
_COUNT = {"month": 12, "quarter": 4, "half": 2, "year": 1}
_KEY = re.compile(r"^\s*(\d{4})(?:-(?:(Q)([1-4])|(H)([12])|M?(0?[1-9]|1[0-2])))?\s*$", re.IGNORECASE)
_QUARTER_NAMES = ("一", "二", "三", "四")
# The years a person may ask for: each needs its year before (同比) to be a period too.
MIN_YEAR, MAX_YEAR = 1901, 9999


def today() -> dt.date:
    """Today in Asia/Shanghai: a record entered at 00:30 on 1 April belongs to the second quarter."""
    return timezone.localdate()


@dataclass(frozen=True, order=True)
class Period:
    year: int
    kind: PeriodKind
    number: int = 1  # month 1–12, quarter 1–4, half 1–2; 1 for a year

    def __post_init__(self) -> None:
        if self.kind not in _MONTHS:
            raise ValueError(f"unknown period kind {self.kind!r}")
        if not 1 <= self.number <= _COUNT[self.kind]:
            raise ValueError(f"{self.kind} number out of range: {self.number}")
        if not 1800 <= self.year <= 9999:
            raise ValueError(f"year out of range: {self.year}")

    # --- construction -----------------------------------------------------------------------------
    @classmethod
    def parse(cls, text: str) -> Period:
        """ "2026", "2026-H1", "2026-Q3", "2026-M03" or "2026-03"; ValueError with a Chinese message."""
        match = _KEY.match(text or "")
        if not match:
            raise ValueError(
                _("统计期间“%(text)s”无法识别：请写成 2026、2026-H1、2026-Q3 或 2026-M03。") % {"text": text}
            )
        year = int(match.group(1))
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise ValueError(
                _("统计年份 %(year)s 超出范围：请写 %(min)s 至 %(max)s 之间的年份。")
                % {"year": year, "min": MIN_YEAR, "max": MAX_YEAR}
            )
        if match.group(2):
            return cls(year, "quarter", int(match.group(3)))
        if match.group(4):
            return cls(year, "half", int(match.group(5)))
        if match.group(6):
            return cls(year, "month", int(match.group(6)))
        return cls(year, "year")

    @classmethod
    def containing(cls, kind: PeriodKind, day: dt.date) -> Period:
        """The period of `kind` that `day` falls in."""
        return cls(day.year, kind, (day.month - 1) // _MONTHS[kind] + 1)

    @classmethod
    def of(cls, year: int, *, quarter: int | None = None, month: int | None = None, half: int | None = None):
        if quarter is not None:
            return cls(year, "quarter", quarter)
        if month is not None:
            return cls(year, "month", month)
        if half is not None:
            return cls(year, "half", half)
        return cls(year, "year")

    # --- dates ------------------------------------------------------------------------------------
    @property
    def first_month(self) -> int:
        return (self.number - 1) * _MONTHS[self.kind] + 1

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, self.first_month, 1)

    @property
    def end(self) -> dt.date:
        """The last day, inclusive."""
        month = self.first_month + _MONTHS[self.kind] - 1
        return dt.date(self.year, month, calendar.monthrange(self.year, month)[1])

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def has_ended(self, on: dt.date | None = None) -> bool:
        return (on or today()) > self.end

    def has_started(self, on: dt.date | None = None) -> bool:
        return (on or today()) >= self.start

    # --- neighbours -------------------------------------------------------------------------------
    def year_before(self) -> Period:
        """The same period a year earlier (同比)."""
        return Period(self.year - 1, self.kind, self.number)

    def previous(self) -> Period:
        """The period just before (环比)."""
        if self.number > 1:
            return Period(self.year, self.kind, self.number - 1)
        return Period(self.year - 1, self.kind, _COUNT[self.kind])

    def months(self) -> list[Period]:
        return [
            Period(self.year, "month", m)
            for m in range(self.first_month, self.first_month + _MONTHS[self.kind])
        ]

    # --- names ------------------------------------------------------------------------------------
    @property
    def key(self) -> str:
        if self.kind == "year":
            return f"{self.year}"
        if self.kind == "half":
            return f"{self.year}-H{self.number}"
        if self.kind == "quarter":
            return f"{self.year}-Q{self.number}"
        return f"{self.year}-M{self.number:02d}"

    @property
    def label(self) -> str:
        if self.kind == "year":
            return _("%(year)s年") % {"year": self.year}
        if self.kind == "half":
            half = _("上半年") if self.number == 1 else _("下半年")
            return f"{self.year}{_('年')}{half}"
        if self.kind == "quarter":
            return _("%(year)s年第%(n)s季度") % {"year": self.year, "n": _QUARTER_NAMES[self.number - 1]}
        return _("%(year)s年%(month)s月") % {"year": self.year, "month": self.number}

    @property
    def short_label(self) -> str:
        """For chart axes: "3月", "一季度", "上半年", "2026年"."""
        if self.kind == "month":
            return _("%(month)s月") % {"month": self.number}
        if self.kind == "quarter":
            return _("%(n)s季度") % {"n": _QUARTER_NAMES[self.number - 1]}
        if self.kind == "half":
            return _("上半年") if self.number == 1 else _("下半年")
        return self.label

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "label": self.label,
        }

    def __str__(self) -> str:
        return self.key


def current_periods(on: dt.date | None = None) -> list[Period]:
    """This month, quarter, half and year."""
    day = on or today()
    return [Period.containing(kind, day) for kind in KINDS]


def last_twelve_months(end: Period) -> list[Period]:
    """The twelve months ending with the last month of `end`, oldest first (the dashboard's trend)."""
    last = Period.containing("month", end.end)
    months = [last]
    while len(months) < 12:
        months.append(months[-1].previous())
    return list(reversed(months))
