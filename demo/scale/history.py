"""The django-simple-history rows of what seed_scale loaded, derived set-based from the loaded rows (one
INSERT … SELECT a table) instead of one signal per row.

Each object gets its '+' row as it was created (a hazard: 待整改, not yet 销号, not listed; a case: 立案),
dated when it was created and by whom; an object whose state moved on gets a '~' row with what it is
now, dated at its last change, by whoever acted last. The m2m snapshots (a hazard's or an enterprise's
sectors, a case's articles and officers, an action's members) hang on every history row, as
simple_history records them.
"""

from django.db import connection

from .loader import Loader

# Model table → (history table, the history user, the history date of the '+' row).
_PLAIN = {
    "accounts_orgunit": ("accounts_historicalorgunit", "NULL", "t.created"),
    "accounts_user": ("accounts_historicaluser", "NULL", "t.date_joined"),
    "accounts_enterprise": ("accounts_historicalenterprise", "NULL", "t.created"),
    "inspections_inspectionaction": (
        "inspections_historicalinspectionaction",
        "t.created_by_id",
        "t.created",
    ),
    "inspections_inspectionrecord": (
        "inspections_historicalinspectionrecord",
        "a.created_by_id",
        "t.created",
    ),
    "hazards_accident": ("hazards_historicalaccident", "t.created_by_id", "t.created"),
    "campaigns_activity": ("campaigns_historicalactivity", "t.created_by_id", "t.created"),
    "hazards_hazard": ("hazards_historicalhazard", "t.created_by_id", "t.created"),
    "enforcement_case": ("enforcement_historicalcase", "t.created_by_id", "t.created"),
}
# What a '+' row holds instead of today's value: the object as it was the day it was entered.
_AS_CREATED = {
    "hazards_hazard": {
        "state": "'open'",
        "closed_on": "NULL",
        "is_overdue": "false",
        "overdue_since": "NULL",
        "listing_level": "''",
        "listed_on": "NULL",
        "listing_leader": "''",
        "listing_document": "''",
        "delisted_on": "NULL",
        "updated": "t.created",
    },
    "enforcement_case": {
        "state": "'open'",
        "decided_on": "NULL",
        "closed_on": "NULL",
        "deadline_flag": "''",
        "decision_summary": "''",
        "outcome_reason": "''",
        "transferred_to": "''",
        "updated": "t.created",
    },
}
# Which rows moved on after they were entered, and who acted last (their timeline's last user).
_CHANGED = {
    "hazards_hazard": ("hazards_hazardevent", "hazard_id"),
    "enforcement_case": ("enforcement_caseevent", "case_id"),
}
# m2m through table → (its history table, the model's history table, the model's column, the other one).
_M2M = {
    "accounts_orgunit_supervised_sectors": (
        "accounts_historicalorgunit_supervised_sectors",
        "accounts_historicalorgunit",
        "orgunit_id",
        "sector_id",
    ),
    "accounts_enterprise_sectors": (
        "accounts_historicalenterprise_sectors",
        "accounts_historicalenterprise",
        "enterprise_id",
        "sector_id",
    ),
    "hazards_hazard_sectors": (
        "hazards_historicalhazard_sectors",
        "hazards_historicalhazard",
        "hazard_id",
        "sector_id",
    ),
    "inspections_inspectionaction_members": (
        "inspections_historicalinspectionaction_members",
        "inspections_historicalinspectionaction",
        "inspectionaction_id",
        "user_id",
    ),
    "enforcement_case_articles": (
        "enforcement_historicalcase_articles",
        "enforcement_historicalcase",
        "case_id",
        "legalarticle_id",
    ),
    "enforcement_case_officers": (
        "enforcement_historicalcase_officers",
        "enforcement_historicalcase",
        "case_id",
        "user_id",
    ),
}
# Tables a history row's user comes from.
_JOINS = {"inspections_inspectionrecord": "JOIN inspections_inspectionaction a ON a.id = t.action_id"}
_HISTORY_FIELDS = {"history_id", "history_date", "history_change_reason", "history_type", "history_user_id"}


def _columns(table: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema()"
            " AND table_name = %s ORDER BY ordinal_position",
            [table],
        )
        return [row[0] for row in cursor.fetchall()]


def _max_history_id(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT COALESCE(MAX(history_id), 0) FROM "{table}"')  # noqa: S608 - our table names
        return cursor.fetchone()[0]


def history_write(loader: Loader, first_ids: dict[str, int]) -> None:
    """History rows for every row of the model tables with an id from `first_ids[table]` on."""
    marks: dict[str, int] = {}
    for table, (history, user, date) in _PLAIN.items():
        if table not in first_ids:
            continue
        marks[history] = _max_history_id(history)
        fields = [c for c in _columns(history) if c not in _HISTORY_FIELDS]
        created = _AS_CREATED.get(table, {})
        values = ", ".join(created.get(c, f't."{c}"') for c in fields)
        names = ", ".join(f'"{c}"' for c in fields)
        meta = "history_date, history_change_reason, history_type, history_user_id"
        insert = f'INSERT INTO "{history}" ({names}, {meta})'
        loader.execute(
            history,
            f"{insert} SELECT {values}, {date}, NULL, '+', {user}"  # noqa: S608 - our own SQL
            f' FROM "{table}" t {_JOINS.get(table, "")} WHERE t.id >= %s',
            [first_ids[table]],
        )
        if table in _CHANGED:
            events, key = _CHANGED[table]
            current = ", ".join(f't."{c}"' for c in fields)
            # Whoever acted last on the timeline: one sort of the events, not a lookup per row.
            last = (
                f'SELECT DISTINCT ON (e."{key}") e."{key}" AS id, e.user_id FROM "{events}" e'
                f' WHERE e."{key}" >= %s AND e.user_id IS NOT NULL ORDER BY e."{key}", e.at DESC, e.id DESC'
            )
            loader.execute(
                history,
                f"{insert} SELECT {current}, t.updated, NULL, '~',"  # noqa: S608 - our own SQL
                f' COALESCE(l.user_id, t.created_by_id) FROM "{table}" t LEFT JOIN ({last}) l ON l.id = t.id'
                " WHERE t.id >= %s AND t.updated > t.created",
                [first_ids[table], first_ids[table]],
            )
    for through, (m2m_history, history, own, other) in _M2M.items():
        if history not in marks:
            continue
        loader.execute(
            m2m_history,
            f'INSERT INTO "{m2m_history}" (id, "{own}", "{other}", history_id)'  # noqa: S608
            f' SELECT m.id, m."{own}", m."{other}", h.history_id FROM "{history}" h'
            f' JOIN "{through}" m ON m."{own}" = h.id WHERE h.history_id > %s',
            [marks[history]],
        )


def history_tables() -> list[str]:
    return [h for h, _, _ in _PLAIN.values()] + [m[0] for m in _M2M.values()]
