"""The leader's figures and the 统计 page in Chromium: the home page shows this year's figures, the 统计
page draws the trend chart from the vendored Chart.js (under the strict CSP) at desk width and on a
390 px phone without sideways scrolling, and a figure opens the list of exactly its records."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from hazards.services import hazard_create
from inspections.models import InspectionKind
from inspections.services import action_create
from reports.periods import Period
from reports.rollups import rollup_compute
from reports.scopes import WHOLE_DISTRICT
from tests.e2e.conftest import login
from tests.hazards.conftest import hazard_data

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WATCH = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", e => window.__cspViolations.push(e.violatedDirective));
"""


def overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def chart_size(page) -> dict:
    canvas = page.locator("#trend-chart")
    expect(canvas).to_have_attribute("data-drawn", "true")
    return canvas.bounding_box()


@pytest.fixture
def this_year(officer, district, enterprise_a, enterprise_b):
    today = timezone.localdate()
    for enterprise in (enterprise_a, enterprise_b):
        hazard_create(
            user=officer, data=hazard_data(enterprise, found_on=today, deadline=today + dt.timedelta(days=30))
        )
    action_create(
        user=officer,
        date=today,
        organizer=district.dept_emergency,
        kind=InspectionKind.objects.get(code="supervision"),
        members=[officer],
        enterprises=[enterprise_a],
    )
    # This month's roll-up is stored (the nightly task's work), so the trend has a bar to draw.
    rollup_compute(period=Period.containing("month", today), stats_scope=WHOLE_DISTRICT)


def test_leader_reads_the_figures_at_desk_and_phone_width(page, live_server, leader, this_year):
    page.add_init_script(WATCH)
    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, live_server, "leader")

    # 1. Home: this year's figures, each a link.
    found = page.locator('#home-figures [data-figure="hazards.found"]')
    expect(found.locator(".stat-value")).to_contain_text("2")
    expect(page.locator("#home-figures")).to_contain_text("数据计算于")

    # 2. The 统计 page at desk width: the chart is drawn from the vendored library.
    page.locator("#home-figures").get_by_role("link", name="查看统计").click()
    page.wait_for_url("**/reports/?**")
    box = chart_size(page)
    assert box["width"] > 400 and box["height"] > 100
    expect(page.locator("#key-figures")).to_be_visible()

    # 3. On a phone: the chart fits the screen, nothing scrolls sideways.
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    box = chart_size(page)
    assert 0 < box["width"] <= 390 and box["height"] > 100
    assert overflow(page) <= 0

    # 4. A figure opens the list of exactly the records behind it.
    value = page.locator('#key-figures [data-figure="hazards.found"] .stat-value').inner_text()
    page.locator('#key-figures [data-figure="hazards.found"] a').click()
    page.wait_for_url("**/reports/figures/hazards.found/**")
    assert page.locator("#figure-count").get_attribute("data-count") == "2"
    assert value.startswith("2")
    assert page.locator("#figure-records tbody tr").count() == 2
    assert overflow(page) <= 0
    assert page.evaluate("window.__cspViolations") == []
