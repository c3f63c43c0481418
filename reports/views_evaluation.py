"""月度评估 and 排名通报 pages: the list by month, an evaluation (its table, score entry, compute, publish,
downloads, follow-ups), the follow-up notice PDF, and the indicators' configuration.

Views parse, call the selectors and services, and render. An evaluation or follow-up the user may not
see is a 404 (looked up first); a write by anyone but the district office is a 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.errors import form_add_errors
from core.lists import xlsx_response
from inspections.pdf import pdf_response

from . import selectors_evaluation as sel
from . import services_evaluation as services
from .forms_evaluation import ComputeForm, FollowUpForm, IndicatorForm, PublishForm, ScoreForm
from .models_evaluation import EvaluationIndicator, FollowUpKind
from .periods import Period
from .permissions_evaluation import can_manage


def _manager_only(request: HttpRequest) -> None:
    if not can_manage(request.user):
        raise PermissionDenied


def _refused(request: HttpRequest, exc: ValidationError) -> None:
    messages.error(request, "；".join(exc.messages))


def _stored_bytes(field) -> bytes:
    if not field:
        raise Http404
    try:
        with default_storage.open(field.name, "rb") as handle:
            return handle.read()
    except FileNotFoundError as exc:
        raise Http404 from exc


# ---------------------------------------------------------------- list and compute


@login_required
@require_GET
def evaluation_list(request: HttpRequest) -> HttpResponse:
    rows = list(sel.evaluation_list(user=request.user)[:120])
    for row in rows:
        row.period_label = sel.period_label(row)
    return render(
        request,
        "reports/evaluation/list.html",
        {
            "evaluations": rows,
            "can_manage": can_manage(request.user),
            "compute_form": ComputeForm() if can_manage(request.user) else None,
        },
    )


@login_required
@require_POST
def evaluation_compute(request: HttpRequest) -> HttpResponse:
    """计算 / 重新计算 a month's draft; back to the list with what was wrong when the input is bad."""
    _manager_only(request)
    form = ComputeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择评估月份和评估对象。"))
        return redirect("reports:evaluation_list")
    try:
        evaluation = services.evaluation_compute(
            user=request.user, period=form.cleaned_data["period"], target=form.cleaned_data["target"]
        )
    except ValidationError as exc:
        _refused(request, exc)
        return redirect("reports:evaluation_list")
    messages.success(request, _("已按当前台账计算完成。"))
    return redirect(evaluation.get_absolute_url())


# ---------------------------------------------------------------- one evaluation


def _detail_context(request: HttpRequest, evaluation, **forms) -> dict:
    table = sel.evaluation_table(evaluation, request.user)
    manager = can_manage(request.user)
    entered = sel.entered_specs(evaluation)
    rows = evaluation.results.get("rows", [])
    context = {
        "evaluation": evaluation,
        "period_label": sel.period_label(evaluation),
        "table": table,
        "can_manage": manager,
        "follow_ups": sel.follow_ups(evaluation, request.user),
        "missing": sum(len(row.get("missing", [])) for row in rows),
    }
    if manager and not evaluation.is_published:
        period = Period.parse(evaluation.period_key)
        context.update(
            score_form=forms.get("score_form")
            or (ScoreForm(specs=entered, rows=rows) if entered and rows else None),
            publish_form=forms.get("publish_form") or PublishForm(),
            period_key=period.key,
            month_ended=period.has_ended(),
        )
    if manager and evaluation.is_published:
        context["follow_up_form"] = forms.get("follow_up_form") or FollowUpForm(rows=rows)
    return context


@login_required
@require_GET
def evaluation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = sel.evaluation_get(user=request.user, pk=pk)
    return render(request, "reports/evaluation/detail.html", _detail_context(request, evaluation))


@login_required
@require_POST
def evaluation_recompute(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = sel.evaluation_get(user=request.user, pk=pk)
    _manager_only(request)
    try:
        services.evaluation_compute(
            user=request.user, period=Period.parse(evaluation.period_key), target=evaluation.target
        )
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("已按当前台账重新计算。"))
    return redirect(evaluation.get_absolute_url())


@login_required
@require_POST
def evaluation_score(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = sel.evaluation_get(user=request.user, pk=pk)
    _manager_only(request)
    form = ScoreForm(
        request.POST, specs=sel.entered_specs(evaluation), rows=evaluation.results.get("rows", [])
    )
    if form.is_valid():
        try:
            services.evaluation_score_enter(
                user=request.user,
                evaluation=evaluation,
                indicator_code=form.cleaned_data["indicator"],
                unit_id=form.cleaned_data["unit"],
                score=form.cleaned_data["score"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            form_add_errors(form, exc)
        else:
            messages.success(request, _("评分已保存。"))
            return redirect(evaluation.get_absolute_url())
    if evaluation.is_published:
        messages.error(request, _("该月度评估已发布，不能再修改。"))
        return redirect(evaluation.get_absolute_url())
    evaluation.refresh_from_db()
    context = _detail_context(request, evaluation, score_form=form)
    return render(request, "reports/evaluation/detail.html", context, status=400)


@login_required
@require_POST
def evaluation_publish(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = sel.evaluation_get(user=request.user, pk=pk)
    _manager_only(request)
    if evaluation.is_published:
        messages.error(request, _("该月度评估已发布，不能再修改。"))
        return redirect(evaluation.get_absolute_url())
    form = PublishForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请勾选确认后再发布。"))
        return redirect(evaluation.get_absolute_url())
    try:
        evaluation = services.evaluation_publish(user=request.user, evaluation=evaluation)
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("排名通报已发布：%(number)s。") % {"number": evaluation.number})
    return redirect(evaluation.get_absolute_url())


@login_required
@require_GET
def evaluation_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The published 排名通报, byte for byte as published; a draft has none (404)."""
    evaluation = sel.evaluation_get(user=request.user, pk=pk)
    if not evaluation.is_published:
        raise Http404
    name = f"排名通报_{sel.period_label(evaluation)}_{evaluation.get_target_display()}.pdf"
    return pdf_response(_stored_bytes(evaluation.pdf), name)


@login_required
@require_GET
def evaluation_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = sel.evaluation_get(user=request.user, pk=pk)
    if not evaluation.is_published:
        raise Http404
    name = f"排名表_{sel.period_label(evaluation)}_{evaluation.get_target_display()}.xlsx"
    return xlsx_response(_stored_bytes(evaluation.xlsx), name)


# ---------------------------------------------------------------- follow-ups


@login_required
@require_POST
def follow_up_create(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = sel.evaluation_get(user=request.user, pk=pk)
    _manager_only(request)
    form = FollowUpForm(request.POST, rows=evaluation.results.get("rows", []))
    if form.is_valid():
        data = form.cleaned_data
        try:
            follow_up = services.follow_up_create(
                user=request.user,
                evaluation=evaluation,
                unit_id=data["unit"],
                kind=data["kind"],
                text=data["text"],
                talk_date=data.get("talk_date"),
                place=data.get("place", ""),
            )
        except ValidationError as exc:
            form_add_errors(form, exc)
        else:
            if follow_up.kind == FollowUpKind.WARNING:
                messages.success(request, _("警示告知书已出具：%(number)s。") % {"number": follow_up.number})
            else:
                messages.success(request, _("约谈已记入活动台账。"))
            return redirect(evaluation.get_absolute_url())
    if not evaluation.is_published:
        messages.error(request, _("排名通报发布之后才能发警示告知书或约谈。"))
        return redirect(evaluation.get_absolute_url())
    context = _detail_context(request, evaluation, follow_up_form=form)
    return render(request, "reports/evaluation/detail.html", context, status=400)


@login_required
@require_GET
def follow_up_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    follow_up = sel.follow_up_get(user=request.user, pk=pk)
    if follow_up.kind != FollowUpKind.WARNING:
        raise Http404
    return pdf_response(_stored_bytes(follow_up.pdf), f"警示告知书_{follow_up.unit.name}.pdf")


# ---------------------------------------------------------------- indicators


@login_required
@require_GET
def indicator_list(request: HttpRequest) -> HttpResponse:
    indicators = list(EvaluationIndicator.objects.select_related("updated_by").order_by("order", "pk"))
    active = [i for i in indicators if i.is_active]
    return render(
        request,
        "reports/evaluation/indicators.html",
        {
            "indicators": indicators,
            "can_manage": can_manage(request.user),
            "township_weight": sum(i.weight for i in active if i.applies("township")),
            "department_weight": sum(i.weight for i in active if i.applies("department")),
        },
    )


def _indicator_form(request: HttpRequest, indicator: EvaluationIndicator | None) -> HttpResponse:
    _manager_only(request)
    form = IndicatorForm(request.POST or None, instance=indicator)
    if request.method == "POST" and form.is_valid():
        try:
            services.indicator_save(user=request.user, indicator=form.save(commit=False))
        except ValidationError as exc:
            form_add_errors(form, exc)
        else:
            messages.success(request, _("考核指标已保存；下一次计算起生效，已发布的评估不变。"))
            return redirect("reports:evaluation_indicators")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "reports/evaluation/indicator_form.html",
        {"form": form, "indicator": indicator},
        status=status,
    )


@login_required
def indicator_create(request: HttpRequest) -> HttpResponse:
    return _indicator_form(request, None)


@login_required
def indicator_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _indicator_form(request, get_object_or_404(EvaluationIndicator, pk=pk))
