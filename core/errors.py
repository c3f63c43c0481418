"""A service's refusal, shown the same way everywhere: on a form, and as an API answer.

Services raise Django's ValidationError (a dict keyed by field, or a list) and PermissionDenied.
A ValidationError with code "stale_state" means the record moved under the caller (someone else
acted first): the API answers 409 so a client knows to refresh, not to fix its input.
"""

import sys

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext
from django.views import defaults
from rest_framework import status
from rest_framework.exceptions import APIException, NotFound, PermissionDenied, ValidationError
from rest_framework.views import exception_handler

STALE_STATE = "stale_state"


def form_add_errors(form, exc: DjangoValidationError) -> None:
    """Put a service's ValidationError onto a bound form: by field where the form has that field,
    else as a form-wide error, so nothing the service said is lost."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def is_stale(exc: DjangoValidationError) -> bool:
    return not hasattr(exc, "error_dict") and any(e.code == STALE_STATE for e in exc.error_list)


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "该记录的状态已变化，请刷新后再试。"
    default_code = STALE_STATE


def api_error(exc: DjangoValidationError, rename: dict[str, str] | None = None) -> APIException:
    """A service's ValidationError as the API answers it: 409 when the record moved under the caller,
    else a 400 keyed by the field names the client sent (`rename` maps the service's names to
    them), the Chinese messages kept."""
    if is_stale(exc):
        # The body names the code too, so a client can tell "refresh and look" from other refusals.
        return Conflict(detail={"detail": "".join(exc.messages), "code": STALE_STATE})
    detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
    errors: dict[str, list[str]] = {}
    for key, messages in detail.items():
        name = (rename or {}).get(key, key)
        errors.setdefault("non_field_errors" if name == "__all__" else name, []).extend(messages)
    return ValidationError(errors)


def api_exception_handler(exc, context):
    """REST_FRAMEWORK's EXCEPTION_HANDLER: a service's errors reach the client as 400 / 403 / 409.

    A view names the fields its client sends differently from the service's arguments in
    `service_error_fields` (e.g. {"enterprises": "records"}).
    """
    if isinstance(exc, DjangoValidationError):
        rename = getattr(context.get("view"), "service_error_fields", None)
        exc = api_error(exc, rename)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = PermissionDenied(str(exc) or None)
    return exception_handler(exc, context)


def page_not_found(request, exception):
    """handler404: an /api/ address that no route matches (a negative id, a typo) answers JSON like
    every other API 404, so a client reads one shape; pages keep the 404 page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": str(NotFound.default_detail)}, status=status.HTTP_404_NOT_FOUND)
    return defaults.page_not_found(request, exception)


def server_error(request):
    """handler500: the database down or restarting (no connection, a connection it dropped) answers 503
    with the 503 page (JSON under /api/) and Retry-After: it comes back by itself, and the next request
    after it does reconnects (CONN_HEALTH_CHECKS). Any other error is the 500 page. Both pages stand
    alone: no database, no request context."""
    exc = sys.exc_info()[1]
    if not isinstance(exc, (OperationalError, InterfaceError)):
        return defaults.server_error(request)
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {"detail": gettext("数据库暂时不可用，请稍后重试。")}, status=status.HTTP_503_SERVICE_UNAVAILABLE
        )
    else:
        response = HttpResponse(
            loader.get_template("503.html").render(), status=status.HTTP_503_SERVICE_UNAVAILABLE
        )
    response["Retry-After"] = "30"
    return response
