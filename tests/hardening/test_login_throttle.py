"""Brute force: after AXES_FAILURE_LIMIT wrong passwords for one username from one IP, that pair is
locked out for AXES_COOLOFF_TIME on the login page, the token endpoint and the admin login — while the
same user from another address, and a colleague behind the same NAT address, still get in."""

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

LIMIT = getattr(settings, "AXES_FAILURE_LIMIT", 5)
NAT_IP = "10.8.0.1"


def fail_login(client, username: str, ip: str = NAT_IP, times: int = LIMIT) -> None:
    for _ in range(times):
        response = client.post("/login/", {"username": username, "password": "wrong-1"}, REMOTE_ADDR=ip)
        assert response.status_code in (200, 429)


def test_settings_lock_by_username_and_ip_for_a_while():
    assert 3 <= LIMIT <= 10
    assert settings.AXES_COOLOFF_TIME.total_seconds() >= 5 * 60
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]


def test_login_page_locks_out_after_repeated_failures_with_a_chinese_page(client, township_a_user):
    for _ in range(LIMIT - 1):
        response = client.post("/login/", {"username": "township_a", "password": "x"}, REMOTE_ADDR=NAT_IP)
        assert response.status_code == 200  # the form again, with its error
    response = client.post("/login/", {"username": "township_a", "password": "x"}, REMOTE_ADDR=NAT_IP)
    assert response.status_code == 429

    # Even the right password is refused now, with a page in Chinese that says for how long.
    response = client.post("/login/", {"username": "township_a", "password": "demo12345"}, REMOTE_ADDR=NAT_IP)
    assert response.status_code == 429
    body = response.content.decode()
    assert "登录失败次数过多" in body and "分钟" in body
    assert "_auth_user_id" not in client.session


def test_lockout_is_per_user_and_ip_so_a_colleague_behind_the_same_nat_still_logs_in(
    client, township_a_user, township_b_user
):
    fail_login(client, "township_a")
    colleague = client.post(
        "/login/", {"username": "township_b", "password": "demo12345"}, REMOTE_ADDR=NAT_IP
    )
    assert colleague.status_code == 302
    client.logout()
    # The locked user from another address (the office's other line) is not locked either.
    other_ip = client.post(
        "/login/", {"username": "township_a", "password": "demo12345"}, REMOTE_ADDR="10.9.0.2"
    )
    assert other_ip.status_code == 302


def test_success_before_the_limit_resets_the_count(client, township_a_user):
    fail_login(client, "township_a", times=LIMIT - 1)
    assert client.post("/login/", {"username": "township_a", "password": "demo12345"}, REMOTE_ADDR=NAT_IP)[
        "Location"
    ].endswith("/")
    client.logout()
    fail_login(client, "township_a", times=LIMIT - 1)
    ok = client.post("/login/", {"username": "township_a", "password": "demo12345"}, REMOTE_ADDR=NAT_IP)
    assert ok.status_code == 302


def test_token_endpoint_locks_out_with_429_in_chinese(api, township_a_user, township_b_user):
    for _ in range(LIMIT - 1):
        response = api.post(
            "/api/v1/auth/token/", {"username": "township_a", "password": "x"}, REMOTE_ADDR=NAT_IP
        )
        assert response.status_code == 400
    response = api.post(
        "/api/v1/auth/token/", {"username": "township_a", "password": "x"}, REMOTE_ADDR=NAT_IP
    )
    assert response.status_code == 429
    response = api.post(
        "/api/v1/auth/token/", {"username": "township_a", "password": "demo12345"}, REMOTE_ADDR=NAT_IP
    )
    assert response.status_code == 429
    assert "登录失败次数过多" in response.json()["detail"]
    assert "token" not in response.json()
    # Another user behind the same address still gets a token.
    assert (
        api.post(
            "/api/v1/auth/token/", {"username": "township_b", "password": "demo12345"}, REMOTE_ADDR=NAT_IP
        ).status_code
        == 200
    )


def test_failures_on_the_login_page_count_for_the_token_endpoint_too(client, api, township_a_user):
    fail_login(client, "township_a")
    response = api.post(
        "/api/v1/auth/token/", {"username": "township_a", "password": "demo12345"}, REMOTE_ADDR=NAT_IP
    )
    assert response.status_code == 429


def test_admin_login_locks_out(client, admin_user):
    for _ in range(LIMIT):
        client.post("/admin/login/", {"username": "admin", "password": "x"}, REMOTE_ADDR=NAT_IP)
    response = client.post(
        "/admin/login/", {"username": "admin", "password": "demo12345"}, REMOTE_ADDR=NAT_IP
    )
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()
    assert client.get("/admin/").status_code == 302  # still signed out


def test_unknown_user_failures_lock_that_name_only(client, township_a_user):
    fail_login(client, "nobody")
    ok = client.post("/login/", {"username": "township_a", "password": "demo12345"}, REMOTE_ADDR=NAT_IP)
    assert ok.status_code == 302


def test_a_forged_forwarded_for_header_does_not_escape_the_lockout_without_a_proxy(client, township_a_user):
    for i in range(LIMIT):
        client.post(
            "/login/",
            {"username": "township_a", "password": "x"},
            REMOTE_ADDR=NAT_IP,
            HTTP_X_FORWARDED_FOR=f"192.0.2.{i}",
        )
    response = client.post(
        "/login/",
        {"username": "township_a", "password": "demo12345"},
        REMOTE_ADDR=NAT_IP,
        HTTP_X_FORWARDED_FOR="192.0.2.99",
    )
    assert response.status_code == 429


def test_behind_a_trusted_proxy_the_client_address_comes_from_the_proxy(client, settings, township_a_user):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "127.0.0.1"
    # The proxy appends the address it saw; what the client wrote to the left is not believed.
    for i in range(LIMIT):
        client.post(
            "/login/",
            {"username": "township_a", "password": "x"},
            REMOTE_ADDR=proxy,
            HTTP_X_FORWARDED_FOR=f"198.51.100.{i}, {NAT_IP}",
        )
    locked = client.post(
        "/login/",
        {"username": "township_a", "password": "demo12345"},
        REMOTE_ADDR=proxy,
        HTTP_X_FORWARDED_FOR=NAT_IP,
    )
    assert locked.status_code == 429
    # The same user at another office, through the same proxy, is not locked.
    other = client.post(
        "/login/",
        {"username": "township_a", "password": "demo12345"},
        REMOTE_ADDR=proxy,
        HTTP_X_FORWARDED_FOR="10.9.0.2",
    )
    assert other.status_code == 302
