"""A township user signs in to the demo district and sees only its own enterprises, in Chinese."""

import pytest
from django.core.management import call_command

from accounts.models import Enterprise, User
from tests.e2e.conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_township_user_sees_only_own_enterprises_in_chinese(page, live_server, sectors):
    call_command("seed_demo", "--seed", "7", "--enterprises", "120", verbosity=0)
    township = User.objects.get(username="township").org_unit
    own = set(
        Enterprise.objects.filter(jurisdiction__path__startswith=township.path).values_list("name", flat=True)
    )
    others = set(Enterprise.objects.values_list("name", flat=True)) - own
    assert own and others  # the demo has both, or the test would prove nothing

    login(page, live_server, "township")
    page.get_by_role("link", name="生产经营单位").first.click()
    page.wait_for_selector("#enterprise-table")

    assert page.locator("html").get_attribute("lang") == "zh-hans"
    header = page.locator("#enterprise-table thead").inner_text()
    assert "单位名称" in header and "统一社会信用代码" in header

    shown = set()
    while True:
        shown |= set(page.locator("#enterprise-table tbody tr td:first-child a").all_inner_texts())
        next_link = page.locator("a[rel=next]")
        if next_link.count() == 0:
            break
        next_link.first.click()
        page.wait_for_load_state()
    assert shown == own
    assert not shown & others
