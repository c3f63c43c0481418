"""Pages of the accident records (事故): the list with its figures and year-over-year change, the
Excel export, recording, the accident page and its correction. Views parse, call, render."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_export
from core.errors import form_add_errors
from core.lists import filtered, paginate, xlsx_response
from core.panels import panels_for

from . import permissions, selectors_accidents, services
from .excel_accidents import accident_export as build_export
from .filtersets_accidents import AccidentFilterSet
from .forms_accidents import AccidentForm, accident_initial

# What apps above add to an accident's page (core.panels): enforcement's 立案调查 and its cases.
ACCIDENT_DETAIL = "hazards.accident_detail"


def accident_filter(request: HttpRequest) -> AccidentFilterSet:
    """The list's filters on the user's scope; the export uses the same one."""
    return AccidentFilterSet(
        request.GET, queryset=selectors_accidents.accident_list(user=request.user), request=request
    )


def _period(filterset: AccidentFilterSet) -> tuple[dt.date, dt.date]:
    """The figures' period: the filter's dates, else this year up to today."""
    today = timezone.localdate()
    data = filterset.form.cleaned_data if filterset.is_valid() else {}
    date_to = data.get("date_to") or today
    date_from = data.get("date_from") or date_to.replace(month=1, day=1)
    return date_from, date_to


@login_required
def accident_list(request: HttpRequest) -> HttpResponse:
    filterset = accident_filter(request)
    accidents = filtered(filterset)
    page_obj = paginate(request, accidents)
    date_from, date_to = _period(filterset)
    data = filterset.form.cleaned_data if filterset.is_valid() else {}
    yoy = selectors_accidents.accident_figures_yoy(
        user=request.user,
        date_from=date_from,
        date_to=date_to,
        township=data.get("township"),
        sector=data.get("sector"),
    )
    return render(
        request,
        "hazards/accident_list.html",
        {
            "filter_form": filterset.form,
            "page_obj": page_obj,
            "accidents": page_obj.object_list,
            "yoy": yoy,
            "loss_text": selectors_accidents.wan_text(yoy["current"]["direct_loss"]),
            "date_from": date_from,
            "date_to": date_to,
            "can_record": permissions.can_record_accident(request.user),
            "querystring": request.GET.urlencode(),
        },
    )


@login_required
def accident_export(request: HttpRequest) -> HttpResponse:
    accidents = filtered(accident_filter(request))
    content = build_export(accidents)
    audit_export(request, what="accidents", rows=accidents.count())
    return xlsx_response(content, f"事故台账_{timezone.localdate():%Y%m%d}.xlsx")


def _service_errors(form: AccidentForm, exc: ValidationError) -> None:
    """The service names the enterprise; the form asks for its 统一社会信用代码."""
    if hasattr(exc, "error_dict") and "enterprise" in exc.error_dict:
        exc.error_dict["uscc"] = exc.error_dict.pop("enterprise")
    form_add_errors(form, exc)


@login_required
def accident_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not permissions.can_record_accident(user):
        raise PermissionDenied(_("只有区安委办/应急局或行业监管部门可以登记事故。"))
    if request.method == "POST":
        form = AccidentForm(request.POST, user=user)
        if form.is_valid():
            try:
                accident = services.accident_create(user=user, data=form.to_data())
            except ValidationError as exc:
                _service_errors(form, exc)
            else:
                messages.success(request, _("已登记事故：%(number)s") % {"number": accident.number})
                return redirect(accident)
        messages.error(request, _("尚未登记：请改正标出的问题。"))
    else:
        form = AccidentForm(user=user, initial={"occurred_on": timezone.localdate()})
    return render(request, "hazards/accident_form.html", {"form": form, "accident": None})


@login_required
def accident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    accident = selectors_accidents.accident_get(user=request.user, pk=pk)
    return render(
        request,
        "hazards/accident_detail.html",
        {
            "accident": accident,
            "loss_text": selectors_accidents.wan_text(accident.direct_loss),
            "can_change": permissions.can_change_accident(request.user, accident),
            "panels": panels_for(ACCIDENT_DETAIL, request, accident=accident),
        },
    )


@login_required
def accident_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    accident = selectors_accidents.accident_get(user=user, pk=pk)
    if not permissions.can_change_accident(user, accident):
        raise PermissionDenied(_("您不能修改该事故。"))
    if request.method == "POST":
        form = AccidentForm(request.POST, user=user)
        if form.is_valid():
            try:
                services.accident_update(user=user, accident=accident, data=form.to_data())
            except ValidationError as exc:
                _service_errors(form, exc)
            else:
                messages.success(request, _("已保存事故信息。"))
                return redirect(accident)
        messages.error(request, _("未能保存：请改正标出的问题。"))
    else:
        form = AccidentForm(user=user, initial=accident_initial(accident))
    return render(request, "hazards/accident_form.html", {"form": form, "accident": accident})


ENTERPRISE_ROWS = 10


def enterprise_accidents_panel(request: HttpRequest, enterprise) -> dict | None:
    """On the enterprise page: its accidents the user may see, newest first; nothing when there is none."""
    rows = list(
        selectors_accidents.accident_list(user=request.user).filter(enterprise=enterprise)[
            : ENTERPRISE_ROWS + 1
        ]
    )
    if not rows:
        return None
    return {"accidents": rows[:ENTERPRISE_ROWS], "more": len(rows) > ENTERPRISE_ROWS}
