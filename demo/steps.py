"""The steps of seed_demo, in the one order they run: the district first (its units, users and
enterprises), then a year of inspections, then the hazards found on them. Resets run the other way
round: later steps' records protect the enterprises and users they point at.

Each step gets its own `random.Random`, seeded from the command's seed and the step's name, so adding a
step or changing one leaves the data of the others unchanged. The district, the first step, draws from
the bare seed, as it has since before there were other steps: a given seed keeps its district.
"""

import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from accounts.models import OrgUnit

from . import (
    accidents,
    activities,
    campaigns,
    district,
    enforcement,
    enterprise_stories,
    evaluation,
    hazards,
    inspections,
    responsibility,
    statistics,
    summaries,
)
from .district import DemoContext, find_district


@dataclass(frozen=True)
class Step:
    name: str
    build: Callable[..., list[str]]  # build(*, rng, context) -> summary lines, in Chinese
    reset: Callable[[OrgUnit], None]  # reset(district): remove what build made in the district


STEPS: list[Step] = [
    Step("district", district.build, district.reset),
    Step("enterprise_stories", enterprise_stories.build, enterprise_stories.reset),
    Step("responsibility", responsibility.build, responsibility.reset),
    Step("campaigns", campaigns.build, campaigns.reset),
    Step("inspections", inspections.build, inspections.reset),
    Step("hazards", hazards.build, hazards.reset),
    Step("enforcement", enforcement.build, enforcement.reset),
    Step("activities", activities.build, activities.reset),
    Step("accidents", accidents.build, accidents.reset),
    Step("statistics", statistics.build, statistics.reset),
    Step("summaries", summaries.build, summaries.reset),  # after the figures: built from them
    Step("evaluation", evaluation.build, evaluation.reset),  # last month's ranking notice
]


def step_rng(seed: int, name: str) -> random.Random:
    """The step's own generator: string seeds hash the same in every process (no PYTHONHASHSEED)."""
    return random.Random(seed if name == "district" else f"{seed}:{name}")


@transaction.atomic
def demo_build(*, seed: int, enterprises: int) -> list[str]:
    """Run every step in order; returns their summary lines."""
    context = DemoContext(seed=seed, enterprise_count=enterprises)
    lines: list[str] = []
    for step in STEPS:
        lines += step.build(rng=step_rng(seed, step.name), context=context)
    return lines


@contextmanager
def _history_paused() -> Iterator[None]:
    """simple_history reads SIMPLE_HISTORY_ENABLED on every signal. Off, deleting 3000 demo rows is
    a few batched queries instead of 3000 '-' history inserts that the purge would remove anyway."""
    previous = getattr(settings, "SIMPLE_HISTORY_ENABLED", True)
    settings.SIMPLE_HISTORY_ENABLED = False
    try:
        yield
    finally:
        settings.SIMPLE_HISTORY_ENABLED = previous


@transaction.atomic
def demo_reset() -> None:
    """Remove what seed_demo made, step by step in reverse order, with the history rows of it. Units,
    users and records outside the demo district stay."""
    found = find_district()
    if found is None:  # nothing of ours; a step's reset may reach beyond the district, so none of them
        return
    with _history_paused():
        for step in reversed(STEPS):
            step.reset(found)
