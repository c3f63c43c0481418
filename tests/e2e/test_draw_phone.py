"""双随机抽取 on a phone: an officer draws, confirms, and reads the public record at 390 px."""

import pytest
from django.core.management import call_command

from inspections.models import RandomDraw
from tests.e2e.conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_officer_draws_on_a_phone_and_sees_the_verified_record(page, live_server, sectors):
    call_command("seed_demo", "--seed", "7", "--enterprises", "150", verbosity=0)
    before = RandomDraw.objects.count()
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, live_server, "officer")
    page.goto(f"{live_server.url}/inspections/draws/new/")
    page.get_by_label("抽查事项").fill("手机端双随机抽查")
    page.get_by_label("抽取单位数").fill("3")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="抽取").click()
    page.wait_for_selector("#draw-result")

    assert RandomDraw.objects.count() == before + 1
    assert "结果与公布结果一致" in page.locator("#draw-verify").inner_text()
    assert page.locator("#draw-result tbody tr").count() == 3
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
