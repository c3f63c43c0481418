"""录入检查 on a phone (390 × 844): an officer enters an enforcement inspection step by step, and a
draft left after step 2 comes back with a fresh page load. Screenshots go to /tmp/h/entry_*.png."""

import datetime as dt
import io
from pathlib import Path

import pytest
from django.utils import timezone
from PIL import Image

from accounts.choices import Role
from accounts.models import User
from hazards.models import Hazard
from inspections.models import CheckItem, CheckResult, InspectionAction, InspectionDraft, InspectionRecord
from tests.e2e.conftest import loaded_width, login
from tests.factories import EnterpriseFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/h")
TOUCH_MIN_PX = 40  # a thumb needs about 44 CSS px; leave a little for rounding


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 390, "height": 844}, "has_touch": True}


@pytest.fixture
def field_setup(district, sectors):
    expiry = timezone.localdate() + dt.timedelta(days=365)
    officer = UserFactory(
        username="officer", name="周科长", role=Role.OFFICER, org_unit=district.dept_emergency
    )
    team = [
        UserFactory(
            name=name,
            role=Role.OFFICER,
            org_unit=district.dept_emergency,
            enforcement_cert_no=f"湘执00{i}",
            enforcement_cert_expiry=expiry,
        )
        for i, name in enumerate(["执法甲", "执法乙"])
    ]
    enterprise = EnterpriseFactory(
        name="东城精密机械有限公司", jurisdiction=district.community_a, sectors=[sectors["machinery"]]
    )
    EnterpriseFactory(
        name="西山建材厂", jurisdiction=district.township_b, sectors=[sectors["building-materials"]]
    )
    items = [
        CheckItem.objects.create(
            sector=sectors["machinery"], code="JX-01", title="机械设备防护罩、防护栏是否完好"
        ),
        CheckItem.objects.create(
            sector=sectors["industry-trade"], code="GM-01", title="有限空间作业是否审批并检测"
        ),
        CheckItem.objects.create(
            sector=sectors["industry-trade"], code="GM-02", title="安全生产责任制是否健全"
        ),
    ]
    return officer, team, enterprise, items


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "orange").save(buffer, format="PNG")
    return buffer.getvalue()


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"entry_{name}.png"), full_page=True)


def fill_step_one(page, team) -> None:
    page.select_option("#id_kind", label="日常检查")
    for member in team:
        page.locator("#id_members label", has_text=member.name).click()
    page.get_by_role("button", name="下一步").click()
    page.wait_for_url("**/step/2/")


def pick_enterprise(page, query: str, name: str) -> None:
    page.get_by_placeholder("单位名称或统一社会信用代码").fill(query)
    result = page.locator("#entry-results .entry-result", has_text=name)
    result.get_by_role("button", name="添加").click()
    page.wait_for_selector(f"#entry-chosen :text('{name}')")


def test_officer_enters_an_inspection_on_a_phone(page, live_server, field_setup):
    officer, team, enterprise, items = field_setup
    login(page, live_server, "officer")
    page.goto(f"{live_server.url}/inspections/new/")  # step 1; the draft is saved with 下一步
    assert no_horizontal_scroll(page)
    shot(page, "step1")
    fill_step_one(page, team)

    # The script's search: only enterprises in scope, added with a POST that saves the draft.
    page.get_by_placeholder("单位名称或统一社会信用代码").fill("机械")
    page.wait_for_selector("#entry-results .entry-result")
    pick_enterprise(page, "东城精密", enterprise.name)
    assert no_horizontal_scroll(page)
    shot(page, "step2")
    page.get_by_role("button", name="下一步").click()
    page.wait_for_url("**/step/3/")

    panel = page.locator(f"#panel-{enterprise.pk}")
    panel.locator("input[type=file]").set_input_files(
        files=[{"name": "现场.png", "mimeType": "image/png", "buffer": png_bytes()}]
    )
    panel.get_by_role("button", name="上传照片").click()
    page.wait_for_selector(f"#panel-{enterprise.pk} .entry-photo img")
    # The thumbnail comes through the scoped photo view: wait until the browser has decoded it.
    page.wait_for_function(
        "() => { const i = document.querySelector('.entry-photo img'); return i.complete; }"
    )
    assert page.evaluate("document.querySelector('.entry-photo img').naturalWidth") == 40
    for item, note in ((items[0], "冲床防护罩缺失"), (items[1], "有限空间作业未审批")):
        label = panel.locator(f"label[for='r-{enterprise.pk}-{item.pk}-noncompliant']")
        assert label.bounding_box()["height"] >= TOUCH_MIN_PX
        label.click()
        panel.locator(f"input[name='n-{enterprise.pk}-{item.pk}']").fill(note)
    panel.locator(f"label[for='r-{enterprise.pk}-{items[2].pk}-compliant']").click()
    panel.locator(f"#findings-{enterprise.pk}").fill("冲床防护罩缺失；有限空间作业未审批。")
    assert no_horizontal_scroll(page)
    shot(page, "step3")
    page.get_by_role("button", name="下一步").click()
    page.wait_for_url("**/step/4/")
    assert "不符合 2" in page.locator(f"#summary-{enterprise.pk}").inner_text()
    # Each 不符合 item is offered as a hazard, ticked, 一般, due in 15 days; 重大 opens 五落实.
    lines = page.locator("#entry-hazards .entry-hazard")
    assert lines.count() == 2
    assert all(lines.nth(i).locator("input[type=checkbox]").is_checked() for i in range(2))
    first = lines.nth(0)
    assert not first.locator("textarea[name$='-measures']").is_visible()
    first.locator("select[name$='-level']").select_option("major")
    assert first.locator("textarea[name$='-measures']").is_visible()
    due = first.locator("input[name$='-deadline']")
    assert due.input_value() == (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    first.locator("select[name$='-level']").select_option("general")
    assert due.input_value() == (timezone.localdate() + dt.timedelta(days=15)).isoformat()
    assert no_horizontal_scroll(page)
    shot(page, "step4")

    page.get_by_role("button", name="提交检查").click()
    page.wait_for_url("**/inspections/*/")
    action = InspectionAction.objects.get()
    record = InspectionRecord.objects.get()
    assert record.action == action and record.enterprise == enterprise
    noncompliant = CheckResult.objects.filter(record=record, result="noncompliant")
    assert {r.note for r in noncompliant} == {"冲床防护罩缺失", "有限空间作业未审批"}
    assert set(action.members.all()) == {officer, *team}  # the officer is on his own team by default
    assert action.number and action.number in page.locator("main").inner_text()
    assert not InspectionDraft.objects.exists()
    # The two findings are hazards, with the on-site photo, listed on the action page.
    hazards = list(Hazard.objects.filter(inspection_record=record).order_by("number"))
    assert {h.description for h in hazards} == {"冲床防护罩缺失", "有限空间作业未审批"}
    assert {h.check_result for h in hazards} == set(noncompliant)
    assert all(h.found_photos.count() == 1 for h in hazards)
    listed = page.locator("#action-hazards").inner_text()
    assert all(h.number in listed for h in hazards)
    assert no_horizontal_scroll(page)
    shot(page, "action_detail")

    page.locator("#record-list a").first.click()
    page.wait_for_selector("#result-table")
    assert page.locator("#result-table tr.result-noncompliant").count() == 2
    assert loaded_width(page.locator("#record-photos img").first) == 40
    assert record.photos.count() == 1
    assert no_horizontal_scroll(page)
    shot(page, "record_detail")

    page.goto(f"{live_server.url}{hazards[0].get_absolute_url()}")
    assert loaded_width(page.locator(".hazard-photo img").first) == 40  # the on-site photo, as found
    shot(page, "hazard_detail")


def test_a_draft_comes_back_after_a_fresh_page_load(page, live_server, field_setup):
    officer, team, enterprise, items = field_setup
    login(page, live_server, "officer")
    page.goto(f"{live_server.url}/inspections/new/")  # step 1; the draft is saved with 下一步
    fill_step_one(page, team)
    pick_enterprise(page, "东城精密", enterprise.name)

    # The connection dropped; later the officer opens the app again.
    page.context.clear_cookies()
    login(page, live_server, "officer")
    page.goto(f"{live_server.url}/inspections/new/")
    rows = page.locator("#draft-rows")
    assert enterprise.name in rows.inner_text()
    shot(page, "resume")
    rows.get_by_role("link", name="继续").click()
    page.wait_for_url("**/step/2/")
    assert enterprise.name in page.locator("#entry-chosen").inner_text()
    page.get_by_role("link", name="基本信息").click()
    for member in team:
        assert page.locator("#id_members label", has_text=member.name).locator("input").is_checked()
    assert page.locator("#id_kind option:checked").inner_text() == "日常检查"

    page.goto(f"{live_server.url}/inspections/drafts/")
    assert enterprise.name in page.locator("#draft-rows").inner_text()
    assert InspectionDraft.objects.get().owner == User.objects.get(username="officer")
