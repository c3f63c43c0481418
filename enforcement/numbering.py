"""文书编号: 区应急管理局罚决〔2026〕3号 — per issuing unit, kind and year, without gaps.

The pattern is the setting ENFORCEMENT_DOCUMENT_NUMBER_PATTERN (default below) with the fields
{unit_short} (the unit's 简称, else its name), {kind_short} (the kind's 编号简称), {year} and {n}
(the serial; a format spec is allowed, e.g. {n:03d} for 003). The serial comes from the project's
gap-free counter (accounts.services.number_next), so it is taken inside the issuing transaction: a
rolled-back issue gives its number back, a committed one never shares it.
"""

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from accounts.models import OrgUnit
from accounts.services import number_next

DEFAULT_PATTERN = "{unit_short}{kind_short}〔{year}〕{n}号"
SERIES_PREFIX = "doc:"


def pattern() -> str:
    return getattr(settings, "ENFORCEMENT_DOCUMENT_NUMBER_PATTERN", "") or DEFAULT_PATTERN


def unit_short(unit: OrgUnit) -> str:
    return unit.short_name or unit.name


def number_format(*, unit: OrgUnit, kind_short: str, year: int, serial: int) -> str:
    try:
        return pattern().format(unit_short=unit_short(unit), kind_short=kind_short, year=year, n=serial)
    except (KeyError, IndexError, ValueError) as exc:
        raise ImproperlyConfigured(
            f"ENFORCEMENT_DOCUMENT_NUMBER_PATTERN {pattern()!r}: only {{unit_short}}, {{kind_short}}, "
            f"{{year}} and {{n}} may be used ({exc})"
        ) from exc


def series(kind_id: int) -> str:
    """The counter series of a kind, by its id: renaming a kind or its code keeps its count."""
    return f"{SERIES_PREFIX}{kind_id}"


def document_number_next(*, unit: OrgUnit, kind_id: int, kind_short: str, year: int) -> tuple[int, str]:
    """The next serial of (unit, kind, year) and the number it prints as. Call inside the transaction
    that stores it (number_next refuses otherwise)."""
    serial = number_next(series=series(kind_id), org_unit=unit, year=year)
    return serial, number_format(unit=unit, kind_short=kind_short, year=year, serial=serial)


def check_number_pattern(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """`manage.py check` (and start-up): the configured pattern formats, and its serial {n} is in it —
    a number without its serial would repeat."""
    try:
        number_format(unit=OrgUnit(name="区应急管理局"), kind_short="罚决", year=2026, serial=1)
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="enforcement.E001")]
    if "{n" not in pattern():
        return [
            checks.Error(
                "ENFORCEMENT_DOCUMENT_NUMBER_PATTERN must contain the serial {n}", id="enforcement.E002"
            )
        ]
    return []
