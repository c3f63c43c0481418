"""生成PDF from the browser (issue 14): the office opens the annual summary, presses 生成PDF, watches the
progress bar reach 100% under the strict CSP, and downloads the PDF (Celery runs inline in the test, as
in the demo; a real worker is tested in tests/reports/test_summary_jobs_worker.py)."""

import subprocess

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from reports.models import ReportJob, ReportJobState
from tests.e2e.conftest import login
from tests.reports.test_summary_pdf import annual, flat, hazards

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WATCH = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", e => window.__cspViolations.push(e.violatedDirective));
"""


def test_the_office_builds_the_annual_pdf_and_downloads_it(
    page, live_server, officer, enterprise_a, tmp_path
):
    hazards(officer, enterprise_a, 3)
    report = annual(officer)
    page.add_init_script(WATCH)
    login(page, live_server, "officer")
    page.goto(f"{live_server.url}{reverse('reports:report_detail', args=[report.pk])}")

    box = page.locator("#report-job")
    expect(box.get_by_role("button", name="生成PDF")).to_be_visible()
    box.get_by_role("button", name="生成PDF").click()

    bar = box.locator("[role=progressbar]")
    expect(bar).to_be_visible()
    expect(bar).to_have_attribute("aria-valuenow", "100", timeout=60_000)
    expect(box.locator("[data-job-bar]")).to_have_text("100%")
    link = box.get_by_role("link", name="下载 PDF")
    expect(link).to_be_visible()
    job = ReportJob.objects.get()
    assert job.state == ReportJobState.DONE

    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename == f"{report.title}（草稿）.pdf"
    path = tmp_path / "download.pdf"
    download.save_as(path)
    text = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    assert flat(report.title) in flat(text)
    assert "建立隐患台账3个" in flat(text)
    assert page.evaluate("window.__cspViolations") == []
