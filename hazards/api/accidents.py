"""事故 API: the accident records within the caller's scope, recording and correcting them (the
district office, or a department for its sectors), and the figures with year-over-year change.

Serializers only translate; every rule is hazards.services' (400 by field, 403 for a role)."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts.api.serializers import OrgUnitBriefSerializer
from accounts.choices import TOWNSHIP_KINDS
from accounts.models import Enterprise, OrgUnit, Sector
from accounts.scoping import get_object_in_scope, restrict
from core.dates import EARLIEST
from core.serializers import ChoiceLabelField

from .. import permissions, selectors_accidents, services
from ..choices import AccidentGrade
from ..filtersets_accidents import AccidentFilterSet
from ..models import Accident, AccidentCategory

REFUSALS = {
    400: OpenApiResponse(description="校验未通过（按字段给出中文说明）"),
    403: OpenApiResponse(description="当前角色不能执行该操作"),
    404: OpenApiResponse(description="事故不存在或不在可见范围内"),
}


class AccidentCategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = AccidentCategory
        fields = ["id", "code", "name", "order", "is_active"]


class AccidentRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class AccidentEnterpriseRefSerializer(AccidentRefSerializer):
    uscc = serializers.CharField(read_only=True)


class AccidentSerializer(serializers.ModelSerializer):
    township = OrgUnitBriefSerializer(read_only=True)
    enterprise = AccidentEnterpriseRefSerializer(read_only=True, allow_null=True)
    sector = AccidentRefSerializer(read_only=True)
    category = AccidentRefSerializer(read_only=True)
    grade_display = ChoiceLabelField(source="grade")

    class Meta:
        model = Accident
        fields = [
            "id",
            "number",
            "occurred_on",
            "occurred_at",
            "township",
            "enterprise",
            "sector",
            "category",
            "is_production_safety",
            "grade",
            "grade_display",
            "deaths",
            "injuries",
            "direct_loss",
            "summary",
            "created",
            "updated",
        ]


class AccidentInputSerializer(serializers.Serializer):
    occurred_on = serializers.DateField(label=gettext_lazy("发生日期"))
    occurred_at = serializers.TimeField(label=gettext_lazy("发生时间"), required=False, allow_null=True)
    township = serializers.PrimaryKeyRelatedField(
        label=gettext_lazy("所属街道"), queryset=OrgUnit.objects.filter(kind__in=TOWNSHIP_KINDS)
    )
    enterprise = serializers.IntegerField(
        label=gettext_lazy("生产经营单位 id"),
        min_value=1,
        max_value=2**63 - 1,
        required=False,
        allow_null=True,
        default=None,
    )
    sector = serializers.PrimaryKeyRelatedField(label=gettext_lazy("行业领域"), queryset=Sector.objects.all())
    category = serializers.PrimaryKeyRelatedField(
        label=gettext_lazy("事故类别"), queryset=AccidentCategory.objects.all()
    )
    is_production_safety = serializers.BooleanField(label=gettext_lazy("是否生产安全事故"), default=True)
    grade = serializers.ChoiceField(
        label=gettext_lazy("事故等级"), choices=AccidentGrade.choices, default=AccidentGrade.GENERAL
    )
    deaths = serializers.IntegerField(label=gettext_lazy("死亡人数"), min_value=0, max_value=10000, default=0)
    injuries = serializers.IntegerField(
        label=gettext_lazy("受伤人数"), min_value=0, max_value=10000, default=0
    )
    direct_loss = serializers.DecimalField(
        label=gettext_lazy("直接经济损失（万元）"),
        max_digits=12,
        decimal_places=2,
        min_value=0,
        required=False,
        allow_null=True,
    )
    summary = serializers.CharField(label=gettext_lazy("简要经过"))


class FiguresQuerySerializer(serializers.Serializer):
    date_from = serializers.DateField(required=False, help_text=gettext_lazy("期间起（默认本年1月1日）"))
    date_to = serializers.DateField(required=False, help_text=gettext_lazy("期间止（默认今天）"))
    production_safety = serializers.BooleanField(
        required=False, default=True, help_text=gettext_lazy("只计生产安全事故（默认是）")
    )

    def validate(self, attrs):
        today = timezone.localdate()
        attrs["date_to"] = attrs.get("date_to") or today
        attrs["date_from"] = attrs.get("date_from") or attrs["date_to"].replace(month=1, day=1)
        if attrs["date_from"] > attrs["date_to"]:
            raise serializers.ValidationError({"date_from": _("期间起不能晚于期间止。")})
        if attrs["date_from"] < EARLIEST.replace(year=EARLIEST.year + 1):
            raise serializers.ValidationError({"date_from": _("期间起过早。")})
        return attrs


class FigureSetSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text=gettext_lazy("事故起数"))
    deaths = serializers.IntegerField(help_text=gettext_lazy("死亡人数"))
    injuries = serializers.IntegerField(help_text=gettext_lazy("受伤人数"))
    direct_loss = serializers.DecimalField(
        max_digits=14, decimal_places=2, help_text=gettext_lazy("直接经济损失（万元）")
    )


class ChangeSerializer(serializers.Serializer):
    current = serializers.DecimalField(max_digits=14, decimal_places=2)
    previous = serializers.DecimalField(max_digits=14, decimal_places=2)
    direction = serializers.ChoiceField(choices=["down", "up", "flat"])
    rate = serializers.DecimalField(
        max_digits=8,
        decimal_places=2,
        allow_null=True,
        help_text=gettext_lazy("变化率（%），去年同期为0时为空"),
    )
    text = serializers.CharField(help_text=gettext_lazy("如：同比下降60%"))


class ChangesSerializer(serializers.Serializer):
    count = ChangeSerializer()
    deaths = ChangeSerializer()
    injuries = ChangeSerializer()
    direct_loss = ChangeSerializer()


class AccidentFiguresSerializer(serializers.Serializer):
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    previous_from = serializers.DateField()
    previous_to = serializers.DateField()
    current = FigureSetSerializer()
    previous = FigureSetSerializer()
    change = ChangesSerializer()
    text = serializers.CharField(help_text=gettext_lazy("起数和死亡人数的同比，如：同比均下降60%"))


class AccidentViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """事故 within the caller's scope (others answer 404). POST records one, PUT/PATCH correct it (the
    district office, or a department for its sectors); nothing is deleted."""

    serializer_class = AccidentSerializer
    filterset_class = AccidentFilterSet
    lookup_value_regex = r"[0-9]+"
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return selectors_accidents.accident_list(user=self.request.user)

    def get_object(self) -> Accident:
        return get_object_in_scope(self.get_queryset(), self.request.user, "view", pk=self.kwargs["pk"])

    def _data(self, *, partial_of: Accident | None = None) -> services.AccidentData:
        initial = {}
        if partial_of is not None and self.request.method == "PATCH":
            a = partial_of
            initial = {
                "occurred_on": a.occurred_on,
                "occurred_at": a.occurred_at,
                "township": a.township_id,
                "enterprise": a.enterprise_id,
                "sector": a.sector_id,
                "category": a.category_id,
                "is_production_safety": a.is_production_safety,
                "grade": a.grade,
                "deaths": a.deaths,
                "injuries": a.injuries,
                "direct_loss": a.direct_loss,
                "summary": a.summary,
            }
        body = self.request.data if hasattr(self.request.data, "keys") else {}
        parsed = AccidentInputSerializer(data={**initial, **{k: body[k] for k in body}})
        parsed.is_valid(raise_exception=True)
        data = dict(parsed.validated_data)
        enterprise = None
        if data.get("enterprise") is not None:
            enterprise = (
                restrict(Enterprise.objects.select_related("jurisdiction"), self.request.user)
                .filter(pk=data["enterprise"])
                .first()
            )
            if enterprise is None:
                raise ValidationError({"enterprise": [_("所选单位不存在或不在您的可见范围内。")]})
        data["enterprise"] = enterprise
        return services.AccidentData(**data)

    @extend_schema(request=AccidentInputSerializer, responses={201: AccidentSerializer, **REFUSALS})
    def create(self, request, *args, **kwargs):
        if not permissions.can_record_accident(request.user):
            raise PermissionDenied(_("只有区安委办/应急局或行业监管部门可以登记事故。"))
        accident = services.accident_create(user=request.user, data=self._data())
        fresh = self.get_queryset().get(pk=accident.pk)
        return Response(AccidentSerializer(fresh).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=AccidentInputSerializer, responses={200: AccidentSerializer, **REFUSALS})
    def update(self, request, *args, **kwargs):
        accident = self.get_object()  # 404 first
        if not permissions.can_change_accident(request.user, accident):
            raise PermissionDenied(_("您不能修改该事故。"))
        accident = services.accident_update(
            user=request.user, accident=accident, data=self._data(partial_of=accident)
        )
        return Response(AccidentSerializer(self.get_queryset().get(pk=accident.pk)).data)

    @extend_schema(request=AccidentInputSerializer, responses={200: AccidentSerializer, **REFUSALS})
    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, **kwargs)

    @extend_schema(
        parameters=[FiguresQuerySerializer],
        responses={200: AccidentFiguresSerializer, 400: REFUSALS[400]},
    )
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def figures(self, request):
        """生产安全事故起数、死亡、受伤、直接经济损失（万元）of a period in the caller's scope, the same
        period last year's, and the change in the reports' words (同比下降60%)."""
        query = FiguresQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        q = query.validated_data
        yoy = selectors_accidents.accident_figures_yoy(
            user=request.user,
            date_from=q["date_from"],
            date_to=q["date_to"],
            production_safety=q["production_safety"],
        )
        change = {
            key: {
                "current": c.current,
                "previous": c.previous,
                "direction": c.direction,
                "rate": c.rate,
                "text": c.text,
            }
            for key, c in yoy["change"].items()
        }
        body = {**yoy, "change": change, "date_from": q["date_from"], "date_to": q["date_to"]}
        return Response(AccidentFiguresSerializer(body).data)


class AccidentCategoryViewSet(viewsets.ReadOnlyModelViewSet):
    """事故类别 code table (GB 6441 and the district's own; edited by administrators in 系统管理)."""

    serializer_class = AccidentCategorySerializer
    queryset = AccidentCategory.objects.all()
    filterset_fields = ["is_active"]
