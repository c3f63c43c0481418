"""Background import jobs, whatever the ledger kind: progress visible while the import's transaction is
still open, a crash ends as "nothing imported", a job runs once, and only its user sees it."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from core import selectors, services
from core.models import ImportJob, import_upload_path
from core.tasks import run_import_job
from tests.core.probe import PROBE
from tests.factories import xlsx, xlsx_upload


def upload(*names: str):
    return xlsx_upload(xlsx(["名称"], [[name] for name in names]), name="名单.xlsx")


@pytest.mark.django_db(transaction=True)
def test_progress_while_saving_is_visible_outside_the_import_transaction(probe, officer):
    job = services.import_job_start(user=officer, kind=PROBE, upload=upload("甲", "乙"))  # runs inline

    job.refresh_from_db()
    assert probe.seen == [("saving", 1, 2)]  # seen by another connection before the import committed
    assert (job.status, job.created_rows, job.total, job.done, job.percent) == ("done", 2, 2, 2, 100)
    assert job.filename == "名单.xlsx" and job.started is not None and job.finished is not None


@pytest.mark.django_db(transaction=True)
def test_a_crash_ends_as_nothing_imported_and_a_job_runs_once(probe, officer, caplog):
    job = services.import_job_start(user=officer, kind=PROBE, upload=upload("甲", "崩溃"))

    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and job.finished is not None
    assert job.errors == [
        {"row": 0, "column": "", "message": "导入时发生意外错误，未导入任何数据，请联系管理员"}
    ]
    assert "Import job" in caplog.text

    run_import_job(job.pk)  # a redelivered message: the job is not pending any more
    assert len(probe.seen) == 1


@pytest.mark.django_db(transaction=True)
def test_a_failed_check_stores_every_error_with_its_row_and_column(probe, officer):
    content = xlsx(["编号"], [["1"]])  # the required column is missing

    job = services.import_job_start(user=officer, kind=PROBE, upload=xlsx_upload(content))

    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert job.errors == [{"row": 1, "column": "名称", "message": "缺少必填列「名称」"}]
    assert probe.seen == []  # nothing reached the save


@pytest.mark.django_db
def test_only_writers_start_jobs_and_only_for_known_kinds(leader, officer):
    with pytest.raises(PermissionDenied):
        services.import_job_start(user=leader, kind="enterprises", upload=upload("甲"))
    with pytest.raises(LookupError):
        services.import_job_start(user=officer, kind="nonsense", upload=upload("甲"))
    assert not ImportJob.objects.exists()


@pytest.mark.django_db
def test_the_job_waits_for_the_commit_before_it_runs(probe, officer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        job = services.import_job_start(user=officer, kind=PROBE, upload=upload("甲"))
        job.refresh_from_db()
        assert job.status == ImportJob.Status.PENDING

    assert len(callbacks) == 1
    callbacks[0]()
    job.refresh_from_db()
    assert (job.status, job.created_rows) == ("done", 1)


@pytest.mark.django_db
def test_a_job_of_a_kind_no_longer_registered_fails_cleanly(officer, caplog):
    job = ImportJob.objects.create(kind="gone", user=officer, filename="x.xlsx")

    run_import_job(job.pk)

    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert job.errors[0]["message"] == "导入时发生意外错误，未导入任何数据，请联系管理员"


@pytest.mark.django_db
def test_a_user_gets_only_their_own_jobs(officer, township_a_user, admin_user):
    job = ImportJob.objects.create(kind=PROBE, user=officer, filename="x.xlsx")

    assert selectors.import_job_get(user=officer, pk=job.pk) == job
    assert selectors.import_job_get(user=officer, pk=job.pk, kind=PROBE) == job
    for other, kind in ((township_a_user, None), (admin_user, None), (officer, "enterprises")):
        with pytest.raises(Http404):
            selectors.import_job_get(user=other, pk=job.pk, kind=kind)


def test_an_upload_is_stored_under_a_name_nobody_can_guess():
    first = import_upload_path(ImportJob(), "企业台账.xlsx")
    second = import_upload_path(ImportJob(), "企业台账.xlsx")

    assert first.startswith("imports/") and first.endswith(".xlsx")
    assert first != second
    assert "企业台账" not in first


@pytest.mark.parametrize(
    ("status", "done", "total", "percent"),
    [("pending", 0, 0, 0), ("validating", 0, 0, 0), ("validating", 50, 100, 15), ("saving", 50, 100, 65)],
)
def test_the_bar_fills_a_third_while_checking_and_the_rest_while_writing(status, done, total, percent):
    assert ImportJob(status=status, done=done, total=total).percent == percent


@pytest.mark.parametrize("status", ["done", "failed"])
def test_a_finished_job_is_a_full_bar(status):
    job = ImportJob(status=status, done=0, total=10)

    assert job.is_finished and job.percent == 100
