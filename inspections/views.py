from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.selectors import enterprise_or_none, sectors_active
from core.audit import audit_export
from core.errors import form_add_errors
from core.excel import write_workbook
from core.lists import filtered, paginate, xlsx_response
from core.paging import paginate_ids_first

from . import pdf, permissions, selectors, services
from .draws import criteria_lines, draw_workbook
from .filtersets import InspectionActionFilterSet, InspectionPlanFilterSet
from .forms import DrawForm, PlanForm, PlanTargetFormSet, plan_target_initial

EXPORT_HEADERS = [
    "检查行动编号",
    "检查日期",
    "检查类型",
    "检查单位",
    "出动人次",
    "检查单位数（家次）",
    "是否领导带队",
    "带队领导",
    "状态",
    # Added later: at the end, so the columns a user's own sheets refer to stay where they were.
    "是否四不两直",
    "执法证未核验",
]


def _action_filter(request: HttpRequest, queryset=None) -> InspectionActionFilterSet:
    queryset = selectors.action_list_rows(user=request.user) if queryset is None else queryset
    return InspectionActionFilterSet(request.GET, queryset=queryset, request=request)


@login_required
def action_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    # Filtered and paged without the visit counts: only the page's 25 rows group their records.
    filterset = _action_filter(request, selectors.action_list_ordered(user=user))
    actions = filtered(filterset)
    figures = selectors.action_list_figures(actions)
    page_obj = paginate_ids_first(
        request, actions, rows=lambda ids: selectors.action_rows(ids=ids, user=user), count=figures["total"]
    )
    return render(
        request,
        "inspections/action_list.html",
        {
            "filter_form": filterset.form,
            "filter_enterprise": _filter_enterprise(request, filterset),
            "page_obj": page_obj,
            "actions": page_obj.object_list,
            # 执法证未核验 among the listed: imported past inspections whose team was not verified.
            "unverified_count": figures["unverified"],
            "querystring": request.GET.urlencode(),
        },
    )


def _filter_enterprise(request: HttpRequest, filterset: InspectionActionFilterSet):
    pk = filterset.form.cleaned_data.get("enterprise") if filterset.is_valid() else None
    return enterprise_or_none(user=request.user, pk=pk)


@login_required
def action_export(request: HttpRequest) -> HttpResponse:
    """The filtered inspection list as Excel, within the user's scope."""
    actions = filtered(_action_filter(request))
    rows = (
        [
            a.number,
            a.date,
            a.kind.name,
            a.organizer.name,
            a.person_count,
            a.visit_count,
            "是" if a.is_leader_led else "否",
            a.leader_name,
            a.get_status_display(),
            "是" if a.is_unannounced else "否",
            "是" if a.cert_unverified else "否",
        ]
        for a in actions
    )
    content = write_workbook(sheet_title="检查行动", headers=EXPORT_HEADERS, rows=rows)
    audit_export(request, what="inspections", rows=actions.count())
    return xlsx_response(content, f"检查行动_{timezone.localdate():%Y%m%d}.xlsx")


@login_required
def check_item_list(request: HttpRequest) -> HttpResponse:
    """检查事项清单: published read-only to every user, optionally for one sector."""
    items = selectors.check_items_published()
    sector_id = request.GET.get("sector", "")
    if sector_id.isdecimal():  # not isdigit: "²" is a digit int() refuses
        items = items.filter(sector_id=int(sector_id))
    return render(
        request,
        "inspections/check_item_list.html",
        {"items": items, "sectors": sectors_active(), "sector_id": sector_id},
    )


# ---------------------------------------------------------------- 现场检查记录 PDF


@login_required
def record_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """现场检查记录 as an A4 PDF, shown in the browser; 404 outside the user's scope."""

    record = selectors.record_get(user=request.user, pk=pk)
    content = pdf.record_pdf(record)
    audit_export(request, what="record_pdf", rows=1, obj=record.pk)
    return pdf.pdf_response(content, pdf.record_pdf_filename(record))


# ---------------------------------------------------------------- 双随机抽取


DRAW_EXPORT_HEADERS = [
    "序号",
    "单位名称",
    "统一社会信用代码",
    "所属街道",
    "行业领域",
    "检查人员",
    "计划检查状态",
]


def _draw_rows(draw) -> list[dict]:
    """The result table as the page and the export show it."""
    rows = []
    for pick in selectors.draw_picks(draw=draw):
        enterprise = pick.enterprise
        action = pick.action
        rows.append(
            {
                "order": pick.order,
                "enterprise": enterprise,
                "township": enterprise.township.name,
                "sectors": "、".join(s.name for s in enterprise.sectors.all()),
                "inspectors": [u.display_name for u in pick.inspectors.all()],
                "action": action,
                "status": action.get_status_display() if action else "—",
                "action_url": reverse("inspections:action_detail", args=[action.pk]) if action else None,
            }
        )
    return rows


@login_required
def draw_list(request: HttpRequest) -> HttpResponse:

    page_obj = paginate(request, selectors.draw_list(user=request.user))
    return render(
        request,
        "inspections/draw_list.html",
        {
            "page_obj": page_obj,
            "draws": page_obj.object_list,
            "can_write": permissions.can_enter(request.user),
        },
    )


@login_required
def draw_create(request: HttpRequest) -> HttpResponse:
    """New draw. 预览 shows the pool sizes first; 抽取 draws, stores and creates the planned inspections."""

    if not permissions.can_enter(request.user):
        raise PermissionDenied
    form = DrawForm(request.POST or None, user=request.user)
    preview = None
    if request.method == "POST" and form.is_valid():
        kwargs = form.service_kwargs()
        if "preview" in request.POST:
            preview = _draw_preview(request.user, kwargs)
        else:
            try:
                draw = services.draw_create(user=request.user, **kwargs)
            except ValidationError as exc:
                form_add_errors(form, exc)
            else:
                messages.success(request, _("已抽取：%(number)s") % {"number": draw.number})
                return redirect("inspections:draw_detail", pk=draw.pk)
    return render(request, "inspections/draw_form.html", {"form": form, "preview": preview})


def _draw_preview(user, kwargs: dict) -> dict:
    pool = selectors.draw_enterprise_pool(
        user=user,
        organizer=kwargs["organizer"],
        sector_ids=kwargs["sector_ids"],
        township_ids=kwargs["township_ids"],
        risk_grade_ids=kwargs["risk_grade_ids"],
        weighted=kwargs["weighted_by_grade"],
    )
    inspectors = selectors.draw_inspector_pool(organizer=kwargs["organizer"], on=kwargs["planned_date"])
    return {"enterprises": len(pool), "inspectors": len(inspectors)}


@login_required
def draw_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The public record of a draw: criteria, seed, pools, result, and its replay (复核)."""

    draw = selectors.draw_get(user=request.user, pk=pk)
    return render(
        request,
        "inspections/draw_detail.html",
        {
            "draw": draw,
            "criteria": criteria_lines(draw.criteria, weighted=draw.weighted_by_grade),
            "rows": _draw_rows(draw),
            "verified": services.draw_verify(draw=draw),
        },
    )


@login_required
def draw_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The published result as Excel: a header block (number, date, seed, criteria), then the table."""

    draw = selectors.draw_get(user=request.user, pk=pk)
    header = [
        ("抽取编号", draw.number),
        ("抽查事项", draw.title),
        ("检查单位", draw.organizer.name),
        ("抽取时间", timezone.localtime(draw.created).strftime("%Y-%m-%d %H:%M")),
        ("计划检查日期", draw.planned_date.strftime("%Y-%m-%d")),
        ("随机种子", draw.seed),
        ("单位名录库", f"{len(draw.pool_enterprise_ids)} 家"),
        ("执法人员名录库", f"{len(draw.pool_inspector_ids)} 人"),
        ("抽取数量", f"{draw.enterprise_count} 家，每家 {draw.inspectors_per_enterprise} 人"),
        *criteria_lines(draw.criteria, weighted=draw.weighted_by_grade),
        ("复核", "按随机种子重新抽取，结果一致" if services.draw_verify(draw=draw) else "复核不一致"),
    ]
    rows = (
        [
            r["order"],
            r["enterprise"].name,
            r["enterprise"].uscc,
            r["township"],
            r["sectors"],
            "、".join(r["inspectors"]),
            r["status"],
        ]
        for r in _draw_rows(draw)
    )
    content = draw_workbook(
        title=f"{draw.title} 双随机抽取结果", header_lines=header, headers=DRAW_EXPORT_HEADERS, rows=rows
    )
    audit_export(request, what="draw", rows=draw.picks.count(), obj=draw.number or draw.pk)
    return xlsx_response(content, f"双随机抽取_{draw.number or draw.pk}.xlsx")


# ---------------------------------------------------------------- 检查计划 (done vs planned)

PLAN_EXPORT_HEADERS = ["行业领域", "街道/乡镇", "检查类型", "计划家次", "已完成家次", "完成率（%）"]


@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    """Plans in scope, each with its total done vs planned (one aggregate query for the whole page)."""

    filterset = InspectionPlanFilterSet(
        request.GET, queryset=selectors.plan_list(user=request.user), request=request
    )
    page_obj = paginate(request, filtered(filterset))
    plans = list(page_obj.object_list)
    progress = selectors.plans_progress(plans=plans)
    return render(
        request,
        "inspections/plan_list.html",
        {
            "filter_form": filterset.form,
            "page_obj": page_obj,
            "rows": [progress[plan.pk] for plan in plans],
            "can_create": permissions.can_create_plan(request.user),
        },
    )


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.plan_get(user=request.user, pk=pk)
    can_edit = permissions.can_change_plan(request.user, plan)
    tasks = [
        (record, permissions.can_complete(request.user, record.action))
        for record in selectors.plan_task_records(plan=plan)
    ]
    return render(
        request,
        "inspections/plan_detail.html",
        {
            "plan": plan,
            "progress": selectors.plan_progress(plan=plan),
            "can_edit": can_edit,
            "can_generate": can_edit and permissions.can_enter(request.user),
            "tasks": tasks,
        },
    )


@require_POST
@login_required
def plan_tasks_create(request: HttpRequest, pk: int) -> HttpResponse:
    """生成检查任务: planned inspections for the plan's lines; a second click adds only what is missing."""
    plan = selectors.plan_get(user=request.user, pk=pk)
    if not permissions.can_change_plan(request.user, plan) or not permissions.can_enter(request.user):
        raise PermissionDenied
    try:
        result = services.plan_tasks_create(user=request.user, plan=plan)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("inspections:plan_detail", pk=plan.pk)
    if result.actions:
        messages.success(request, _("已生成 %(n)d 项检查任务。") % {"n": len(result.actions)})
    else:
        messages.info(request, _("检查任务已齐全，没有新生成的任务。"))
    if result.short:
        lines = "、".join(str(t) for t in result.short)
        messages.warning(request, _("以下指标可选单位不足，已尽数生成：%(lines)s") % {"lines": lines})
    return redirect("inspections:plan_detail", pk=plan.pk)


def _plan_form_page(request: HttpRequest, plan=None) -> HttpResponse:

    user = request.user
    data = request.POST if request.method == "POST" else None
    form = PlanForm(data, user=user, plan=plan)
    formset = PlanTargetFormSet(
        data,
        prefix="targets",
        form_kwargs={"user": user},
        initial=plan_target_initial(plan) if plan is not None else None,
    )
    if data is not None and all([form.is_valid(), formset.is_valid()]):
        c = form.cleaned_data
        fields = {k: c[k] for k in ("year", "month", "title", "note")}
        try:
            if plan is None:
                saved = services.plan_create(
                    user=user, organizer=c["organizer"], targets=formset.to_data(), **fields
                )
            else:
                saved = services.plan_update(user=user, plan=plan, targets=formset.to_data(), **fields)
        except ValidationError as exc:
            form_add_errors(form, exc)
        else:
            messages.success(request, _("已保存检查计划：%(title)s") % {"title": saved.title})
            return redirect("inspections:plan_detail", pk=saved.pk)
    return render(request, "inspections/plan_form.html", {"form": form, "formset": formset, "plan": plan})


@login_required
def plan_create(request: HttpRequest) -> HttpResponse:

    if not permissions.can_create_plan(request.user):
        raise PermissionDenied
    return _plan_form_page(request)


@login_required
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:

    plan = selectors.plan_get(user=request.user, pk=pk)
    if not permissions.can_change_plan(request.user, plan):
        raise PermissionDenied
    return _plan_form_page(request, plan)


@login_required
def plan_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The plan's done vs planned as Excel, the lines and their total, as the page shows them."""
    plan = selectors.plan_get(user=request.user, pk=pk)
    progress = selectors.plan_progress(plan=plan)

    def cells(line) -> list:
        t = line.target
        names = [t.sector, t.township, t.kind] if t else ["合计", "", ""]
        percent = float(line.percent) if line.percent is not None else None
        return [*(str(n) if n is not None else "不限" for n in names), line.planned, line.done, percent]

    content = write_workbook(
        sheet_title="计划完成情况",
        headers=PLAN_EXPORT_HEADERS,
        rows=[*(cells(line) for line in progress.lines), cells(progress.total)],
    )
    audit_export(request, what="plan", rows=len(progress.lines), obj=plan.pk)
    unit = plan.organizer.short_name or plan.organizer.name
    return xlsx_response(content, f"{unit}{plan.period_label}检查计划完成情况.xlsx")


# ---------------------------------------------------------------- panels on other pages (core.panels)

ENTERPRISE_ROWS = 10


def enterprise_inspections_panel(request: HttpRequest, enterprise) -> dict:
    """On the enterprise page: its 10 latest inspections with their results, and the way to all of them."""
    records = selectors.enterprise_records(user=request.user, enterprise=enterprise)
    rows = list(records[: ENTERPRISE_ROWS + 1])
    return {
        "records": rows[:ENTERPRISE_ROWS],
        "total": records.count() if len(rows) > ENTERPRISE_ROWS else len(rows),
        "all_url": f"{reverse('inspections:action_list')}?enterprise={enterprise.pk}",
    }


def enterprise_entry_panel(request: HttpRequest, enterprise) -> dict | None:
    """录入检查 on the enterprise page, for a user who may inspect this enterprise (its change scope)."""
    if (
        not permissions.can_enter(request.user)
        or not selectors.enterprises_writable(user=request.user, ids=[enterprise.pk]).exists()
    ):
        return None
    return {"url": f"{reverse('inspections:entry_new')}?enterprise={enterprise.pk}"}
