"""One visit of the matrix: the request, in a savepoint rolled back afterwards, so an empty POST that
did change something (marked a notification read, discarded a draft) leaves the world as it was."""

import traceback
from dataclasses import dataclass

from django.db import transaction
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from .routes import Cell

SERVER_ERROR = 500


@dataclass
class Answer:
    status: int
    location: str = ""
    content_type: str = ""
    body: bytes = b""
    error: str = ""  # the exception a view raised (the test client re-raises it): a 500 to the user


def visit(client: Client, cell: Cell, *, keep_body: bool = False) -> Answer:
    api = cell.route.kind == "api"
    kwargs: dict = {"HTTP_ACCEPT": "application/json"} if api else {}
    if api and cell.method != "GET":
        if cell.multipart:
            kwargs.update(data=encode_multipart(BOUNDARY, {}), content_type=MULTIPART_CONTENT)
        else:
            kwargs.update(data="{}", content_type="application/json")
    try:
        with transaction.atomic():
            if api:
                response = client.generic(cell.method, cell.url, **kwargs)
            else:  # an empty form, as a browser sends it
                response = getattr(client, cell.method.lower())(cell.url)
            # Read a file to its end: the test client's wrapper then closes it without closing the
            # database connection (a bare close() would, inside this savepoint).
            body = b"".join(response.streaming_content) if response.streaming else response.content
            transaction.set_rollback(True)
    except Exception as exc:  # noqa: BLE001 - any exception out of a view is the user's 500
        return Answer(SERVER_ERROR, error=f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=-3)}")
    return Answer(
        response.status_code,
        location=response.get("Location", ""),
        content_type=response.get("Content-Type", ""),
        body=body if keep_body else b"",
    )
