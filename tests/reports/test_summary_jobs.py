"""生成PDF / 导出Word as a background job (issue 14): started from the report's page, its progress polled
as JSON while it runs (visible to another connection even inside the rebuild's transaction), its file
downloaded under a Chinese name; who may; what a failure says. The PDF's look is tested in
test_summary_pdf.py: here the PDF is a stub unless the test is about the file."""

import io
from urllib.parse import quote

import pytest
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.urls import reverse
from docx import Document
from kombu.exceptions import OperationalError as KombuOperationalError

from reports import services_summaries, tasks_summaries
from reports.models import ReportJob, ReportJobState, TemplateSection
from reports.services_summaries import report_job_request, report_publish
from tests.conftest import STUB_PDF
from tests.reports.test_summary_pdf import annual, hazards

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def stub_pdf(monkeypatch):
    """The job prints STUB_PDF instead of a real WeasyPrint render (these tests are about the job)."""
    calls = []

    def render(content, *, watermark=""):
        calls.append((content["title"], watermark))
        return STUB_PDF

    monkeypatch.setattr(tasks_summaries, "content_pdf", render)
    return calls


def start(client, report, capture, **data):
    with capture(execute=True):
        return client.post(
            reverse("reports:report_job_start", args=[report.pk]), {"fmt": "pdf", **data}, **JSON
        )


@pytest.mark.django_db(transaction=True)
def test_the_progress_is_visible_to_another_connection_while_the_rebuild_runs(
    officer, enterprise_a, stub_pdf, monkeypatch
):
    """The rebuild is one transaction: the bar's steps are written through a connection of their own."""
    hazards(officer, enterprise_a, 1)
    report = annual(officer)
    job = ReportJob.objects.create(report=report, fmt="pdf", requested_by=officer)
    seen = []
    real_build = services_summaries.build_sections

    def watched(*args, **kwargs):
        result = real_build(*args, **kwargs)
        assert transaction.get_connection().in_atomic_block
        other = connections.create_connection(DEFAULT_DB_ALIAS)
        try:
            with other.cursor() as cursor:
                cursor.execute(
                    "SELECT state, progress, message FROM reports_reportjob WHERE id = %s", [job.pk]
                )
                seen.append(cursor.fetchone())
        finally:
            other.close()
        return result

    monkeypatch.setattr(services_summaries, "build_sections", watched)
    tasks_summaries.report_job_run(job.pk, True)

    state, progress, message = seen[0]
    assert state == "running"
    assert tasks_summaries.BUILD_START < progress <= tasks_summaries.BUILD_END
    assert message.startswith("重新生成：")
    job.refresh_from_db()
    assert (job.state, job.progress) == (ReportJobState.DONE, 100)


def test_a_writer_builds_the_draft_pdf_and_downloads_it_under_a_chinese_name(
    client, officer, enterprise_a, stub_pdf, django_capture_on_commit_callbacks
):
    hazards(officer, enterprise_a, 2)
    report = annual(officer)
    client.force_login(officer)

    response = start(client, report, django_capture_on_commit_callbacks)

    assert response.status_code == 202
    job = ReportJob.objects.get()
    started = response.json()
    assert started["status_url"] == reverse("reports:report_job_status", args=[job.pk])
    status = client.get(started["status_url"]).json()
    assert (status["state"], status["progress"], status["message"], status["error"]) == (
        "done",
        100,
        "已完成",
        "",
    )
    assert status["download_url"] == reverse("reports:report_job_download", args=[job.pk])
    assert stub_pdf == [(report.title, "草稿")]  # the draft as it stands, watermarked

    download = client.get(status["download_url"])
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert (
        download["Content-Disposition"]
        == f"attachment; filename*=UTF-8''{quote(report.title + '（草稿）.pdf')}"
    )
    assert b"".join(download.streaming_content) == STUB_PDF


def test_word_export_of_the_draft(client, officer, enterprise_a, django_capture_on_commit_callbacks):
    hazards(officer, enterprise_a, 1)
    report = annual(officer)
    client.force_login(officer)

    start(client, report, django_capture_on_commit_callbacks, fmt="docx")

    job = ReportJob.objects.get()
    assert (job.state, job.fmt) == (ReportJobState.DONE, "docx")
    download = client.get(reverse("reports:report_job_download", args=[job.pk]))
    assert download["Content-Disposition"].endswith(quote(report.title + "（草稿）.docx"))
    document = Document(io.BytesIO(b"".join(download.streaming_content)))
    assert document.paragraphs[0].text == report.title


def test_the_draft_is_rebuilt_first_only_when_asked(
    client, officer, enterprise_a, stub_pdf, django_capture_on_commit_callbacks
):
    hazards(officer, enterprise_a, 1)
    report = annual(officer)
    client.force_login(officer)
    hazards(officer, enterprise_a, 2)

    start(client, report, django_capture_on_commit_callbacks)
    report.refresh_from_db()
    assert report.figures["district"]["hazards.found"]["value"] == 1  # as it stands

    start(client, report, django_capture_on_commit_callbacks, rebuild="1")
    report.refresh_from_db()
    assert report.figures["district"]["hazards.found"]["value"] == 3
    assert report.sections.get(key="risk_control").figure_text.startswith("建立隐患台账3个")
    # The newer draft PDF replaces the older one's file (a draft changes; its old print is not kept).
    first, second = ReportJob.objects.order_by("pk")
    assert first.file == "" and second.file
    assert client.get(reverse("reports:report_job_download", args=[first.pk])).status_code == 404


def test_a_bad_template_fails_the_rebuild_job_with_its_problems(
    client, officer, enterprise_a, stub_pdf, django_capture_on_commit_callbacks
):
    report = annual(officer)
    TemplateSection.objects.filter(template__kind="annual", key="risk_control").update(
        sentences="建立隐患台账{hazards.nonexistent|text}"
    )
    client.force_login(officer)

    start(client, report, django_capture_on_commit_callbacks, rebuild="1")

    job = ReportJob.objects.get()
    assert job.state == ReportJobState.FAILED
    assert "hazards.nonexistent" in job.error and "第1句" in job.error
    assert stub_pdf == []  # nothing printed half
    status = client.get(reverse("reports:report_job_status", args=[job.pk])).json()
    assert (status["state"], status["download_url"], status["message"]) == ("failed", "", "生成失败")
    assert client.get(reverse("reports:report_job_download", args=[job.pk])).status_code == 404


def test_a_crash_while_printing_fails_the_job_with_a_chinese_message(
    client, officer, monkeypatch, django_capture_on_commit_callbacks
):
    report = annual(officer)

    def broken(content, *, watermark=""):
        raise RuntimeError("cairo says no")

    monkeypatch.setattr(tasks_summaries, "content_pdf", broken)
    client.force_login(officer)
    start(client, report, django_capture_on_commit_callbacks)

    job = ReportJob.objects.get()
    assert job.state == ReportJobState.FAILED
    assert job.error == "生成文件时发生意外错误，请稍后重试；仍不成功请联系管理员。"
    assert job.finished_at is not None


def test_with_the_broker_down_the_job_fails_at_once_saying_so(
    officer, monkeypatch, django_capture_on_commit_callbacks
):
    report = annual(officer)

    def refuse(*args, **kwargs):
        raise KombuOperationalError("connection refused")

    monkeypatch.setattr(tasks_summaries.report_job_run, "delay", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        job = report_job_request(report=report, user=officer)

    job.refresh_from_db()
    assert job.state == ReportJobState.FAILED
    assert "后台任务服务暂时不可用" in job.error


def test_a_job_runs_once_however_often_its_message_comes(
    officer, stub_pdf, django_capture_on_commit_callbacks
):
    report = annual(officer)
    with django_capture_on_commit_callbacks(execute=True):
        job = report_job_request(report=report, user=officer)
    tasks_summaries.report_job_run(job.pk)  # the message again (a redelivery)
    assert len(stub_pdf) == 1


def test_bad_input_is_refused_in_chinese(client, officer, django_capture_on_commit_callbacks):
    report = annual(officer)
    client.force_login(officer)

    wrong_format = start(client, report, django_capture_on_commit_callbacks, fmt="exe")
    assert wrong_format.status_code == 400
    assert wrong_format.json() == {"error": "不支持的格式“exe”，请选择 PDF 或 Word。"}
    assert start(client, report, django_capture_on_commit_callbacks, version="abc").status_code == 400
    assert start(client, report, django_capture_on_commit_callbacks, version="9").status_code == 404
    assert ReportJob.objects.count() == 0
    assert client.get(reverse("reports:report_job_start", args=[report.pk])).status_code == 405


def test_who_may_export(
    client,
    officer,
    leader,
    township_a_user,
    township_b_user,
    district,
    stub_pdf,
    django_capture_on_commit_callbacks,
):
    district_report = annual(officer)
    a_report = annual(township_a_user, district.township_a)
    with django_capture_on_commit_callbacks(execute=True):
        version = report_publish(report=district_report, user=officer)
    version_job = ReportJob.objects.get(version=version)
    with django_capture_on_commit_callbacks(execute=True):
        a_job = report_job_request(report=a_report, user=township_a_user)

    # Township B: township A's report, its jobs and files do not exist; nor the district's.
    client.force_login(township_b_user)
    assert start(client, a_report, django_capture_on_commit_callbacks).status_code == 404
    assert start(client, district_report, django_capture_on_commit_callbacks, version="1").status_code == 404
    assert client.get(reverse("reports:report_job_status", args=[a_job.pk])).status_code == 404
    assert client.get(reverse("reports:report_job_download", args=[a_job.pk])).status_code == 404
    assert client.get(reverse("reports:report_job_status", args=[version_job.pk])).status_code == 404

    # The leader reads: a published version's export yes, a draft's no (403).
    client.force_login(leader)
    assert start(client, district_report, django_capture_on_commit_callbacks).status_code == 403
    response = start(client, district_report, django_capture_on_commit_callbacks, version="1")
    assert response.status_code == 202
    # The version's PDF was printed once at publishing: the job serves those same bytes, nothing redrawn.
    status = client.get(response.json()["status_url"]).json()
    assert status["download_url"] == reverse("reports:version_pdf", args=[district_report.pk, 1])
    assert len(stub_pdf) == 2  # the version at publishing and township A's draft; not the leader's job
    assert client.get(reverse("reports:report_job_status", args=[a_job.pk])).status_code == 200

    # Township A's staff: their own draft, not the district's.
    client.force_login(township_a_user)
    assert client.get(reverse("reports:report_job_download", args=[a_job.pk])).status_code == 200
    assert start(client, district_report, django_capture_on_commit_callbacks).status_code == 404

    client.logout()
    assert client.get(reverse("reports:report_job_status", args=[a_job.pk])).status_code == 302


def test_without_javascript_the_form_posts_and_comes_back(
    client, officer, stub_pdf, django_capture_on_commit_callbacks
):
    report = annual(officer)
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:report_job_start", args=[report.pk]), {"fmt": "pdf"})
    # (In the test the job runs when the test's transaction "commits", after the answer: still queued.)
    assert response.status_code == 302
    assert response["Location"] == report.get_absolute_url()
    assert ReportJob.objects.get().state == ReportJobState.DONE
