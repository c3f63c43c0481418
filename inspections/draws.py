"""双随机抽取 arithmetic: which enterprises and which inspectors, from a seed and two pools.

Pure functions, no database: given the same seed and pools anyone gets the same result, which is
what makes a published draw checkable. Only `random.Random(seed)` with integer draws (randrange,
shuffle) is used, so the result does not depend on floating-point details of the machine.
"""

import random
from collections.abc import Iterable, Sequence

from django.utils.translation import gettext as _

from accounts.choices import RiskGradeCode
from core.excel import write_workbook

# 按风险等级加权: a 红 (重大) firm is four times as likely to be drawn as a 蓝 (低) one; no grade counts as 低.
GRADE_WEIGHTS: dict[str, int] = {
    RiskGradeCode.RED: 4,
    RiskGradeCode.ORANGE: 3,
    RiskGradeCode.YELLOW: 2,
    RiskGradeCode.BLUE: 1,
}
UNGRADED_WEIGHT = 1


def grade_weight(code: str | None, *, weighted: bool) -> int:
    if not weighted:
        return 1
    return GRADE_WEIGHTS.get(code or "", UNGRADED_WEIGHT)


def draw_compute(
    *, seed: str, enterprises: list[tuple[int, int]], inspectors: list[int], n: int, m: int
) -> list[tuple[int, list[int]]]:
    """Draw `n` enterprises (id, weight) and `m` inspectors for each: [(enterprise_id, [inspector_id…])].

    Enterprises: weighted sampling without replacement, repeated weighted choice removing the pick
    (equal weights make it a plain uniform draw). Inspectors: the pool is shuffled and dealt in
    groups of `m`, reshuffled when used up, so everyone carries about the same load and nobody is
    named twice for one enterprise. Inputs are sorted first: the order the caller read them in
    must not matter.
    """
    pool = sorted((int(pk), int(w)) for pk, w in enterprises)
    people = sorted({int(pk) for pk in inspectors})
    if len({pk for pk, _w in pool}) != len(pool):
        raise ValueError("duplicate enterprise in the pool")
    if any(w < 1 for _, w in pool):
        raise ValueError("weights must be positive integers")
    if not 1 <= n <= len(pool):
        raise ValueError("n must be between 1 and the pool size")
    if not 1 <= m <= len(people):
        raise ValueError("m must be between 1 and the inspector pool size")

    rng = random.Random(seed)
    chosen = _weighted_sample(rng, pool, n)
    return [(pk, team) for pk, team in zip(chosen, _deal(rng, people, n, m), strict=True)]


def _weighted_sample(rng: random.Random, pool: list[tuple[int, int]], n: int) -> list[int]:
    remaining = list(pool)
    total = sum(w for _pk, w in remaining)
    chosen = []
    for _round in range(n):
        pk, weight = remaining.pop(_ticket_index(remaining, rng.randrange(total)))
        chosen.append(pk)
        total -= weight
    return chosen


def _ticket_index(remaining: list[tuple[int, int]], ticket: int) -> int:
    """Each enterprise holds `weight` consecutive tickets; whose is this one?"""
    for index, (_pk, weight) in enumerate(remaining):
        if ticket < weight:
            return index
        ticket -= weight
    raise AssertionError("ticket beyond the total weight")


def _deal(rng: random.Random, people: list[int], n: int, m: int) -> list[list[int]]:
    deck: list[int] = []
    teams = []
    for _round in range(n):
        team: list[int] = []
        while len(team) < m:
            if not deck:
                deck = list(people)
                rng.shuffle(deck)
            # The end of one round and the start of the next may meet in one team: skip (and keep for
            # later in this round) anyone already in it. Someone else is always there since m ≤ pool.
            index = next(i for i, pk in enumerate(deck) if pk not in team)
            team.append(deck.pop(index))
        teams.append(team)
    return teams


def draw_matches(
    result: Sequence[tuple[int, Sequence[int]]], stored: Sequence[tuple[int, Sequence[int]]]
) -> bool:
    """Same enterprises in the same order, each with the same inspectors (their order is not stored)."""
    return [(pk, sorted(team)) for pk, team in result] == [(pk, sorted(team)) for pk, team in stored]


def criteria_lines(criteria: dict, *, weighted: bool) -> list[tuple[str, str]]:
    """The stored filters in words, for the published record and its export."""

    def names(key: str, attr: str = "name") -> str:
        return "、".join(item[attr] for item in criteria.get(key, [])) or _("全部")

    sectors = names("sectors")
    if criteria.get("sectors"):
        sectors += _("（含下属领域）")
    weights = "、".join(f"{code.label}{w}" for code, w in GRADE_WEIGHTS.items())
    return [
        (_("行业领域"), sectors),
        (_("街道/乡镇"), names("townships")),
        (_("风险等级"), names("risk_grades", "label")),
        (_("经营状态"), _("在营")),
        (
            _("抽取方式"),
            _("按风险等级加权（%(weights)s，未评级按1）") % {"weights": weights}
            if weighted
            else _("等概率随机抽取"),
        ),
    ]


def draw_workbook(*, title: str, header_lines: Iterable[tuple[str, str]], headers: list[str], rows) -> bytes:
    """The published result as a sheet: a title, a block of (label, value) lines, then the table.

    Written by core.excel like every export, so a title or an enterprise name starting with "=" stays text.
    """
    widths = dict(zip(headers, [8, 36, 22, 14, 20, 24, 12], strict=False))
    return write_workbook(
        sheet_title="抽取结果",
        headers=headers,
        rows=rows,
        column_widths=widths,
        title=title,
        preamble=header_lines,
    )
