"""What every list page and export shares: pagination, the filter rule, the xlsx response."""

from urllib.parse import quote

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

PAGE_SIZE = 25
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def paginate(request: HttpRequest, queryset, per_page: int = PAGE_SIZE) -> Page:
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def filtered(filterset) -> QuerySet:
    """An invalid filter (say, a township outside the user's scope) matches nothing rather than
    being silently dropped: a list or export that ignored it would show more than was asked for."""
    return filterset.qs if filterset.is_valid() else filterset.queryset.none()


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    # RFC 5987 form, so the Chinese file name survives every browser.
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
