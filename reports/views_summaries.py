"""The work summaries (工作总结) in the browser: the list, 新建, the report page (figures linked to their
records, narrative per section, 重新生成, 发布), the frozen versions, and the template editor.

Views parse, call reports.selectors_summaries or reports.services_summaries, and render. A report
outside the user's scope is a 404; a leader (who reads) asking to write is a 403; a service's
ValidationError is shown in Chinese on the form or as a message, never a 500.
"""

from __future__ import annotations

import base64

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import form_add_errors
from core.lists import paginate

from . import selectors_summaries as sel
from .forms_summaries import NarrativeForm, ReportCreateForm, ReportFilterForm, SectionFormSet, TemplateForm
from .models import ReportKind, ReportTemplate, TemplateSection
from .services_summaries import (
    can_edit_templates,
    can_write,
    report_build,
    report_create,
    report_narrative_save,
    report_publish,
)
from .services_templates import SectionData, template_save
from .summaries import report_stats_scope

try:  # the server-drawn charts (reports/charts.py, written with the PDF); a table of numbers until then
    from .charts import chart_svg
except ImportError:  # pragma: no cover - depends on the PDF work having landed
    chart_svg = None

JOB_PARTIAL = "reports/summaries/_job.html"


def _job_partial() -> str:
    """The PDF/Word build partial (the PDF work's), when it is there."""
    try:
        get_template(JOB_PARTIAL)
    except TemplateDoesNotExist:
        return ""
    return JOB_PARTIAL


def _with_charts(sections: list[dict]) -> list[dict]:
    for section in sections:
        chart = section.get("chart")
        section["chart_svg"] = ""
        if chart and chart_svg is not None:
            try:  # an <img> of the SVG: scales to a phone's width, and no markup reaches the page
                svg = chart_svg(chart).encode()
            except Exception:  # noqa: BLE001 - a chart that cannot be drawn shows its numbers instead
                svg = b""
            if svg:
                section["chart_svg"] = "data:image/svg+xml;base64," + base64.b64encode(svg).decode()
        if chart:
            section["chart_rows"] = [
                [
                    label,
                    *(serie["values"][i] if i < len(serie["values"]) else None for serie in chart["series"]),
                ]
                for i, label in enumerate(chart.get("labels", []))
            ]
    return sections


# ---------------------------------------------------------------- the list and 新建


@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    form = ReportFilterForm(request.GET or None)
    reports = form.filter(sel.visible_reports(request.user))
    page_obj = paginate(request, reports.order_by("-period_key", "kind", "scope_code", "-pk"))
    return render(
        request,
        "reports/summaries/list.html",
        {
            "filter_form": form,
            "page_obj": page_obj,
            "reports": page_obj.object_list,
            "can_create": ReportCreateForm(user=request.user).fields["scope"].choices != [],
            "can_edit_templates": can_edit_templates(request.user),
        },
    )


@login_required
def report_new(request: HttpRequest) -> HttpResponse:
    form = ReportCreateForm(request.POST or None, user=request.user, initial=request.GET.dict())
    if not form.fields["scope"].choices:
        raise PermissionDenied(_("您没有编写工作总结的权限。"))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            report = report_create(
                kind=data["kind"],
                stats_scope=data["scope"],
                user=request.user,
                period=data.get("period"),
                campaign=data.get("campaign") if data["kind"] == ReportKind.CAMPAIGN else None,
            )
        except ValidationError as exc:
            form_add_errors(form, exc)
        else:
            messages.success(request, _("已生成“%(title)s”") % {"title": report.title})
            return redirect(report)
    return render(request, "reports/summaries/new.html", {"form": form})


# ---------------------------------------------------------------- the report page


@login_required
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = sel.report_get(request.user, pk)
    writer = can_write(request.user, report_stats_scope(report))
    content, rows = sel.draft_content(report)
    sections = _with_charts(sel.linked_sections(content))
    hints = dict(
        TemplateSection.objects.filter(template__kind=report.kind).values_list("key", "narrative_hint")
    )
    for section, row in zip(sections, rows, strict=True):
        section["row"] = row
        section["hint"] = hints.get(row.key, "")
        section["form"] = (
            NarrativeForm(initial={"narrative": row.narrative}, prefix=f"s{row.pk}") if writer else None
        )
    return render(
        request,
        "reports/summaries/detail.html",
        {
            "report": report,
            "content": content,
            "sections": sections,
            "changed": sel.changed_rows(report),
            "versions": sel.report_versions(report),
            "can_write": writer,
            "can_edit_templates": can_edit_templates(request.user),
            "job_partial": _job_partial(),
            "version": None,
        },
    )


def _writable(request: HttpRequest, pk: int):
    report = sel.report_get(request.user, pk)
    if not can_write(request.user, report_stats_scope(report)):
        raise PermissionDenied(_("您只能阅读该工作总结。"))
    return report


@login_required
@require_POST
def report_rebuild(request: HttpRequest, pk: int) -> HttpResponse:
    """重新生成: fresh figures; the narrative stays."""
    report = _writable(request, pk)
    try:
        report_build(report=report, user=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        messages.error(request, _("模板有错误，未重新生成：请先修改报告模板。"))
    else:
        messages.success(request, _("已按现有记录重新生成，各节正文保留不变"))
    return redirect(report)


@login_required
def report_publish_view(request: HttpRequest, pk: int) -> HttpResponse:
    """发布: a confirmation page (GET), then the frozen version (POST)."""
    report = _writable(request, pk)
    if request.method == "POST":
        try:
            version = report_publish(report=report, user=request.user)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect(report)
        messages.success(request, _("已发布第%(n)s版：其内容和PDF不再改变") % {"n": version.number})
        return redirect(version)
    return render(
        request,
        "reports/summaries/publish.html",
        {"report": report, "next_number": len(sel.report_versions(report)) + 1},
    )


@login_required
@require_POST
def section_narrative(request: HttpRequest, pk: int, section_pk: int) -> HttpResponse:
    report = _writable(request, pk)
    section = sel.section_get(report, section_pk)
    form = NarrativeForm(request.POST, prefix=f"s{section.pk}")
    if form.is_valid():
        report_narrative_save(section=section, narrative=form.cleaned_data["narrative"], user=request.user)
        messages.success(request, _("已保存“%(h)s”的正文") % {"h": section.heading})
    else:
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
    return redirect(f"{report.get_absolute_url()}#section-{section.pk}")


# ---------------------------------------------------------------- a published version


@login_required
def version_detail(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """The frozen content exactly as published (never recomputed); each figure linked to its records,
    with a note where the records now count differently."""
    version = sel.version_get(request.user, pk, number)
    content = version.content
    sections = _with_charts(sel.linked_sections(content, live=sel.live_differences(content)))
    return render(
        request,
        "reports/summaries/version.html",
        {
            "report": version.report,
            "version": version,
            "content": content,
            "sections": sections,
            "can_write": can_write(request.user, report_stats_scope(version.report)),
            "job_partial": _job_partial(),
        },
    )


@login_required
def version_pdf(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    version = sel.version_get(request.user, pk, number)
    if not version.pdf:
        raise Http404
    response = FileResponse(
        version.pdf.open("rb"),
        content_type="application/pdf",
        as_attachment=True,
        filename=f"{version.title}（第{version.number}版）.pdf",
    )
    return response


# ---------------------------------------------------------------- the template editor


def _template_editor(request: HttpRequest) -> None:
    if not can_edit_templates(request.user):
        raise PermissionDenied(_("只有区安委办和系统管理员可以修改报告模板。"))


@login_required
def template_list(request: HttpRequest) -> HttpResponse:
    _template_editor(request)
    templates = ReportTemplate.objects.select_related("updated_by").order_by("kind")
    return render(request, "reports/summaries/template_list.html", {"templates": templates})


@login_required
def template_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """One template: its title pattern and sections, with the metric keys and 写法 beside them. A bad
    sentence refuses the whole save, each problem at its section and line."""
    _template_editor(request)
    template = get_object_or_404(ReportTemplate, pk=pk)
    form = TemplateForm(request.POST or None, instance=template)
    formset = SectionFormSet(
        request.POST or None, instance=template, queryset=template.sections.order_by("order", "pk")
    )
    if request.method == "POST":
        # Leave the instance alone until the service has saved: a refused save must not show half.
        if form.is_valid() and formset.is_valid():
            try:
                with transaction.atomic():
                    template_save(
                        template=template,
                        user=request.user,
                        name=form.cleaned_data["name"],
                        title_pattern=form.cleaned_data["title_pattern"],
                        sections=_section_data(formset),
                        delete=[f.instance.pk for f in formset.deleted_forms if f.instance.pk],
                    )
            except ValidationError as exc:
                form_add_errors(form, exc)
            else:
                messages.success(
                    request, _("已保存模板“%(name)s”；草稿在下次重新生成时采用") % {"name": template.name}
                )
                return redirect("reports:template_edit", pk=template.pk)
        messages.error(request, _("模板未保存：请按下面标出的问题修改。"))
    return render(
        request,
        "reports/summaries/template_edit.html",
        {
            "template": template,
            "form": form,
            "formset": formset,
            "catalogue": sel.metric_catalogue(),
            "filter_help": sel.filter_help(),
        },
    )


def _section_data(formset) -> list[SectionData]:
    deleted = {id(f) for f in formset.deleted_forms}
    out = []
    for form in formset.forms:
        if id(form) in deleted or not form.has_changed() and form.instance.pk is None:
            continue
        d = form.cleaned_data
        if not d:
            continue
        out.append(
            SectionData(
                pk=form.instance.pk,
                key=d["key"],
                order=d["order"],
                level=d["level"],
                heading=d["heading"],
                sentences=d.get("sentences", ""),
                narrative_hint=d.get("narrative_hint", ""),
                default_narrative=d.get("default_narrative", ""),
                table=d.get("table", ""),
                chart=d.get("chart", ""),
                per_unit=d.get("per_unit", False),
            )
        )
    return out
