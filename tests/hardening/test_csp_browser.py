"""The main pages work under the strict Content-Security-Policy in Chromium (which enforces it): the
browser reports no violation, and the pages' own scripts still run."""

import pytest

from tests.e2e.conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PAGES = [
    "/",
    "/accounts/enterprises/",
    "/accounts/org-units/",
    "/inspections/",
    "/inspections/check-items/",
    "/inspections/new/",
    "/inspections/plans/",
    "/inspections/draws/",
    "/hazards/",
    "/campaigns/activities/",
    "/campaigns/activities/new/",
    "/imports/enterprises/",
    "/api/docs/",
    "/admin/",
    "/admin/accounts/user/add/",
]

WATCH = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", e => {
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + e.sourceFile + ":" + e.lineNumber);
});
"""


def test_main_pages_raise_no_csp_violation(page, live_server, admin_user, enterprise_a):
    console = []
    page.on("console", lambda m: console.append(m.text) if "Content Security Policy" in m.text else None)
    page.add_init_script(WATCH)
    login(page, live_server, "admin")
    seen = {}
    for url in PAGES:
        response = page.goto(f"{live_server.url}{url}")
        assert response.status == 200, url
        assert "Content-Security-Policy" in {k.title(): v for k, v in response.headers.items()}, url
        page.wait_for_load_state("networkidle")
        seen[url] = page.evaluate("window.__cspViolations")
    assert console == []
    assert {u: v for u, v in seen.items() if v} == {}
    # Swagger UI is drawn by its script from our origin: the script ran.
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".swagger-ui .info", timeout=15_000)


def test_an_inline_handler_would_be_caught(page, live_server, township_a_user):
    """The check above is not blind: an inline script on our page is refused and reported."""
    console = []
    page.on("console", lambda m: console.append(m.text))
    login(page, live_server, "township_a")
    page.evaluate("""() => { const b = document.createElement('button'); b.setAttribute('onclick', 'window.__x = 1');
        b.id = 'probe'; document.body.appendChild(b); }""")
    page.click("#probe")
    assert page.evaluate("window.__x") is None
    assert any("Content Security Policy" in line for line in console)


def test_check_item_sector_filter_submits_without_an_inline_handler(
    page, live_server, township_a_user, sectors
):
    login(page, live_server, "township_a")
    page.goto(f"{live_server.url}/inspections/check-items/")
    value = page.locator("#sector option").nth(1).get_attribute("value")
    page.select_option("#sector", value)
    page.wait_for_url(f"**/inspections/check-items/?sector={value}")
