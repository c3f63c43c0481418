"""Pages for the home screens, the enterprise registry and the organisation tree.

Views parse, call a selector or a service, and render; every record goes through the scoping rule.
"""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.audit import audit_export
from core.errors import form_add_errors
from core.lists import filtered, paginate, xlsx_response
from core.panels import HOME, panels_for

from . import selectors, services
from .choices import Role
from .excel import enterprise_export as build_export
from .filtersets import EnterpriseFilterSet
from .forms import EnterpriseForm
from .scoping import can_write, scope_for

# ---------------------------------------------------------------- home pages, one per role

HOME_TEMPLATES = {
    Role.ADMIN: "accounts/home_admin.html",
    Role.OFFICER: "accounts/home_officer.html",
    Role.DEPARTMENT: "accounts/home_unit.html",
    Role.TOWNSHIP: "accounts/home_unit.html",
    Role.LEADER: "accounts/home_leader.html",
}


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each role lands on its own page: the officer's work queue, the unit's list, the leader's dashboard."""
    user = request.user
    enterprises = selectors.enterprise_list(user=user)
    grade_counts = selectors.enterprise_grade_counts(user=user)
    list_url = reverse("accounts:enterprise_list")
    for row in grade_counts:
        if row["grade"] is not None:
            row["url"] = f"{list_url}?status=operating&risk_grade={row['grade'].pk}"
    context = {
        "grade_counts": grade_counts,
        "enterprise_total": enterprises.count(),
        "can_write": can_write(user),
    }
    if user.role == Role.LEADER or user.role == Role.OFFICER:
        context["township_counts"] = selectors.township_enterprise_counts(user=user)
    if user.role in (Role.TOWNSHIP, Role.DEPARTMENT, Role.OFFICER):
        context["recent_enterprises"] = enterprises.order_by("-updated")[:10]
    if user.role == Role.ADMIN or user.is_superuser:
        context.update(selectors.admin_overview())
    # Work queues of the apps above accounts (hazards to follow, 待复查 …), registered in accounts.home.
    context["home_panels"] = panels_for(HOME, request)
    template = HOME_TEMPLATES.get(user.role, "accounts/home_unit.html")
    if user.is_superuser:
        template = HOME_TEMPLATES[Role.ADMIN]
    return render(request, template, context)


# ---------------------------------------------------------------- enterprises


def _enterprise_filter(request: HttpRequest) -> EnterpriseFilterSet:
    return EnterpriseFilterSet(
        request.GET, queryset=selectors.enterprise_list(user=request.user), request=request
    )


@login_required
def enterprise_list(request: HttpRequest) -> HttpResponse:
    filterset = _enterprise_filter(request)
    page_obj = paginate(request, filtered(filterset))
    return render(
        request,
        "accounts/enterprise_list.html",
        {
            "filter_form": filterset.form,
            "page_obj": page_obj,
            "enterprises": page_obj.object_list,
            "can_write": can_write(request.user),
            "querystring": request.GET.urlencode(),
        },
    )


@login_required
def enterprise_export(request: HttpRequest) -> HttpResponse:
    """The filtered list as Excel: the same filters, the same scope as the page."""
    filterset = _enterprise_filter(request)
    queryset = filtered(filterset)
    content = build_export(queryset=queryset)
    audit_export(request, what="enterprises", rows=queryset.count())
    stamp = timezone.localdate().strftime("%Y%m%d")
    return xlsx_response(content, f"生产经营单位_{stamp}.xlsx")


# The enterprise's whole story: the apps above add their part (inspections, hazards, later cases and
# accidents) as panels on ENTERPRISE_DETAIL, and their buttons (录入检查) on ENTERPRISE_ACTIONS.
ENTERPRISE_DETAIL = "accounts.enterprise_detail"
ENTERPRISE_ACTIONS = "accounts.enterprise_detail.actions"


@login_required
def enterprise_detail(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = selectors.enterprise_get(user=request.user, pk=pk)
    writable = selectors.enterprise_can_change(user=request.user, pk=pk)
    return render(
        request,
        "accounts/enterprise_detail.html",
        {
            "enterprise": enterprise,
            "history": selectors.enterprise_history(enterprise=enterprise),
            "grade_history": selectors.enterprise_grade_history(enterprise=enterprise),
            "can_edit": writable,
            "panels": panels_for(ENTERPRISE_DETAIL, request, enterprise=enterprise),
            "actions": panels_for(ENTERPRISE_ACTIONS, request, enterprise=enterprise),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def enterprise_create(request: HttpRequest) -> HttpResponse:
    if not can_write(request.user):
        raise PermissionDenied
    form = EnterpriseForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            enterprise = services.enterprise_create(user=request.user, data=form.to_data())
        except ValidationError as exc:
            form_add_errors(form, exc)
        else:
            messages.success(request, _("已登记：%(name)s") % {"name": enterprise.name})
            return redirect(enterprise)
    return render(request, "accounts/enterprise_form.html", {"form": form, "is_new": True})


@login_required
@require_http_methods(["GET", "POST"])
def enterprise_edit(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = selectors.enterprise_get(user=request.user, pk=pk)
    if not selectors.enterprise_can_change(user=request.user, pk=pk):
        raise PermissionDenied
    form = EnterpriseForm(request.POST or None, instance=enterprise, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            enterprise = services.enterprise_update(
                user=request.user,
                enterprise=enterprise,
                data=form.to_data(),
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as exc:
            form_add_errors(form, exc)
        else:
            messages.success(request, _("已保存：%(name)s") % {"name": enterprise.name})
            return redirect(enterprise)
    return render(request, "accounts/enterprise_form.html", {"form": form, "enterprise": enterprise})


# ---------------------------------------------------------------- organisation


@login_required
def orgunit_list(request: HttpRequest) -> HttpResponse:
    """The organisation tree: reference data every signed-in user may read (who is who, who supervises what)."""
    return render(
        request,
        "accounts/orgunit_list.html",
        {"units": selectors.orgunit_tree(), "scope": scope_for(request.user)},
    )


# ---------------------------------------------------------------- notifications


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("unread") == "1"
    page_obj = paginate(request, selectors.notification_list(user=request.user, unread_only=unread_only))
    return render(
        request,
        "accounts/notification_list.html",
        {"page_obj": page_obj, "notifications": page_obj.object_list, "unread_only": unread_only},
    )


@login_required
@require_http_methods(["POST"])
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one read; with `open`, go on to what it is about (a page of this site only)."""
    notification = selectors.notification_get(user=request.user, pk=pk)
    services.notification_mark_read(user=request.user, notification=notification)
    target = notification.url if request.POST.get("open") else request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return redirect(target)
    return redirect("accounts:notification_list")


@login_required
@require_http_methods(["POST"])
def notification_read_all(request: HttpRequest) -> HttpResponse:
    n = services.notification_mark_all_read(user=request.user)
    messages.success(request, _("已将 %(n)d 条通知标为已读。") % {"n": n})
    return redirect("accounts:notification_list")


# ---------------------------------------------------------------- sign-out


class LogoutView(auth_views.LogoutView):
    """注销: ends the session and revokes the user's API tokens, so a phone or script signed in as
    this user stops working too."""

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.user.is_authenticated:
            services.token_revoke(user=request.user)
        return super().post(request, *args, **kwargs)
