"""A township user signs in and sees only its own enterprises, in Chinese; and imports a ledger through the
shared upload page, whose background job shows the errors by row and column, or the counts."""

import pytest
from django.core.management import call_command

from accounts.models import Enterprise, User
from tests.e2e.conftest import login
from tests.factories import enterprise_row, enterprise_xlsx

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


def test_township_user_imports_a_ledger_and_the_job_page_shows_the_result(
    page, live_server, township_a_user, tmp_path
):
    good = enterprise_row(单位名称="东城新登记五金店", 所属街道="东城街道/东城社区")
    outside = enterprise_row(单位名称="越界企业", 所属街道="西山镇")
    refused = tmp_path / "越界台账.xlsx"
    refused.write_bytes(enterprise_xlsx([good, outside]))
    accepted = tmp_path / "台账.xlsx"
    accepted.write_bytes(enterprise_xlsx([good]))

    login(page, live_server, "township_a")
    page.goto(f"{live_server.url}/accounts/enterprises/")
    page.get_by_role("link", name="导入").click()
    page.wait_for_selector("#import-form")
    assert "导入生产经营单位" in page.locator("h1").inner_text()

    # A row outside the township: nothing imported, the error named by row and column.
    page.locator("#import-form input[type=file]").set_input_files(str(refused))
    page.get_by_role("button", name="上传并导入").click()
    page.wait_for_selector("#import-result")
    errors = page.locator("#import-errors tbody").inner_text()
    assert "第3行" in errors and "所属街道" in errors and "「西山镇」不在您的管辖范围内" in errors
    assert not Enterprise.objects.exists()

    # The corrected file: the counts, and the way back to the list, where the new unit is.
    page.get_by_role("link", name="再导入一个文件").click()
    page.locator("#import-form input[type=file]").set_input_files(str(accepted))
    page.get_by_role("button", name="上传并导入").click()
    page.wait_for_selector("#import-result")
    assert "导入完成：新增 1 条，更新 0 条。" in page.locator("#import-result").inner_text()
    page.get_by_role("link", name="查看生产经营单位").click()
    page.wait_for_selector("#enterprise-table")
    assert page.locator("#enterprise-table tbody").inner_text().count("东城新登记五金店") == 1
