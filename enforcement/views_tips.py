"""Pages of the whistle-blower reports (举报): the list with its figures, the Excel export, recording,
the report page with its steps (核查, 结论, 奖励, 登记为隐患, 立案调查), and correcting it.

The reporter (姓名、电话) is drawn only for the district office: `show_reporter` in every template."""

import datetime as dt
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.audit import audit_export
from core.errors import form_add_errors
from core.lists import filtered, paginate, xlsx_response
from core.numbers import money_text

from . import permissions_tips as perms
from . import selectors_tips
from .choices_tips import TipState
from .excel_tips import tip_export as build_export
from .filtersets_tips import TipFilterSet
from .forms_tips import ConcludeForm, RewardForm, TipForm, TipHazardForm, tip_initial
from .models import Tip
from .services import tips as services


def tip_filter(request: HttpRequest) -> TipFilterSet:
    return TipFilterSet(request.GET, queryset=selectors_tips.tip_list(user=request.user), request=request)


def _period(filterset: TipFilterSet) -> tuple[dt.date, dt.date]:
    today = timezone.localdate()
    data = filterset.form.cleaned_data if filterset.is_valid() else {}
    date_to = data.get("date_to") or today
    return data.get("date_from") or date_to.replace(month=1, day=1), date_to


@login_required
def tip_list(request: HttpRequest) -> HttpResponse:
    filterset = tip_filter(request)
    page_obj = paginate(request, filtered(filterset))
    date_from, date_to = _period(filterset)
    figures = selectors_tips.tip_figures(user=request.user, date_from=date_from, date_to=date_to)
    return render(
        request,
        "enforcement/tip_list.html",
        {
            "filter_form": filterset.form,
            "page_obj": page_obj,
            "tips": page_obj.object_list,
            "figures": figures,
            "rewards_text": money_text(figures["rewards_amount"]),
            "date_from": date_from,
            "date_to": date_to,
            "can_record": perms.can_record_tip(request.user),
            "show_reporter": perms.can_see_reporter(request.user),
            "querystring": request.GET.urlencode(),
        },
    )


@login_required
def tip_export(request: HttpRequest) -> HttpResponse:
    tips = filtered(tip_filter(request))
    content = build_export(tips, with_reporter=perms.can_see_reporter(request.user))
    audit_export(request, what="tips", rows=tips.count())
    return xlsx_response(content, f"举报台账_{timezone.localdate():%Y%m%d}.xlsx")


def _service_errors(form: Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict") and "enterprise" in exc.error_dict and "uscc" in form.fields:
        exc.error_dict["uscc"] = exc.error_dict.pop("enterprise")
    form_add_errors(form, exc)


@login_required
def tip_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not perms.can_record_tip(user):
        raise PermissionDenied(_("只有区安委办/应急局可以登记举报。"))
    if request.method == "POST":
        form = TipForm(request.POST, user=user)
        if form.is_valid():
            try:
                tip = services.tip_create(user=user, data=form.to_data())
            except ValidationError as exc:
                _service_errors(form, exc)
            else:
                messages.success(request, _("已登记举报：%(number)s") % {"number": tip.number})
                return redirect(tip)
        messages.error(request, _("尚未登记：请改正标出的问题。"))
    else:
        form = TipForm(user=user)
    return render(request, "enforcement/tip_form.html", {"form": form, "tip": None})


@login_required
def tip_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    tip = selectors_tips.tip_get(user=user, pk=pk)
    perms.permission_require(user, tip, perms.EDIT)
    if request.method == "POST":
        form = TipForm(request.POST, user=user)
        if form.is_valid():
            try:
                services.tip_update(user=user, tip=tip, data=form.to_data())
            except ValidationError as exc:
                _service_errors(form, exc)
            else:
                messages.success(request, _("已保存举报信息。"))
                return redirect(tip)
        messages.error(request, _("未能保存：请改正标出的问题。"))
    else:
        form = TipForm(user=user, initial=tip_initial(tip))
    return render(request, "enforcement/tip_form.html", {"form": form, "tip": tip})


FORMS: dict[str, type[Form]] = {
    perms.CHECK: Form,
    perms.CONCLUDE: ConcludeForm,
    perms.REWARD: RewardForm,
}


def _detail(request: HttpRequest, tip: Tip, bound: dict[str, Form] | None = None) -> HttpResponse:
    allowed = perms.tip_allowed_actions(request.user, tip)
    forms = {name: cls() for name, cls in FORMS.items() if name in allowed}
    forms.update(bound or {})
    history = tip.history.select_related("history_user").order_by("history_date", "history_id")
    return render(
        request,
        "enforcement/tip_detail.html",
        {
            "tip": tip,
            "allowed": allowed,
            "forms": forms,
            "show_reporter": perms.can_see_reporter(request.user),
            "reward_text": money_text(tip.reward_amount),
            "cases": list(selectors_tips.tip_cases(user=request.user, tip=tip)),
            # Who did what: the reasons recorded with each change (never the reporter's fields).
            "timeline": [
                {"at": h.history_date, "user": h.history_user, "what": h.history_change_reason or ""}
                for h in history
            ],
        },
    )


@login_required
def tip_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors_tips.tip_get(user=request.user, pk=pk))


def _tip_for(request: HttpRequest, pk: int, action: str) -> Tip:
    tip = selectors_tips.tip_get(user=request.user, pk=pk)  # 404 outside the scope
    perms.permission_require(request.user, tip, action)  # 403 for a role that never may
    return tip


def _act(request: HttpRequest, tip: Tip, panel: str, form: Form, call: Callable[[dict], str]):
    if form.is_valid():
        try:
            done = call(form.cleaned_data)
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                messages.error(request, "；".join(exc.messages))
                return redirect(tip)
            form_add_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect(tip)
    messages.error(request, _("未能保存：请改正标出的问题。"))
    return _detail(request, selectors_tips.tip_get(user=request.user, pk=tip.pk), bound={panel: form})


@require_POST
@login_required
def tip_check(request: HttpRequest, pk: int) -> HttpResponse:
    tip = _tip_for(request, pk, perms.CHECK)

    def call(c: dict) -> str:
        services.tip_check_start(user=request.user, tip=tip)
        return _("已开始核查。")

    return _act(request, tip, perms.CHECK, Form(request.POST), call)


@require_POST
@login_required
def tip_conclude(request: HttpRequest, pk: int) -> HttpResponse:
    tip = _tip_for(request, pk, perms.CONCLUDE)

    def call(c: dict) -> str:
        done = services.tip_conclude(
            user=request.user,
            tip=tip,
            substantiated=c["outcome"] == TipState.SUBSTANTIATED,
            checked_on=c["checked_on"],
            result=c["result"],
        )
        return _("核查结论：%(state)s。") % {"state": done.get_state_display()}

    return _act(request, tip, perms.CONCLUDE, ConcludeForm(request.POST), call)


@require_POST
@login_required
def tip_reward(request: HttpRequest, pk: int) -> HttpResponse:
    tip = _tip_for(request, pk, perms.REWARD)

    def call(c: dict) -> str:
        services.tip_reward(user=request.user, tip=tip, amount=c["amount"], paid_on=c["paid_on"])
        return _("已登记奖励发放。")

    return _act(request, tip, perms.REWARD, RewardForm(request.POST), call)


@login_required
def tip_hazard(request: HttpRequest, pk: int) -> HttpResponse:
    """登记为隐患: a form pre-filled from the report (its result as the description)."""
    user = request.user
    tip = _tip_for(request, pk, perms.HAZARD)
    if perms.HAZARD not in perms.tip_allowed_actions(user, tip):
        messages.error(request, _("该举报不能登记为隐患（须核查属实、有被举报单位，且尚未登记）。"))
        return redirect(tip)
    if request.method == "POST":
        form = TipHazardForm(request.POST)
        if form.is_valid():
            try:
                hazard = services.tip_create_hazard(user=user, tip=tip, **form.cleaned_data)
            except ValidationError as exc:
                if not hasattr(exc, "error_dict"):
                    messages.error(request, "；".join(exc.messages))
                    return redirect(tip)
                form_add_errors(form, exc)
            else:
                messages.success(request, _("已登记隐患：%(number)s") % {"number": hazard.number})
                return redirect(hazard)
        messages.error(request, _("尚未登记：请改正标出的问题。"))
    else:
        found = tip.checked_on or tip.received_on
        form = TipHazardForm(initial={"description": tip.result, "deadline": found + dt.timedelta(days=15)})
    return render(request, "enforcement/tip_hazard.html", {"form": form, "tip": tip})
