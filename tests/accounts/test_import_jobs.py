"""Background import jobs, whatever the ledger kind: progress visible while the import's transaction is
still open, a crash ends as "nothing imported", a job runs once, and only its user sees it."""

import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DEFAULT_DB_ALIAS, connections
from openpyxl import Workbook

from accounts import ledger_import, services
from accounts.ledger_import import SheetImporter, register_importer, report_saving
from accounts.models import ImportJob
from accounts.tasks import run_import_job

KIND = "test-probe"


def read_job_elsewhere() -> tuple[str, int, int]:
    """The newest job as another connection (the polling page) sees it right now."""
    other = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT status, done, total FROM accounts_importjob ORDER BY id DESC LIMIT 1")
            return cursor.fetchone()
    finally:
        other.close()


class ProbeImporter(SheetImporter):
    """Rows are names; saving reports half-way and looks at the job from outside its transaction."""

    sheet_title = "probe"
    headers = ["名称"]
    required = ["名称"]
    seen: list = []

    def parse_row(self, *, row, values, context, errors):
        return values["名称"]

    def save(self, *, user, items, context):
        report_saving(1, len(items))
        self.seen.append(read_job_elsewhere())
        if "崩溃" in items:
            raise RuntimeError("boom")
        return len(items), 0


@pytest.fixture
def probe():
    ProbeImporter.seen = []
    register_importer(KIND, "探针", ProbeImporter())
    yield ProbeImporter
    ledger_import._registry.pop(KIND, None)


def upload(*names: str) -> SimpleUploadedFile:
    wb = Workbook()
    ws = wb.active
    ws.append(["名称"])
    for name in names:
        ws.append([name])
    buffer = io.BytesIO()
    wb.save(buffer)
    return SimpleUploadedFile("名单.xlsx", buffer.getvalue())


@pytest.mark.django_db(transaction=True)
def test_progress_while_saving_is_visible_outside_the_import_transaction(probe, officer):
    job = services.import_job_start(user=officer, kind=KIND, upload=upload("甲", "乙"))  # runs inline

    job.refresh_from_db()
    assert probe.seen == [("saving", 1, 2)]  # seen by another connection before the import committed
    assert (job.status, job.created_rows, job.total, job.done, job.percent) == ("done", 2, 2, 2, 100)


@pytest.mark.django_db(transaction=True)
def test_a_crash_ends_as_nothing_imported_and_a_job_runs_once(probe, officer, caplog):
    job = services.import_job_start(user=officer, kind=KIND, upload=upload("甲", "崩溃"))

    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and job.finished is not None
    assert job.errors == [
        {"row": 0, "column": "", "message": "导入时发生意外错误，未导入任何数据，请联系管理员"}
    ]
    assert "Import job" in caplog.text

    run_import_job(job.pk)  # a redelivered message: the job is not pending any more
    assert len(probe.seen) == 1


@pytest.mark.django_db
def test_only_writers_start_jobs_and_only_for_known_kinds(leader, officer):
    with pytest.raises(PermissionDenied):
        services.import_job_start(user=leader, kind="hazards", upload=upload("甲"))
    with pytest.raises(LookupError):
        services.import_job_start(user=officer, kind="nonsense", upload=upload("甲"))
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize(
    ("status", "done", "total", "percent"),
    [("pending", 0, 0, 0), ("validating", 0, 0, 0), ("validating", 50, 100, 15), ("saving", 50, 100, 65)],
)
def test_the_bar_fills_a_third_while_checking_and_the_rest_while_writing(status, done, total, percent):
    assert ImportJob(status=status, done=done, total=total).percent == percent
