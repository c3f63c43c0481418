"""The hazard ledger's writes, by topic: recording (create), the closed loop (loop), extensions,
listing (挂牌督办), the overdue rule and sweep (overdue), and the Excel import's bulk write (imports).

Who may act, and in which states, is hazards.permissions; each transition asks it under its lock.
"""

from .accidents import (
    AccidentData,
    accident_create,
    accident_update,
    accidents_import_many,
    check_accident_data,
)
from .create import (
    EDITABLE_FIELDS,
    HazardData,
    check_hazard_data,
    check_result_description,
    check_result_refusal,
    default_deadline,
    default_responsible_unit,
    finding_description,
    hazard_create,
    hazard_from_check_result,
    hazard_number,
    hazard_update,
)
from .extensions import extension_decide, extension_request
from .from_entry import (
    ENTRY_PREFIX,
    entry_choice,
    entry_key,
    hazards_from_entry,
)
from .imports import HazardRow, hazards_import_many
from .listing import listing_create, listing_end
from .loop import hazard_reopen, hazard_submit, hazard_verify, hazard_void, rectification_create
from .overdue import hazards_mark_overdue

__all__ = [
    "AccidentData",
    "accident_create",
    "accident_update",
    "accidents_import_many",
    "check_accident_data",
    "ENTRY_PREFIX",
    "EDITABLE_FIELDS",
    "HazardData",
    "HazardRow",
    "check_hazard_data",
    "check_result_description",
    "check_result_refusal",
    "default_deadline",
    "default_responsible_unit",
    "entry_choice",
    "entry_key",
    "extension_decide",
    "extension_request",
    "finding_description",
    "hazard_create",
    "hazard_from_check_result",
    "hazard_number",
    "hazard_reopen",
    "hazard_submit",
    "hazard_update",
    "hazard_verify",
    "hazard_void",
    "hazards_from_entry",
    "hazards_import_many",
    "hazards_mark_overdue",
    "listing_create",
    "listing_end",
    "rectification_create",
]
