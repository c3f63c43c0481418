"""The enterprise registry as an Excel file, in the import format (so an export re-imports as is)."""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from core.excel import write_workbook

from .choices import GRID_KINDS
from .importers import _ENTERPRISE_WIDTHS, ENTERPRISE_EXPORT_HEADERS
from .models import Enterprise, OrgUnit


def enterprise_export(*, queryset: QuerySet[Enterprise]) -> bytes:
    """The enterprises in `queryset` as an xlsx in the import format (so an export re-imports as is).

    The caller scopes and filters the queryset (selectors.enterprise_list); the related rows are
    fetched up front here too, so a plain queryset cannot turn into a query per row.
    """
    queryset = queryset.select_related(
        "jurisdiction__parent", "supervising_department", "risk_grade"
    ).prefetch_related("sectors")
    yes_no = {True: _("是"), False: _("否")}  # translated once, not twice per row
    return write_workbook(
        sheet_title="生产经营单位",
        headers=ENTERPRISE_EXPORT_HEADERS,
        rows=(_export_row(e, yes_no) for e in queryset),
        column_widths=_ENTERPRISE_WIDTHS,
    )


def _export_row(e: Enterprise, yes_no: dict[bool, str]) -> list[object]:
    return [
        e.uscc,
        e.name,
        "、".join(s.name for s in e.sectors.all()),
        unit_cell(e.jurisdiction),
        e.supervising_department.name if e.supervising_department else "",
        e.risk_grade.label if e.risk_grade else "",
        e.get_scale_display() if e.scale else "",
        e.address,
        e.contact_person,
        e.contact_phone,
        e.longitude,
        e.latitude,
        e.get_status_display(),
        yes_no[e.is_fire_key_unit],
        yes_no[e.has_major_hazard_source],
    ]


def unit_cell(unit: OrgUnit) -> str:
    """A jurisdiction as the 所属街道 column writes it: "街道" or "街道/社区"."""
    if unit.kind in GRID_KINDS and unit.parent is not None:
        return f"{unit.parent.name}/{unit.name}"
    return unit.name
