"""Pages for the home screens, the enterprise registry and the organisation tree.

Views parse, call a selector or a service, and render; every record goes through the scoping rule.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import selectors, services
from .choices import Role
from .filtersets import EnterpriseFilterSet
from .forms import EnterpriseForm, ImportUploadForm
from .home import panels_for
from .scoping import can_write, scope_for

PAGE_SIZE = 25
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    # RFC 5987 form, so the Chinese file name survives every browser.
    from urllib.parse import quote

    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def paginate(request: HttpRequest, queryset, per_page: int = PAGE_SIZE):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


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
    context["home_panels"] = panels_for(request)
    template = HOME_TEMPLATES.get(user.role, "accounts/home_unit.html")
    if user.is_superuser:
        template = HOME_TEMPLATES[Role.ADMIN]
    return render(request, template, context)


# ---------------------------------------------------------------- enterprises


def _enterprise_filter(request: HttpRequest) -> EnterpriseFilterSet:
    return EnterpriseFilterSet(
        request.GET, queryset=selectors.enterprise_list(user=request.user), request=request
    )


def filtered(filterset) -> QuerySet:
    """An invalid filter (say, a township outside the user's scope) matches nothing rather than
    being silently dropped: a list or export that ignored it would show more than was asked for."""
    return filterset.qs if filterset.is_valid() else filterset.queryset.none()


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
    from .ledger_import import enterprise_export as build_export

    filterset = _enterprise_filter(request)
    content = build_export(queryset=filtered(filterset))
    stamp = timezone.localdate().strftime("%Y%m%d")
    return xlsx_response(content, f"生产经营单位_{stamp}.xlsx")


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
            "can_edit": writable,
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
            _add_errors(form, exc)
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
                user=request.user, enterprise=enterprise, data=form.to_data()
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("已保存：%(name)s") % {"name": enterprise.name})
            return redirect(enterprise)
    return render(request, "accounts/enterprise_form.html", {"form": form, "enterprise": enterprise})


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def ledger_import_page(
    request: HttpRequest, *, kind: str, template: str, success_message: str, success_url: str
) -> HttpResponse:
    """The synchronous upload page every ledger shares: check every row first; any error, nothing imported.

    `success_message` is formatted with the result's `created` and `updated` counts.
    """
    from .ledger_import import get_importer

    if not can_write(request.user):
        raise PermissionDenied
    importer = get_importer(kind)
    form = ImportUploadForm(request.POST or None, request.FILES or None, max_bytes=settings.IMPORT_MAX_BYTES)
    result = None
    if request.method == "POST" and form.is_valid():
        result = importer.run(user=request.user, file=form.cleaned_data["file"])
        if result.ok:
            messages.success(
                request, success_message % {"created": result.created, "updated": result.updated}
            )
            return redirect(success_url)
        messages.error(
            request, _("发现 %(n)d 处错误，未导入任何数据。请修改后重新上传。") % {"n": len(result.errors)}
        )
    return render(
        request,
        template,
        {"form": form, "result": result, "headers": importer.headers, "required": importer.required},
    )


def ledger_import_template(request: HttpRequest, *, kind: str, filename: str) -> HttpResponse:
    from .ledger_import import get_importer

    if not can_write(request.user):
        raise PermissionDenied
    return xlsx_response(get_importer(kind).template(), filename)


@login_required
@require_http_methods(["GET", "POST"])
def enterprise_import(request: HttpRequest) -> HttpResponse:
    """Upload a ledger: every row is checked first; with any error nothing is imported."""
    return ledger_import_page(
        request,
        kind="enterprises",
        template="accounts/enterprise_import.html",
        success_message=_("导入完成：新增 %(created)d 家，更新 %(updated)d 家。"),
        success_url=reverse("accounts:enterprise_list"),
    )


@login_required
def enterprise_import_template(request: HttpRequest) -> HttpResponse:
    return ledger_import_template(request, kind="enterprises", filename="生产经营单位导入模板.xlsx")


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
    from django.utils.http import url_has_allowed_host_and_scheme

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


# ---------------------------------------------------------------- background import jobs


@login_required
def import_job_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress bar's feed: a small JSON the upload page polls. Only the job's own user sees it."""
    from django.http import JsonResponse

    job = selectors.import_job_get(user=request.user, pk=pk)
    return JsonResponse(
        {
            "status": job.status,
            "status_label": job.get_status_display(),
            "finished": job.is_finished,
            "total": job.total,
            "done": job.done,
            "percent": job.percent,
            "created": job.created_rows,
            "updated": job.updated_rows,
            "error_count": len(job.errors),
        }
    )


@login_required
def import_job_errors(request: HttpRequest, pk: int) -> HttpResponse:
    """Every error of a failed import as Excel, for fixing a long ledger row by row."""
    from .excel import write_workbook

    job = selectors.import_job_get(user=request.user, pk=pk)
    content = write_workbook(
        sheet_title="错误清单",
        headers=["行号", "列", "原因"],
        rows=([e["row"] or "", e["column"], e["message"]] for e in job.errors),
    )
    return xlsx_response(content, f"导入错误清单_{job.pk}.xlsx")
