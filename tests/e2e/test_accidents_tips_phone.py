"""事故 and 举报 on a phone (390 px): the officer records an accident and a report through the forms, the
lists and pages fit the screen, and a township user's report page shows no reporter."""

import pytest
from django.utils import timezone

from enforcement.models import Tip
from enforcement.services import TipData, tip_create
from hazards.models import Accident
from tests.e2e.conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def test_officer_records_an_accident_and_a_report_on_a_phone(
    page, live_server, officer, enterprise_a, district
):
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, live_server, officer.username)
    page.goto(f"{live_server.url}/hazards/accidents/new/")
    page.select_option("select[name=township]", label=district.township_a.name)
    page.fill("input[name=uscc]", enterprise_a.uscc)
    page.select_option("select[name=sector]", label="机械")
    page.select_option("select[name=category]", label="机械伤害")
    page.fill("input[name=injuries]", "1")
    page.fill("input[name=direct_loss]", "3.5")
    page.fill("textarea[name=summary]", "冲床压伤手指")
    assert overflow(page) <= 0
    page.get_by_role("button", name="登记").click()
    page.wait_for_selector("#accident-facts")
    assert Accident.objects.get().enterprise == enterprise_a
    assert overflow(page) <= 0
    page.goto(f"{live_server.url}/hazards/accidents/")
    assert page.locator("#accident-figures").is_visible() and overflow(page) <= 0

    page.goto(f"{live_server.url}/enforcement/tips/new/")
    page.select_option("select[name=channel]", label="12350")
    page.fill("input[name=reporter_name]", "王举报")
    page.fill("input[name=uscc]", enterprise_a.uscc)
    page.fill("textarea[name=content]", "车间通道堵塞")
    page.get_by_role("button", name="登记").click()
    page.wait_for_selector("#tip-facts")
    assert page.locator("#tip-reporter").inner_text().startswith("王举报")
    assert Tip.objects.get().township == district.township_a
    assert overflow(page) <= 0


def test_township_sees_no_reporter_on_a_phone(page, live_server, officer, township_a_user, enterprise_a):
    tip = tip_create(
        user=officer,
        data=TipData(
            received_on=timezone.localdate(),
            channel="12350",
            content="仓库住人",
            enterprise=enterprise_a,
            reporter_name="王举报",
        ),
    )
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, live_server, township_a_user.username)
    page.goto(f"{live_server.url}{tip.get_absolute_url()}")
    assert page.locator("#tip-reporter").count() == 0 and "王举报" not in page.content()
    assert overflow(page) <= 0
