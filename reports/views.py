"""The 统计 page (the dashboard), the drill-down behind each figure, 重新计算, and the leader's home panel.

Views parse the period and scope, call the selectors (reports.selectors_dashboard) and render. A
scope the user may not see, or that does not exist, is a 404, as is an unknown figure.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.lists import paginate

from . import drill, services
from . import selectors_dashboard as dash
from .periods import Period, today
from .permissions import can_recompute
from .registry import Window, get_metric
from .scopes import StatsScope, scope_allowed, scope_default, scope_parse, scopes_for_user
from .selectors_evaluation import dashboard_panel

YEARS_BACK = 5
_QUARTERS = ("一", "二", "三", "四")


# ---------------------------------------------------------------- parsing


def _period(params, *, default_kind: str = "year") -> Period:
    """`period` ("2026-Q3"), or `year` with `part` ("", "H1", "Q3", "M03") as the picker sends them;
    this year by default. ValueError (with a Chinese message) when it cannot be read."""
    text = (params.get("period") or "").strip()
    if not text and params.get("year"):
        part = (params.get("part") or "").strip()
        text = f"{params['year']}-{part}" if part else params["year"]
    if not text:
        return Period.containing(default_kind, today())
    return Period.parse(text)


def _scope(request: HttpRequest, params) -> StatsScope:
    """The scope asked for (`scope`), or the user's own; 404 when it does not exist or is not theirs."""
    code = (params.get("scope") or "").strip()
    if code:
        try:
            stats_scope = scope_parse(code)
        except ValueError as exc:
            raise Http404 from exc
    else:
        stats_scope = scope_default(request.user)
    if stats_scope is None or not scope_allowed(request.user, stats_scope):
        raise Http404
    return stats_scope


def _period_choices() -> list[dict]:
    """The picker's second select: the year, its halves, quarters and months."""
    groups = [
        {"label": _("年度"), "options": [{"value": "", "label": _("全年")}]},
        {
            "label": _("半年"),
            "options": [{"value": "H1", "label": _("上半年")}, {"value": "H2", "label": _("下半年")}],
        },
        {
            "label": _("季度"),
            "options": [
                {"value": f"Q{n}", "label": _("第%(n)s季度") % {"n": q}} for n, q in enumerate(_QUARTERS, 1)
            ],
        },
        {
            "label": _("月份"),
            "options": [{"value": f"M{m:02d}", "label": _("%(m)s月") % {"m": m}} for m in range(1, 13)],
        },
    ]
    return groups


def _part(period: Period) -> str:
    key = period.key
    return key.split("-", 1)[1] if "-" in key else ""


# ---------------------------------------------------------------- the 统计 page


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    period_error = ""
    try:
        period = _period(request.GET)
    except ValueError as exc:
        period_error, period = str(exc), Period.containing("year", today())
    stats_scope = _scope(request, request.GET)
    stored = dash.stored_figures(period, stats_scope)
    metrics = dash.metrics_by_key(stored.figures)
    this_year = today().year
    scopes = scopes_for_user(user)
    context = {
        "period": period,
        "period_error": period_error,
        "part": _part(period),
        "years": list(range(this_year, this_year - YEARS_BACK - 1, -1)),
        "period_choices": _period_choices(),
        "stats_scope": stats_scope,
        "scopes": scopes,
        "stored": stored,
        "key_items": stored.items(dash.KEY_METRICS),
        "groups": stored.by_domain(),
        "trend": dash.trend(period, stats_scope, metrics),
        # Only a district-wide user sees the district, and their scope list holds every township.
        "ranking": dash.township_ranking(period, metrics, scopes) if stats_scope.is_district else None,
        "listed": dash.listed_now(user=user, stats_scope=stats_scope),
        "cases": dash.cases_near_deadline(user=user, stats_scope=stats_scope),
        "can_recompute": can_recompute(user),
        "evaluation_panel": dashboard_panel(user),
        "self_url": dash.dashboard_url(period, stats_scope),
    }
    return render(request, "reports/dashboard.html", context)


# ---------------------------------------------------------------- the records behind a figure


@login_required
@require_GET
def figure(request: HttpRequest, key: str) -> HttpResponse:
    try:
        metric = get_metric(key)
        dates = drill.date_range(request.GET)  # a campaign report's days (工作总结), else a period
        period = _period(request.GET) if dates is None else dates
    except (KeyError, ValueError) as exc:
        raise Http404 from exc
    if metric.records is None:
        raise Http404
    stats_scope = _scope(request, request.GET)
    window = Window(period.start, period.end, stats_scope.scope)
    queryset = drill.in_user_scope(metric.records(window), request.user)
    layout = drill.layout_for(queryset.model)
    page_obj = paginate(request, drill.prepared(queryset, layout))
    stored = dash.stored_figure(period, stats_scope, key) if dates is None else None
    back = period if dates is None else Period.containing("year", dates.start)
    return render(
        request,
        "reports/figure.html",
        {
            "metric": metric,
            "period": period,
            "stats_scope": stats_scope,
            "stored": stored,
            "page_obj": page_obj,
            "columns": layout.columns,
            "rows": drill.rows(page_obj.object_list, layout),
            "back_url": dash.dashboard_url(back, stats_scope),
        },
    )


# ---------------------------------------------------------------- 重新计算


@login_required
@require_POST
def recompute(request: HttpRequest) -> HttpResponse:
    """Queue a fresh computation of the period and scope (and of the months of its trend not computed
    yet), for the district office; the page says the figures wait for it."""
    if not can_recompute(request.user):
        raise PermissionDenied
    try:
        period = _period(request.POST)
    except ValueError as exc:
        raise Http404 from exc
    stats_scope = _scope(request, request.POST)
    for wanted in [period, *dash.trend_months_missing(period, stats_scope)]:
        services.rollup_request_recompute(period=wanted, stats_scope=stats_scope, user=request.user)
    messages.success(request, _("已提交重新计算，稍后刷新"))
    back = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = dash.dashboard_url(period, stats_scope)
    return redirect(back or dash.dashboard_url(period, stats_scope))


# ---------------------------------------------------------------- the leader's home page


def home_figures_panel(request: HttpRequest) -> dict | None:
    """This year's key figures of the leader's scope with 同比, from the stored roll-up."""
    stats_scope = scope_default(request.user)
    if stats_scope is None:
        return None
    period = Period.containing("year", today())
    stored = dash.stored_figures(period, stats_scope)
    return {
        "period": period,
        "stats_scope": stats_scope,
        "stored": stored,
        "items": stored.items(dash.KEY_METRICS),
        "dashboard_url": dash.dashboard_url(period, stats_scope),
    }
