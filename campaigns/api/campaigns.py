"""专项行动 API: campaigns with their phases and targets (CRUD) and their progress.

Everyone signed in reads every campaign (district-wide plans). Writing is the district office's, or
the lead department's for its own campaign (403 otherwise); every write goes through
campaigns.services, whose ValidationError becomes a 400 keyed by field. The progress figures are
counted from the tagged records the caller may see.
"""

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts.api.serializers import OrgUnitBriefSerializer
from accounts.models import OrgUnit, Sector
from core.serializers import ChoiceLabelField

from .. import permissions, selectors, services
from ..choices import CampaignState, TargetMetric
from ..filtersets import CampaignFilterSet
from ..models import Campaign, CampaignKind, CampaignPhase, CampaignTarget

REFUSALS = {
    400: OpenApiResponse(description="校验未通过（按字段给出中文说明，或 non_field_errors）"),
    403: OpenApiResponse(description="当前角色不能修改该专项行动"),
    404: OpenApiResponse(description="专项行动不存在"),
}


class CampaignKindSerializer(serializers.ModelSerializer):
    class Meta:
        model = CampaignKind
        fields = ["id", "code", "name", "order", "is_active"]


class PhaseSerializer(serializers.ModelSerializer):
    class Meta:
        model = CampaignPhase
        fields = ["name", "start_on", "end_on", "tasks"]


class TargetSerializer(serializers.ModelSerializer):
    metric_display = ChoiceLabelField(source="metric")
    unit = serializers.CharField(read_only=True)

    class Meta:
        model = CampaignTarget
        fields = ["metric", "metric_display", "sector", "target", "unit"]


class CampaignSerializer(serializers.ModelSerializer):
    kind = CampaignKindSerializer(read_only=True)
    lead_department = OrgUnitBriefSerializer(read_only=True)
    member_units = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    sectors = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    state = serializers.ChoiceField(
        choices=CampaignState.choices, read_only=True, help_text=_("按今天的日期")
    )
    phases = PhaseSerializer(many=True, read_only=True)
    targets = TargetSerializer(many=True, read_only=True)

    class Meta:
        model = Campaign
        fields = [
            "id",
            "name",
            "kind",
            "parent",
            "start_on",
            "end_on",
            "state",
            "lead_department",
            "member_units",
            "sectors",
            "document_number",
            "description",
            "phases",
            "targets",
        ]
        read_only_fields = fields


class PhaseInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=50)
    start_on = serializers.DateField()
    end_on = serializers.DateField()
    tasks = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class TargetInputSerializer(serializers.Serializer):
    metric = serializers.ChoiceField(choices=TargetMetric.choices)
    sector = serializers.PrimaryKeyRelatedField(
        queryset=Sector.objects.all(), required=False, allow_null=True
    )
    target = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)


class CampaignInputSerializer(serializers.Serializer):
    kind = serializers.PrimaryKeyRelatedField(queryset=CampaignKind.objects.all())
    name = serializers.CharField(max_length=100)
    parent = serializers.PrimaryKeyRelatedField(
        queryset=Campaign.objects.all(), required=False, allow_null=True
    )
    start_on = serializers.DateField()
    end_on = serializers.DateField()
    lead_department = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.all())
    member_units = serializers.PrimaryKeyRelatedField(
        queryset=OrgUnit.objects.all(), many=True, required=False
    )
    sectors = serializers.PrimaryKeyRelatedField(queryset=Sector.objects.all(), many=True, required=False)
    document_number = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    phases = PhaseInputSerializer(many=True, required=False)
    targets = TargetInputSerializer(many=True, required=False)

    def to_data(self) -> services.CampaignData:
        d = self.validated_data
        return services.CampaignData(
            kind=d["kind"],
            name=d["name"],
            parent=d.get("parent"),
            start_on=d["start_on"],
            end_on=d["end_on"],
            lead_department=d["lead_department"],
            member_units=d.get("member_units", []),
            sectors=d.get("sectors", []),
            document_number=d.get("document_number", ""),
            description=d.get("description", ""),
            phases=[services.PhaseData(**p) for p in d.get("phases", [])],
            targets=[
                services.TargetData(metric=t["metric"], target=t["target"], sector=t.get("sector"))
                for t in d.get("targets", [])
            ],
        )


class TargetProgressSerializer(serializers.Serializer):
    metric = serializers.CharField(source="target.metric")
    label = serializers.CharField()
    sector = serializers.IntegerField(source="target.sector_id", allow_null=True)
    unit = serializers.CharField()
    target = serializers.DecimalField(source="target.target", max_digits=12, decimal_places=2)
    done = serializers.DecimalField(
        max_digits=14, decimal_places=2, allow_null=True, help_text=_("已完成；无对应统计时为 null")
    )
    percent = serializers.DecimalField(max_digits=8, decimal_places=1, allow_null=True)


class TaggedSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    unit = serializers.CharField()
    value = serializers.DecimalField(max_digits=14, decimal_places=2)


class ProgressSerializer(serializers.Serializer):
    scoped = serializers.BooleanField(help_text=_("为 true 时数字只计调用者可见范围内的记录"))
    targets = TargetProgressSerializer(many=True)
    tagged = TaggedSerializer(many=True)


def _campaigns():
    return selectors.campaign_list(user=None).prefetch_related(
        "member_units",
        "sectors",
        Prefetch("phases", queryset=CampaignPhase.objects.order_by("start_on", "pk")),
        Prefetch("targets", queryset=CampaignTarget.objects.order_by("order", "pk")),
    )


class CampaignKindViewSet(viewsets.ReadOnlyModelViewSet):
    """专项行动类型 (a code table the administrator edits)."""

    serializer_class = CampaignKindSerializer
    queryset = CampaignKind.objects.all()
    permission_classes = [IsAuthenticated]
    lookup_value_regex = r"[0-9]+"
    filter_backends = []


class CampaignViewSet(viewsets.ModelViewSet):
    """专项行动: every signed-in user reads all; the district office writes any, a department those it
    leads. PUT replaces the campaign with its phases and targets; PATCH changes only the fields sent
    (phases or targets, when sent, replace the campaign's). DELETE only while nothing is tagged."""

    filterset_class = CampaignFilterSet
    lookup_value_regex = r"[0-9]+"
    permission_classes = [IsAuthenticated]
    serializer_class = CampaignSerializer

    def get_queryset(self):
        return _campaigns()

    def get_object(self) -> Campaign:
        return selectors.campaign_get(user=self.request.user, pk=self.kwargs["pk"])

    def _detail(self, campaign: Campaign, code=status.HTTP_200_OK) -> Response:
        fresh = _campaigns().get(pk=campaign.pk)
        return Response(CampaignSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=CampaignInputSerializer, responses={201: CampaignSerializer, **REFUSALS})
    def create(self, request, *args, **kwargs):
        if not permissions.can_create(request.user):
            raise PermissionDenied(_("您没有新建专项行动的权限。"))
        parsed = CampaignInputSerializer(data=request.data)
        parsed.is_valid(raise_exception=True)
        campaign = services.campaign_create(user=request.user, data=parsed.to_data())
        return self._detail(campaign, status.HTTP_201_CREATED)

    def _change(self, request, *, partial: bool) -> Response:
        campaign = self.get_object()  # 404 first
        if not permissions.can_change(request.user, campaign):
            raise PermissionDenied(_("您没有修改该专项行动的权限。"))
        data = request.data
        if partial:
            current = {
                "kind": campaign.kind_id,
                "name": campaign.name,
                "parent": campaign.parent_id,
                "start_on": campaign.start_on,
                "end_on": campaign.end_on,
                "lead_department": campaign.lead_department_id,
                "member_units": [u.pk for u in campaign.member_units.all()],
                "sectors": [s.pk for s in campaign.sectors.all()],
                "document_number": campaign.document_number,
                "description": campaign.description,
                "phases": PhaseSerializer(campaign.phases.all(), many=True).data,
                "targets": [
                    {"metric": t.metric, "sector": t.sector_id, "target": t.target}
                    for t in campaign.targets.all()
                ],
            }
            incoming = dict(data.items()) if hasattr(data, "items") else {}
            data = {**current, **incoming}
        parsed = CampaignInputSerializer(data=data)
        parsed.is_valid(raise_exception=True)
        campaign = services.campaign_update(user=request.user, campaign=campaign, data=parsed.to_data())
        return self._detail(campaign)

    @extend_schema(request=CampaignInputSerializer, responses={200: CampaignSerializer, **REFUSALS})
    def update(self, request, *args, **kwargs):
        return self._change(request, partial=False)

    @extend_schema(request=CampaignInputSerializer, responses={200: CampaignSerializer, **REFUSALS})
    def partial_update(self, request, *args, **kwargs):
        return self._change(request, partial=True)

    @extend_schema(responses={204: None, **REFUSALS})
    def destroy(self, request, *args, **kwargs):
        campaign = self.get_object()
        if not permissions.can_delete(request.user, campaign):
            raise PermissionDenied(_("您没有删除该专项行动的权限。"))
        services.campaign_delete(user=request.user, campaign=campaign)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses={200: ProgressSerializer, 404: REFUSALS[404]})
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def progress(self, request, pk=None):
        """目标进度 and everything tagged to the campaign, counted from the records the caller may see."""
        campaign = self.get_object()
        user = request.user
        tagged = [
            {"key": m.key, "label": str(m.label), "unit": m.unit, "value": value}
            for m, value in selectors.campaign_tagged(user=user, campaign=campaign)
        ]
        body = {
            "scoped": not selectors.sees_everything(user),
            "targets": selectors.campaign_progress(user=user, campaign=campaign),
            "tagged": tagged,
        }
        return Response(ProgressSerializer(body).data)
