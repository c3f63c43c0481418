"""检查计划 on a phone (390 px): the list and a plan's page fit the screen, and a plan with an added
target line can be made through the form."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from inspections.models import InspectionPlan
from tests.e2e.conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def test_township_user_makes_a_plan_on_a_phone(page, live_server, sectors):
    call_command("seed_demo", "--seed", "7", "--enterprises", "120", verbosity=0)
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, live_server, "township")

    page.goto(f"{live_server.url}/inspections/plans/")
    assert page.locator("#plan-list a").count() >= 1 and overflow(page) <= 0
    page.locator("#plan-list a").first.click()
    page.wait_for_selector("#plan-target-cards")
    assert "已完成家次" in page.content() and overflow(page) <= 0

    page.goto(f"{live_server.url}/inspections/plans/new/")
    # Two months on: the demo has plans for this month and the last.
    month = (timezone.localdate().month + 1) % 12 + 1
    page.get_by_label("月份").select_option(label=f"{month}月")
    page.get_by_label("计划名称").fill("十二月安全检查计划")
    page.fill("input[name=targets-0-target_visits]", "6")
    page.click("[data-formset-add]")
    page.select_option("select[name=targets-3-kind]", label="专项检查")
    page.fill("input[name=targets-3-target_visits]", "3")
    assert overflow(page) <= 0
    page.get_by_role("button", name="保存").click()
    page.wait_for_selector("#plan-target-cards")

    plan = InspectionPlan.objects.get(title="十二月安全检查计划")
    assert plan.month == month and sorted(t.target_visits for t in plan.targets.all()) == [3, 6]
