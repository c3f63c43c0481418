"""举报 API: the reports within the caller's scope, recording and correcting them (the district office),
checking them, paying rewards and registering a hazard from a substantiated one, and their figures.

举报人信息保密: `reporter_name` and `reporter_phone` are null in every answer unless the caller is of
the district office (区安委办/应急局 or an administrator)."""

from django.db import transaction
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
from core.serializers import ChoiceLabelField
from hazards.choices import HazardLevel
from hazards.selectors import responsible_units

from .. import permissions_tips as perms
from .. import selectors_tips
from ..choices_tips import TipChannel
from ..filtersets_tips import TipFilterSet
from ..models import Tip
from ..services import tips as services

REFUSALS = {
    400: OpenApiResponse(description="校验未通过（按字段给出中文说明，或 non_field_errors）"),
    403: OpenApiResponse(description="当前角色不能执行该操作"),
    404: OpenApiResponse(description="举报不存在或不在可见范围内"),
    409: OpenApiResponse(description="举报状态已被他人改变（code: stale_state），请刷新后再试"),
}


class TipRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class TipHazardRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    number = serializers.CharField(read_only=True)


class TipSerializer(serializers.ModelSerializer):
    township = OrgUnitBriefSerializer(read_only=True)
    enterprise = TipRefSerializer(read_only=True, allow_null=True)
    sector = TipRefSerializer(read_only=True, allow_null=True)
    hazard = TipHazardRefSerializer(read_only=True, allow_null=True)
    channel_display = ChoiceLabelField(source="channel")
    state_display = ChoiceLabelField(source="state")
    reporter_name = serializers.SerializerMethodField(
        help_text=gettext_lazy("举报人；仅区安委办/应急局可见，其他为 null")
    )
    reporter_phone = serializers.SerializerMethodField(
        help_text=gettext_lazy("举报人电话；仅区安委办/应急局可见，其他为 null")
    )

    class Meta:
        model = Tip
        fields = [
            "id",
            "number",
            "received_on",
            "channel",
            "channel_display",
            "reporter_name",
            "reporter_phone",
            "enterprise",
            "township",
            "sector",
            "address",
            "content",
            "state",
            "state_display",
            "checked_on",
            "result",
            "reward_amount",
            "reward_paid_on",
            "hazard",
            "created",
            "updated",
        ]

    def _reporter(self, tip: Tip, field: str) -> str | None:
        request = self.context.get("request")
        if request is None or not perms.can_see_reporter(request.user):
            return None
        return getattr(tip, field)

    def get_reporter_name(self, tip: Tip) -> str | None:
        return self._reporter(tip, "reporter_name")

    def get_reporter_phone(self, tip: Tip) -> str | None:
        return self._reporter(tip, "reporter_phone")


class TipInputSerializer(serializers.Serializer):
    received_on = serializers.DateField(label=gettext_lazy("受理日期"))
    channel = serializers.ChoiceField(label=gettext_lazy("举报渠道"), choices=TipChannel.choices)
    reporter_name = serializers.CharField(
        label=gettext_lazy("举报人"), max_length=50, required=False, allow_blank=True, default=""
    )
    reporter_phone = serializers.CharField(
        label=gettext_lazy("举报人电话"), max_length=30, required=False, allow_blank=True, default=""
    )
    enterprise = serializers.IntegerField(
        label=gettext_lazy("被举报单位 id"),
        min_value=1,
        max_value=2**63 - 1,
        required=False,
        allow_null=True,
        default=None,
    )
    township = serializers.PrimaryKeyRelatedField(
        label=gettext_lazy("所属街道"),
        queryset=OrgUnit.objects.filter(kind__in=TOWNSHIP_KINDS),
        required=False,
        allow_null=True,
        default=None,
    )
    sector = serializers.PrimaryKeyRelatedField(
        label=gettext_lazy("行业领域"),
        queryset=Sector.objects.all(),
        required=False,
        allow_null=True,
        default=None,
    )
    address = serializers.CharField(
        label=gettext_lazy("地址"), max_length=255, required=False, allow_blank=True, default=""
    )
    content = serializers.CharField(label=gettext_lazy("举报内容"))


class ConcludeInputSerializer(serializers.Serializer):
    substantiated = serializers.BooleanField(label=gettext_lazy("是否属实"))
    checked_on = serializers.DateField(label=gettext_lazy("核查日期"))
    result = serializers.CharField(label=gettext_lazy("核查结果"))


class RewardInputSerializer(serializers.Serializer):
    amount = serializers.DecimalField(label=gettext_lazy("奖励金额（元）"), max_digits=12, decimal_places=2)
    paid_on = serializers.DateField(label=gettext_lazy("发放日期"))


class TipHazardInputSerializer(serializers.Serializer):
    deadline = serializers.DateField(label=gettext_lazy("整改期限"))
    level = serializers.ChoiceField(
        label=gettext_lazy("隐患等级"), choices=HazardLevel.choices, default=HazardLevel.GENERAL
    )
    description = serializers.CharField(
        label=gettext_lazy("隐患描述"), required=False, allow_blank=True, default=""
    )
    responsible_unit = serializers.PrimaryKeyRelatedField(
        label=gettext_lazy("跟踪责任单位"),
        queryset=responsible_units(),
        required=False,
        allow_null=True,
        default=None,
    )
    responsible_person = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    measures = serializers.CharField(required=False, allow_blank=True, default="")
    funds = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False, allow_null=True, default=None
    )
    contingency_plan = serializers.CharField(required=False, allow_blank=True, default="")


class TipHazardSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    source = serializers.CharField()


class TipFiguresQuerySerializer(serializers.Serializer):
    date_from = serializers.DateField(required=False, help_text=gettext_lazy("期间起（默认本年1月1日）"))
    date_to = serializers.DateField(required=False, help_text=gettext_lazy("期间止（默认今天）"))

    def validate(self, attrs):
        attrs["date_to"] = attrs.get("date_to") or timezone.localdate()
        attrs["date_from"] = attrs.get("date_from") or attrs["date_to"].replace(month=1, day=1)
        if attrs["date_from"] > attrs["date_to"]:
            raise serializers.ValidationError({"date_from": _("期间起不能晚于期间止。")})
        return attrs


class TipFiguresSerializer(serializers.Serializer):
    received = serializers.IntegerField(help_text=gettext_lazy("受理举报（件）"))
    substantiated = serializers.IntegerField(help_text=gettext_lazy("核查属实（件）"))
    rewards_paid = serializers.IntegerField(help_text=gettext_lazy("兑现奖励（人次）"))
    rewards_amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, help_text=gettext_lazy("奖励金额（元）")
    )


class TipViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """举报 within the caller's scope (others answer 404). POST records one (the district office);
    PUT/PATCH correct it; the steps are the actions below. Nothing is deleted."""

    serializer_class = TipSerializer
    filterset_class = TipFilterSet
    lookup_value_regex = r"[0-9]+"
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return selectors_tips.tip_list(user=self.request.user).select_related("hazard")

    def get_object(self) -> Tip:
        return get_object_in_scope(self.get_queryset(), self.request.user, "view", pk=self.kwargs["pk"])

    def _tip_for(self, action_name: str) -> Tip:
        tip = self.get_object()  # 404 first
        perms.permission_require(self.request.user, tip, action_name)  # then 403 for the role
        return tip

    def _parse(self, serializer_class, data=None):
        parsed = serializer_class(data=self.request.data if data is None else data)
        parsed.is_valid(raise_exception=True)
        return dict(parsed.validated_data)

    def _answer(self, tip: Tip, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=tip.pk)
        return Response(TipSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    def _tip_data(self, data: dict) -> services.TipData:
        enterprise = None
        if data.get("enterprise") is not None:
            enterprise = (
                restrict(Enterprise.objects.select_related("jurisdiction__parent"), self.request.user)
                .filter(pk=data["enterprise"])
                .first()
            )
            if enterprise is None:
                raise ValidationError({"enterprise": [_("所选单位不存在或不在您的可见范围内。")]})
        return services.TipData(**{**data, "enterprise": enterprise})

    @extend_schema(request=TipInputSerializer, responses={201: TipSerializer, **REFUSALS})
    def create(self, request, *args, **kwargs):
        if not perms.can_record_tip(request.user):
            raise PermissionDenied(_("只有区安委办/应急局可以登记举报。"))
        tip = services.tip_create(user=request.user, data=self._tip_data(self._parse(TipInputSerializer)))
        return self._answer(tip, status.HTTP_201_CREATED)

    @extend_schema(request=TipInputSerializer, responses={200: TipSerializer, **REFUSALS})
    def update(self, request, *args, **kwargs):
        tip = self._tip_for(perms.EDIT)
        current = {
            "received_on": tip.received_on,
            "channel": tip.channel,
            "reporter_name": tip.reporter_name,
            "reporter_phone": tip.reporter_phone,
            "enterprise": tip.enterprise_id,
            "township": tip.township_id,
            "sector": tip.sector_id,
            "address": tip.address,
            "content": tip.content,
        }
        body = request.data if hasattr(request.data, "keys") else {}
        merged = {**current, **{k: body[k] for k in body}} if request.method == "PATCH" else body
        data = self._tip_data(self._parse(TipInputSerializer, merged))
        return self._answer(services.tip_update(user=request.user, tip=tip, data=data))

    @extend_schema(request=TipInputSerializer, responses={200: TipSerializer, **REFUSALS})
    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, **kwargs)

    @extend_schema(request=None, responses={200: TipSerializer, **REFUSALS})
    @action(detail=True, methods=["post"], filter_backends=[])
    def check(self, request, pk=None):
        """开始核查: 已受理 → 核查中 (the district office, or the township/department it lies with)."""
        tip = self._tip_for(perms.CHECK)
        return self._answer(services.tip_check_start(user=request.user, tip=tip))

    @extend_schema(request=ConcludeInputSerializer, responses={200: TipSerializer, **REFUSALS})
    @action(detail=True, methods=["post"], filter_backends=[])
    def conclude(self, request, pk=None):
        """核查结论: 属实 or 不属实, with the date and the result."""
        tip = self._tip_for(perms.CONCLUDE)
        data = self._parse(ConcludeInputSerializer)
        return self._answer(services.tip_conclude(user=request.user, tip=tip, **data))

    @extend_schema(request=RewardInputSerializer, responses={200: TipSerializer, **REFUSALS})
    @action(detail=True, methods=["post"], filter_backends=[])
    def reward(self, request, pk=None):
        """发放举报奖励 (the district office), for a substantiated report, once."""
        tip = self._tip_for(perms.REWARD)
        data = self._parse(RewardInputSerializer)
        return self._answer(services.tip_reward(user=request.user, tip=tip, **data))

    @extend_schema(request=TipHazardInputSerializer, responses={201: TipHazardSerializer, **REFUSALS})
    @action(detail=True, methods=["post"], filter_backends=[])
    def hazard(self, request, pk=None):
        """登记为隐患 (来源：群众举报) from a substantiated report about an enterprise."""
        tip = self._tip_for(perms.HAZARD)
        data = self._parse(TipHazardInputSerializer)
        with transaction.atomic():
            hazard = services.tip_create_hazard(user=request.user, tip=tip, **data)
        body = {"id": hazard.pk, "number": hazard.number, "source": hazard.source}
        return Response(TipHazardSerializer(body).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[TipFiguresQuerySerializer], responses={200: TipFiguresSerializer, 400: REFUSALS[400]}
    )
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def figures(self, request):
        """受理举报、核查属实、兑现奖励（人次、金额，元）of a period in the caller's scope."""
        query = TipFiguresQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        figures = selectors_tips.tip_figures(user=request.user, **query.validated_data)
        return Response(TipFiguresSerializer(figures).data)
