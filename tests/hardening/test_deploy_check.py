"""`manage.py check --deploy` is clean with production settings; HSTS, the SSL redirect and the
proxy header come from the environment, the proxy header only when the operator says so."""

import os
import runpy
import secrets
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(64),
    "ALLOWED_HOSTS": "example.gov.cn",
    "SECURE_SSL_REDIRECT": "true",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
    "TESTING": "false",
}
# Variables the test's own environment may carry that a deployment would not.
NOT_DEPLOYED = ("TESTING", "DJANGO_ALLOW_ASYNC_UNSAFE", "TRUST_X_FORWARDED_PROTO", "SESSION_COOKIE_SECURE")


def test_check_deploy_is_clean_with_production_settings():
    env = {k: v for k, v in os.environ.items() if k not in NOT_DEPLOYED and not k.startswith("SECURE_")}
    env.update(PRODUCTION)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.fixture
def load(monkeypatch):
    """The settings module read afresh under the given environment (a plain module run, no Django set-up)."""

    def read(extra: dict[str, str]) -> dict:
        for name in list(os.environ):
            if name in NOT_DEPLOYED or name.startswith("SECURE_"):
                monkeypatch.delenv(name)
        for name, value in extra.items():
            monkeypatch.setenv(name, value)
        return runpy.run_path(str(settings.BASE_DIR / "safety_office" / "settings.py"))

    return read


def test_production_settings_read_hsts_redirect_and_secure_cookies(load):
    s = load(PRODUCTION)
    assert s["SECURE_HSTS_SECONDS"] == 31536000
    assert s["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert s["SECURE_SSL_REDIRECT"] is True
    assert s["SESSION_COOKIE_SECURE"] is True and s["CSRF_COOKIE_SECURE"] is True
    assert s["SECURE_PROXY_SSL_HEADER"] is None  # not trusted unless the operator says so


def test_proxy_header_only_when_the_operator_trusts_the_proxy(load):
    s = load({**PRODUCTION, "TRUST_X_FORWARDED_PROTO": "true"})
    assert s["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")


def test_debug_defaults_leave_https_off(load):
    s = load({"DEBUG": "true"})
    assert s["SECURE_HSTS_SECONDS"] == 0
    assert s["SECURE_SSL_REDIRECT"] is False
    assert s["SECURE_PROXY_SSL_HEADER"] is None
    assert s["SESSION_COOKIE_SECURE"] is False


def test_session_lifetime_and_token_ttl_come_from_the_environment(load):
    s = load({"SESSION_COOKIE_AGE_HOURS": "4", "TOKEN_TTL_HOURS": "2", "AXES_FAILURE_LIMIT": "3"})
    assert s["SESSION_COOKIE_AGE"] == 4 * 3600
    assert s["TOKEN_TTL_HOURS"] == 2
    assert s["AXES_FAILURE_LIMIT"] == 3


def test_a_malformed_hsts_value_stops_start_up_naming_the_variable(load):
    with pytest.raises(ImproperlyConfigured, match="SECURE_HSTS_SECONDS"):
        load({**PRODUCTION, "SECURE_HSTS_SECONDS": "a year"})
