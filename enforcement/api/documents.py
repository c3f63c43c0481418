"""执法文书 API: documents scoped to the caller, drafts created and edited, issue and correct as actions,
the issued PDF (and the preview of a draft) as files; the document kinds as a read-only code table.

A document outside the caller's scope answers 404 for every route, before any role is considered;
then a role that may not write documents is refused (403): a township or a leader reads. Every write
goes through enforcement.services: a ValidationError becomes a 400 keyed by field (content fields by
their key: facts, deadline …), or a 409 when the document moved under the caller (issued twice, a
draft edited after it was issued: code "stale_state").
"""

import json

import django_filters
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from accounts.models import OrgUnit
from accounts.scoping import get_object_in_scope
from core.filters import IdFilter
from core.serializers import ChoiceLabelField
from hazards.selectors import hazard_get
from inspections.pdf import pdf_response
from inspections.selectors import record_get

from .. import permissions_documents as perms
from .. import selectors, services
from ..document_layouts import DocumentState
from ..models import Document, DocumentKind
from ..pdf import document_pdf_filename
from ..selectors_documents import document_pdf_sha256, document_queryset

REFUSALS = {
    400: OpenApiResponse(description="校验未通过（按字段给出中文说明，或 non_field_errors）"),
    403: OpenApiResponse(description="当前角色不能执行该操作"),
    404: OpenApiResponse(description="文书不存在或不在可见范围内"),
    409: OpenApiResponse(description="文书状态已被他人改变（code: stale_state），如已出具，请刷新后再试"),
}
PDF = {(200, "application/pdf"): OpenApiTypes.BINARY}


class PDFRenderer(BaseRenderer):
    """Lets a client ask for `Accept: application/pdf`; the PDF itself is an HttpResponse of bytes, and
    an error (404) still answers JSON."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes):
            return data
        return json.dumps(data, ensure_ascii=False).encode()


FILE_RENDERERS = [JSONRenderer, PDFRenderer]

# ---------------------------------------------------------------- serializers


class DocumentKindSerializer(serializers.ModelSerializer):
    prerequisites = serializers.SlugRelatedField(many=True, read_only=True, slug_field="code")

    class Meta:
        model = DocumentKind
        fields = [
            "id",
            "code",
            "name",
            "short_name",
            "layout",
            "prerequisites",
            "simple_procedure_skips_prerequisites",
            "allowed_without_case",
            "order",
            "is_active",
        ]


class DocumentSerializer(serializers.ModelSerializer):
    kind = serializers.SlugRelatedField(read_only=True, slug_field="code")
    kind_name = serializers.CharField(source="kind.name", read_only=True)
    state_display = ChoiceLabelField(source="state")
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    issuing_unit_name = serializers.CharField(source="issuing_unit.name", read_only=True)
    superseded_by = serializers.SerializerMethodField()

    class Meta:
        model = Document
        fields = [
            "id",
            "kind",
            "kind_name",
            "state",
            "state_display",
            "number",
            "year",
            "case",
            "hazard",
            "inspection_record",
            "enterprise",
            "enterprise_name",
            "issuing_unit",
            "issuing_unit_name",
            "follows",
            "supersedes",
            "superseded_by",
            "issued_at",
            "issued_by",
            "created",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_superseded_by(self, document: Document) -> int | None:
        try:
            return document.superseded_by.pk
        except Document.superseded_by.RelatedObjectDoesNotExist:
            return None


class DocumentDetailSerializer(DocumentSerializer):
    content = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField()
    pdf_sha256 = serializers.SerializerMethodField()

    class Meta(DocumentSerializer.Meta):
        fields = [*DocumentSerializer.Meta.fields, "content", "allowed_actions", "pdf_sha256"]
        read_only_fields = fields

    @extend_schema_field(serializers.DictField(child=serializers.JSONField()))
    def get_content(self, document: Document) -> dict:
        return document.content

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_allowed_actions(self, document: Document) -> list[str]:
        return sorted(perms.document_allowed_actions(self.context["request"].user, document))

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_pdf_sha256(self, document: Document) -> str | None:
        return document_pdf_sha256(document)


CONTENT = serializers.DictField(
    child=serializers.CharField(allow_blank=True, max_length=5000, trim_whitespace=False),
    help_text="文书内容，按文书种类的字段（facts、legal_basis、deadline（YYYY-MM-DD）、requirements、penalty …）",
)


class DocumentCreateSerializer(serializers.Serializer):
    kind = serializers.CharField(max_length=30, help_text="文书种类代码，如 rectify-order、penalty-decision")
    case = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    hazard = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    inspection_record = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    issuing_unit = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    content = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=5000, trim_whitespace=False),
        required=False,
        help_text="省略时按案件、隐患或检查记录预填",
    )


class DocumentUpdateSerializer(serializers.Serializer):
    content = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=5000, trim_whitespace=False)
    )
    issuing_unit = serializers.IntegerField(required=False, allow_null=True, min_value=1)


# ---------------------------------------------------------------- filters


class DocumentFilterSet(django_filters.FilterSet):
    kind = django_filters.CharFilter(field_name="kind__code", help_text="文书种类代码")
    state = django_filters.ChoiceFilter(choices=DocumentState.choices)
    case = IdFilter(field_name="case_id")
    hazard = IdFilter(field_name="hazard_id")
    inspection_record = IdFilter(field_name="inspection_record_id")
    enterprise = IdFilter(field_name="enterprise_id")
    year = django_filters.NumberFilter()

    class Meta:
        model = Document
        fields = ["kind", "state", "case", "hazard", "inspection_record", "enterprise", "year"]


# ---------------------------------------------------------------- views


class DocumentViewSet(
    mixins.CreateModelMixin, mixins.UpdateModelMixin, mixins.DestroyModelMixin, viewsets.ReadOnlyModelViewSet
):
    """执法文书 within the caller's scope (others answer 404). POST creates a draft (no number); PATCH/PUT
    edits a draft; DELETE discards a draft; `issue` numbers it, renders and locks its PDF; `correct`
    makes a new draft that supersedes it once issued. An issued document never changes (409)."""

    filterset_class = DocumentFilterSet
    lookup_value_regex = r"[0-9]+"
    permission_classes = [IsAuthenticated]

    def get_serializer_class(self):
        return DocumentSerializer if self.action == "list" else DocumentDetailSerializer

    def get_queryset(self) -> QuerySet[Document]:
        return document_queryset(self.request.user).order_by("-created", "-pk")

    def get_object(self) -> Document:
        return get_object_in_scope(self.get_queryset(), self.request.user, "view", pk=self.kwargs["pk"])

    def _to_change(self) -> Document:
        document = self.get_object()  # 404 first
        if not perms.can_work_on(self.request.user, document):
            raise PermissionDenied(str(perms.NO_ISSUE))
        return document

    def _detail(self, document: Document, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=document.pk)
        return Response(
            DocumentDetailSerializer(fresh, context=self.get_serializer_context()).data, status=code
        )

    def _unit(self, pk: int | None) -> OrgUnit | None:
        if pk is None:
            return None
        unit = OrgUnit.objects.filter(pk=pk).first()
        if unit is None:
            raise ValidationError({"issuing_unit": [_("出具单位不存在。")]})
        return unit

    @extend_schema(request=DocumentCreateSerializer, responses={201: DocumentDetailSerializer, **REFUSALS})
    def create(self, request, *args, **kwargs):
        user = request.user
        if not perms.can_issue_any(user):
            raise PermissionDenied(str(perms.NO_ISSUE))
        parsed = DocumentCreateSerializer(data=request.data)
        parsed.is_valid(raise_exception=True)
        data = parsed.validated_data
        kind = DocumentKind.objects.filter(code=data["kind"]).first()
        if kind is None:
            raise ValidationError({"kind": [_("文书种类不存在。")]})
        sources = {}
        if data.get("case"):
            sources["case"] = selectors.case_get(user=user, pk=data["case"])
        if data.get("hazard"):
            sources["hazard"] = hazard_get(user=user, pk=data["hazard"])
        if data.get("inspection_record"):
            sources["inspection_record"] = record_get(user=user, pk=data["inspection_record"])
        document = services.document_create(
            user=user,
            kind=kind,
            content=data.get("content"),
            issuing_unit=self._unit(data.get("issuing_unit")),
            **sources,
        )
        return self._detail(document, status.HTTP_201_CREATED)

    @extend_schema(request=DocumentUpdateSerializer, responses={200: DocumentDetailSerializer, **REFUSALS})
    def update(self, request, *args, **kwargs):
        document = self._to_change()
        parsed = DocumentUpdateSerializer(data=request.data, partial=kwargs.get("partial", False))
        parsed.is_valid(raise_exception=True)
        data = parsed.validated_data
        content = data.get("content")
        if content is None:
            content = {k: v for k, v in document.content.items() if k != "party"}
        elif kwargs.get("partial"):
            content = {**document.content, **content}
            content.pop("party", None)
        document = services.document_update(
            user=request.user,
            document=document,
            content=content,
            issuing_unit=self._unit(data.get("issuing_unit")),
        )
        return self._detail(document)

    @extend_schema(request=DocumentUpdateSerializer, responses={200: DocumentDetailSerializer, **REFUSALS})
    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    @extend_schema(responses={204: None, **REFUSALS})
    def destroy(self, request, *args, **kwargs):
        services.document_discard(user=request.user, document=self._to_change())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses={200: DocumentDetailSerializer, **REFUSALS})
    @action(detail=True, methods=["post"], filter_backends=[])
    def issue(self, request, pk=None):
        """出具: number the draft (per issuing unit, kind and year, no gaps), render and store its PDF, lock it.
        A document already issued (e.g. by a colleague a moment ago) answers 409."""
        return self._detail(services.document_issue(user=request.user, document=self._to_change()))

    @extend_schema(request=None, responses={201: DocumentDetailSerializer, **REFUSALS})
    @action(detail=True, methods=["post"], filter_backends=[])
    def correct(self, request, pk=None):
        """更正: a new draft copying this issued document; once issued it supersedes it (both kept)."""
        new = services.document_correct(user=request.user, document=self._to_change())
        return self._detail(new, status.HTTP_201_CREATED)

    @extend_schema(responses={**PDF, 400: REFUSALS[400], 404: REFUSALS[404]})
    @action(detail=True, methods=["get"], filter_backends=[], renderer_classes=FILE_RENDERERS)
    def pdf(self, request, pk=None):
        """The issued PDF, byte for byte as issued (its SHA-256 is pdf_sha256). A draft has none: 404."""
        document = self.get_object()
        if document.state == DocumentState.DRAFT:
            raise Http404(_("草稿尚未出具，没有PDF；请使用预览。"))
        return pdf_response(services.document_pdf_bytes(document), document_pdf_filename(document))

    @extend_schema(responses={**PDF, 400: REFUSALS[400], 404: REFUSALS[404]})
    @action(detail=True, methods=["get"], filter_backends=[], renderer_classes=FILE_RENDERERS)
    def preview(self, request, pk=None):
        """预览: a draft as it would print, without a number and watermarked; an issued document's PDF."""
        document = self.get_object()
        return pdf_response(services.document_preview(document=document), document_pdf_filename(document))


class DocumentKindViewSet(viewsets.ReadOnlyModelViewSet):
    """文书种类 code table (edited by administrators in 系统管理)."""

    serializer_class = DocumentKindSerializer
    queryset = DocumentKind.objects.prefetch_related("prerequisites").order_by("order", "name")
    filterset_fields = ["is_active", "allowed_without_case"]
