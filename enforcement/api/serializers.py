"""Shapes of the case API. Read serializers nest briefly so a client needs no second call per row; input
serializers only parse — the services apply every rule. (Documents add their own serializers.)"""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.api.serializers import OrgUnitBriefSerializer
from campaigns.api.serializers import TalkBriefSerializer
from campaigns.models import Campaign
from core.serializers import ChoiceLabelField
from hazards.api.serializers import EnterpriseBriefSerializer

from ..choices import CaseProcedure, CaseSource, MeasureKind, PenaltyKind, PenaltyTarget, StopKind
from ..models import Case, CaseEvent, CaseExtension, LegalArticle, Measure, Penalty
from ..selectors import case_talks


class LegalArticleSerializer(serializers.ModelSerializer):
    label = serializers.CharField(source="__str__", read_only=True)

    class Meta:
        model = LegalArticle
        fields = ["id", "law", "law_short", "article", "label", "summary", "order", "is_active"]


class CaseOfficerSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(source="display_name", read_only=True)


class CasePenaltySerializer(serializers.ModelSerializer):
    target_display = ChoiceLabelField(source="target")
    kind_display = ChoiceLabelField(source="kind")

    class Meta:
        model = Penalty
        fields = [
            "id",
            "target",
            "target_display",
            "person_name",
            "person_title",
            "kind",
            "kind_display",
            "amount",
            "detail",
        ]


class CaseMeasureSerializer(serializers.ModelSerializer):
    kind_display = ChoiceLabelField(source="kind")
    stop_kind_display = ChoiceLabelField(source="stop_kind")

    class Meta:
        model = Measure
        fields = [
            "id",
            "kind",
            "kind_display",
            "stop_kind",
            "stop_kind_display",
            "start_on",
            "end_on",
            "persons",
            "detail",
        ]


class CaseExtensionSerializer(serializers.ModelSerializer):
    requested_by = serializers.CharField(source="requested_by.display_name", read_only=True)
    decided_by = serializers.CharField(source="decided_by.display_name", read_only=True, allow_null=True)

    class Meta:
        model = CaseExtension
        fields = [
            "id",
            "old_deadline",
            "new_deadline",
            "reason",
            "status",
            "requested_by",
            "requested_at",
            "decided_by",
            "decided_at",
            "decision_note",
        ]


class CaseEventSerializer(serializers.ModelSerializer):
    kind_display = ChoiceLabelField(source="kind")
    user = serializers.CharField(source="user.display_name", read_only=True, allow_null=True)

    class Meta:
        model = CaseEvent
        fields = ["id", "at", "kind", "kind_display", "from_state", "to_state", "note", "user"]


class CaseSerializer(serializers.ModelSerializer):
    """One row of the case list."""

    enterprise = EnterpriseBriefSerializer(read_only=True)
    township = OrgUnitBriefSerializer(read_only=True)
    handling_unit = OrgUnitBriefSerializer(read_only=True)
    state_display = ChoiceLabelField(source="state")
    procedure_display = ChoiceLabelField(source="procedure")
    source_display = ChoiceLabelField(source="source")
    days_remaining = serializers.SerializerMethodField(
        help_text=_("距办案期限的天数（负数为已超期）；简易程序或已决定的案件为 null")
    )
    deadline_status = serializers.SerializerMethodField(
        help_text=_("near：10日内到期；overdue：已超期；空：正常")
    )

    class Meta:
        model = Case
        fields = [
            "id",
            "number",
            "enterprise",
            "township",
            "handling_unit",
            "procedure",
            "procedure_display",
            "source",
            "source_display",
            "campaign",
            "cause",
            "state",
            "state_display",
            "opened_on",
            "decided_on",
            "closed_on",
            "deadline",
            "days_remaining",
            "deadline_status",
        ]
        extra_kwargs = {"campaign": {"help_text": _("所属专项行动 id；不属于专项行动为 null")}}

    def get_days_remaining(self, case: Case) -> int | None:
        return case.days_remaining()

    def get_deadline_status(self, case: Case) -> str:
        return case.deadline_status()


class CaseDetailSerializer(CaseSerializer):
    articles = LegalArticleSerializer(many=True, read_only=True)
    officers = CaseOfficerSerializer(many=True, read_only=True)
    penalties = CasePenaltySerializer(many=True, read_only=True)
    measures = CaseMeasureSerializer(many=True, read_only=True)
    extensions = CaseExtensionSerializer(many=True, read_only=True)
    events = CaseEventSerializer(many=True, read_only=True)
    allowed_actions = serializers.SerializerMethodField(help_text=_("当前用户此时可以执行的操作"))
    talks = serializers.SerializerMethodField(help_text=_("关联的约谈（当前用户可见的）"))

    class Meta(CaseSerializer.Meta):
        fields = [
            *CaseSerializer.Meta.fields,
            "facts",
            "articles",
            "officers",
            "source_record",
            "source_hazard",
            "hearing_requested",
            "decision_summary",
            "outcome_reason",
            "transferred_to",
            "penalties",
            "measures",
            "extensions",
            "events",
            "allowed_actions",
            "talks",
        ]

    @extend_schema_field(TalkBriefSerializer(many=True))
    def get_talks(self, case: Case) -> list[dict]:
        return TalkBriefSerializer(case_talks(user=self.context["request"].user, case=case), many=True).data

    def get_allowed_actions(self, case: Case) -> list[str]:
        return sorted(self.context.get("allowed_actions", ()))


# ---------------------------------------------------------------- input


class CaseInputSerializer(serializers.Serializer):
    number = serializers.CharField(
        max_length=60, required=False, allow_blank=True, default="", help_text=_("留空由系统编号")
    )
    enterprise = serializers.IntegerField(help_text=_("当事单位 id"))
    handling_unit = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("办案单位 id；不填为区安委办/应急局（部门人员为本部门）"),
    )
    procedure = serializers.ChoiceField(choices=CaseProcedure.choices)
    cause = serializers.CharField(max_length=300)
    opened_on = serializers.DateField()
    facts = serializers.CharField(required=False, allow_blank=True, default="")
    articles = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    officers = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    source = serializers.ChoiceField(choices=CaseSource.choices, required=False, default=CaseSource.NONE)
    source_record = serializers.IntegerField(required=False, allow_null=True, default=None)
    source_hazard = serializers.IntegerField(required=False, allow_null=True, default=None)
    campaign = serializers.PrimaryKeyRelatedField(
        queryset=Campaign.objects.all(),
        required=False,
        allow_null=True,
        help_text=_(
            "专项行动 id；不填时取来源隐患（或来源检查）的专项行动，null 为不属于专项行动；立案日期须在其期间"
        ),
    )


class CaseUpdateInputSerializer(serializers.Serializer):
    cause = serializers.CharField(max_length=300)
    facts = serializers.CharField(allow_blank=True)
    articles = serializers.ListField(child=serializers.IntegerField())
    officers = serializers.ListField(child=serializers.IntegerField())
    campaign = serializers.PrimaryKeyRelatedField(
        queryset=Campaign.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("专项行动 id；null 为不属于专项行动；不发送则不变"),
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")


class CaseStepInputSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")
    on = serializers.DateField(required=False, allow_null=True, default=None, help_text=_("日期，默认今天"))


class CaseNotifyInputSerializer(CaseStepInputSerializer):
    hearing_requested = serializers.BooleanField(required=False, default=False)


class CasePenaltyInputSerializer(serializers.Serializer):
    target = serializers.ChoiceField(choices=PenaltyTarget.choices)
    kind = serializers.ChoiceField(choices=PenaltyKind.choices)
    amount = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        required=False,
        allow_null=True,
        default=None,
        help_text=_("金额（元，精确到分）：罚款、没收违法所得必填"),
    )
    person_name = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    person_title = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    detail = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class CaseDecideInputSerializer(serializers.Serializer):
    decided_on = serializers.DateField()
    penalties = CasePenaltyInputSerializer(many=True)
    summary = serializers.CharField(required=False, allow_blank=True, default="")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class CaseCloseInputSerializer(serializers.Serializer):
    closed_on = serializers.DateField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class CaseReasonInputSerializer(serializers.Serializer):
    reason = serializers.CharField()
    on = serializers.DateField(required=False, allow_null=True, default=None)


class CaseTransferInputSerializer(CaseReasonInputSerializer):
    transferred_to = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class CaseMeasureInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=MeasureKind.choices)
    start_on = serializers.DateField()
    end_on = serializers.DateField(required=False, allow_null=True, default=None)
    stop_kind = serializers.ChoiceField(
        choices=StopKind.choices, required=False, allow_blank=True, default=""
    )
    persons = serializers.IntegerField(required=False, min_value=0, max_value=999, default=0)
    detail = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class CaseExtensionInputSerializer(serializers.Serializer):
    new_deadline = serializers.DateField()
    reason = serializers.CharField()


class CaseExtensionDecisionSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class CaseFinesSerializer(serializers.Serializer):
    unit = serializers.DecimalField(max_digits=16, decimal_places=2, help_text=_("对单位罚款（元）"))
    person = serializers.DecimalField(max_digits=16, decimal_places=2, help_text=_("对个人罚款（元）"))
    total = serializers.DecimalField(max_digits=16, decimal_places=2, help_text=_("合计（元）"))


class CaseFiguresSerializer(serializers.Serializer):
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    opened = serializers.IntegerField(help_text=_("立案（起），按立案日期"))
    enterprises = serializers.IntegerField(help_text=_("立案涉及单位（家）"))
    simple_opened = serializers.IntegerField()
    general_opened = serializers.IntegerField()
    decided = serializers.IntegerField(help_text=_("作出处罚决定（起），按决定日期"))
    decided_enterprises = serializers.IntegerField()
    double_penalty = serializers.IntegerField(help_text=_("一案双罚（起）"))
    closed = serializers.IntegerField()
    no_penalty = serializers.IntegerField()
    transferred = serializers.IntegerField()
    fines = CaseFinesSerializer(help_text=_("罚款（元），按处罚决定日期"))
    simple_fines = serializers.DecimalField(
        max_digits=16, decimal_places=2, help_text=_("简易程序罚款（元）")
    )
    measures = serializers.DictField(
        child=serializers.IntegerField(),
        help_text=_("有停产整顿/临时查封/责令三停/关闭取缔措施的单位（家），按立案日期"),
    )
    detained = serializers.IntegerField(help_text=_("行政拘留（人）"))


class CaseFiguresQuerySerializer(serializers.Serializer):
    date_from = serializers.DateField(required=False, help_text=_("默认本年1月1日"))
    date_to = serializers.DateField(required=False, help_text=_("默认今天"))

    def validate(self, attrs):
        today = timezone.localdate()
        attrs.setdefault("date_to", today)
        attrs.setdefault("date_from", attrs["date_to"].replace(month=1, day=1))
        if attrs["date_to"] < attrs["date_from"]:
            raise serializers.ValidationError({"date_to": _("结束日期不能早于开始日期。")})
        return attrs
