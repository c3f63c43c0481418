"""The hazard ledger's writes, by topic: recording (create), the closed loop (loop), extensions,
listing (挂牌督办), the overdue rule and sweep (overdue), and the Excel import's bulk write (imports).

Who may act, and in which states, is hazards.permissions; each transition asks it under its lock.
"""

from .create import (
    HazardData,
    check_hazard_data,
    check_result_refusal,
    default_responsible_unit,
    hazard_create,
    hazard_from_check_result,
    hazard_number,
)
from .extensions import extension_decide, extension_request
from .imports import HazardRow, hazards_import_many
from .listing import listing_create, listing_end
from .loop import hazard_reopen, hazard_submit, hazard_verify, hazard_void, rectification_create
from .overdue import hazards_mark_overdue

__all__ = [
    "HazardData",
    "HazardRow",
    "check_hazard_data",
    "check_result_refusal",
    "default_responsible_unit",
    "extension_decide",
    "extension_request",
    "hazard_create",
    "hazard_from_check_result",
    "hazard_number",
    "hazard_reopen",
    "hazard_submit",
    "hazard_verify",
    "hazard_void",
    "hazards_import_many",
    "hazards_mark_overdue",
    "listing_create",
    "listing_end",
    "rectification_create",
]
