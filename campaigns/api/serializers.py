"""Brief shapes of campaigns' records for the APIs of the apps above (a hazard's or a case's 约谈)."""

from rest_framework import serializers

from ..models import Activity


class TalkBriefSerializer(serializers.ModelSerializer):
    """A 约谈 as a hazard or a case lists it: enough to show it and open /api/v1/activities/{id}/."""

    subtype_name = serializers.CharField(source="subtype.name", read_only=True, allow_null=True, default=None)
    organiser_name = serializers.CharField(source="organiser.name", read_only=True)

    class Meta:
        model = Activity
        fields = ["id", "date", "theme", "subtype_name", "organiser_name"]
        read_only_fields = fields
