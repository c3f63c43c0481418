"""Shapes of the hazard ledger API. Read serializers nest briefly so a client needs no second call
per row; input serializers only parse — the services apply every rule."""

from types import SimpleNamespace

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.api.serializers import OrgUnitBriefSerializer
from accounts.models import OrgUnit
from campaigns.api.serializers import TalkBriefSerializer
from campaigns.models import Campaign
from core.serializers import ChoiceLabelField, choice_labels

from ..choices import HazardLevel, HazardSource, ListingLevel
from ..models import (
    DeadlineExtension,
    Hazard,
    HazardCategory,
    HazardEvent,
    Rectification,
    RectificationPhoto,
    days_open,
    listed_now,
)
from ..selectors import five_missing, hazard_talks


class HazardCategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = HazardCategory
        fields = ["id", "code", "name", "order", "is_active"]


class EnterpriseBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    uscc = serializers.CharField(read_only=True)


class HazardSerializer(serializers.ModelSerializer):
    """One ledger row, as the list shows it."""

    enterprise = EnterpriseBriefSerializer(read_only=True)
    township = OrgUnitBriefSerializer(read_only=True)
    responsible_unit = OrgUnitBriefSerializer(read_only=True)
    category = HazardCategorySerializer(read_only=True, allow_null=True)
    sectors = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    state_display = ChoiceLabelField(source="state")
    source_display = ChoiceLabelField(source="source")
    level_display = ChoiceLabelField(source="level")
    listing_level_display = ChoiceLabelField(source="listing_level")
    is_listed = serializers.BooleanField(read_only=True, help_text=_("挂牌督办中（已挂牌且未摘牌）"))
    days_open = serializers.IntegerField(read_only=True, help_text=_("发现至销号（未销号至今）的天数"))
    five_missing = serializers.SerializerMethodField(
        help_text=_("重大隐患五落实中尚缺的项（五落实待补充）；完整或一般隐患为空")
    )

    class Meta:
        model = Hazard
        fields = [
            "id",
            "number",
            "enterprise",
            "township",
            "sectors",
            "source",
            "source_display",
            "level",
            "level_display",
            "category",
            "description",
            "location",
            "found_on",
            "deadline",
            "responsible_unit",
            "responsible_person",
            "state",
            "state_display",
            "closed_on",
            "is_overdue",
            "overdue_since",
            "listing_level",
            "listing_level_display",
            "listed_on",
            "delisted_on",
            "is_listed",
            "days_open",
            "five_missing",
            "campaign",
        ]
        extra_kwargs = {"campaign": {"help_text": _("所属专项行动 id；不属于专项行动为 null")}}

    def get_five_missing(self, hazard: Hazard) -> list[str]:
        return five_missing(hazard)

    _label_cache: list[dict] | None = None

    def _labels(self) -> list[dict]:
        """The four choice fields' labels, looked up once per page, not once per row."""
        if self._label_cache is None:
            self._label_cache = [
                choice_labels(Hazard, name) for name in ("state", "source", "level", "listing_level")
            ]
        return self._label_cache

    def to_representation(self, hazard: Hazard | dict) -> dict:
        """A Hazard goes through DRF's walk over the fields above. The list endpoint passes plain rows
        instead (selectors.api_rows): the ledger API serves 50 rows a page, and building each as a Hazard
        with five related objects and walking 29 fields was most of the request at city scale (issue 15).
        tests/hazards/test_api_rows.py holds a row written here equal to DRF's walk over the same hazard,
        so a field added above and not here fails there."""
        if not isinstance(hazard, dict):
            return super().to_representation(hazard)
        row = hazard
        state, source, level, listing = self._labels()
        closed_on = row["closed_on"]
        return {
            "id": row["id"],
            "number": row["number"],
            "enterprise": {
                "id": row["enterprise_id"],
                "name": row["enterprise__name"],
                "uscc": row["enterprise__uscc"],
            },
            "township": _unit_row(row, "township"),
            "sectors": row["sector_ids"],
            "source": row["source"],
            "source_display": source.get(row["source"], row["source"]),
            "level": row["level"],
            "level_display": level.get(row["level"], row["level"]),
            "category": _category_row(row),
            "description": row["description"],
            "location": row["location"],
            "found_on": _day(row["found_on"]),
            "deadline": _day(row["deadline"]),
            "responsible_unit": _unit_row(row, "responsible_unit"),
            "responsible_person": row["responsible_person"],
            "state": row["state"],
            "state_display": state.get(row["state"], row["state"]),
            "closed_on": _day(closed_on),
            "is_overdue": row["is_overdue"],
            "overdue_since": _day(row["overdue_since"]),
            "listing_level": row["listing_level"],
            "listing_level_display": listing.get(row["listing_level"], row["listing_level"]),
            "listed_on": _day(row["listed_on"]),
            "delisted_on": _day(row["delisted_on"]),
            "is_listed": listed_now(row["listing_level"], row["delisted_on"]),
            "days_open": days_open(row["found_on"], closed_on),
            "five_missing": [str(label) for label in five_missing(SimpleNamespace(**row))]
            if row["level"] == HazardLevel.MAJOR
            else [],
            "campaign": row["campaign_id"],
        }


def _day(day) -> str | None:
    return None if day is None else day.isoformat()


def _unit_row(row: dict, name: str) -> dict | None:
    pk = row[f"{name}_id"]
    return None if pk is None else {"id": pk, "name": row[f"{name}__name"], "kind": row[f"{name}__kind"]}


def _category_row(row: dict) -> dict | None:
    if row["category_id"] is None:
        return None
    return {
        "id": row["category_id"],
        "code": row["category__code"],
        "name": row["category__name"],
        "order": row["category__order"],
        "is_active": row["category__is_active"],
    }


class RectificationPhotoSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text=_("照片下载地址（按可见范围校验）"))

    class Meta:
        model = RectificationPhoto
        fields = ["id", "stage", "url", "created"]

    def get_url(self, photo: RectificationPhoto) -> str:
        hazard_pk = self.context.get("hazard_pk") or photo.rectification.hazard_id
        url = reverse("hazard-photo-file", args=[hazard_pk, photo.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class RectificationSerializer(serializers.ModelSerializer):
    created_by = serializers.CharField(source="created_by.display_name", read_only=True)
    photos = RectificationPhotoSerializer(many=True, read_only=True)

    class Meta:
        model = Rectification
        fields = ["id", "text", "done_on", "photos", "created_by", "created"]


class ExtensionSerializer(serializers.ModelSerializer):
    requested_by = serializers.CharField(source="requested_by.display_name", read_only=True)
    decided_by = serializers.CharField(source="decided_by.display_name", read_only=True, allow_null=True)

    class Meta:
        model = DeadlineExtension
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


class HazardEventSerializer(serializers.ModelSerializer):
    kind_display = ChoiceLabelField(source="kind")
    user = serializers.CharField(source="user.display_name", read_only=True, allow_null=True)

    class Meta:
        model = HazardEvent
        fields = [
            "id",
            "at",
            "kind",
            "kind_display",
            "from_state",
            "to_state",
            "note",
            "user",
            "rectification",
            "extension",
        ]


class HazardDetailSerializer(HazardSerializer):
    """One hazard with its 五落实, listing, inspection link, timeline, rectifications and extensions."""

    supervising_department = OrgUnitBriefSerializer(read_only=True, allow_null=True)
    created_by = serializers.CharField(source="created_by.display_name", read_only=True)
    inspection_record_number = serializers.CharField(
        source="inspection_record.number", read_only=True, allow_null=True
    )
    events = HazardEventSerializer(many=True, read_only=True, help_text=_("处理记录（时间线）"))
    rectifications = RectificationSerializer(many=True, read_only=True)
    extensions = ExtensionSerializer(many=True, read_only=True)
    talks = serializers.SerializerMethodField(help_text=_("关联的约谈（当前用户可见的）"))

    class Meta(HazardSerializer.Meta):
        fields = [
            *HazardSerializer.Meta.fields,
            "supervising_department",
            "inspection_record",
            "inspection_record_number",
            "check_result",
            "measures",
            "funds",
            "contingency_plan",
            "listing_leader",
            "listing_document",
            "created_by",
            "created",
            "updated",
            "events",
            "rectifications",
            "extensions",
            "talks",
        ]

    @extend_schema_field(TalkBriefSerializer(many=True))
    def get_talks(self, hazard: Hazard) -> list[dict]:
        return TalkBriefSerializer(
            hazard_talks(user=self.context["request"].user, hazard=hazard), many=True
        ).data


class HazardFiguresSerializer(serializers.Serializer):
    found = serializers.IntegerField(help_text=_("发现隐患数（不含作废）"))
    rectified = serializers.IntegerField(help_text=_("已销号数"))
    rate = serializers.DecimalField(
        max_digits=4,
        decimal_places=1,
        allow_null=True,
        coerce_to_string=True,
        help_text=_("整改率（%），一位小数；没有隐患时为 null"),
    )
    major = serializers.IntegerField(help_text=_("重大隐患数"))
    listed = serializers.IntegerField(help_text=_("挂牌督办数"))
    overdue = serializers.IntegerField(help_text=_("逾期未整改数"))


# ---------------------------------------------------------------- input (parsing only)


class HazardInputSerializer(serializers.Serializer):
    """登记隐患. Ids, not related fields, for the enterprise and the inspection: one that does not
    exist and one outside the caller's scope must get the same answer."""

    enterprise = serializers.IntegerField(help_text=_("生产经营单位 id"))
    source = serializers.ChoiceField(choices=HazardSource.choices)
    level = serializers.ChoiceField(choices=HazardLevel.choices, default=HazardLevel.GENERAL)
    category = serializers.PrimaryKeyRelatedField(
        queryset=HazardCategory.objects.filter(is_active=True), allow_null=True, required=False
    )
    description = serializers.CharField()
    location = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    found_on = serializers.DateField()
    deadline = serializers.DateField()
    responsible_unit = serializers.PrimaryKeyRelatedField(
        queryset=OrgUnit.objects.all(),
        required=False,
        help_text=_("跟踪责任单位 id；不填为单位所在街道/乡镇"),
    )
    responsible_person = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    measures = serializers.CharField(required=False, allow_blank=True, default="")
    funds = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True, default=None
    )
    contingency_plan = serializers.CharField(required=False, allow_blank=True, default="")
    inspection_record = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text=_("检查记录 id（来源为检查发现时）")
    )
    check_result = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text=_("不符合的检查事项结果 id")
    )
    campaign = serializers.PrimaryKeyRelatedField(
        queryset=Campaign.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("专项行动 id；不填时取所关联检查的专项行动，null 为不属于专项行动；发现日期须在其期间"),
    )


@extend_schema_field({"type": "array", "items": {"type": "string", "format": "binary"}})
class FileListField(serializers.ListField):
    """Several files under one name; `name[]` (as browsers' FormData often sends it) works too."""

    child = serializers.FileField()

    def get_value(self, dictionary):
        if hasattr(dictionary, "getlist"):
            files = dictionary.getlist(self.field_name) + dictionary.getlist(f"{self.field_name}[]")
            return files
        return super().get_value(dictionary)


class RectificationInputSerializer(serializers.Serializer):
    text = serializers.CharField(help_text=_("整改情况"))
    done_on = serializers.DateField(help_text=_("整改日期"))
    photos_before = FileListField(required=False, default=list, help_text=_("整改前照片（可多张）"))
    photos_after = FileListField(required=False, default=list, help_text=_("整改后照片（可多张）"))
    submit = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_("true：整改完成，同时申请复查（一次完成，整改中 → 待复查）"),
    )
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=500,
        help_text=_("申请复查的说明（submit 为 true 时）"),
    )


class HazardUpdateInputSerializer(serializers.Serializer):
    """修改隐患信息: only the fields sent are changed. The deadline moves through 延期申请 only."""

    level = serializers.ChoiceField(choices=HazardLevel.choices, required=False)
    category = serializers.PrimaryKeyRelatedField(
        queryset=HazardCategory.objects.filter(is_active=True), allow_null=True, required=False
    )
    description = serializers.CharField(required=False, allow_blank=True)
    location = serializers.CharField(max_length=200, required=False, allow_blank=True)
    responsible_unit = serializers.PrimaryKeyRelatedField(
        queryset=OrgUnit.objects.all(),
        required=False,
        help_text=_("跟踪责任单位 id（仅区安委办/应急局可更换）"),
    )
    responsible_person = serializers.CharField(max_length=50, required=False, allow_blank=True)
    measures = serializers.CharField(required=False, allow_blank=True)
    funds = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, allow_null=True)
    contingency_plan = serializers.CharField(required=False, allow_blank=True)
    campaign = serializers.PrimaryKeyRelatedField(
        queryset=Campaign.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("专项行动 id；null 为不属于"),
    )


class NoteInputSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class VerifyInputSerializer(serializers.Serializer):
    passed = serializers.BooleanField(help_text=_("复查合格则销号；不合格退回整改中（须填写说明）"))
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ReasonInputSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)


class ExtensionInputSerializer(serializers.Serializer):
    new_deadline = serializers.DateField(help_text=_("申请延期至"))
    reason = serializers.CharField(allow_blank=True)


class ExtensionDecisionSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=300, help_text=_("不同意时必填")
    )


class ListingInputSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=ListingLevel.choices, help_text=_("挂牌督办级别"))
    listed_on = serializers.DateField(help_text=_("挂牌日期"))
    leader = serializers.CharField(allow_blank=True, max_length=50, help_text=_("督办领导"))
    document = serializers.CharField(
        required=False, allow_blank=True, max_length=60, default="", help_text=_("督办文号")
    )
