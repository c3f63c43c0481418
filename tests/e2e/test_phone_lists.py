"""The three long lists on a phone (390 px): no sideways scrolling, and the first row's grade/state is
on screen; file controls say 选择文件 in Chinese whatever the browser's language, and show the chosen name."""

import os
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.e2e.conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WIDTH = 390


def on_screen(locator) -> bool:
    box = locator.bounding_box()
    return locator.is_visible() and box is not None and box["x"] >= 0 and box["x"] + box["width"] <= WIDTH


def test_lists_and_file_controls_on_a_phone(page, live_server, sectors, tmp_path):
    shots = Path(os.environ.get("E2E_SHOTS") or tmp_path)  # E2E_SHOTS=/tmp keeps the screenshots to look at
    call_command("seed_demo", "--seed", "7", "--enterprises", "120", verbosity=0)
    page.set_viewport_size({"width": WIDTH, "height": 844})
    login(page, live_server, "officer")  # the whole district: every list has rows

    lists = {
        "/accounts/enterprises/": ("#enterprise-table", "td.col-grade", "td.col-status .badge"),
        "/inspections/": ("#action-table", "td.col-status .badge", "td.col-status .badge"),
        "/hazards/": ("#hazard-table", "td.col-level", "td:first-child .badge"),
    }
    for n, (path, (table, grade, state)) in enumerate(lists.items()):
        page.goto(f"{live_server.url}{path}")
        page.wait_for_selector(table)
        assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH, path
        row = page.locator(f"{table} tbody tr").first
        assert on_screen(row.locator(grade).first), path
        assert on_screen(row.locator(state).first), path
        page.screenshot(path=str(shots / f"list-{n}.png"), full_page=True)

    page.goto(f"{live_server.url}/imports/enterprises/")
    picker = page.locator("#import-form .file-pick")
    assert picker.get_by_text("选择文件", exact=True).is_visible()
    assert picker.get_by_text("未选择文件").is_visible()
    xlsx = tmp_path / "单位台账.xlsx"
    xlsx.write_bytes(b"not really a workbook")
    page.locator("#import-form input[type=file]").set_input_files(str(xlsx))
    assert picker.get_by_text("单位台账.xlsx").is_visible()
    page.screenshot(path=str(shots / "import.png"), full_page=True)

    # Still the input itself that takes the focus, and the Chinese button opens its picker.
    file_input = page.locator("#import-form input[type=file]")
    file_input.focus()
    assert page.evaluate("document.activeElement.type") == "file"
    with page.expect_file_chooser() as chooser:
        picker.locator("label").click()
    assert chooser.value.element.evaluate("el => el.id") == file_input.get_attribute("id")
