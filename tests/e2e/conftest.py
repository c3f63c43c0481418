"""Browser tests in Debian's Chromium, driven by Playwright (never `playwright install`)."""

import os
import shutil

import pytest

# Playwright's sync API runs an event loop in this thread; Django's async-safety guard would
# otherwise refuse the test's own ORM calls made next to it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: ./scripts/test installs Debian's chromium package")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}


def login(page, live_server, username: str, password: str = "demo12345") -> None:
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")


def loaded_width(locator) -> int:
    """The natural width of an <img> once the browser has fetched and decoded it (thumbnails are
    lazy and come through a scoped view, so the element exists before its picture does)."""
    locator.scroll_into_view_if_needed()
    locator.page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=locator.element_handle(), timeout=10_000
    )
    return locator.evaluate("img => img.naturalWidth")
