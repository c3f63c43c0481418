"""工作总结 API: the work summaries and their templates.

- /api/v1/reports/ — list (filters kind, year, state) and retrieve the reports whose scope the caller
  may see (others: 404); POST creates the draft for a kind, period (or campaign) and scope and builds it
  (the existing one when there is one). POST {id}/build/ rebuilds it (the narrative stays), POST
  {id}/publish/ freezes a numbered version, PATCH {id}/sections/{section_id}/ writes a section's
  narrative, GET {id}/versions/ lists the versions.
- /api/v1/report-versions/{id}/ — a published version's frozen content (exactly as published).
- /api/v1/report-templates/ — the templates with their sections (everyone signed in reads them; the
  office edits them in the browser).

Leaders read only (403 on every write); a township's or department's staff write their own unit's
reports only (403 for another scope they cannot see is a 404 first). A service's ValidationError
answers 400 with its Chinese messages.
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from campaigns.models import Campaign
from campaigns.selectors import campaign_list
from core.serializers import ChoiceLabelField

from .. import selectors_summaries as sel
from ..forms_summaries import ReportFilterForm
from ..models import Report, ReportKind, ReportState, ReportTemplate, ReportVersion, TemplateSection
from ..periods import Period
from ..scopes import scope_allowed, scope_parse, scopes_for_user
from ..services_summaries import can_write, report_build, report_create, report_narrative_save, report_publish
from ..services_templates import SECTION_FIELDS
from ..summaries import report_stats_scope

REFUSALS = {
    400: OpenApiResponse(description="校验未通过（按字段或 non_field_errors 给出中文说明）"),
    403: OpenApiResponse(description="当前角色不能修改该工作总结（领导只读；街道、部门只能写本单位的）"),
    404: OpenApiResponse(description="工作总结不存在或不在可见范围内"),
}


class ReportSerializer(serializers.ModelSerializer):
    kind_display = ChoiceLabelField(source="kind")
    state_display = ChoiceLabelField(source="state")
    scope_name = serializers.SerializerMethodField(help_text=gettext_lazy("统计范围名称"))
    version_count = serializers.IntegerField(read_only=True, help_text=gettext_lazy("已发布的版本数"))

    class Meta:
        model = Report
        fields = [
            "id",
            "kind",
            "kind_display",
            "period_key",
            "campaign",
            "scope_code",
            "scope_name",
            "title",
            "state",
            "state_display",
            "built_at",
            "version_count",
        ]
        read_only_fields = fields

    def get_scope_name(self, report: Report) -> str:
        return report.scope_unit.name if report.scope_unit_id else _("全区")


class SectionSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text=gettext_lazy("章节编号：写正文时用"))
    key = serializers.CharField()
    unit = serializers.DictField(allow_null=True, help_text=gettext_lazy("成员单位部分：{id, name}"))
    level = serializers.IntegerField()
    number = serializers.CharField(help_text=gettext_lazy("一、/（一）/1."))
    heading = serializers.CharField()
    parts = serializers.ListField(help_text=gettext_lazy("[[文字, 指标代码或 null], …]"))
    figure_text = serializers.CharField()
    figure_error = serializers.CharField()
    narrative = serializers.CharField()
    table = serializers.DictField(allow_null=True)
    chart = serializers.DictField(allow_null=True)


class ChangedSerializer(serializers.Serializer):
    scope = serializers.CharField()
    key = serializers.CharField()
    label = serializers.CharField()
    before = serializers.CharField()
    now = serializers.CharField()


class ReportDetailSerializer(ReportSerializer):
    """The report with its content (as the page, the PDF and a published version show it)."""

    content = serializers.SerializerMethodField(help_text=gettext_lazy("报告内容：标题、期间、范围、各节"))
    sections = serializers.SerializerMethodField()
    changed = serializers.SerializerMethodField(help_text=gettext_lazy("自上次生成以来变化的数据"))

    class Meta(ReportSerializer.Meta):
        fields = [*ReportSerializer.Meta.fields, "content", "sections", "changed"]
        read_only_fields = fields

    def _content(self, report: Report):
        if not hasattr(report, "_api_content"):
            content, rows = sel.draft_content(report)
            for section, row in zip(content["sections"], rows, strict=True):
                section["id"] = row.pk
            report._api_content = content
        return report._api_content

    def get_content(self, report: Report) -> dict:
        content = self._content(report)
        return {k: v for k, v in content.items() if k != "sections"}

    @extend_schema_field(SectionSerializer(many=True))
    def get_sections(self, report: Report) -> list:
        return self._content(report)["sections"]

    @extend_schema_field(ChangedSerializer(many=True))
    def get_changed(self, report: Report) -> list:
        return [
            {k: row[k] for k in ("scope", "key", "label", "before", "now")}
            for row in sel.changed_rows(report)
        ]


class ReportCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ReportKind.choices)
    year = serializers.IntegerField(
        required=False, min_value=2000, max_value=2100, help_text=gettext_lazy("年度")
    )
    quarter = serializers.IntegerField(
        required=False, min_value=1, max_value=4, help_text=gettext_lazy("季度工作报告：1–4")
    )
    campaign = serializers.PrimaryKeyRelatedField(
        queryset=Campaign.objects.all(),
        required=False,
        allow_null=True,
        help_text=gettext_lazy("专项行动工作报告"),
    )
    scope = serializers.CharField(
        required=False,
        default="",
        max_length=100,
        help_text=gettext_lazy("district、单位编号或名称；默认本人所在范围"),
    )

    def validate(self, data):
        kind = data["kind"]
        if kind == ReportKind.CAMPAIGN:
            if not data.get("campaign"):
                raise ValidationError({"campaign": [_("专项行动工作报告须选择一个专项行动。")]})
            if not campaign_list(user=self.context["request"].user).filter(pk=data["campaign"].pk).exists():
                raise ValidationError({"campaign": [_("专项行动不存在。")]})
            data["period"] = None
            return data
        if not data.get("year"):
            raise ValidationError({"year": [_("请填写年度。")]})
        if kind == ReportKind.QUARTERLY:
            if not data.get("quarter"):
                raise ValidationError({"quarter": [_("季度工作报告须填写季度（1–4）。")]})
            data["period"] = Period.of(data["year"], quarter=data["quarter"])
        else:
            data["period"] = Period.of(data["year"])
        data["campaign"] = None
        return data


class NarrativeSerializer(serializers.Serializer):
    narrative = serializers.CharField(allow_blank=True, max_length=20000, help_text=gettext_lazy("该节正文"))


class VersionSerializer(serializers.ModelSerializer):
    published_by = serializers.StringRelatedField(allow_null=True)
    pdf_url = serializers.SerializerMethodField(help_text=gettext_lazy("PDF 下载地址；尚未生成时为 null"))

    class Meta:
        model = ReportVersion
        fields = ["id", "report", "number", "title", "published_at", "published_by", "pdf_url", "pdf_sha256"]
        read_only_fields = fields

    def get_pdf_url(self, version: ReportVersion) -> str | None:
        if not version.pdf:
            return None
        return reverse("reports:version_pdf", args=[version.report_id, version.number])


class VersionDetailSerializer(VersionSerializer):
    content = serializers.JSONField(help_text=gettext_lazy("发布时冻结的内容，与网页、PDF 一致"))
    figures = serializers.JSONField(
        help_text=gettext_lazy("发布时的数据：{范围: {指标代码: {value, previous}}}")
    )

    class Meta(VersionSerializer.Meta):
        fields = [*VersionSerializer.Meta.fields, "content", "figures"]
        read_only_fields = fields


def _scope_or_default(request: Request, code: str):
    if not code:
        writable = [s for s in scopes_for_user(request.user) if can_write(request.user, s)]
        if len(writable) != 1 and not any(s.is_district for s in writable):
            raise ValidationError({"scope": [_("请填写统计范围。")]})
        return next((s for s in writable if s.is_district), writable[0] if writable else None)
    try:
        stats_scope = scope_parse(code)
    except ValueError as exc:
        raise NotFound(_("统计范围不存在或不在您的可见范围内。")) from exc
    if not scope_allowed(request.user, stats_scope):
        raise NotFound(_("统计范围不存在或不在您的可见范围内。"))
    return stats_scope


class ReportViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """工作总结: the reports of the caller's scope, and their writes through the services."""

    filter_backends: list = []

    def get_queryset(self):
        return sel.visible_reports(self.request.user).order_by("-period_key", "kind", "scope_code", "-pk")

    def get_serializer_class(self):
        if self.action == "list":
            return ReportSerializer
        if self.action == "create":
            return ReportCreateSerializer
        return ReportDetailSerializer

    def _report(self) -> Report:
        try:
            pk = int(self.kwargs["pk"])
        except (TypeError, ValueError) as exc:
            raise NotFound from exc
        report = self.get_queryset().filter(pk=pk).first()
        if report is None:
            raise NotFound(_("工作总结不存在或不在您的可见范围内。"))
        return report

    def get_object(self):
        return self._report()

    def _detail(self, report: Report, code: int = status.HTTP_200_OK) -> Response:
        report = self.get_queryset().get(pk=report.pk)
        return Response(
            ReportDetailSerializer(report, context=self.get_serializer_context()).data, status=code
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("kind", str, enum=ReportKind.values, description="报告类型"),
            OpenApiParameter("year", int, description="年度（专项行动报告按其开始年份）"),
            OpenApiParameter(
                "state", str, enum=ReportState.values, description="状态：draft 草稿，published 已发布"
            ),
        ],
        responses={200: ReportSerializer(many=True), 400: REFUSALS[400]},
    )
    def list(self, request: Request, *args, **kwargs) -> Response:
        form = ReportFilterForm(request.query_params)
        if not form.is_valid():
            raise ValidationError({k: list(v) for k, v in form.errors.items()})
        queryset = form.filter(self.get_queryset())
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(ReportSerializer(page, many=True).data)

    @extend_schema(
        description="新建并生成工作总结（同一类型、期间和范围已有的，直接返回那一份）。",
        request=ReportCreateSerializer,
        responses={201: ReportDetailSerializer, **REFUSALS},
    )
    def create(self, request: Request, *args, **kwargs) -> Response:
        serializer = ReportCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        stats_scope = _scope_or_default(request, data.get("scope", "").strip())
        report = report_create(
            kind=data["kind"],
            stats_scope=stats_scope,
            user=request.user,
            period=data.get("period"),
            campaign=data.get("campaign"),
        )
        return self._detail(report, status.HTTP_201_CREATED)

    @extend_schema(
        description="重新生成：按现有记录重写各节的数据语句、统计表和统计图；正文保留。",
        request=None,
        responses={200: ReportDetailSerializer, **REFUSALS},
    )
    @action(detail=True, methods=["post"])
    def build(self, request: Request, pk=None) -> Response:
        report = report_build(report=self._report(), user=request.user)
        return self._detail(report)

    @extend_schema(
        description="发布：按此刻的内容冻结为下一个编号的版本；其内容、数据和 PDF 此后不再改变。",
        request=None,
        responses={201: VersionDetailSerializer, **REFUSALS},
    )
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk=None) -> Response:
        version = report_publish(report=self._report(), user=request.user)
        return Response(VersionDetailSerializer(version).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        description="已发布的版本，新的在前。",
        responses={200: VersionSerializer(many=True), 404: REFUSALS[404]},
    )
    @action(detail=True, methods=["get"])
    def versions(self, request: Request, pk=None) -> Response:
        return Response(VersionSerializer(sel.report_versions(self._report()), many=True).data)

    @extend_schema(
        description="写一节的正文（重新生成时保留）。",
        parameters=[OpenApiParameter("section_id", int, OpenApiParameter.PATH, description="章节编号")],
        request=NarrativeSerializer,
        responses={200: SectionSerializer, **REFUSALS},
    )
    @action(detail=True, methods=["patch"], url_path=r"sections/(?P<section_id>\d+)")
    def section(self, request: Request, pk=None, section_id=None) -> Response:
        report = self._report()
        section = report.sections.filter(pk=section_id).first()
        if section is None:
            raise NotFound(_("章节不存在。"))
        serializer = NarrativeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report_narrative_save(
            section=section, narrative=serializer.validated_data["narrative"], user=request.user
        )
        content, rows = sel.draft_content(report)
        for data, row in zip(content["sections"], rows, strict=True):
            if row.pk == section.pk:
                return Response({**data, "id": row.pk})
        raise NotFound(_("章节不存在。"))


class ReportVersionViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """发布版本: the frozen content of a version of a report the caller may see."""

    serializer_class = VersionDetailSerializer
    filter_backends: list = []

    def get_queryset(self):
        return ReportVersion.objects.select_related("published_by")

    @extend_schema(
        description="发布版本：发布时冻结的内容和数据，永不重新计算。",
        responses={200: VersionDetailSerializer, 404: REFUSALS[404]},
    )
    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        try:
            pk = int(kwargs["pk"])
        except (TypeError, ValueError) as exc:
            raise NotFound from exc
        version = (
            ReportVersion.objects.select_related("report__scope_unit", "published_by").filter(pk=pk).first()
        )
        if version is None or not scope_allowed(request.user, report_stats_scope(version.report)):
            raise NotFound(_("发布版本不存在或不在您的可见范围内。"))
        return Response(VersionDetailSerializer(version).data)


class TemplateSectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = TemplateSection
        fields = ["id", *SECTION_FIELDS]
        read_only_fields = fields


class ReportTemplateSerializer(serializers.ModelSerializer):
    sections = TemplateSectionSerializer(many=True, read_only=True)
    updated_by = serializers.StringRelatedField(allow_null=True)

    class Meta:
        model = ReportTemplate
        fields = ["id", "kind", "name", "title_pattern", "updated_at", "updated_by", "sections"]
        read_only_fields = fields


class ReportTemplateViewSet(viewsets.ReadOnlyModelViewSet):
    """报告模板: definitions every signed-in user reads; the office edits them in the browser."""

    serializer_class = ReportTemplateSerializer
    filter_backends: list = []

    def get_queryset(self):
        return (
            ReportTemplate.objects.select_related("updated_by")
            .prefetch_related(Prefetch("sections", queryset=TemplateSection.objects.order_by("order", "pk")))
            .order_by("kind")
        )


router = DefaultRouter()
router.register("reports", ReportViewSet, basename="report")
router.register("report-versions", ReportVersionViewSet, basename="reportversion")
router.register("report-templates", ReportTemplateViewSet, basename="reporttemplate")
