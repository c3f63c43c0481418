"""Writes with rules for inspections: one function per use case, in a transaction, who did it kept in the history.

By topic: actions (numbering, the rules, the one builder of an action, records), plans, draws,
drafts (the phone entry form) and imports (the bulk write of the Excel ledger). Callers use the
package: `from inspections import services; services.action_create(...)`.
"""

from .actions import (
    ACTION_MARK,
    RECORD_MARK,
    ResultData,
    VisitData,
    action_build,
    action_complete_planned,
    action_create,
    check_action,
    check_action_rules,
    check_team_certificates,
    number_label,
    numbers_issue,
    record_photo_create,
    record_save_visit,
    record_update,
    split_names,
    unit_label,
)
from .drafts import (
    DRAFT_FIELD_STEPS,
    DRAFT_STEPS,
    DraftBasics,
    draft_basics,
    draft_basics_from_action,
    draft_check_basics,
    draft_discard,
    draft_photo_create,
    draft_photo_delete,
    draft_save,
    draft_start,
    draft_submit,
)
from .draws import DRAW_KIND_CODE, draw_create, draw_number, draw_verify
from .imports import ImportedAction, action_import_many
from .plans import TargetData, plan_create, plan_update

__all__ = [
    "ACTION_MARK",
    "DRAFT_FIELD_STEPS",
    "DRAFT_STEPS",
    "DRAW_KIND_CODE",
    "RECORD_MARK",
    "DraftBasics",
    "ImportedAction",
    "ResultData",
    "TargetData",
    "VisitData",
    "action_build",
    "action_complete_planned",
    "action_create",
    "action_import_many",
    "check_action",
    "check_action_rules",
    "check_team_certificates",
    "draft_basics",
    "draft_basics_from_action",
    "draft_check_basics",
    "draft_discard",
    "draft_photo_create",
    "draft_photo_delete",
    "draft_save",
    "draft_start",
    "draft_submit",
    "draw_create",
    "draw_number",
    "draw_verify",
    "number_label",
    "numbers_issue",
    "plan_create",
    "plan_update",
    "record_photo_create",
    "record_save_visit",
    "record_update",
    "split_names",
    "unit_label",
]
