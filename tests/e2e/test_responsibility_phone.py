"""安全责任 on a phone (390 px): township A opens the menu entry, sees its coverage without sideways
scrolling, registers a letter its firm signed with the scanned PDF (date typed 年-月-日), and opens
the scan through the scope."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import ResponsibilityLetter
from tests.e2e.conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WIDTH = 390
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def test_township_registers_a_letter_on_a_phone(
    page, live_server, sectors, township_a_user, enterprise_a, tmp_path
):
    scan = tmp_path / "承诺书.pdf"
    scan.write_bytes(PDF)
    page.set_viewport_size({"width": WIDTH, "height": 844})
    login(page, live_server, "township_a")
    page.get_by_role("button", name="打开菜单").click()
    page.get_by_role("link", name="安全责任").click()
    expect(page.locator("#coverage-table")).to_contain_text("东城街道")
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH

    page.get_by_role("link", name="登记责任书").first.click()
    page.get_by_label("类型").select_option(label="安全承诺书")
    page.get_by_label("发放单位").select_option(label="东城街道（街道）")
    page.get_by_label("签订企业（统一社会信用代码）").fill(enterprise_a.uscc)
    signed = page.get_by_label("签订日期")
    expect(signed).to_have_value(timezone.localdate().isoformat())
    page.get_by_label("扫描件").set_input_files(str(scan))
    expect(page.locator(".file-pick-names").first).to_contain_text("承诺书.pdf")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".app-messages")).to_contain_text("已登记责任书：东城机械厂")
    letter = ResponsibilityLetter.objects.get()
    assert letter.signer_enterprise == enterprise_a and letter.file.name.endswith(".pdf")
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH

    response = page.request.get(f"{live_server.url}/accounts/responsibility/letters/{letter.pk}/file/")
    assert response.status == 200 and response.body() == PDF
    page.goto(f"{live_server.url}/accounts/responsibility/")
    expect(page.locator("#coverage-table tbody")).to_contain_text("100.0%")
