"""What apps above add to 录入检查's submit, without this app naming them (the layer order).

An upper app (hazards: every 不符合 item becomes a hazard) registers a submit step from its
AppConfig.ready() under a short prefix. On the confirm step (step 4) it draws its own fields through
the panel slot ENTRY_CONFIRM (core.panels), every field named "<prefix>-…"; the entry view keeps
whatever the user sent under those names in the draft (draft.data["extra"][prefix]), so going back
and forth between the steps loses nothing; and `draft_submit` calls the step inside its transaction
with what was kept. A step refuses with a ValidationError whose fields start with its prefix: the
whole submit is rolled back, the draft stays, and its panel shows the messages beside its fields.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass

# The panel slot of the confirm step; its context function gets `draft`, `visits` (the per-enterprise
# summaries the step shows, with their 不符合 rows), `basics` (or None), `saved` (what the prefix's
# fields held last time) and `errors` (the messages a refused submit sent back).
ENTRY_CONFIRM = "inspections.entry_confirm"
# The panel slot of an inspection action's page; its context function gets `action`.
ACTION_DETAIL = "inspections.action_detail"

# A prefix's kept fields are small form values; these caps keep a forged POST from filling a draft.
MAX_FIELDS = 2000
MAX_VALUE = 2000

SubmitStep = Callable[..., None]


@dataclass(frozen=True)
class _Step:
    prefix: str
    func: SubmitStep


_registry: list[_Step] = []


def register_submit_step(prefix: str, func: SubmitStep) -> None:
    """Call `func(user=…, action=…, data={field: value})` inside draft_submit's transaction, after the
    action, its records, results and photos are written; `data` is what the user last sent in the
    confirm step's fields named "<prefix>-…" ({} if the step was never posted)."""
    if not prefix or "-" in prefix:
        raise ValueError("A submit step's prefix is a short word without '-'.")
    # ready() may run twice (tests, autoreload): one entry per prefix.
    _registry[:] = [s for s in _registry if s.prefix != prefix]
    _registry.append(_Step(prefix, func))


def submit_prefixes() -> list[str]:
    return [s.prefix for s in _registry]


def owns_field(field: str) -> bool:
    """Whether an error's field belongs to a registered step (its panel shows it, not the page)."""
    return any(field.startswith(f"{prefix}-") for prefix in submit_prefixes())


def fields_of(prefix: str, posted: Mapping[str, str]) -> dict[str, str]:
    """The part of a POST that a step's fields hold, capped."""
    start = f"{prefix}-"
    kept = {}
    for key, value in posted.items():
        if key.startswith(start) and len(kept) < MAX_FIELDS:
            kept[key[:200]] = str(value)[:MAX_VALUE]
    return kept


def run_submit_steps(*, user, action, extra: Mapping[str, Mapping]) -> None:
    for step in _registry:
        step.func(user=user, action=action, data=dict(extra.get(step.prefix) or {}))
