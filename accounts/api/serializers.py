from django.utils.translation import gettext as _
from rest_framework import serializers

from core.serializers import ChoiceLabelField

from ..models import Enterprise, OrgUnit, RiskGrade, Sector


class SectorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Sector
        fields = ["id", "code", "name", "parent", "order", "is_active"]


class OrgUnitSerializer(serializers.ModelSerializer):
    kind_display = ChoiceLabelField(source="kind")

    class Meta:
        model = OrgUnit
        fields = ["id", "name", "short_name", "kind", "kind_display", "parent", "depth", "supervised_sectors"]


class OrgUnitBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrgUnit
        fields = ["id", "name", "kind"]


class RiskGradeSerializer(serializers.ModelSerializer):
    class Meta:
        model = RiskGrade
        fields = ["id", "code", "label", "color"]


class EnterpriseSerializer(serializers.ModelSerializer):
    """Read shape: related records nested briefly so a client needs no second call per row."""

    sectors = SectorSerializer(many=True, read_only=True)
    jurisdiction = OrgUnitBriefSerializer(read_only=True)
    township = OrgUnitBriefSerializer(read_only=True)
    supervising_department = OrgUnitBriefSerializer(read_only=True, allow_null=True)
    risk_grade = RiskGradeSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Enterprise
        fields = [
            "id",
            "uscc",
            "name",
            "sectors",
            "jurisdiction",
            "township",
            "supervising_department",
            "risk_grade",
            "scale",
            "status",
            "address",
            "longitude",
            "latitude",
            "contact_person",
            "contact_phone",
            "is_fire_key_unit",
            "has_major_hazard_source",
            "created",
            "updated",
            "version",
        ]


class EnterpriseInputSerializer(serializers.Serializer):
    """Write shape: ids for related records. Parsing only; the service applies the rules."""

    uscc = serializers.CharField(max_length=30)
    name = serializers.CharField(max_length=200)
    sectors = serializers.PrimaryKeyRelatedField(many=True, queryset=Sector.objects.filter(is_active=True))
    jurisdiction = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.all())
    supervising_department = serializers.PrimaryKeyRelatedField(
        queryset=OrgUnit.objects.filter(kind="department"), allow_null=True, required=False
    )
    risk_grade = serializers.PrimaryKeyRelatedField(
        queryset=RiskGrade.objects.all(), allow_null=True, required=False
    )
    scale = serializers.ChoiceField(
        choices=Enterprise._meta.get_field("scale").choices, required=False, allow_blank=True
    )
    status = serializers.ChoiceField(choices=Enterprise._meta.get_field("status").choices, required=False)
    address = serializers.CharField(max_length=255, required=False, allow_blank=True)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True)
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True)
    contact_person = serializers.CharField(max_length=50, required=False, allow_blank=True)
    contact_phone = serializers.CharField(max_length=30, required=False, allow_blank=True)
    is_fire_key_unit = serializers.BooleanField(required=False)
    has_major_hazard_source = serializers.BooleanField(required=False)


class EnterpriseUpdateSerializer(EnterpriseInputSerializer):
    """Write shape of PUT and PATCH: the fields to change, and the `version` the client read.

    Optimistic locking: a save whose version is not the unit's current one answers 409 (someone else
    saved in between); GET the unit again, re-apply the change, send the new version.
    """

    version = serializers.IntegerField(
        min_value=0,
        help_text="读取该单位时得到的 version；其间已被他人修改时返回 409，请重新读取后再改。",
    )

    def validate(self, attrs: dict) -> dict:
        # PATCH makes every field optional; the version never is.
        if "version" not in attrs:
            raise serializers.ValidationError({"version": [_("修改时须提供读取时得到的 version。")]})
        return attrs
