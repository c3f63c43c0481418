from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.api.serializers import OrgUnitBriefSerializer
from accounts.models import OrgUnit, Sector, User
from campaigns.models import Campaign

from .. import selectors
from ..choices import ActionStatus, CheckResultValue, LeaderLevel
from ..models import (
    CheckItem,
    CheckResult,
    DrawPick,
    InspectionAction,
    InspectionKind,
    InspectionPlan,
    InspectionRecord,
    RandomDraw,
    RecordPhoto,
)
from ..services import ResultData, TargetData, VisitData


class InspectionKindSerializer(serializers.ModelSerializer):
    class Meta:
        model = InspectionKind
        fields = ["id", "code", "name", "is_enforcement"]


class CheckItemSerializer(serializers.ModelSerializer):
    sector_name = serializers.CharField(source="sector.name", read_only=True)

    class Meta:
        model = CheckItem
        fields = ["id", "sector", "sector_name", "code", "title", "basis"]


class InspectionActionSerializer(serializers.ModelSerializer):
    kind = InspectionKindSerializer(read_only=True)
    organizer = OrgUnitBriefSerializer(read_only=True)
    visit_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = InspectionAction
        fields = [
            "id",
            "number",
            "date",
            "kind",
            "organizer",
            "experts",
            "person_count",
            "visit_count",
            "is_unannounced",
            "is_leader_led",
            "leader_name",
            "leader_level",
            "status",
            "cert_unverified",
            "note",
            "campaign",
        ]
        extra_kwargs = {"campaign": {"help_text": _("所属专项行动 id；不属于专项行动为 null")}}


class CheckResultSerializer(serializers.ModelSerializer):
    class Meta:
        model = CheckResult
        fields = ["item", "result", "note"]


class InspectionRecordSerializer(serializers.ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    results = CheckResultSerializer(many=True, read_only=True)

    class Meta:
        model = InspectionRecord
        fields = [
            "id",
            "number",
            "action",
            "enterprise",
            "enterprise_name",
            "findings",
            "note",
            "results",
            "issued_at",
            "supersedes",
        ]
        read_only_fields = ["issued_at", "supersedes"]


# ---------------------------------------------------------------- writes (录入检查 via the API)


class MemberBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(source="display_name", read_only=True)


class RecordBriefSerializer(serializers.ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)

    class Meta:
        model = InspectionRecord
        fields = ["id", "number", "enterprise", "enterprise_name"]


class InspectionActionDetailSerializer(InspectionActionSerializer):
    """One action with its team and the records the caller may see (others' enterprises stay hidden)."""

    members = MemberBriefSerializer(many=True, read_only=True)
    records = RecordBriefSerializer(source="visible_records", many=True, read_only=True)

    class Meta(InspectionActionSerializer.Meta):
        fields = [*InspectionActionSerializer.Meta.fields, "members", "records"]


@extend_schema_field({"oneOf": [{"type": "integer"}, {"type": "string"}], "example": "special"})
class KindField(serializers.Field):
    """检查类型 by id or by code (special, routine …): clients keep codes, ids differ between systems."""

    default_error_messages = {"unknown": _("检查类型“{value}”不存在或已停用。")}

    def to_internal_value(self, data) -> InspectionKind:
        kinds = InspectionKind.objects.filter(is_active=True)
        text = str(data).strip()
        kind = kinds.filter(pk=int(text)).first() if text.isdecimal() else kinds.filter(code=text).first()
        if kind is None:
            self.fail("unknown", value=text)
        return kind

    def to_representation(self, value: InspectionKind) -> str:
        return value.code


class ResultInputSerializer(serializers.Serializer):
    item = serializers.IntegerField(help_text=_("检查事项 id（见 /api/v1/check-items/）"))
    result = serializers.ChoiceField(choices=CheckResultValue.choices)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class VisitInputSerializer(serializers.Serializer):
    """What was found at one enterprise. Parsing only; record_save_visit applies the rules."""

    findings = serializers.CharField(required=False, allow_blank=True, default="")
    note = serializers.CharField(required=False, allow_blank=True, default="")
    results = ResultInputSerializer(many=True, required=False, default=list)


def visit_data(validated: dict) -> VisitData:
    """A parsed visit (or record) as the service takes it."""
    return VisitData(
        results=[ResultData(r["item"], r["result"], r.get("note", "")) for r in validated["results"]],
        findings=validated["findings"],
        note=validated["note"],
    )


class RecordInputSerializer(VisitInputSerializer):
    # An id, not a related field: an enterprise that does not exist and one outside the caller's scope
    # must get the same answer.
    enterprise = serializers.IntegerField(help_text=_("被检查单位 id"))


def _writable_organizers(serializer: serializers.Field):
    return selectors.organizers_writable(user=serializer.context["request"].user)


def _team_candidates(serializer: serializers.Field):
    return selectors.team_candidates(user=serializer.context["request"].user)


class ScopedPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """A related id whose choices depend on the caller, as a form's ModelChoiceField queryset would."""

    def __init__(self, *, choices_for, **kwargs):
        self.choices_for = choices_for
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.choices_for(self)


class ActionInputSerializer(serializers.Serializer):
    """录入检查行动 with its records in one call. Parsing only; services.action_create applies the rules."""

    date = serializers.DateField()
    kind = KindField(help_text=_("检查类型 id 或代码，如 special、routine"))
    organizer = ScopedPrimaryKeyField(
        queryset=OrgUnit.objects.all(),
        choices_for=_writable_organizers,
        required=False,
        help_text=_("检查单位 id；不填为本人所属单位"),
    )
    members = serializers.ListField(
        child=ScopedPrimaryKeyField(queryset=User.objects.all(), choices_for=_team_candidates),
        help_text=_("检查人员（用户 id）"),
    )
    experts = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    is_unannounced = serializers.BooleanField(
        required=False, default=False, help_text=_("四不两直（任何检查类型均可）")
    )
    is_leader_led = serializers.BooleanField(required=False, default=False)
    leader_name = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    leader_level = serializers.ChoiceField(
        choices=LeaderLevel.choices, required=False, allow_blank=True, default=""
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")
    campaign = serializers.PrimaryKeyRelatedField(
        queryset=Campaign.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text=_("专项行动 id；检查日期须在该专项行动期间"),
    )
    records = RecordInputSerializer(many=True, allow_empty=False)

    def validate(self, attrs):
        if "organizer" not in attrs:
            user = self.context["request"].user
            own = _writable_organizers(self).filter(pk=user.org_unit_id).first()
            if own is None:
                raise serializers.ValidationError({"organizer": _("请选择检查单位。")})
            attrs["organizer"] = own
        return attrs


class PhotoSerializer(serializers.ModelSerializer):
    """Two addresses, both checked against the caller's scope: `url` for a signed-in browser (the
    web page's photo view), `api_url` for API clients signing in with a token."""

    uploaded_by = serializers.CharField(source="uploaded_by.display_name", read_only=True)
    url = serializers.SerializerMethodField(help_text=_("照片地址（网页登录后使用）"))
    api_url = serializers.SerializerMethodField(help_text=_("照片下载接口（令牌认证可用）"))

    class Meta:
        model = RecordPhoto
        fields = ["id", "caption", "url", "api_url", "uploaded_by", "created"]

    def _absolute(self, url: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url

    def get_api_url(self, photo: RecordPhoto) -> str:
        return self._absolute(reverse("inspectionrecord-photo-file", args=[photo.record_id, photo.pk]))

    def get_url(self, photo: RecordPhoto) -> str:
        try:
            return self._absolute(reverse("inspections:photo", args=[photo.pk]))
        except NoReverseMatch:  # without the web pages, the API's own download serves browsers too
            return self.get_api_url(photo)


class PhotoUploadSerializer(serializers.Serializer):
    image = serializers.FileField(help_text=_("JPG、PNG、WEBP 或 GIF 照片"))
    caption = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


# ---------------------------------------------------------------- 检查计划


class PlanLineSerializer(serializers.Serializer):
    """One target line with what has been done against it (计划家次, 已完成家次, 完成率)."""

    id = serializers.IntegerField(source="target.pk", read_only=True)
    sector = serializers.IntegerField(source="target.sector_id", allow_null=True, read_only=True)
    sector_name = serializers.CharField(source="target.sector.name", allow_null=True, read_only=True)
    township = serializers.IntegerField(source="target.township_id", allow_null=True, read_only=True)
    township_name = serializers.CharField(source="target.township.name", allow_null=True, read_only=True)
    kind = serializers.IntegerField(source="target.kind_id", allow_null=True, read_only=True)
    kind_name = serializers.CharField(source="target.kind.name", allow_null=True, read_only=True)
    target_visits = serializers.IntegerField(source="planned", read_only=True, help_text=_("计划检查家次"))
    done = serializers.IntegerField(read_only=True, help_text=_("已完成家次"))
    percent = serializers.FloatField(read_only=True, allow_null=True, help_text=_("完成率（%），一位小数"))


class PlanTotalSerializer(serializers.Serializer):
    target_visits = serializers.IntegerField(source="planned", read_only=True)
    done = serializers.IntegerField(read_only=True)
    percent = serializers.FloatField(read_only=True, allow_null=True)


class PlanElapsedSerializer(serializers.Serializer):
    passed = serializers.IntegerField(read_only=True, help_text=_("已过的月数（年度计划）或天数（月度计划）"))
    total = serializers.IntegerField(read_only=True)
    unit = serializers.CharField(read_only=True)
    percent = serializers.FloatField(read_only=True, help_text=_("时间进度（%）"))


class InspectionPlanSerializer(serializers.ModelSerializer):
    """A plan with its lines and done vs planned. The view hands in the progress of a whole page
    (context["progress"]), counted in one query; a lone plan is counted on demand."""

    organizer = OrgUnitBriefSerializer(read_only=True)
    period_label = serializers.CharField(read_only=True)
    targets = serializers.SerializerMethodField()
    total = serializers.SerializerMethodField()
    elapsed = serializers.SerializerMethodField()
    on_track = serializers.SerializerMethodField(help_text=_("完成率不低于时间进度"))

    class Meta:
        model = InspectionPlan
        fields = [
            "id",
            "organizer",
            "year",
            "month",
            "period_label",
            "title",
            "note",
            "targets",
            "total",
            "elapsed",
            "on_track",
            "created",
            "updated",
        ]

    def _progress(self, plan):
        cache = self.context.setdefault("progress", {})
        if plan.pk not in cache:
            cache.update(selectors.plans_progress(plans=[plan]))
        return cache[plan.pk]

    @extend_schema_field(PlanLineSerializer(many=True))
    def get_targets(self, plan) -> list:
        return PlanLineSerializer(self._progress(plan).lines, many=True).data

    @extend_schema_field(PlanTotalSerializer)
    def get_total(self, plan) -> dict:
        return PlanTotalSerializer(self._progress(plan).total).data

    @extend_schema_field(PlanElapsedSerializer)
    def get_elapsed(self, plan) -> dict:
        return PlanElapsedSerializer(self._progress(plan).elapsed).data

    def get_on_track(self, plan) -> bool:
        return self._progress(plan).on_track


class PlanTargetInputSerializer(serializers.Serializer):
    """One line; leave sector, township or kind out (or null) for 不限."""

    sector = serializers.PrimaryKeyRelatedField(
        queryset=Sector.objects.all(), allow_null=True, required=False
    )
    township = serializers.PrimaryKeyRelatedField(
        queryset=OrgUnit.objects.all(), allow_null=True, required=False, help_text=_("街道/乡镇 id")
    )
    kind = serializers.PrimaryKeyRelatedField(
        queryset=InspectionKind.objects.all(), allow_null=True, required=False
    )
    target_visits = serializers.IntegerField(help_text=_("计划检查家次，至少为1"))


class InspectionPlanInputSerializer(serializers.Serializer):
    """制定/修改检查计划. Parsing only; services.plan_create / plan_update apply the rules.
    On update the lines sent replace the old ones; the unit cannot change."""

    organizer = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.all(), help_text=_("检查单位 id"))
    year = serializers.IntegerField()
    month = serializers.IntegerField(
        allow_null=True, required=False, default=None, help_text=_("留空为年度计划")
    )
    title = serializers.CharField(max_length=100)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    targets = PlanTargetInputSerializer(many=True)


def target_data(lines: list[dict]) -> list[TargetData]:
    return [
        TargetData(
            target_visits=line["target_visits"],
            sector=line.get("sector"),
            township=line.get("township"),
            kind=line.get("kind"),
        )
        for line in lines
    ]


# ---------------------------------------------------------------- 双随机抽取


class DrawInspectorSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(source="display_name", read_only=True)


class DrawPickSerializer(serializers.ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    enterprise_uscc = serializers.CharField(source="enterprise.uscc", read_only=True)
    inspectors = DrawInspectorSerializer(many=True, read_only=True)
    action_status = serializers.ChoiceField(
        source="action.status", choices=ActionStatus.choices, read_only=True, allow_null=True
    )

    class Meta:
        model = DrawPick
        fields = [
            "order",
            "enterprise",
            "enterprise_name",
            "enterprise_uscc",
            "inspectors",
            "action",
            "action_status",
        ]


class RandomDrawSerializer(serializers.ModelSerializer):
    """A published draw: what was drawn from (criteria, both pools), the seed, and the result."""

    organizer = OrgUnitBriefSerializer(read_only=True)
    criteria = serializers.JSONField(read_only=True, help_text=_("抽取条件：行业领域、街道/乡镇、风险等级"))
    pool_enterprise_ids = serializers.ListField(
        child=serializers.ListField(child=serializers.IntegerField(), min_length=2, max_length=2),
        read_only=True,
        help_text=_("单位名录库：[[单位id, 权重], …]"),
    )
    pool_inspector_ids = serializers.ListField(
        child=serializers.IntegerField(), read_only=True, help_text=_("执法人员名录库：用户id")
    )
    picks = DrawPickSerializer(many=True, read_only=True)

    class Meta:
        model = RandomDraw
        fields = [
            "id",
            "number",
            "title",
            "organizer",
            "planned_date",
            "criteria",
            "weighted_by_grade",
            "enterprise_count",
            "inspectors_per_enterprise",
            "seed",
            "pool_enterprise_ids",
            "pool_inspector_ids",
            "picks",
            "created",
        ]


class RandomDrawInputSerializer(serializers.Serializer):
    """Parsing only; draw_create applies the rules. The seed is never the caller's to choose."""

    title = serializers.CharField(max_length=100)
    organizer = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.all())
    planned_date = serializers.DateField()
    sectors = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    townships = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    risk_grades = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    enterprise_count = serializers.IntegerField(min_value=0, max_value=32767)
    inspectors_per_enterprise = serializers.IntegerField(min_value=0, max_value=32767, default=2)
    weighted_by_grade = serializers.BooleanField(default=False)
