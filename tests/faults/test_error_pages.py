"""The error handler (handler500) tells a database outage from a bug: the first answers 503 with the
"数据库暂时不可用" page (JSON under /api/) and Retry-After, the second the plain 500 page; neither shows
a traceback. The live restart of a real Postgres is in test_postgres_restart.py."""

import json

from django.db import InterfaceError, OperationalError
from django.test import RequestFactory

from core.errors import server_error


def answer_to(exc: Exception, path: str = "/hazards/"):
    request = RequestFactory().get(path)
    try:
        raise exc
    except Exception:
        return server_error(request)  # as Django calls it: while the exception is being handled


def test_a_database_that_is_down_answers_the_503_page():
    response = answer_to(OperationalError('connection to server at "127.0.0.1" failed: Connection refused'))

    html = response.content.decode()
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert "数据库暂时不可用" in html
    assert "Connection refused" not in html and "127.0.0.1" not in html


def test_a_connection_the_database_dropped_answers_503_too():
    assert answer_to(InterfaceError("connection already closed")).status_code == 503


def test_the_api_gets_the_503_as_json():
    response = answer_to(
        OperationalError("server closed the connection unexpectedly"), "/api/v1/enterprises/"
    )

    assert response.status_code == 503 and response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {"detail": "数据库暂时不可用，请稍后重试。"}


def test_any_other_error_is_the_500_page_not_the_503():
    response = answer_to(ValueError("a bug"))

    html = response.content.decode()
    assert response.status_code == 500
    assert "系统出了点问题" in html and "数据库暂时不可用" not in html and "a bug" not in html
