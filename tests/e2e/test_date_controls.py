"""Date controls read 年-月-日 (2026-12-02) in an English browser too: the browser's own date input
would draw 12/02/2026 and an English picker. The control is a text box with a Chinese calendar
(static/js/date_input.js) on every form: the hazard form, a list's filters, the record page's one-click
登记为隐患 (whose deadline follows the level by the one rule); file controls say 选择照片."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def english(browser):
    context = browser.new_context(
        locale="en-US", timezone_id="Asia/Shanghai", viewport={"width": 390, "height": 844}
    )
    yield context.new_page()
    context.close()


def test_dates_read_year_month_day_in_an_english_browser(
    english, live_server, sectors, officer, enterprise_a
):
    page = english
    login(page, live_server, "officer")
    page.goto(f"{live_server.url}/hazards/new/?enterprise={enterprise_a.pk}")
    today = timezone.localdate()

    found = page.get_by_label("发现日期")  # the label is Chinese, and names the text box
    expect(found).to_have_attribute("type", "text")
    expect(found).to_have_attribute("placeholder", "年-月-日")
    expect(found).to_have_value(today.isoformat())
    deadline = page.get_by_label("整改期限")
    expect(deadline).to_have_value((today + dt.timedelta(days=15)).isoformat())  # 一般: +15 days
    page.get_by_label("隐患等级").select_option("major")
    expect(deadline).to_have_value((today + dt.timedelta(days=30)).isoformat())  # 重大: +30 days

    # Typed the way people write dates, it becomes 2026-12-02 when the box is left.
    found.fill("2026/12/2")
    found.blur()
    expect(found).to_have_value("2026-12-02")
    found.fill("2026年12月2日")
    found.blur()
    expect(found).to_have_value("2026-12-02")

    # The picker: a Chinese calendar; picking the 2nd writes 2026-12-02.
    found.fill("2026-12-20")
    picker = found.locator("xpath=..").get_by_role("button", name="选择日期")
    picker.click()
    calendar = page.get_by_role("dialog", name="选择日期")
    expect(calendar).to_be_visible()
    expect(calendar).to_contain_text("2026年12月")
    expect(calendar).to_contain_text("一二三四五六日")
    calendar.get_by_role("button", name="2026年12月2日").click()
    expect(calendar).to_have_count(0)
    expect(found).to_have_value("2026-12-02")
    assert "/" not in found.input_value() and not re.search(r"\d{2}/\d{2}/\d{4}", page.content())

    # A nonsense date is refused in Chinese by the browser, and by the server whatever the browser did.
    found.fill("2026-02-30")
    found.blur()
    message = found.evaluate("el => el.validationMessage")
    assert "年-月-日" in message

    # File controls are Chinese too.
    expect(page.get_by_text("选择照片").first).to_be_visible()

    # A list's filter dates are the same control.
    page.goto(f"{live_server.url}/hazards/?found_from=2026-12-02")
    box = page.locator("input[name=found_from]")
    expect(box).to_have_attribute("type", "text")
    expect(box).to_have_value("2026-12-02")
    assert page.locator("input[type=date]").count() == 0
