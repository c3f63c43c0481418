"""活动台账 on a phone (390 px): the form offers only the chosen kind's sub-types, shows the 约谈
fields only for a 约谈, adds quantity lines without a reload, and the list and page fit the screen."""

import pytest

from campaigns.models import Activity
from tests.e2e.conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def visible_subtypes(page) -> list[str]:
    return page.evaluate(
        "Array.from(document.querySelectorAll('select[name=subtype] option'))"
        ".filter(o => !o.hidden && o.value).map(o => o.textContent.trim())"
    )


def test_township_records_an_activity_on_a_phone(page, live_server, township_a_user):
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, live_server, township_a_user.username)
    page.goto(f"{live_server.url}/campaigns/activities/new/")

    talk_reason = page.locator("textarea[name=talk_reason]")
    page.select_option("select[name=type]", label="会议")
    subtypes = visible_subtypes(page)
    assert "约谈" in subtypes and "安全生产月" not in subtypes
    assert not talk_reason.is_visible()
    page.select_option("select[name=subtype]", label="约谈")
    assert talk_reason.is_visible()

    page.select_option("select[name=type]", label="宣传")
    assert "安全生产月" in visible_subtypes(page) and "约谈" not in visible_subtypes(page)
    page.select_option("select[name=subtype]", label="安全生产月")
    assert not talk_reason.is_visible()
    page.fill("input[name=theme]", "安全生产月进企业宣传")
    page.fill("input[name=participants]", "180")
    page.select_option("select[name=quantities-0-unit]", label="横幅（条）")
    page.fill("input[name=quantities-0-amount]", "20")
    page.click("[data-formset-add]")
    page.select_option("select[name=quantities-3-unit]", label="展板（块）")
    page.fill("input[name=quantities-3-amount]", "6")
    assert overflow(page) <= 0
    page.get_by_role("button", name="保存").click()
    page.wait_for_selector("#activity-quantity-table")
    assert overflow(page) <= 0

    activity = Activity.objects.get()
    assert {q.unit.code: q.amount for q in activity.quantities.all()} == {"banner": 20, "board": 6}
    page.goto(f"{live_server.url}/campaigns/activities/")
    assert page.locator("#activity-table a", has_text="安全生产月进企业宣传").count() == 1
    assert overflow(page) <= 0
