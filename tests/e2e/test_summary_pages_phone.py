"""工作总结 on a 390 px phone in Chromium: a township's staff create their annual summary, write a section's
narrative, rebuild, follow a figure to its records and publish — without sideways scrolling and under
the strict CSP (no inline script or handler)."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from hazards.services import hazard_create
from reports.models import Report, ReportVersion
from tests.e2e.conftest import login
from tests.hazards.conftest import hazard_data

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WATCH = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", e => window.__cspViolations.push(e.violatedDirective));
"""


def overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def test_a_township_writes_and_publishes_its_summary_on_a_phone(
    page, live_server, district, township_a_user, enterprise_a
):
    today = timezone.localdate()
    for _ in range(2):
        hazard_create(
            user=township_a_user,
            data=hazard_data(enterprise_a, found_on=today, deadline=today + dt.timedelta(days=9)),
        )
    page.set_viewport_size({"width": 390, "height": 844})
    page.add_init_script(WATCH)
    login(page, live_server, township_a_user.username)

    page.goto(f"{live_server.url}/reports/summaries/")
    page.locator("#report-new").click()
    page.get_by_label("报告类型").select_option("annual")
    page.get_by_role("button", name="生成").click()
    expect(page.locator("#report-state")).to_have_text("草稿")
    report = Report.objects.get()
    assert report.scope_unit == district.township_a
    assert overflow(page) <= 0

    risk = page.locator("section[data-key='risk_control']")
    expect(risk.locator(".figure-link[data-key='hazards.found']")).to_have_text("2个")
    highlights = page.locator("section[data-key='highlights']")
    highlights.locator("textarea").fill("创新开展“安全夜查”。")
    highlights.get_by_role("button", name="保存正文").click()
    expect(page.locator("section[data-key='highlights'] textarea")).to_have_value("创新开展“安全夜查”。")

    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#report-rebuild").click()
    expect(page.get_by_text("已按现有记录重新生成")).to_be_visible()
    expect(page.locator("section[data-key='highlights'] textarea")).to_have_value("创新开展“安全夜查”。")

    page.locator("section[data-key='risk_control'] .figure-link[data-key='hazards.found']").click()
    expect(page.locator("#figure-count")).to_have_attribute("data-count", "2")
    page.go_back()

    page.locator("#report-publish").click()
    expect(page.locator("#publish-confirm")).to_contain_text("发布后内容和PDF不再改变")
    page.locator("#publish-submit").click()
    expect(page.locator("#version-frozen")).to_be_visible()
    assert ReportVersion.objects.filter(report=report, number=1).exists()
    assert overflow(page) <= 0
    assert page.evaluate("window.__cspViolations") == []
