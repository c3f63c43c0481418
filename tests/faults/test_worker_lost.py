"""A Celery worker killed in the middle of an import: the message comes back (acks_late, reject on worker
lost, a visibility timeout), the job is claimed again because its heartbeat stopped, and the result is
whole, not doubled. A job whose worker died and that no one runs again ends as "导入中断", not running
for ever. Two copies of one job never both write."""

import datetime as dt

import pytest
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.urls import reverse
from django.utils import timezone

from accounts.choices import OrgKind
from accounts.models import OrgUnit
from core import imports
from core.imports import register_importer
from core.models import ImportJob
from core.tasks import recover_import_jobs, run_import_job
from hazards.models import Hazard
from tests.core.probe import PROBE, ProbeImporter

from .conftest import HEARTBEAT_SECONDS, STALE_SECONDS, broker, hazard_ledger, make_job, wait_until

INTERRUPTED = "导入中断，未导入任何数据，请重新上传"
ROWS = 4000  # two chunks of 2000 (hazards.services.imports): killed while the second is written


def test_the_recovery_runs_every_minute():
    entry = settings.CELERY_BEAT_SCHEDULE["core-recover-import-jobs"]
    assert entry["task"] == recover_import_jobs.name == "core.tasks.recover_import_jobs"
    assert entry["schedule"] == 60
    assert settings.CELERY_TASK_ACKS_LATE and settings.CELERY_TASK_REJECT_ON_WORKER_LOST


@pytest.fixture
def short_heartbeat(settings):
    settings.IMPORT_JOB_HEARTBEAT_SECONDS = HEARTBEAT_SECONDS
    settings.IMPORT_JOB_STALE_SECONDS = STALE_SECONDS
    settings.IMPORT_JOB_MAX_ATTEMPTS = 3
    return settings


@pytest.mark.celery_worker
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_while_saving_leaves_nothing_and_the_redelivered_job_imports_once(
    redis_url, celery_worker_factory, short_heartbeat, sectors, client, township_a_user, enterprise_a
):
    client.force_login(township_a_user)
    with broker(redis_url) as queue:
        first = celery_worker_factory(redis_url, queue)  # starts while the upload is made
        response = client.post(
            reverse("core:import_upload", args=["hazards"]), {"file": hazard_ledger(enterprise_a, ROWS)}
        )
        assert response.status_code == 302
        job = ImportJob.objects.get()
        # Killed half-way through writing: the first chunk of 2000 rows is written, not yet committed.
        wait_until(
            lambda: saving_half_way(job.pk), 90, "the job to be half-way through saving", interval=0.02
        )

        first.kill()

        job.refresh_from_db()
        assert job.status == ImportJob.Status.SAVING and 0 < job.done < ROWS and job.attempts == 1
        # The claim set the heartbeat; whether a beat followed before the kill depends on the machine's speed.
        assert job.heartbeat is not None and job.heartbeat >= job.started
        assert not Hazard.objects.exists()  # the killed run's transaction died with it
        # Its heartbeat has stopped: after STALE_SECONDS the job counts as lost.
        wait_until(
            lambda: timezone.now() - ImportJob.objects.get().heartbeat > dt.timedelta(seconds=STALE_SECONDS),
            10,
            "the heartbeat to go stale",
        )
        second = celery_worker_factory(redis_url, queue)  # takes the message back (visibility timeout 1 s)
        wait_until(lambda: ImportJob.objects.get().is_finished, 90, "the redelivered job", interval=0.2)

    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE, (job.errors, second.log())
    assert (job.attempts, job.created_rows, job.total, job.done) == (2, ROWS, ROWS, ROWS)
    assert Hazard.objects.count() == ROWS  # whole, not doubled
    assert "core.tasks.run_import_job" in second.log()  # the second worker ran it


def saving_half_way(job_id: int) -> bool:
    job = ImportJob.objects.get(pk=job_id)
    return job.status == ImportJob.Status.SAVING and 0 < job.done < job.total


# ---------------------------------------------------------------- claims, in this process


@pytest.mark.django_db
def test_a_second_message_for_a_job_whose_worker_is_alive_does_nothing(probe, short_heartbeat, officer):
    job = make_job(officer, status=ImportJob.Status.SAVING, heartbeat_ago=0.1, attempts=1)

    run_import_job(job.pk)

    job.refresh_from_db()
    assert (job.status, job.attempts) == (ImportJob.Status.SAVING, 1)
    assert probe.seen == []


@pytest.mark.django_db
def test_a_message_for_a_job_whose_worker_died_runs_it_again(probe, short_heartbeat, officer):
    job = make_job(officer, status=ImportJob.Status.VALIDATING, heartbeat_ago=STALE_SECONDS + 1, attempts=1)

    run_import_job(job.pk)

    job.refresh_from_db()
    assert (job.status, job.attempts, job.created_rows) == (ImportJob.Status.DONE, 2, 2)


@pytest.mark.django_db
def test_a_job_that_lost_its_worker_too_often_ends_as_interrupted(probe, short_heartbeat, officer):
    job = make_job(officer, status=ImportJob.Status.SAVING, heartbeat_ago=STALE_SECONDS + 1, attempts=3)

    run_import_job(job.pk)

    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and job.finished is not None
    assert job.errors == [{"row": 0, "column": "", "message": INTERRUPTED}]
    assert probe.seen == []


@pytest.mark.django_db
def test_the_every_minute_recovery_reruns_a_lost_job_and_fails_one_out_of_attempts(
    probe, short_heartbeat, officer
):
    lost = make_job(officer, status=ImportJob.Status.SAVING, heartbeat_ago=STALE_SECONDS + 1, attempts=1)
    hopeless = make_job(
        officer, status=ImportJob.Status.VALIDATING, heartbeat_ago=STALE_SECONDS + 1, attempts=3
    )
    alive = make_job(officer, status=ImportJob.Status.SAVING, heartbeat_ago=0.1, attempts=1)
    waiting = make_job(officer, status=ImportJob.Status.PENDING, heartbeat_ago=None, attempts=0)

    recover_import_jobs()  # the suite runs tasks inline: a re-queued job runs at once

    for job in (lost, hopeless, alive, waiting):
        job.refresh_from_db()
    assert (lost.status, lost.attempts, lost.created_rows) == (ImportJob.Status.DONE, 2, 2)
    assert hopeless.status == ImportJob.Status.FAILED and hopeless.errors[0]["message"] == INTERRUPTED
    assert (alive.status, alive.attempts) == (ImportJob.Status.SAVING, 1)
    assert waiting.status == ImportJob.Status.PENDING  # queued a minute ago: still in the queue


@pytest.mark.django_db
def test_a_job_still_pending_long_after_it_was_queued_is_queued_again(probe, short_heartbeat, officer):
    short_heartbeat.IMPORT_JOB_REQUEUE_SECONDS = 30
    job = make_job(
        officer, status=ImportJob.Status.PENDING, heartbeat_ago=None, attempts=0
    )  # queued 60 s ago

    recover_import_jobs()

    job.refresh_from_db()
    assert (job.status, job.attempts, job.created_rows) == (ImportJob.Status.DONE, 1, 2)


@pytest.mark.django_db
def test_viewing_a_job_whose_worker_died_does_not_show_it_running_for_ever(
    probe, short_heartbeat, client, officer, township_a_user
):
    job = make_job(officer, status=ImportJob.Status.SAVING, heartbeat_ago=STALE_SECONDS + 1, attempts=3)
    client.force_login(township_a_user)
    assert client.get(reverse("core:import_job", args=[job.pk])).status_code == 404  # not theirs
    job.refresh_from_db()
    assert job.status == ImportJob.Status.SAVING

    client.force_login(officer)
    status = client.get(reverse("core:import_job_status", args=[job.pk])).json()
    assert (status["status"], status["finished"]) == ("failed", True)
    assert INTERRUPTED in client.get(reverse("core:import_job", args=[job.pk])).content.decode()


@pytest.mark.django_db
def test_viewing_a_running_job_leaves_it_running(probe, short_heartbeat, client, officer):
    job = make_job(officer, status=ImportJob.Status.SAVING, heartbeat_ago=0.1, attempts=1)
    client.force_login(officer)

    assert client.get(reverse("core:import_job_status", args=[job.pk])).json()["status"] == "saving"
    job.refresh_from_db()
    assert (job.status, job.attempts) == (ImportJob.Status.SAVING, 1)


class TakenOverImporter(ProbeImporter):
    """Writes a row, and meanwhile another worker takes the job over (as if this run's heartbeat had
    stopped): this run must then not commit what it wrote."""

    def save(self, *, user, items, context):
        OrgUnit.objects.create(name="不应留下的单位", kind=OrgKind.DISTRICT)
        other = connections.create_connection(DEFAULT_DB_ALIAS)
        try:
            with other.cursor() as cursor:
                cursor.execute(
                    "UPDATE accounts_importjob SET attempts = attempts + 1, heartbeat = now() WHERE kind = %s",
                    [PROBE],
                )
        finally:
            other.close()
        return len(items), 0


@pytest.mark.django_db(transaction=True)
def test_a_run_that_lost_its_job_to_another_worker_writes_nothing(short_heartbeat, officer):
    register_importer(PROBE, TakenOverImporter())
    try:
        job = make_job(officer, status=ImportJob.Status.PENDING, heartbeat_ago=None, attempts=0)
        run_import_job(job.pk)
    finally:
        imports._registry.pop(PROBE, None)

    job.refresh_from_db()
    assert not OrgUnit.objects.filter(name="不应留下的单位").exists()
    assert (job.status, job.attempts, job.created_rows) == (ImportJob.Status.SAVING, 2, 0)  # the other run's
