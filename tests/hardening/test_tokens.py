"""API tokens expire after TOKEN_TTL_HOURS and are revoked on logout (the web logout and
POST /api/v1/auth/logout/)."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def obtain(username: str = "township_a") -> str:
    response = APIClient().post("/api/v1/auth/token/", {"username": username, "password": "demo12345"})
    assert response.status_code == 200, response.content
    return response.json()["token"]


def with_token(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def age(key: str, hours: float) -> None:
    Token.objects.filter(key=key).update(created=timezone.now() - timedelta(hours=hours))


def test_default_ttl_is_twelve_hours():
    assert settings.TOKEN_TTL_HOURS == 12


def test_a_fresh_token_works(township_a_user):
    assert with_token(obtain()).get("/api/v1/enterprises/").status_code == 200


def test_a_token_older_than_the_ttl_is_refused_with_401_in_chinese(township_a_user):
    key = obtain()
    age(key, settings.TOKEN_TTL_HOURS + 0.1)
    response = with_token(key).get("/api/v1/enterprises/")
    assert response.status_code == 401
    assert "过期" in response.json()["detail"]
    # Just inside the TTL it still works.
    age(key, settings.TOKEN_TTL_HOURS - 0.1)
    assert with_token(key).get("/api/v1/enterprises/").status_code == 200


def test_asking_again_after_expiry_gives_a_new_working_token(township_a_user):
    old = obtain()
    age(old, settings.TOKEN_TTL_HOURS + 1)
    new = obtain()
    assert new != old
    assert with_token(new).get("/api/v1/enterprises/").status_code == 200
    assert with_token(old).get("/api/v1/enterprises/").status_code == 401


def test_asking_again_within_the_ttl_returns_the_same_token(township_a_user):
    assert obtain() == obtain()


def test_api_logout_deletes_the_calling_token(township_a_user, township_b_user):
    key = obtain()
    other = obtain("township_b")
    client = with_token(key)
    assert client.post("/api/v1/auth/logout/").status_code == 204
    assert client.get("/api/v1/enterprises/").status_code == 401
    assert not Token.objects.filter(key=key).exists()
    # Another user's token is untouched.
    assert with_token(other).get("/api/v1/enterprises/").status_code == 200


def test_api_logout_needs_a_signed_in_caller():
    assert APIClient().post("/api/v1/auth/logout/").status_code == 401


def test_leader_read_only_role_may_still_log_out(leader):
    key = obtain("leader")
    assert with_token(key).post("/api/v1/auth/logout/").status_code == 204
    assert not Token.objects.filter(key=key).exists()


def test_web_logout_revokes_the_users_tokens(client, township_a_user, township_b_user):
    key = obtain()
    other = obtain("township_b")
    client.force_login(township_a_user)
    assert client.post("/logout/").status_code == 302
    assert with_token(key).get("/api/v1/enterprises/").status_code == 401
    assert with_token(other).get("/api/v1/enterprises/").status_code == 200
