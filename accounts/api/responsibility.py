"""安全责任 API: /api/v1/responsibility-lists/ (职责清单), /work-lists/ (工作清单 and progress),
/responsibility-letters/ (责任书, their scans, and the coverage figures). Scoped like the pages:
outside the caller's scope 404; a leader reads only (403 on writes)."""

import mimetypes

from django.http import FileResponse, Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from .. import selectors_responsibility as selectors
from .. import services_responsibility as services
from ..choices import DutyCategory, WorkStatus
from ..filtersets_responsibility import DutyListFilterSet, LetterFilterSet, WorkListFilterSet
from ..models import (
    DutyItem,
    DutyList,
    Enterprise,
    LetterKind,
    OrgUnit,
    ResponsibilityLetter,
    User,
    WorkItem,
    WorkList,
)
from ..scoping import get_object_in_scope, restrict

BAD_PERIOD = OpenApiResponse(description="年度或日期不合法（按字段给出中文说明）")

# ---------------------------------------------------------------- serializers


class DutyItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = DutyItem
        fields = ["id", "order", "category", "text"]


class DutyListSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    holder = serializers.CharField(read_only=True, help_text=_("职务与姓名"))
    items = DutyItemSerializer(many=True, read_only=True)

    class Meta:
        model = DutyList
        fields = [
            "id",
            "unit",
            "unit_name",
            "title",
            "year",
            "holder_user",
            "holder_name",
            "holder_post",
            "holder",
            "items",
            "created",
            "updated",
        ]


class DutyItemInputSerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=DutyCategory.choices, default=DutyCategory.OTHER)
    text = serializers.CharField()


@extend_schema_field(OpenApiTypes.INT)
class ScopedUnitField(serializers.PrimaryKeyRelatedField):
    """A unit the caller may write in the name of; any other id reads as not found."""

    def get_queryset(self):
        return selectors.units_for_user(user=self.context["request"].user)


class DutyListInputSerializer(serializers.Serializer):
    unit = ScopedUnitField()
    title = serializers.CharField(max_length=200)
    holder_user = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )
    holder_name = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    holder_post = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    year = serializers.IntegerField(required=False, allow_null=True, min_value=2000, max_value=2100)
    items = DutyItemInputSerializer(many=True, required=False, default=list)


class WorkItemSerializer(serializers.ModelSerializer):
    lead_unit_name = serializers.CharField(source="lead_unit.name", read_only=True, allow_null=True)
    progress_by_name = serializers.CharField(
        source="progress_by.display_name", read_only=True, allow_null=True
    )

    class Meta:
        model = WorkItem
        fields = [
            "id",
            "order",
            "task",
            "lead_unit",
            "lead_unit_name",
            "due_on",
            "status",
            "percent",
            "progress_note",
            "progress_by_name",
            "progress_on",
        ]


class WorkListSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    items = WorkItemSerializer(many=True, read_only=True)

    class Meta:
        model = WorkList
        fields = ["id", "unit", "unit_name", "year", "title", "items", "created", "updated"]


class WorkListInputSerializer(serializers.Serializer):
    unit = ScopedUnitField()
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class WorkItemInputSerializer(serializers.Serializer):
    task = serializers.CharField()
    lead_unit = serializers.PrimaryKeyRelatedField(
        queryset=OrgUnit.objects.all(), required=False, allow_null=True
    )
    due_on = serializers.DateField(required=False, allow_null=True)


class ProgressInputSerializer(serializers.Serializer):
    item = serializers.IntegerField(help_text=_("工作任务 id（本清单的）"))
    status = serializers.ChoiceField(choices=WorkStatus.choices)
    percent = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=100)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class LetterSerializer(serializers.ModelSerializer):
    kind_name = serializers.CharField(source="kind.name", read_only=True)
    issuer_name = serializers.CharField(source="issuer.name", read_only=True)
    signer_name = serializers.CharField(read_only=True)
    file_url = serializers.SerializerMethodField()

    class Meta:
        model = ResponsibilityLetter
        fields = [
            "id",
            "kind",
            "kind_name",
            "year",
            "title",
            "issuer",
            "issuer_name",
            "signer_unit",
            "signer_enterprise",
            "signer_name",
            "signed_on",
            "file_url",
            "file_name",
            "note",
            "created",
        ]

    def get_file_url(self, obj: ResponsibilityLetter) -> str | None:
        if not obj.file:
            return None
        request = self.context.get("request")
        url = f"/api/v1/responsibility-letters/{obj.pk}/file/"
        return request.build_absolute_uri(url) if request else url


@extend_schema_field(OpenApiTypes.INT)
class ScopedEnterpriseField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return restrict(Enterprise.objects.all(), self.context["request"].user)


class LetterInputSerializer(serializers.Serializer):
    kind = serializers.PrimaryKeyRelatedField(queryset=LetterKind.objects.filter(is_active=True))
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    issuer = ScopedUnitField()
    signer_unit = serializers.PrimaryKeyRelatedField(
        queryset=OrgUnit.objects.all(), required=False, allow_null=True
    )
    signer_enterprise = ScopedEnterpriseField(required=False, allow_null=True)
    signed_on = serializers.DateField()
    file = serializers.FileField(required=False, allow_null=True, help_text=_("扫描件：PDF 或照片"))
    note = serializers.CharField(required=False, allow_blank=True, default="")


class CoverageRowSerializer(serializers.Serializer):
    township_id = serializers.IntegerField(allow_null=True)
    township = serializers.CharField(allow_null=True)
    enterprises = serializers.IntegerField()
    signed = serializers.IntegerField()
    rate = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)


class CoverageTotalSerializer(serializers.Serializer):
    enterprises = serializers.IntegerField()
    signed = serializers.IntegerField()
    rate = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)


class CoverageSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    rows = CoverageRowSerializer(many=True)
    total = CoverageTotalSerializer()


class ByKindSerializer(serializers.Serializer):
    kind_id = serializers.IntegerField()
    kind = serializers.CharField()
    letters = serializers.IntegerField()
    enterprises = serializers.IntegerField()
    units = serializers.IntegerField()


class ByKindFiguresSerializer(serializers.Serializer):
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    rows = ByKindSerializer(many=True)


class _Input:
    """Parse a body with an input serializer that knows the request (for scoped choices)."""

    def _parse(self, serializer_class) -> dict:
        parsed = serializer_class(data=self.request.data, context=self.get_serializer_context())
        parsed.is_valid(raise_exception=True)
        return parsed.validated_data


# ---------------------------------------------------------------- views


class DutyListViewSet(_Input, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """职责清单 with their items. POST creates one (JSON, items as [{category, text}])."""

    serializer_class = DutyListSerializer
    filterset_class = DutyListFilterSet

    def get_queryset(self):
        return selectors.duty_list_list(user=self.request.user).prefetch_related("items")

    def get_object(self):
        return get_object_in_scope(self.get_queryset(), self.request.user, "view", pk=self.kwargs["pk"])

    @extend_schema(request=DutyListInputSerializer, responses={201: DutyListSerializer})
    def create(self, request, *args, **kwargs):
        data = self._parse(DutyListInputSerializer)
        items = [services.DutyItemData(text=i["text"], category=i["category"]) for i in data.pop("items")]
        duty_list = services.duty_list_create(user=request.user, items=items, **data)
        return Response(
            self.get_serializer(self.get_queryset().get(pk=duty_list.pk)).data, status=status.HTTP_201_CREATED
        )


class WorkListViewSet(_Input, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """工作清单 of a unit and year with their tasks; items/ adds a task, progress/ updates one."""

    serializer_class = WorkListSerializer
    filterset_class = WorkListFilterSet

    def get_queryset(self):
        return selectors.work_list_list(user=self.request.user).prefetch_related(
            "items__lead_unit", "items__progress_by"
        )

    def get_object(self):
        return get_object_in_scope(self.get_queryset(), self.request.user, "view", pk=self.kwargs["pk"])

    def _detail(self, work_list, code=status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=work_list.pk)).data, status=code)

    @extend_schema(request=WorkListInputSerializer, responses={201: WorkListSerializer})
    def create(self, request, *args, **kwargs):
        work_list = services.work_list_create(user=request.user, **self._parse(WorkListInputSerializer))
        return self._detail(work_list, status.HTTP_201_CREATED)

    @extend_schema(request=WorkItemInputSerializer, responses={201: WorkListSerializer})
    @action(detail=True, methods=["post"], filter_backends=[])
    def items(self, request, pk=None):
        """添加工作任务 (task, lead_unit, due_on); answers the whole list."""
        work_list = self.get_object()
        services.work_item_add(user=request.user, work_list=work_list, **self._parse(WorkItemInputSerializer))
        return self._detail(work_list, status.HTTP_201_CREATED)

    @extend_schema(request=ProgressInputSerializer, responses={200: WorkListSerializer})
    @action(detail=True, methods=["post"], filter_backends=[])
    def progress(self, request, pk=None):
        """更新进展 of one task of this list (status, percent, note), by the list's unit."""
        work_list = self.get_object()
        data = self._parse(ProgressInputSerializer)
        item = work_list.items.filter(pk=data["item"]).first()
        if item is None:
            raise serializers.ValidationError({"item": [_("该工作任务不属于此清单。")]})
        services.work_item_progress(
            user=request.user,
            item=item,
            status=data["status"],
            percent=data.get("percent"),
            note=data["note"],
        )
        return self._detail(work_list)


class LetterViewSet(_Input, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """签订的责任书/责任状/承诺书. POST (multipart, or JSON without a file) registers one; file/ serves
    the scan; coverage/ and by-kind/ are the figures for the reports."""

    serializer_class = LetterSerializer
    filterset_class = LetterFilterSet
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        return selectors.letter_list(user=self.request.user)

    def get_object(self):
        return get_object_in_scope(self.get_queryset(), self.request.user, "view", pk=self.kwargs["pk"])

    @extend_schema(
        request={"multipart/form-data": LetterInputSerializer, "application/json": LetterInputSerializer},
        responses={201: LetterSerializer},
    )
    def create(self, request, *args, **kwargs):
        letter = services.letter_create(user=request.user, **self._parse(LetterInputSerializer))
        return Response(
            self.get_serializer(self.get_queryset().get(pk=letter.pk)).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], filter_backends=[])
    def file(self, request, pk=None):
        """The scanned letter (PDF or image), for whoever may see the letter; 404 otherwise."""
        letter = self.get_object()
        if not letter.file:
            raise Http404
        content_type = mimetypes.guess_type(letter.file.name)[0] or "application/octet-stream"
        try:
            response = FileResponse(letter.file.open("rb"), content_type=content_type)
        except FileNotFoundError as exc:
            raise Http404 from exc
        response["Cache-Control"] = "private, max-age=3600"
        return response

    @extend_schema(
        parameters=[OpenApiParameter("year", int, description=str(_("年度，默认今年")))],
        responses={200: CoverageSerializer, 400: BAD_PERIOD},
    )
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def coverage(self, request):
        """签订覆盖率 by township: operating enterprises in scope and how many signed a letter of the year."""
        try:
            year = int(request.query_params.get("year") or timezone.localdate().year)
        except ValueError as exc:
            raise serializers.ValidationError({"year": [_("年度须为数字。")]}) from exc
        if not 2000 <= year <= 2100:
            raise serializers.ValidationError({"year": [_("年度须在 2000—2100 之间。")]})
        return Response(CoverageSerializer(selectors.letter_coverage(user=request.user, year=year)).data)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "date_from", OpenApiTypes.DATE, description=str(_("签订日期起，默认今年1月1日"))
            ),
            OpenApiParameter("date_to", OpenApiTypes.DATE, description=str(_("签订日期止，默认今天"))),
        ],
        responses={200: ByKindFiguresSerializer, 400: BAD_PERIOD},
    )
    @action(detail=False, methods=["get"], url_path="by-kind", filter_backends=[], pagination_class=None)
    def by_kind(self, request):
        """签订的责任书 by kind in a period (signed_on): letters, enterprises and units."""
        period = _Period(data=request.query_params)
        period.is_valid(raise_exception=True)
        today = timezone.localdate()
        date_from = period.validated_data.get("date_from") or today.replace(month=1, day=1)
        date_to = period.validated_data.get("date_to") or today
        rows = selectors.letters_by_kind(user=request.user, date_from=date_from, date_to=date_to)
        return Response(
            ByKindFiguresSerializer({"date_from": date_from, "date_to": date_to, "rows": rows}).data
        )


class _Period(serializers.Serializer):
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)

    def validate(self, attrs):
        if attrs.get("date_from") and attrs.get("date_to") and attrs["date_from"] > attrs["date_to"]:
            raise serializers.ValidationError({"date_to": [_("结束日期不能早于开始日期。")]})
        return attrs
