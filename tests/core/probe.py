"""A ledger kind of the tests' own (探针, "probe"), so the import framework, its jobs and its pages are
tested without leaning on any domain app's rules. The `probe` fixture registers it for one test."""

from django.db import DEFAULT_DB_ALIAS, connections

from accounts.scoping import can_write
from core.imports import SheetImporter, report_saving

PROBE = "test-probe"


def read_job_elsewhere() -> tuple[str, int, int] | None:
    """The newest job as another connection (the polling page) sees it right now."""
    other = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT status, done, total FROM accounts_importjob ORDER BY id DESC LIMIT 1")
            return cursor.fetchone()
    finally:
        other.close()


class ProbeImporter(SheetImporter):
    """Rows are names; saving reports half-way and looks at the job from outside its transaction.

    A name "崩溃" (crash) makes the save raise, as a bug in an importer would.
    """

    label = "探针"
    sheet_title = "probe"
    template_filename = "探针导入模板.xlsx"
    list_url_name = "accounts:enterprise_list"
    notes = ["探针台账的说明"]
    headers = ["名称"]
    required = ["名称"]
    example = {"名称": "示例名称"}
    seen: list = []

    def allowed(self, user) -> bool:
        return can_write(user)

    def parse_row(self, *, row, values, context, errors):
        return values["名称"]

    def save(self, *, user, items, context):
        report_saving(1, len(items))
        self.seen.append(read_job_elsewhere())
        if "崩溃" in items:
            raise RuntimeError("boom")
        return len(items), 0
