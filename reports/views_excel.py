"""The statistics workbook as a download: /reports/stats.xlsx?period=2026-Q1&scope=district."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from core.lists import xlsx_response

from .excel import stats_filename, stats_workbook_bytes
from .periods import Period, today
from .scopes import scope_allowed, scope_default, scope_parse


@login_required
@require_GET
def stats_xlsx(request: HttpRequest) -> HttpResponse:
    """`period` (default: this quarter) and `scope` (default: the user's own); a scope the user may not
    see, or that does not exist, is 404; a period that cannot be read is a 400 page saying why."""
    try:
        period = (
            Period.parse(request.GET["period"])
            if "period" in request.GET
            else Period.containing("quarter", today())
        )
    except ValueError as exc:
        return render(request, "reports/stats_bad_request.html", {"message": str(exc)}, status=400)
    code = request.GET.get("scope")
    if code:
        try:
            stats_scope = scope_parse(code)
        except ValueError as exc:
            raise Http404 from exc
    else:
        stats_scope = scope_default(request.user)
    if stats_scope is None or not scope_allowed(request.user, stats_scope):
        raise Http404
    return xlsx_response(stats_workbook_bytes(period, stats_scope), stats_filename(period, stats_scope))
