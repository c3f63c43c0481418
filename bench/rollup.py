"""The annual roll-up of every metric for the district, against a hand-written SQL floor.

`measure_rollup(year=Y, reps=N)` times, in the same process and on the same data:

- app: `reports.registry.compute` for period Y, scope district — what the Celery task
  `rollup_compute_task` computes through `reports.rollups.rollup_compute` (every registered metric for Y
  and for Y-1, 同比); the task's two one-row writes around it are left out, so the benchmark only reads;
- floor: `floor_figures`, hand-written SQL giving the same figures in as few passes as the data allow: one
  query per source table, a `COUNT(*) FILTER (WHERE …)` / `SUM(…) FILTER` column per metric and year
  (both years in the same pass) — the leader-led hazards are a second, indexed hazard query and the plan
  lines one LATERAL query — plus one query for the code tables the metric families are named by;
- unbatched (`unbatched=True`): every metric's own `value` query, twice (the registry before the
  batches), for the before/after comparison.

tests/reports/test_rollup_floor.py holds the floor to the registry's figures, metric by metric.

The floor knows the district scope only (no scope filter) and whole-year periods (the plans a year
counts are that year's monthly and annual plans). Run alone:
`DATABASE_URL=… python bench/rollup.py --year 2025 --reps 7 [--unbatched]`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import django
from django.apps import apps

if not apps.ready:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safety_office.settings")
    django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from campaigns.choices_activities import ActivityKind, TalkTargetKind  # noqa: E402
from campaigns.selectors_evaluation import REPORT_WITHIN_DAYS  # noqa: E402
from core.parallel import parallel_workers  # noqa: E402
from enforcement.choices import MeasureKind, PenaltyKind  # noqa: E402
from hazards.choices import HazardLevel, HazardState  # noqa: E402
from inspections.choices import ActionStatus  # noqa: E402
from reports import registry  # noqa: E402
from reports.periods import Period  # noqa: E402
from reports.scopes import WHOLE_DISTRICT  # noqa: E402

# Constant values of the choices, bound as parameters so the SQL says what it means.
CONSTANTS = {
    "void": HazardState.VOID,
    "closed": HazardState.CLOSED,
    "major": HazardLevel.MAJOR,
    "done": ActionStatus.DONE,
    "fine": PenaltyKind.FINE,
    "penalty_suspension": PenaltyKind.SUSPENSION,
    "penalty_closure": PenaltyKind.CLOSURE,
    "suspension": MeasureKind.SUSPENSION,
    "seal": MeasureKind.SEAL,
    "three_stops": MeasureKind.THREE_STOPS,
    "closure": MeasureKind.CLOSURE,
    "enterprise": TalkTargetKind.ENTERPRISE,
    "meeting": ActivityKind.MEETING,
}

# ---------------------------------------------------------------- the floor's SQL, one block per table
# Each `{i}` block is repeated for window 0 (the year) and window 1 (the year before); %(s{i})s and
# %(e{i})s are its first and last day, %(d{i})s the day the overdue stocks are taken (its last day, or
# today while it runs), %(lo)s / %(hi)s the first and last day of both.

HAZARDS = """
    COUNT(*) FILTER (WHERE found_on BETWEEN %(s{i})s AND %(e{i})s),                       -- hazards.found
    COUNT(*) FILTER (WHERE found_on BETWEEN %(s{i})s AND %(e{i})s
                     AND state = %(closed)s AND closed_on <= %(e{i})s),                   -- hazards.rectified
    COUNT(*) FILTER (WHERE found_on BETWEEN %(s{i})s AND %(e{i})s AND level = %(major)s), -- hazards.major
    COUNT(*) FILTER (WHERE found_on BETWEEN %(s{i})s AND %(e{i})s AND level = %(major)s
                     AND state = %(closed)s AND closed_on <= %(e{i})s),             -- hazards.major_rectified
    COUNT(*) FILTER (WHERE found_on BETWEEN %(s{i})s AND %(e{i})s
                     AND listing_level <> '' AND listed_on <= %(e{i})s),                  -- hazards.listed
    COUNT(*) FILTER (WHERE found_on <= %(d{i})s AND deadline < %(d{i})s
                     AND NOT (state = %(closed)s AND closed_on IS NOT NULL AND closed_on <= %(d{i})s)),
                                                                                          -- hazards.overdue
    COUNT(*) FILTER (WHERE level = %(major)s AND found_on <= %(d{i})s AND deadline < %(d{i})s
                     AND NOT (state = %(closed)s AND closed_on IS NOT NULL AND closed_on <= %(d{i})s)
                     AND NOT (listing_level <> '' AND listed_on IS NOT NULL AND listed_on <= %(d{i})s))
                                                                           -- hazards.major_overdue_unlisted
"""
HAZARDS_FROM = """
FROM hazards_hazard WHERE state <> %(void)s AND found_on <= %(hi)s
"""

# From the few leader-led actions down to their hazards (by index), not joined to every hazard.
LEADER_LED = """
    COUNT(*) FILTER (WHERE h.found_on BETWEEN %(s{i})s AND %(e{i})s)       -- inspections.leader_led_hazards
"""
LEADER_LED_FROM = """
FROM hazards_hazard h
JOIN inspections_inspectionrecord r ON r.id = h.inspection_record_id
JOIN inspections_inspectionaction a ON a.id = r.action_id
WHERE a.is_leader_led AND a.status = %(done)s AND h.state <> %(void)s AND h.found_on BETWEEN %(lo)s AND %(hi)s
"""

ACCIDENTS = """
    COUNT(*) FILTER (WHERE occurred_on BETWEEN %(s{i})s AND %(e{i})s),                 -- accidents.count
    COALESCE(SUM(deaths) FILTER (WHERE occurred_on BETWEEN %(s{i})s AND %(e{i})s), 0)  -- accidents.deaths
"""
ACCIDENTS_FROM = """
FROM hazards_accident WHERE is_production_safety AND occurred_on BETWEEN %(lo)s AND %(hi)s
"""

# An action counts when one of its records is a latest version (not superseded by a correction; the
# redundant IS NOT NULL lets Postgres read the few corrections off the unique index on supersedes_id).
ACTIONS = """
    COUNT(*) FILTER (WHERE date BETWEEN %(s{i})s AND %(e{i})s),                      -- inspections.actions
    COALESCE(SUM(person_count) FILTER (WHERE date BETWEEN %(s{i})s AND %(e{i})s), 0),
                                                                                -- inspections.person_times
    COUNT(*) FILTER (WHERE date BETWEEN %(s{i})s AND %(e{i})s AND is_leader_led)  -- inspections.leader_led
"""
ACTIONS_FROM = """
FROM inspections_inspectionaction a
WHERE status = %(done)s AND date BETWEEN %(lo)s AND %(hi)s
  AND EXISTS (SELECT 1 FROM inspections_inspectionrecord r WHERE r.action_id = a.id
              AND NOT EXISTS (SELECT 1 FROM inspections_inspectionrecord n WHERE n.supersedes_id = r.id
                  AND n.supersedes_id IS NOT NULL))
"""

VISITS = """
    COUNT(*) FILTER (WHERE a.date BETWEEN %(s{i})s AND %(e{i})s),                 -- inspections.unit_visits
    COUNT(DISTINCT r.enterprise_id) FILTER (WHERE a.date BETWEEN %(s{i})s AND %(e{i})s) -- inspections.units
"""
VISITS_FROM = """
FROM inspections_inspectionrecord r JOIN inspections_inspectionaction a ON a.id = r.action_id
WHERE a.status = %(done)s AND a.date BETWEEN %(lo)s AND %(hi)s
  AND NOT EXISTS (SELECT 1 FROM inspections_inspectionrecord n WHERE n.supersedes_id = r.id
                  AND n.supersedes_id IS NOT NULL)
"""

# inspections.plan_completion_rate: each line of a plan of the year (monthly or annual) with its done
# visits (by the plan's organiser in the plan's period, or on a task of the plan; matching the line's
# kind, township subtree and sector or sub-sector), capped at the line's planned visits.
PLANS = """
SELECT p.year, SUM(LEAST(done.n, t.target_visits)), SUM(t.target_visits)
FROM inspections_plantarget t
JOIN inspections_inspectionplan p ON p.id = t.plan_id
LEFT JOIN accounts_orgunit town ON town.id = t.township_id
CROSS JOIN LATERAL (
    SELECT make_date(p.year, COALESCE(p.month, 1), 1) AS first_day,
           (make_date(p.year, COALESCE(p.month, 12), 1) + INTERVAL '1 month - 1 day')::date AS last_day
) period
CROSS JOIN LATERAL (
    SELECT COUNT(*) AS n
    FROM inspections_inspectionrecord r
    JOIN inspections_inspectionaction a ON a.id = r.action_id
    JOIN accounts_enterprise e ON e.id = r.enterprise_id
    JOIN accounts_orgunit j ON j.id = e.jurisdiction_id
    WHERE a.status = %(done)s
      AND ((a.organizer_id = p.organizer_id AND a.date BETWEEN period.first_day AND period.last_day)
           OR a.plan_id = p.id)
      AND (t.kind_id IS NULL OR a.kind_id = t.kind_id)
      AND (t.township_id IS NULL OR j.path LIKE town.path || '%%')
      AND (t.sector_id IS NULL OR r.enterprise_id IN (
            SELECT es.enterprise_id FROM accounts_enterprise_sectors es
            JOIN accounts_sector s ON s.id = es.sector_id
            WHERE s.id = t.sector_id OR s.parent_id = t.sector_id))
) done
WHERE p.year IN (%(y0)s, %(y1)s)
GROUP BY p.year
"""

CASES = """
    COUNT(*) FILTER (WHERE opened_on BETWEEN %(s{i})s AND %(e{i})s),                   -- enforcement.cases
    COUNT(DISTINCT enterprise_id) FILTER (WHERE opened_on BETWEEN %(s{i})s AND %(e{i})s AND (
        id IN (SELECT case_id FROM enforcement_measure WHERE kind = %(suspension)s)
        OR id IN (SELECT case_id FROM enforcement_penalty WHERE kind = %(penalty_suspension)s))),
                                                                                   -- enforcement.suspended
    COUNT(DISTINCT enterprise_id) FILTER (WHERE opened_on BETWEEN %(s{i})s AND %(e{i})s
        AND id IN (SELECT case_id FROM enforcement_measure WHERE kind = %(seal)s)),  -- enforcement.sealed
    COUNT(DISTINCT enterprise_id) FILTER (WHERE opened_on BETWEEN %(s{i})s AND %(e{i})s
        AND id IN (SELECT case_id FROM enforcement_measure WHERE kind = %(three_stops)s)),
                                                                                 -- enforcement.three_stops
    COUNT(DISTINCT enterprise_id) FILTER (WHERE opened_on BETWEEN %(s{i})s AND %(e{i})s AND (
        id IN (SELECT case_id FROM enforcement_measure WHERE kind = %(closure)s)
        OR id IN (SELECT case_id FROM enforcement_penalty WHERE kind = %(penalty_closure)s)))
                                                                                 -- enforcement.closed_down
"""
CASES_FROM = """
FROM enforcement_case WHERE opened_on BETWEEN %(lo)s AND %(hi)s
"""

FINES = """
    COALESCE(SUM(p.amount) FILTER (WHERE c.decided_on BETWEEN %(s{i})s AND %(e{i})s), 0)
                                                                                 -- enforcement.fines_total
"""
FINES_FROM = """
FROM enforcement_penalty p JOIN enforcement_case c ON c.id = p.case_id
WHERE p.kind = %(fine)s AND c.decided_on BETWEEN %(lo)s AND %(hi)s
"""

# activities.<kind>.count / .sessions / .participants, meetings.<sub-type>, activities.on_time_rate
# (entered, in Beijing days, within REPORT_WITHIN_DAYS days after the activity's last day): grouped by
# kind and sub-type.
ACTIVITIES = """
    COUNT(*) FILTER (WHERE a.date BETWEEN %(s{i})s AND %(e{i})s),
    COALESCE(SUM(a.sessions) FILTER (WHERE a.date BETWEEN %(s{i})s AND %(e{i})s), 0),
    COALESCE(SUM(a.participants) FILTER (WHERE a.date BETWEEN %(s{i})s AND %(e{i})s), 0),
    COUNT(*) FILTER (WHERE a.date BETWEEN %(s{i})s AND %(e{i})s
                     AND (a.created AT TIME ZONE %(tz)s)::date <= COALESCE(a.end_date, a.date) + %(within)s)
"""
ACTIVITIES_FROM = """
FROM campaigns_activity a
JOIN campaigns_activitytype t ON t.id = a.type_id
LEFT JOIN campaigns_activitysubtype s ON s.id = a.subtype_id
WHERE a.date BETWEEN %(lo)s AND %(hi)s
GROUP BY t.code, s.code
"""

# activities.<kind>.<unit code>: the catalogue quantities, grouped by kind and unit.
QUANTITIES = """
    COALESCE(SUM(q.amount) FILTER (WHERE a.date BETWEEN %(s{i})s AND %(e{i})s), 0)
"""
QUANTITIES_FROM = """
FROM campaigns_activityquantity q
JOIN campaigns_activity a ON a.id = q.activity_id
JOIN campaigns_activitytype t ON t.id = a.type_id
JOIN campaigns_quantityunit u ON u.id = q.unit_id
WHERE a.date BETWEEN %(lo)s AND %(hi)s
GROUP BY t.code, u.code
"""

# talks.<target kind>: distinct targets talked to, by kind.
TALKS = """
    COUNT(DISTINCT CASE WHEN k.kind = %(enterprise)s THEN k.enterprise_id ELSE k.org_unit_id END)
        FILTER (WHERE a.date BETWEEN %(s{i})s AND %(e{i})s)
"""
TALKS_FROM = """
FROM campaigns_activitytalktarget k JOIN campaigns_activity a ON a.id = k.activity_id
WHERE a.date BETWEEN %(lo)s AND %(hi)s
GROUP BY k.kind
"""

# The code tables the family keys are named by (a kind, unit or sub-type with no rows is 0).
CODES = """
SELECT 'kind', code FROM campaigns_activitytype
UNION ALL SELECT 'unit', code FROM campaigns_quantityunit
UNION ALL SELECT 'meeting', s.code FROM campaigns_activitysubtype s
    JOIN campaigns_activitytype t ON t.id = s.type_id WHERE t.code = %(meeting)s
"""


def _select(columns: str, source: str, *, windows: int = 2, keys: str = "") -> str:
    blocks = ",".join(columns.format(i=i) for i in range(windows))
    return f"SELECT {keys}{blocks} {source}"


def _params(year: int) -> dict:
    today = timezone.localdate()
    params = dict(
        CONSTANTS, tz=str(timezone.get_current_timezone()), within=REPORT_WITHIN_DAYS, y0=year, y1=year - 1
    )
    for i, y in enumerate((year, year - 1)):
        start, end = dt.date(y, 1, 1), dt.date(y, 12, 31)
        params |= {f"s{i}": start, f"e{i}": end, f"d{i}": min(end, today)}
    params |= {"lo": params["s1"], "hi": params["e0"]}
    return params


def _rate(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def floor_figures(*, year: int) -> dict[str, tuple]:
    """{metric key: (value in `year`, value in the year before)} for the whole district, by the SQL above."""
    params = _params(year)
    out: dict[str, list] = {}

    def put(key: str, i: int, value) -> None:
        out.setdefault(key, [None, None])[i] = value

    with connection.cursor() as cursor:

        def one(columns: str, source: str) -> list:
            cursor.execute(_select(columns, source), params)
            return list(cursor.fetchone())

        row = one(HAZARDS, HAZARDS_FROM)
        names = [
            "found",
            "rectified",
            "major",
            "major_rectified",
            "listed",
            "overdue",
            "major_overdue_unlisted",
        ]
        for i in range(2):
            part = row[i * 7 : i * 7 + 7]
            for name, value in zip(names, part, strict=True):
                put(f"hazards.{name}", i, value)
            put("hazards.rectification_rate", i, _rate(part[1], part[0]))

        row = one(LEADER_LED, LEADER_LED_FROM)
        for i in range(2):
            put("inspections.leader_led_hazards", i, row[i])

        row = one(ACCIDENTS, ACCIDENTS_FROM)
        for i in range(2):
            put("accidents.count", i, row[i * 2])
            put("accidents.deaths", i, row[i * 2 + 1])

        row = one(ACTIONS, ACTIONS_FROM)
        for i in range(2):
            for j, name in enumerate(["actions", "person_times", "leader_led"]):
                put(f"inspections.{name}", i, row[i * 3 + j])

        row = one(VISITS, VISITS_FROM)
        for i in range(2):
            put("inspections.unit_visits", i, row[i * 2])
            put("inspections.units", i, row[i * 2 + 1])

        cursor.execute(PLANS, params)
        plans = {y: (done, planned) for y, done, planned in cursor.fetchall()}
        for i, y in enumerate((year, year - 1)):
            put("inspections.plan_completion_rate", i, _rate(*plans.get(y, (0, 0))))

        row = one(CASES, CASES_FROM)
        measures = ["suspended", "sealed", "three_stops", "closed_down"]
        for i in range(2):
            put("enforcement.cases", i, row[i * 5])
            for j, name in enumerate(measures, 1):
                put(f"enforcement.{name}", i, row[i * 5 + j])

        row = one(FINES, FINES_FROM)
        for i in range(2):
            put("enforcement.fines_total", i, Decimal(row[i]).quantize(Decimal("0.01")))

        cursor.execute(CODES, params)
        codes = cursor.fetchall()
        kinds = [code for what, code in codes if what == "kind"]
        units = [code for what, code in codes if what == "unit"]
        meetings = [code for what, code in codes if what == "meeting"]
        figures = [Counter(), Counter()]
        on_time = [[0, 0], [0, 0]]

        cursor.execute(_select(ACTIVITIES, ACTIVITIES_FROM, keys="t.code, s.code, "), params)
        for kind, subtype, *row in cursor.fetchall():
            for i in range(2):
                count, sessions, participants, in_time = row[i * 4 : i * 4 + 4]
                figures[i][f"activities.{kind}.count"] += count
                figures[i][f"activities.{kind}.sessions"] += sessions
                figures[i][f"activities.{kind}.participants"] += participants
                if kind == ActivityKind.MEETING and subtype is not None:
                    figures[i][f"meetings.{subtype}"] += count
                on_time[i][0] += in_time
                on_time[i][1] += count

        cursor.execute(_select(QUANTITIES, QUANTITIES_FROM, keys="t.code, u.code, "), params)
        for kind, unit, *row in cursor.fetchall():
            for i in range(2):
                figures[i][f"activities.{kind}.{unit}"] += row[i]

        cursor.execute(_select(TALKS, TALKS_FROM, keys="k.kind, "), params)
        for kind, *row in cursor.fetchall():
            for i in range(2):
                figures[i][f"talks.{kind}"] = row[i]

    family = [f"activities.{k}.{n}" for k in kinds for n in ("count", "sessions", "participants", *units)]
    family += [f"meetings.{code}" for code in meetings]
    family += [f"talks.{kind}" for kind in TalkTargetKind.values]
    for i in range(2):
        for key in family:
            put(key, i, figures[i][key])
        put("activities.on_time_rate", i, _rate(*on_time[i]))
    return {key: tuple(pair) for key, pair in out.items()}


# ---------------------------------------------------------------- the app's side


def app_rollup(*, year: int) -> dict[str, tuple]:
    """What the Celery task computes: `rollup_compute` is this call (`registry.compute`) between a
    one-row UPDATE and a one-row upsert, which are left out so that the benchmark writes nothing."""
    with parallel_workers():  # as rollup_compute runs it
        figures = registry.compute(Period(year, "year"), WHOLE_DISTRICT)
    return {key: (figure.value, figure.previous) for key, figure in figures.items()}


def unbatched_compute(*, year: int) -> None:
    """The registry before the batches: each metric's own query, for the year and the year before."""
    period = Period(year, "year")
    now = registry.Window.of(period, WHOLE_DISTRICT)
    before = registry.Window.of(period.year_before(), WHOLE_DISTRICT)
    for metric in registry.all_metrics():
        metric.value(now)
        metric.value(before)


def _times(paths: dict, reps: int) -> dict[str, list[float]]:
    """Seconds of each path, `reps` times, the paths taking turns: a machine busy with something else for
    a while slows them alike instead of whichever happened to run then."""
    for func in paths.values():
        func()  # warm: the plan cache, the code tables, the buffers
    seconds: dict[str, list[float]] = {name: [] for name in paths}
    for _ in range(reps):
        for name, func in paths.items():
            started = time.perf_counter()
            func()
            seconds[name].append(time.perf_counter() - started)
    return seconds


def _queries(func) -> int:
    with CaptureQueriesContext(connection) as captured:
        func()
    return len(captured.captured_queries)


def _parallel_floor(year: int) -> dict[str, tuple]:
    """The floor with the parallel workers the app's roll-up has (core.parallel)."""
    with parallel_workers():
        return floor_figures(year=year)


def measure_rollup(*, year: int, reps: int, unbatched: bool = False) -> dict:
    """Seconds of each repetition: {"app": [...], "floor": [...], ("unbatched": [...]),
    "queries": {"app": n, "floor": n, …}, "metrics": how many figures the roll-up holds, "note": both
    in a line}."""
    paths = {"app": lambda: app_rollup(year=year), "floor": lambda: _parallel_floor(year)}
    if unbatched:
        paths["unbatched"] = lambda: unbatched_compute(year=year)
    result: dict = _times(paths, reps)
    result["queries"] = {name: _queries(func) for name, func in paths.items()}
    result["metrics"] = len(registry.all_metrics())
    queries = result["queries"]
    result["note"] = f"{result['metrics']} metrics, {queries['app']} queries (floor {queries['floor']})"
    return result


def _summary(seconds: list[float]) -> str:
    ordered = sorted(seconds)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"median {statistics.median(ordered) * 1000:9.1f} ms   p95 {p95 * 1000:9.1f} ms"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--year", type=int, default=timezone.localdate().year - 1)
    parser.add_argument("--reps", type=int, default=7)
    parser.add_argument("--unbatched", action="store_true", help="also time the registry without batches")
    args = parser.parse_args(argv)
    result = measure_rollup(year=args.year, reps=args.reps, unbatched=args.unbatched)
    floor = statistics.median(result["floor"])
    print(f"annual roll-up {args.year}, district, {result['metrics']} metrics, {args.reps} reps")
    for name in ("app", "unbatched", "floor"):
        if name in result:
            ratio = statistics.median(result[name]) / floor
            print(
                f"  {name:10} {_summary(result[name])}   {result['queries'][name]:4} queries   {ratio:5.2f}×"
            )


if __name__ == "__main__":
    main()
