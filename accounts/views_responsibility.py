"""安全责任 pages: the overview with the coverage figures, 职责清单, 工作清单 and signed 责任书.

Views parse, call a selector or a service, and render; every record goes through the scoping rule
(out of scope: 404), and who may write is accounts.permissions (a leader reads only: 403).
"""

import datetime as dt
import mimetypes

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.audit import audit_export
from core.errors import form_add_errors
from core.lists import filtered, paginate, xlsx_response

from . import selectors_responsibility as selectors
from . import services_responsibility as services
from .excel_responsibility import letters_export
from .excel_responsibility import work_list_export as build_work_list
from .filtersets_responsibility import DutyListFilterSet, LetterFilterSet, WorkListFilterSet
from .forms_responsibility import (
    DutyItemForm,
    DutyListForm,
    LetterForm,
    WorkItemForm,
    WorkListForm,
    WorkProgressForm,
)
from .permissions import can_change_duty_list, can_change_work_list, can_write_responsibility

PANEL_ROWS = 5


def _year(request: HttpRequest) -> int:
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    return year if 2000 <= year <= 2100 else timezone.localdate().year


def _require_writer(user) -> None:
    if not can_write_responsibility(user):
        raise PermissionDenied(_("您没有录入安全责任资料的权限。"))


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    """安全责任: this year's letter coverage by township, letters by kind, work-list progress."""
    year = _year(request)
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    return render(
        request,
        "accounts/responsibility_overview.html",
        {
            "year": year,
            "years": list(range(timezone.localdate().year, timezone.localdate().year - 5, -1)),
            "coverage": selectors.letter_coverage(user=request.user, year=year),
            "by_kind": selectors.letters_by_kind(user=request.user, date_from=start, date_to=end),
            "work": selectors.work_progress(user=request.user, year=year),
            "can_write": can_write_responsibility(request.user),
        },
    )


# ---------------------------------------------------------------- 职责清单


@login_required
def duty_list_list(request: HttpRequest) -> HttpResponse:
    filterset = DutyListFilterSet(request.GET, queryset=selectors.duty_list_list(user=request.user))
    page_obj = paginate(request, filtered(filterset))
    return render(
        request,
        "accounts/responsibility_duty_lists.html",
        {
            "filter_form": filterset.form,
            "page_obj": page_obj,
            "lists": page_obj.object_list,
            "can_write": can_write_responsibility(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def duty_list_create(request: HttpRequest) -> HttpResponse:
    _require_writer(request.user)
    form = DutyListForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            duty_list = services.duty_list_create(
                user=request.user,
                unit=c["unit"],
                title=c["title"],
                holder_user=c.get("holder_user"),
                holder_name=c.get("holder_name") or "",
                holder_post=c.get("holder_post") or "",
                year=c.get("year"),
                items=c["parsed_items"],
            )
        except ValidationError as exc:
            form_add_errors(form, exc)
        else:
            messages.success(request, _("已保存职责清单（%(n)d 条）。") % {"n": len(c["parsed_items"])})
            return redirect(duty_list)
    return render(
        request,
        "accounts/responsibility_form.html",
        {"form": form, "title": _("新建职责清单"), "cancel_url": "accounts:duty_list_list"},
    )


@login_required
def duty_list_detail(request: HttpRequest, pk: int) -> HttpResponse:
    duty_list = selectors.duty_list_get(user=request.user, pk=pk)
    return _duty_detail(request, duty_list, DutyItemForm())


def _duty_detail(request: HttpRequest, duty_list, form, status: int = 200) -> HttpResponse:
    return render(
        request,
        "accounts/responsibility_duty_detail.html",
        {
            "duty_list": duty_list,
            "items": selectors.duty_items(duty_list=duty_list),
            "form": form,
            "can_edit": can_change_duty_list(request.user, duty_list),
        },
        status=status,
    )


@login_required
@require_POST
def duty_item_add(request: HttpRequest, pk: int) -> HttpResponse:
    duty_list = selectors.duty_list_get(user=request.user, pk=pk)
    if not can_change_duty_list(request.user, duty_list):
        raise PermissionDenied(_("您不能修改该职责清单。"))
    form = DutyItemForm(request.POST)
    if form.is_valid():
        try:
            services.duty_item_add(user=request.user, duty_list=duty_list, **form.cleaned_data)
        except ValidationError as exc:
            form_add_errors(form, exc)
        else:
            messages.success(request, _("已添加一条职责。"))
            return redirect(duty_list)
    return _duty_detail(request, duty_list, form, status=400)


@login_required
@require_POST
def duty_item_remove(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.duty_item_get(user=request.user, pk=pk)
    services.duty_item_remove(user=request.user, item=item)
    messages.success(request, _("已删除该条职责。"))
    return redirect(item.duty_list)


# ---------------------------------------------------------------- 工作清单


@login_required
def work_list_list(request: HttpRequest) -> HttpResponse:
    filterset = WorkListFilterSet(request.GET, queryset=selectors.work_list_list(user=request.user))
    page_obj = paginate(request, filtered(filterset))
    return render(
        request,
        "accounts/responsibility_work_lists.html",
        {
            "filter_form": filterset.form,
            "page_obj": page_obj,
            "lists": page_obj.object_list,
            "can_write": can_write_responsibility(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def work_list_create(request: HttpRequest) -> HttpResponse:
    _require_writer(request.user)
    form = WorkListForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            work_list = services.work_list_create(user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_add_errors(form, exc)
        else:
            messages.success(request, _("已新建工作清单，请逐条添加工作任务。"))
            return redirect(work_list)
    return render(
        request,
        "accounts/responsibility_form.html",
        {"form": form, "title": _("新建年度工作清单"), "cancel_url": "accounts:work_list_list"},
    )


def _work_detail(request: HttpRequest, work_list, form, status: int = 200) -> HttpResponse:
    items = selectors.work_items(work_list=work_list)
    return render(
        request,
        "accounts/responsibility_work_detail.html",
        {
            "work_list": work_list,
            "items": items,
            "done": sum(1 for i in items if i.status == "done"),
            "today": timezone.localdate(),
            "form": form,
            "can_edit": can_change_work_list(request.user, work_list),
        },
        status=status,
    )


@login_required
def work_list_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _work_detail(request, selectors.work_list_get(user=request.user, pk=pk), WorkItemForm())


@login_required
def work_list_export(request: HttpRequest, pk: int) -> HttpResponse:
    work_list = selectors.work_list_get(user=request.user, pk=pk)
    items = selectors.work_items(work_list=work_list)
    audit_export(request, what="work_list", rows=len(items), obj=work_list)
    return xlsx_response(build_work_list(work_list=work_list, items=items), f"{work_list.title}.xlsx")


@login_required
@require_POST
def work_item_add(request: HttpRequest, pk: int) -> HttpResponse:
    work_list = selectors.work_list_get(user=request.user, pk=pk)
    if not can_change_work_list(request.user, work_list):
        raise PermissionDenied(_("您不能修改该工作清单。"))
    form = WorkItemForm(request.POST)
    if form.is_valid():
        try:
            services.work_item_add(user=request.user, work_list=work_list, **form.cleaned_data)
        except ValidationError as exc:
            form_add_errors(form, exc)
        else:
            messages.success(request, _("已添加工作任务。"))
            return redirect(work_list)
    return _work_detail(request, work_list, form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def work_item_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """更新进展 of one task, by the unit the work list belongs to."""
    item = selectors.work_item_get(user=request.user, pk=pk)
    if not can_change_work_list(request.user, item.work_list):
        raise PermissionDenied(_("只有清单所属单位可以更新进展。"))
    initial = {"status": item.status, "percent": item.percent, "note": item.progress_note}
    form = WorkProgressForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.work_item_progress(
                user=request.user,
                item=item,
                status=form.cleaned_data["status"],
                percent=form.cleaned_data.get("percent"),
                note=form.cleaned_data.get("note") or "",
            )
        except ValidationError as exc:
            form_add_errors(form, exc)
        else:
            messages.success(request, _("已更新进展。"))
            return redirect(item.work_list)
    return render(request, "accounts/responsibility_work_progress.html", {"item": item, "form": form})


# ---------------------------------------------------------------- 责任书


def _letters(request: HttpRequest) -> LetterFilterSet:
    return LetterFilterSet(request.GET, queryset=selectors.letter_list(user=request.user), request=request)


@login_required
def letter_list(request: HttpRequest) -> HttpResponse:
    filterset = _letters(request)
    page_obj = paginate(request, filtered(filterset))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "accounts/responsibility_letters.html",
        {
            "filter_form": filterset.form,
            "page_obj": page_obj,
            "letters": page_obj.object_list,
            "querystring": query.urlencode(),
            "can_write": can_write_responsibility(request.user),
        },
    )


@login_required
def letter_export(request: HttpRequest) -> HttpResponse:
    queryset = filtered(_letters(request))
    content = letters_export(queryset=queryset)
    audit_export(request, what="responsibility_letters", rows=queryset.count())
    return xlsx_response(content, "安全责任书.xlsx")


@login_required
@require_http_methods(["GET", "POST"])
def letter_create(request: HttpRequest) -> HttpResponse:
    _require_writer(request.user)
    initial = {"signer_uscc": request.GET.get("signer_uscc", "")[:18]}  # from an enterprise's page
    form = LetterForm(request.POST or None, request.FILES or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            letter = services.letter_create(
                user=request.user,
                kind=c["kind"],
                year=c["year"],
                title=c.get("title") or "",
                issuer=c["issuer"],
                signer_unit=c.get("signer_unit"),
                signer_enterprise=form.signer_enterprise,
                signed_on=c["signed_on"],
                file=c.get("file"),
                note=c.get("note") or "",
            )
        except ValidationError as exc:
            form_add_errors(form, exc)
        else:
            messages.success(request, _("已登记责任书：%(name)s。") % {"name": letter.signer_name})
            return redirect(letter)
    return render(
        request,
        "accounts/responsibility_form.html",
        {
            "form": form,
            "title": _("登记签订的责任书"),
            "cancel_url": "accounts:letter_list",
            "multipart": True,
        },
    )


def enterprise_letters_panel(request: HttpRequest, enterprise) -> dict:
    """On an enterprise's page: the letters it signed (in the viewer's scope), newest first."""
    letters = selectors.letter_list(user=request.user).filter(signer_enterprise=enterprise)
    shown = list(letters[:PANEL_ROWS])
    total = len(shown) if len(shown) < PANEL_ROWS else letters.count()
    new_url = ""
    if can_write_responsibility(request.user):
        new_url = f"{reverse('accounts:letter_create')}?{urlencode({'signer_uscc': enterprise.uscc})}"
    return {
        "letters": shown,
        "total": total,
        "all_url": f"{reverse('accounts:letter_list')}?{urlencode({'enterprise': enterprise.pk})}",
        "new_url": new_url,
    }


@login_required
def letter_detail(request: HttpRequest, pk: int) -> HttpResponse:
    letter = selectors.letter_get(user=request.user, pk=pk)
    content_type = mimetypes.guess_type(letter.file.name)[0] if letter.file else None
    return render(
        request,
        "accounts/responsibility_letter_detail.html",
        {"letter": letter, "is_image": bool(content_type and content_type.startswith("image/"))},
    )


@login_required
def letter_file(request: HttpRequest, pk: int) -> FileResponse:
    """The scanned letter, through the scope (never a bare /media/ link)."""
    letter = selectors.letter_get(user=request.user, pk=pk)
    if not letter.file:
        raise Http404
    content_type = mimetypes.guess_type(letter.file.name)[0] or "application/octet-stream"
    try:
        response = FileResponse(letter.file.open("rb"), content_type=content_type)
    except FileNotFoundError as exc:
        raise Http404 from exc
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
