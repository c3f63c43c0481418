from rest_framework import serializers

from accounts.api.serializers import OrgUnitBriefSerializer

from ..models import CheckItem, CheckResult, InspectionAction, InspectionKind, InspectionRecord


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
            "is_leader_led",
            "leader_name",
            "leader_level",
            "status",
            "note",
        ]


class CheckResultSerializer(serializers.ModelSerializer):
    class Meta:
        model = CheckResult
        fields = ["item", "result", "note"]


class InspectionRecordSerializer(serializers.ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    results = CheckResultSerializer(many=True, read_only=True)

    class Meta:
        model = InspectionRecord
        fields = ["id", "action", "enterprise", "enterprise_name", "findings", "note", "results"]
