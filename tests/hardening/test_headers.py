"""Cookies, security headers and the Content-Security-Policy on every page; the API schema and docs
only for signed-in users."""

import re
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)


def directives(header: str) -> dict[str, list[str]]:
    out = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


def test_session_and_csrf_cookie_settings():
    assert settings.SESSION_COOKIE_AGE <= 12 * 3600  # a working day, not two weeks
    assert settings.SESSION_COOKIE_HTTPONLY
    assert settings.CSRF_COOKIE_HTTPONLY  # no script reads the cookie: forms carry the token
    assert settings.SESSION_COOKIE_SAMESITE == "Lax"
    assert settings.CSRF_COOKIE_SAMESITE == "Lax"


@pytest.mark.parametrize("url", ["/login/", "/", "/accounts/enterprises/", "/hazards/", "/admin/"])
def test_pages_carry_the_security_headers(client, officer, admin_user, url):
    if url != "/login/":
        client.force_login(admin_user if url.startswith("/admin") else officer)
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    csp = directives(response["Content-Security-Policy"])
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]  # no inline script, no eval
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert csp["form-action"] == ["'self'"]
    assert csp["img-src"] == ["'self'", "data:"]
    assert csp["style-src"][0] == "'self'"


def test_the_api_carries_the_headers_too(api, officer):
    api.force_authenticate(officer)
    response = api.get("/api/v1/enterprises/")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" in response


def template_files():
    for folder in [ROOT / "templates", *ROOT.glob("*/templates")]:
        yield from folder.rglob("*.html")


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.I)
JS_URL = re.compile(r"(href|src|action)\s*=\s*[\"']\s*javascript:", re.I)


def test_templates_have_no_inline_scripts_or_event_handlers():
    offenders = []
    for path in template_files():
        text = path.read_text(encoding="utf-8")
        # Comments may talk about <script>; only markup counts.
        text = re.sub(r"{#.*?#}|{% comment %}.*?{% endcomment %}", "", text, flags=re.S)
        for pattern in (INLINE_SCRIPT, INLINE_HANDLER, JS_URL):
            offenders += [f"{path.relative_to(ROOT)}: {m.group(0)[:60]}" for m in pattern.finditer(text)]
    assert offenders == []


@pytest.mark.parametrize("url", ["/api/schema/", "/api/docs/"])
def test_schema_and_docs_need_a_signed_in_user(client, url):
    response = client.get(url)
    assert response.status_code in (302, 401, 403)
    if response.status_code == 302:
        assert response["Location"].startswith("/login/")


@pytest.mark.parametrize("url", ["/api/schema/", "/api/docs/"])
def test_schema_and_docs_for_a_signed_in_user(client, officer, url):
    client.force_login(officer)
    assert client.get(url).status_code == 200


def test_docs_page_loads_its_script_from_our_origin(client, officer):
    client.force_login(officer)
    html = client.get("/api/docs/").content.decode()
    assert not INLINE_SCRIPT.search(html)
