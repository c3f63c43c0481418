"""立案调查 from an accident or a whistle-blower report: the 立案 form with the enterprise, the source and
the facts carried over, and the accident page's panel (slot hazards.accident_detail) listing the cases
opened from it. The tip page lists its own cases."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from core.errors import form_add_errors
from hazards.models import Accident
from hazards.selectors_accidents import accident_get

from . import permissions, permissions_tips, selectors_tips, services
from .forms import CaseForm
from .services.case_sources import case_initial_from_accident, case_initial_from_tip
from .views import _cases_panel


def accident_cases_panel(request: HttpRequest, accident: Accident) -> dict | None:
    """On the accident page: the cases opened from it, and 立案调查 for those who may open cases."""
    open_url = ""
    if accident.enterprise_id:
        open_url = reverse("enforcement:case_from_accident", args=[accident.pk])
    panel = _cases_panel(
        request, selectors_tips.accident_cases(user=request.user, accident=accident), open_url=open_url
    )
    if not panel["rows"] and not panel["can_open"]:
        return None
    return panel


def _open(request: HttpRequest, *, initial: dict, back: str, source) -> HttpResponse:
    """The 立案 form for a case from `source` (an accident or a report), and its submission."""
    user = request.user
    if request.method == "POST":
        form = CaseForm(request.POST, user=user)
        if form.is_valid():
            c = form.cleaned_data
            try:
                case = services.case_open(
                    user=user,
                    data=services.CaseData(
                        enterprise=initial["enterprise"],
                        handling_unit=c["handling_unit"],
                        procedure=c["procedure"],
                        cause=c["cause"],
                        opened_on=c["opened_on"],
                        facts=c["facts"],
                        articles=list(c["articles"]),
                        officers=list(c["officers"]),
                        source=initial["source"],
                        source_accident=initial.get("source_accident"),
                        source_tip=initial.get("source_tip"),
                        campaign=c.get("campaign"),
                    ),
                )
            except ValidationError as exc:
                form_add_errors(form, exc)
            else:
                messages.success(request, _("已立案：%(number)s") % {"number": case.number})
                return redirect(case)
        messages.error(request, _("尚未立案：请改正标出的问题。"))
    else:
        form = CaseForm(user=user, initial={"facts": initial["facts"], "opened_on": initial["opened_on"]})
    return render(
        request,
        "enforcement/tip_case_open.html",
        {"form": form, "enterprise": initial["enterprise"], "source": source, "back": back},
    )


@login_required
def case_from_accident(request: HttpRequest, accident_pk: int) -> HttpResponse:
    accident = accident_get(user=request.user, pk=accident_pk)  # 404 outside the scope
    if not permissions.can_open(request.user):
        raise PermissionDenied(_("您没有立案的权限。"))
    if accident.enterprise_id is None:
        messages.error(request, _("该事故未关联生产经营单位，请先在事故信息中填写单位。"))
        return redirect(accident)
    return _open(
        request,
        initial=case_initial_from_accident(accident),
        back=accident.get_absolute_url(),
        source={"label": _("来源事故"), "number": accident.number, "url": accident.get_absolute_url()},
    )


@login_required
def case_from_tip(request: HttpRequest, pk: int) -> HttpResponse:
    tip = selectors_tips.tip_get(user=request.user, pk=pk)  # 404 outside the scope
    permissions_tips.permission_require(request.user, tip, permissions_tips.CASE)
    if permissions_tips.CASE not in permissions_tips.tip_allowed_actions(request.user, tip):
        messages.error(request, _("只有核查属实、有被举报单位的举报可以立案。"))
        return redirect(tip)
    return _open(
        request,
        initial=case_initial_from_tip(tip),
        back=tip.get_absolute_url(),
        source={"label": _("来源举报"), "number": tip.number, "url": tip.get_absolute_url()},
    )
