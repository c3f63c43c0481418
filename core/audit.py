"""The audit log: who signed in and who took data out, one JSON line per event on the logger
"safety.audit" (kept at INFO in settings.LOGGING; an operator ships it with the rest of the log).

A log line rather than a table: nobody edits these records, the log collector keeps them as long as
the office's rules say, and a failed write to a table must never stop a user's export.
"""

import json
import logging
from typing import Any

from django.conf import settings
from django.http import HttpRequest

logger = logging.getLogger("safety.audit")

# Query parameters that are paging or noise, not a filter the user chose.
_NOT_FILTERS = {"page", "csrfmiddlewaretoken"}


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address, for the audit log and the brute-force lockout (AXES_CLIENT_IP_CALLABLE).

    REMOTE_ADDR, unless settings.TRUSTED_PROXY_COUNT proxies stand in front of the app: then the address
    that many entries from the right of X-Forwarded-For, the one our own outermost proxy wrote (what a
    client put further left is its own claim and is not believed).
    """
    if request is None:
        return None
    count = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if count > 0 and forwarded:
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        if hops:
            return hops[-count] if len(hops) >= count else hops[0]
    return request.META.get("REMOTE_ADDR")


def audit_event(event: str, **fields: Any) -> None:
    """Write one audit line: {"event": ..., **fields} as JSON, also on the record as `record.audit`."""
    payload = {"event": event, **fields}
    logger.info(json.dumps(payload, ensure_ascii=False, default=str), extra={"audit": payload})


def audit_export(request: HttpRequest, *, what: str, rows: int, obj: Any = None) -> None:
    """Record an export: who, from where, what (`what`, and the record `obj` for a one-record export),
    with which filters (the query string) and how many rows left the system."""
    user = getattr(request, "user", None)
    filters = {k: request.GET.get(k) for k in request.GET if k not in _NOT_FILTERS}
    audit_event(
        "export",
        user=getattr(user, "username", None),
        ip=client_ip(request),
        what=what,
        object=obj,
        filters=filters,
        rows=rows,
        path=request.path,
    )
