"""A real Celery worker over Redis prints a work summary (issue 14): the job is queued through the broker
after the request's commit, the page's status feed shows it running, then done at 100% with a PDF."""

import subprocess

import pytest
from celery import signals as celery_signals
from celery.contrib.testing.worker import start_worker
from django.db import connections
from django.urls import reverse

from reports.models import ReportJob, ReportJobState
from safety_office.celery import app
from tests.faults.conftest import broker, require_redis, wait_until
from tests.reports.test_summary_pdf import annual, flat, hazards


@pytest.mark.celery_worker
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_prints_the_draft_and_the_bar_reaches_100(client, officer, enterprise_a, tmp_path):
    redis_url = require_redis()
    hazards(officer, enterprise_a, 2)
    report = annual(officer)
    client.force_login(officer)

    def close_db(**kwargs) -> None:  # the worker thread's connection must not outlive the test
        connections.close_all()

    celery_signals.task_postrun.connect(close_db, weak=False)
    progress_seen = set()
    try:
        with (
            broker(redis_url) as queue,
            start_worker(app, perform_ping_check=False, queues=[queue], shutdown_timeout=30),
        ):
            response = client.post(
                reverse("reports:report_job_start", args=[report.pk]),
                {"fmt": "pdf", "rebuild": "1"},
                HTTP_ACCEPT="application/json",
            )
            assert response.status_code == 202
            status_url = response.json()["status_url"]

            def finished():
                status = client.get(status_url).json()
                progress_seen.add(status["progress"])
                return status if status["finished"] else None

            status = wait_until(finished, 120, "the report job to finish", interval=0.1)
    finally:
        celery_signals.task_postrun.disconnect(close_db)

    job = ReportJob.objects.get()
    assert (status["state"], status["progress"], status["error"]) == ("done", 100, "")
    assert job.state == ReportJobState.DONE and job.finished_at is not None
    assert max(progress_seen) == 100
    pdf = client.get(status["download_url"])
    data = b"".join(pdf.streaming_content)
    assert data.startswith(b"%PDF")
    path = tmp_path / "job.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    assert "建立隐患台账2个" in flat(text)
