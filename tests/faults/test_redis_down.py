"""Redis down or hung: every page still serves; an upload is kept and says in Chinese that it could not
be queued; 重新提交 (or the every-minute recovery) queues it once Redis is back, and it goes through."""

import time

import pytest
from django.test import Client
from django.urls import reverse

from core import services
from core.models import ImportJob
from core.tasks import recover_import_jobs
from hazards.models import Hazard
from tests.hazards.conftest import record

from .conftest import broker, hazard_ledger, make_job, wait_until

NOT_QUEUED = "导入任务暂时无法排队，请稍后重试；文件已保存"


@pytest.mark.django_db
def test_every_page_serves_while_redis_is_down(dead_redis_url, client, officer, enterprise_a):
    hazard = record(officer, enterprise_a)
    client.force_login(officer)
    pages = [
        reverse("home"),
        reverse("accounts:enterprise_list"),
        reverse("accounts:enterprise_detail", args=[enterprise_a.pk]),
        reverse("hazards:hazard_list"),
        reverse("hazards:hazard_detail", args=[hazard.pk]),
        reverse("inspections:action_list"),
        reverse("accounts:notification_list"),
        reverse("core:import_upload", args=["hazards"]),
    ]
    with broker(dead_redis_url):
        for url in pages:
            started = time.monotonic()
            response = client.get(url)
            assert response.status_code == 200, url
            assert time.monotonic() - started < 3, url


@pytest.mark.celery_worker
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_an_upload_while_redis_is_down_is_kept_and_goes_through_when_redis_is_back(
    dead_redis_url,
    redis_url,
    celery_worker_factory,
    sectors,
    client,
    township_a_user,
    township_b_user,
    enterprise_a,
):
    client.force_login(township_a_user)
    with broker(dead_redis_url):
        started = time.monotonic()
        response = client.post(
            reverse("core:import_upload", args=["hazards"]), {"file": hazard_ledger(enterprise_a, 3)}
        )
        elapsed = time.monotonic() - started

    job = ImportJob.objects.get()
    assert response.status_code == 302  # not a 500 after the commit
    assert response["Location"] == reverse("core:import_job", args=[job.pk])
    assert elapsed < 5
    assert job.status == ImportJob.Status.UNQUEUED
    assert job.file.storage.exists(job.file.name)  # nothing lost: the upload is kept
    page = client.get(response["Location"]).content.decode()
    assert NOT_QUEUED in page
    assert "重新提交" in page
    assert client.get(reverse("core:import_job_status", args=[job.pk])).json()["status_label"] == "未能排队"
    assert not Hazard.objects.exists()

    # Someone else cannot resubmit it, and while Redis is still down a resubmission says so again.
    requeue = reverse("core:import_job_requeue", args=[job.pk])
    other = client_for(township_b_user)
    assert other.post(requeue).status_code == 404
    with broker(dead_redis_url):
        assert client.post(requeue).status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJob.Status.UNQUEUED

    # Redis is back: 重新提交 queues it and a worker imports it, once.
    with broker(redis_url) as queue:
        worker = celery_worker_factory(redis_url, queue)
        response = client.post(requeue)
        assert response.status_code == 302 and response["Location"] == reverse(
            "core:import_job", args=[job.pk]
        )
        worker.wait_ready()
        wait_until(lambda: ImportJob.objects.get().is_finished, 60, "the resubmitted job")

    job.refresh_from_db()
    assert (job.status, job.created_rows, job.attempts) == (ImportJob.Status.DONE, 3, 1), job.errors
    assert Hazard.objects.count() == 3
    assert "导入完成：新增 3 条" in client.get(reverse("core:import_job", args=[job.pk])).content.decode()
    # A finished job is not resubmitted.
    client.post(requeue)
    assert Hazard.objects.count() == 3


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.mark.django_db
def test_a_hung_redis_costs_an_upload_seconds_not_a_hang(
    hung_redis_url, sectors, client, township_a_user, enterprise_a, django_capture_on_commit_callbacks
):
    client.force_login(township_a_user)
    with broker(hung_redis_url), django_capture_on_commit_callbacks(execute=True):
        started = time.monotonic()
        response = client.post(
            reverse("core:import_upload", args=["hazards"]), {"file": hazard_ledger(enterprise_a, 1)}
        )
        elapsed = time.monotonic() - started

    assert response.status_code == 302
    assert elapsed < 12  # a 3 s connect timeout, a 5 s socket timeout, one retry at most
    assert ImportJob.objects.get().status == ImportJob.Status.UNQUEUED


@pytest.mark.django_db
def test_the_every_minute_recovery_queues_what_redis_refused_once_it_is_back(
    dead_redis_url, sectors, township_a_user, enterprise_a, django_capture_on_commit_callbacks
):
    with broker(dead_redis_url), django_capture_on_commit_callbacks(execute=True):
        first = services.import_job_start(
            user=township_a_user, kind="hazards", upload=hazard_ledger(enterprise_a, 2)
        )
        second = services.import_job_start(
            user=township_a_user, kind="hazards", upload=hazard_ledger(enterprise_a, 1)
        )
    with broker(dead_redis_url):
        started = time.monotonic()
        recover_import_jobs()  # Redis still down: it gives up at the first refusal, quickly
        assert time.monotonic() - started < 3
    assert set(ImportJob.objects.values_list("status", flat=True)) == {ImportJob.Status.UNQUEUED}

    recover_import_jobs()  # Redis is back (the suite runs tasks inline): both go through
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.created_rows, second.status, second.created_rows) == ("done", 2, "done", 1)
    assert Hazard.objects.count() == 3


@pytest.mark.django_db
def test_only_the_uploader_resubmits_and_only_a_job_redis_refused(
    probe, client, officer, township_a_user, leader, django_capture_on_commit_callbacks
):
    refused = make_job(officer, status=ImportJob.Status.UNQUEUED, heartbeat_ago=None, attempts=0)
    done = make_job(officer, status=ImportJob.Status.DONE, heartbeat_ago=None, attempts=1)
    requeue = reverse("core:import_job_requeue", args=[refused.pk])

    for outsider in (township_a_user, leader):
        assert client_for(outsider).post(requeue).status_code == 404
    client.force_login(officer)
    assert client.get(requeue).status_code == 405  # a link or a prefetch never resubmits
    refused.refresh_from_db()
    assert refused.status == ImportJob.Status.UNQUEUED

    response = client.post(reverse("core:import_job_requeue", args=[done.pk]), follow=True)
    assert "该导入任务已在排队或已结束，无需重新提交。" in response.content.decode()
    done.refresh_from_db()
    assert (done.status, done.attempts) == (ImportJob.Status.DONE, 1)

    with django_capture_on_commit_callbacks(execute=True):  # the suite runs tasks inline: Redis "is back"
        response = client.post(requeue)
    assert response["Location"] == reverse("core:import_job", args=[refused.pk])
    refused.refresh_from_db()
    assert (refused.status, refused.created_rows, refused.attempts) == (ImportJob.Status.DONE, 2, 1)
