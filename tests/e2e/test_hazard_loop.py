"""The whole hazard loop with three people in three browsers: the officer records a hazard from a 不符合
item of an inspection, township A is told by the bell and opens the hazard from its notification,
logs a rectification with an after photo and submits it for 复查 in one step (on a phone-sized
screen), the officer is told by the bell that it awaits 复查, passes it from the 待复查 queue after
confirming 销号, and the hazard shows 已销号 with every step; township A is told it was closed."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from hazards.choices import HazardState
from hazards.models import Hazard
from tests.e2e.conftest import loaded_width, login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def noncompliant_record(officer, enterprise_a, district):
    from inspections.choices import CheckResultValue
    from inspections.models import CheckItem, InspectionKind
    from inspections.services import ResultData, VisitData, action_create

    item = CheckItem.objects.create(
        sector=enterprise_a.sectors.get(), code="JX-09", title="冲压设备防护装置缺失"
    )
    action = action_create(
        user=officer,
        date=timezone.localdate() - dt.timedelta(days=1),
        organizer=district.dept_emergency,
        kind=InspectionKind.objects.get(code="supervision"),
        members=[officer],
        enterprises=[enterprise_a],
        visits={
            enterprise_a.pk: VisitData(
                results=[ResultData(item.pk, CheckResultValue.NONCOMPLIANT, "2号冲床光电保护失效")],
                findings="冲床防护装置缺失",
            )
        },
    )
    return action.records.get()


def real_png(tmp_path):
    from PIL import Image, ImageDraw

    path = tmp_path / "after.png"
    image = Image.new("RGB", (320, 240), "white")
    ImageDraw.Draw(image).rectangle((40, 40, 280, 200), outline="green", width=8)
    image.save(path, "PNG")
    return path


def test_three_people_close_a_hazard(
    browser, live_server, sectors, officer, township_a_user, noncompliant_record, tmp_path
):
    # 1. The officer records the hazard from the 不符合 item on the inspection record.
    office = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    page = office.new_page()
    login(page, live_server, "officer")
    page.goto(f"{live_server.url}/inspections/records/{noncompliant_record.pk}/")
    row = page.locator("#result-table tr.result-noncompliant")
    expect(row).to_contain_text("冲压设备防护装置缺失")
    row.get_by_role("button", name="登记为隐患").click()
    page.wait_for_url(re.compile(r"/hazards/\d+/$"))
    hazard = Hazard.objects.get()
    expect(page.locator(".app-messages")).to_contain_text(f"已登记隐患：{hazard.number}")
    expect(page.locator("#hazard-state")).to_contain_text("待整改")
    expect(page.locator("#hazard-record-link")).to_be_visible()
    # The deadline of the one rule: inspection date (yesterday) + 15 days for a general hazard.
    assert hazard.deadline == noncompliant_record.action.date + dt.timedelta(days=15)

    # 2. Township A, on a phone, is told by the bell: it opens the notification, which leads to the
    #    hazard; in one move it logs the rectification with a photo and submits it for 复查 (the form's
    #    default choice); the page says who verifies.
    township = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport=PHONE)
    phone = township.new_page()
    login(phone, live_server, "township_a")
    bell = phone.locator("#app-bell")
    expect(bell).to_have_attribute("aria-label", re.compile(r"通知：1 条未读"))
    expect(phone.locator("#home-hazards")).to_contain_text(hazard.number)
    bell.click()
    phone.wait_for_url(f"{live_server.url}/accounts/notifications/")
    told = phone.locator("#notification-list li", has_text=hazard.number)
    expect(told).to_have_count(1)
    expect(told).to_contain_text(f"新登记隐患：{hazard.number}")
    expect(told).to_contain_text("请督促单位整改")
    told.get_by_role("button", name=re.compile(hazard.number)).click()
    phone.wait_for_url(f"{live_server.url}/hazards/{hazard.pk}/")
    expect(phone.locator("#app-bell")).not_to_have_attribute("aria-label", re.compile("未读"))
    panel = phone.locator("#panel-rectify")
    expect(panel).to_be_visible()
    panel.get_by_label("整改情况").fill("已为2号冲床加装光电保护装置并调试合格")
    panel.get_by_label("整改后照片").set_input_files(real_png(tmp_path))
    expect(panel.get_by_label("整改完成，提交复查")).to_be_checked()
    panel.get_by_role("button", name="提交").click()
    expect(phone.locator(".app-messages")).to_contain_text("已记录整改情况（照片 1 张）")
    expect(phone.locator(".app-messages")).to_contain_text("已提交复查")
    expect(phone.locator("#hazard-state")).to_contain_text("待复查")
    expect(phone.locator("#hazard-next-step")).to_contain_text("区安委办/应急局")
    photo = phone.locator("#hazard-timeline .hazard-photo img")
    expect(photo).to_have_count(1)
    assert loaded_width(photo) == 320  # served through the scope
    phone.screenshot(path=str(tmp_path / "township.png"), full_page=True)

    # 3. The officer is told by the bell that it awaits 复查, sees the photo beside the buttons in the
    #    待复查 queue and confirms 销号.
    page.goto(f"{live_server.url}/")
    expect(page.locator("#app-bell")).to_have_attribute("aria-label", re.compile(r"通知：\d+ 条未读"))
    page.locator("#app-bell").click()
    told = page.locator("#notification-list li", has_text=hazard.number)
    expect(told).to_have_count(1)
    expect(told).to_contain_text(f"待复查：{hazard.number}")
    expect(told).to_contain_text("已整改完成并申请复查")
    page.get_by_role("link", name="待复查").first.click()
    page.wait_for_url(f"{live_server.url}/hazards/verify/")
    queue_row = page.locator(f'.verify-row[data-hazard="{hazard.number}"]')
    expect(queue_row).to_contain_text("已为2号冲床加装光电保护装置")
    expect(queue_row.locator(".hazard-photo img")).to_have_count(1)
    dialogs = []

    def accept(dialog):
        dialogs.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    queue_row.get_by_role("button", name="通过", exact=True).click()
    expect(page.locator(".app-messages")).to_contain_text(f"复查通过，{hazard.number} 已销号")
    assert dialogs == [f"确认 {hazard.number} 复查通过并销号？"]
    expect(page.locator(f'.verify-row[data-hazard="{hazard.number}"]')).to_have_count(0)

    # The hazard page shows 已销号 and the whole story.
    page.goto(f"{live_server.url}/hazards/{hazard.pk}/")
    expect(page.locator("#hazard-state")).to_contain_text("已销号")
    timeline = page.locator("#hazard-timeline")
    kinds = timeline.locator("li").evaluate_all("items => items.map(i => i.dataset.kind)")
    assert kinds == ["created", "transition", "rectification", "transition", "transition"]
    expect(timeline).to_contain_text("已为2号冲床加装光电保护装置并调试合格")
    expect(timeline).to_contain_text("复查合格，予以销号")
    for state in ("待整改", "整改中", "待复查", "已销号"):
        expect(timeline).to_contain_text(state)
    hazard.refresh_from_db()
    assert hazard.state == HazardState.CLOSED and hazard.closed_on == timezone.localdate()
    users = set(hazard.events.values_list("user__username", flat=True))
    assert users == {"officer", "township_a"}

    # Township A is told it is closed.
    phone.goto(f"{live_server.url}/accounts/notifications/")
    expect(phone.locator("#notification-list li", has_text=f"隐患已销号：{hazard.number}")).to_have_count(1)
    office.close()
    township.close()
