"""行政执法 in the browser at desk width: the officer opens a case from a major hazard (enterprise and facts
carried over), drafts a 责令限期整改指令书 on the case page, issues it (confirming: it is numbered and
locked) and downloads its PDF — a real PDF carrying the document's number."""

import datetime as dt
import shutil
import subprocess
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from enforcement import services as case_services
from enforcement.document_layouts import DocumentState
from enforcement.models import Case, Document
from hazards.choices import HazardLevel
from hazards.services import HazardData, hazard_create
from tests.e2e.conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DESK = {"width": 1366, "height": 900}


@pytest.fixture
def major_hazard(officer, enterprise_a):
    today = timezone.localdate()
    return hazard_create(
        user=officer,
        data=HazardData(
            enterprise=enterprise_a,
            source="self",
            description="液氨储罐区可燃气体报警装置失效",
            location="液氨储罐区",
            found_on=today - dt.timedelta(days=40),
            deadline=today - dt.timedelta(days=10),
            responsible_unit=enterprise_a.township,
            level=HazardLevel.MAJOR,
            responsible_person="王厂长",
            measures="更换报警探头并联动切断装置",
            funds=Decimal("8.50"),
            contingency_plan="液氨泄漏现场处置方案",
        ),
    )


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    tool = shutil.which("pdftotext")
    assert tool, "pdftotext (poppler-utils) is needed to read the PDF"
    return subprocess.run(
        [tool, "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout


def test_open_a_case_from_a_hazard_and_issue_a_rectify_order(
    browser, live_server, sectors, officer, major_hazard, enterprise_a, tmp_path
):
    context = browser.new_context(viewport=DESK, accept_downloads=True)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # 出具 asks first
    login(page, live_server, officer.username)

    # The hazard page offers 立案查处; the form carries the enterprise and the facts over.
    page.goto(f"{live_server.url}/hazards/{major_hazard.pk}/")
    page.locator("#hazard-case-open").click()
    expect(page.locator("#case-enterprise")).to_contain_text(enterprise_a.name)
    expect(page.locator("#case-from-hazard")).to_contain_text(major_hazard.number)
    facts = page.locator("textarea[name=facts]")
    assert "液氨储罐区可燃气体报警装置失效" in facts.input_value()
    page.locator("input[name=cause]").fill("存在重大事故隐患未采取措施消除案")
    page.locator("#case-open-submit").click()

    case = Case.objects.get()
    page.wait_for_url(f"{live_server.url}/enforcement/{case.pk}/")
    expect(page.locator("#case-state")).to_contain_text("立案")
    expect(page.locator("#case-hazard-link")).to_contain_text(major_hazard.number)
    expect(page.locator("#case-next-step")).to_contain_text("调查取证")
    assert case.source_hazard_id == major_hazard.pk and case.enterprise_id == enterprise_a.pk

    # 开具文书 → 责令限期整改指令书: a draft, pre-filled from the case and its hazard.
    page.locator("#document-draft-menu").click()
    page.locator("a[data-kind=rectify-order]").click()
    form = page.locator("#document-form")
    expect(form).to_be_visible()
    for field in form.locator("textarea:visible, input[type=text]:visible").all():
        if field.get_attribute("required") is not None and not field.input_value():
            field.fill("立即整改")
    page.locator("#document-save").click()
    expect(page.locator("#document-issue")).to_be_visible()

    page.locator("#document-issue").click()
    document = Document.objects.get(case=case)
    expect(page.locator("#document-state")).not_to_contain_text("草稿")
    document.refresh_from_db()
    assert document.state == DocumentState.ISSUED and document.number
    expect(page.locator("#document-number")).to_contain_text(document.number)

    # 下载PDF: the link serves the stored PDF (inline, as the browser's viewer opens it); fetched with the
    # page's own session, as the browser would.
    link = page.locator("#document-download")
    expect(link).to_be_visible()
    response = page.request.get(live_server.url + link.get_attribute("href"))
    assert response.ok and response.headers["content-type"] == "application/pdf"
    content = response.body()
    assert content.startswith(b"%PDF")
    text = pdf_text(content, tmp_path)
    assert document.number in text.replace(" ", "")
    assert "责令限期整改指令书" in text.replace(" ", "")

    # Back on the case page, the issued document is listed with its number.
    page.goto(f"{live_server.url}/enforcement/{case.pk}/")
    expect(page.locator("#case-documents")).to_contain_text(document.number)
    context.close()


def test_case_list_reads_on_a_phone(
    browser, live_server, sectors, officer, major_hazard, enterprise_a, district
):
    """390 px: no sideways scrolling; each row keeps the number, state, days left and the enterprise."""
    from_hazard = case_services.case_open(
        user=officer,
        data=case_services.CaseData(
            enterprise=enterprise_a,
            handling_unit=district.dept_emergency,
            procedure="general",
            cause="存在重大事故隐患未采取措施消除案",
            opened_on=timezone.localdate() - dt.timedelta(days=85),
            source_hazard=major_hazard,
        ),
    )
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    login(page, live_server, officer.username)
    page.goto(f"{live_server.url}/enforcement/")
    row = page.locator(f'tr[data-case="{from_hazard.number}"]')
    expect(row).to_contain_text(enterprise_a.name)
    expect(row.locator("div.d-md-none")).to_contain_text("剩 5 天")
    expect(row.locator(".case-flag").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.goto(f"{live_server.url}/enforcement/{from_hazard.pk}/")
    expect(page.locator("#case-next-step")).to_contain_text("调查取证")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()
