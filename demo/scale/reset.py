"""seed_scale --reset: remove what an earlier load put in (everything under the scale district and the
scale_* users), set-based: one DELETE a table, FK checks deferred to the commit."""

from django.db import connection

from accounts.choices import OrgKind

from .city import SCALE_DISTRICT

# (table, the condition selecting our rows). Temp tables: _su units, _se enterprises, _uu users,
# _sh hazards, _sa actions, _sr records, _sc cases. Any order: every FK is checked at the commit.
_DELETES = (
    ("enforcement_caseevent", "case_id IN (SELECT id FROM _sc)"),
    ("enforcement_penalty", "case_id IN (SELECT id FROM _sc)"),
    ("enforcement_measure", "case_id IN (SELECT id FROM _sc)"),
    ("enforcement_caseextension", "case_id IN (SELECT id FROM _sc)"),
    ("enforcement_case_articles", "case_id IN (SELECT id FROM _sc)"),
    ("enforcement_case_officers", "case_id IN (SELECT id FROM _sc)"),
    (
        "enforcement_historicalcase_articles",
        "history_id IN (SELECT history_id FROM enforcement_historicalcase WHERE id IN (SELECT id FROM _sc))",
    ),
    (
        "enforcement_historicalcase_officers",
        "history_id IN (SELECT history_id FROM enforcement_historicalcase WHERE id IN (SELECT id FROM _sc))",
    ),
    ("enforcement_historicalcase", "id IN (SELECT id FROM _sc)"),
    ("enforcement_case", "id IN (SELECT id FROM _sc)"),
    ("hazards_hazardevent", "hazard_id IN (SELECT id FROM _sh)"),
    ("hazards_rectification", "hazard_id IN (SELECT id FROM _sh)"),
    ("hazards_deadlineextension", "hazard_id IN (SELECT id FROM _sh)"),
    ("hazards_hazard_sectors", "hazard_id IN (SELECT id FROM _sh)"),
    ("hazards_hazard_talks", "hazard_id IN (SELECT id FROM _sh)"),
    (
        "hazards_historicalhazard_sectors",
        "history_id IN (SELECT history_id FROM hazards_historicalhazard WHERE id IN (SELECT id FROM _sh))",
    ),
    ("hazards_historicalhazard", "id IN (SELECT id FROM _sh)"),
    ("hazards_hazard", "id IN (SELECT id FROM _sh)"),
    ("inspections_checkresult", "record_id IN (SELECT id FROM _sr)"),
    ("inspections_historicalinspectionrecord", "id IN (SELECT id FROM _sr)"),
    ("inspections_inspectionrecord", "id IN (SELECT id FROM _sr)"),
    ("inspections_inspectionaction_members", "inspectionaction_id IN (SELECT id FROM _sa)"),
    (
        "inspections_historicalinspectionaction_members",
        "history_id IN (SELECT history_id FROM inspections_historicalinspectionaction"
        " WHERE id IN (SELECT id FROM _sa))",
    ),
    ("inspections_historicalinspectionaction", "id IN (SELECT id FROM _sa)"),
    ("inspections_inspectionaction", "id IN (SELECT id FROM _sa)"),
    (
        "hazards_historicalaccident",
        "id IN (SELECT id FROM hazards_accident WHERE township_id IN (SELECT id FROM _su))",
    ),
    ("hazards_accident", "township_id IN (SELECT id FROM _su)"),
    (
        "campaigns_activityquantity",
        "activity_id IN (SELECT id FROM campaigns_activity WHERE organiser_id IN (SELECT id FROM _su))",
    ),
    (
        "campaigns_historicalactivity",
        "id IN (SELECT id FROM campaigns_activity WHERE organiser_id IN (SELECT id FROM _su))",
    ),
    ("campaigns_activity", "organiser_id IN (SELECT id FROM _su)"),
    ("accounts_numbersequence", "org_unit_id IN (SELECT id FROM _su)"),
    ("reports_rollup", "scope_unit_id IN (SELECT id FROM _su)"),
    ("accounts_notification_read_by", "user_id IN (SELECT id FROM _uu)"),
    (
        "accounts_notification",
        "org_unit_id IN (SELECT id FROM _su) OR user_id IN (SELECT id FROM _uu)",
    ),
    ("accounts_enterprise_sectors", "enterprise_id IN (SELECT id FROM _se)"),
    (
        "accounts_historicalenterprise_sectors",
        "history_id IN (SELECT history_id FROM accounts_historicalenterprise"
        " WHERE id IN (SELECT id FROM _se))",
    ),
    ("accounts_historicalenterprise", "id IN (SELECT id FROM _se)"),
    ("accounts_enterprise", "id IN (SELECT id FROM _se)"),
    ("authtoken_token", "user_id IN (SELECT id FROM _uu)"),
    ("django_admin_log", "user_id IN (SELECT id FROM _uu)"),
    ("accounts_historicaluser", "id IN (SELECT id FROM _uu)"),
    ("accounts_user", "id IN (SELECT id FROM _uu)"),
    ("accounts_orgunit_supervised_sectors", "orgunit_id IN (SELECT id FROM _su)"),
    (
        "accounts_historicalorgunit_supervised_sectors",
        "history_id IN (SELECT history_id FROM accounts_historicalorgunit WHERE id IN (SELECT id FROM _su))",
    ),
    ("accounts_historicalorgunit", "id IN (SELECT id FROM _su)"),
    ("accounts_orgunit", "id IN (SELECT id FROM _su)"),
)


_TEMPS = ("_su", "_uu", "_se", "_sh", "_sa", "_sr", "_sc")


def scale_exists() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM accounts_orgunit"
            " WHERE name = %s AND kind = %s AND parent_id IS NULL)"
            " OR EXISTS (SELECT 1 FROM accounts_user WHERE username LIKE 'scale\\_%%')",
            [SCALE_DISTRICT, OrgKind.DISTRICT],
        )
        return cursor.fetchone()[0]


def scale_reset() -> dict[str, int]:
    """Delete the scale city and all its records; returns rows deleted per table. Call in a transaction."""
    deleted: dict[str, int] = {}
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS " + ", ".join(f"pg_temp.{t}" for t in _TEMPS))
        cursor.execute(
            "CREATE TEMP TABLE _su AS SELECT u.id FROM accounts_orgunit u"
            " JOIN accounts_orgunit root ON u.path LIKE root.path || '%%'"
            " WHERE root.name = %s AND root.kind = %s AND root.parent_id IS NULL",
            [SCALE_DISTRICT, OrgKind.DISTRICT],
        )
        cursor.execute(
            "CREATE TEMP TABLE _uu AS SELECT id FROM accounts_user"
            " WHERE username LIKE 'scale\\_%%' OR org_unit_id IN (SELECT id FROM _su)"
        )
        temps = {
            "_se": "SELECT id FROM accounts_enterprise WHERE jurisdiction_id IN (SELECT id FROM _su)",
            "_sh": "SELECT id FROM hazards_hazard WHERE enterprise_id IN (SELECT id FROM _se)",
            "_sa": "SELECT id FROM inspections_inspectionaction WHERE organizer_id IN (SELECT id FROM _su)",
            "_sr": "SELECT id FROM inspections_inspectionrecord WHERE action_id IN (SELECT id FROM _sa)"
            " OR enterprise_id IN (SELECT id FROM _se)",
            "_sc": "SELECT id FROM enforcement_case WHERE enterprise_id IN (SELECT id FROM _se)",
        }
        for name, select in temps.items():
            cursor.execute(f"CREATE TEMP TABLE {name} AS {select}")
            cursor.execute(f"CREATE UNIQUE INDEX ON {name} (id)")
            cursor.execute(f"ANALYZE {name}")
        for table, where in _DELETES:
            cursor.execute(f'DELETE FROM "{table}" WHERE {where}')  # noqa: S608 - our own SQL
            if cursor.rowcount:
                deleted[table] = cursor.rowcount
        cursor.execute("DROP TABLE " + ", ".join(f"pg_temp.{t}" for t in _TEMPS))
    return deleted
