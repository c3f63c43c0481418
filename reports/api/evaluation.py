"""月度评估 over the API, read-only: the published rankings (排名通报).

- GET /api/v1/evaluations/ — the published evaluations, newest month first (paginated).
- GET /api/v1/evaluations/{id}/ — one published evaluation: its indicators and every unit's rank and
  total; a unit's per-indicator figures and scores only where the caller may see that unit (district-wide
  users: every unit; a township or department: its own), as on the page. A draft is 404 here (the API
  shows only what was published); the office works on drafts in the browser.
"""

from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.routers import SimpleRouter
from rest_framework.viewsets import ReadOnlyModelViewSet

from core.serializers import ChoiceLabelField

from ..models_evaluation import Evaluation, EvaluationState
from ..scopes import scope_units
from ..selectors_evaluation import period_label, visible_unit_ids


class IndicatorSnapshotSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    rule = serializers.CharField(help_text="rate / deduct / entered")
    metric_key = serializers.CharField(allow_blank=True)
    weight = serializers.DecimalField(max_digits=6, decimal_places=2)
    points_per = serializers.DecimalField(max_digits=6, decimal_places=2)


class RankingRowSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    unit_id = serializers.IntegerField()
    unit_name = serializers.CharField()
    total = serializers.DecimalField(max_digits=8, decimal_places=2)
    scores = serializers.DictField(
        child=serializers.CharField(allow_null=True),
        allow_null=True,
        help_text="指标代码 → 得分；不可见的单位为 null",
    )
    values = serializers.DictField(allow_null=True, help_text="指标代码 → 统计数据；不可见的单位为 null")


class EvaluationSerializer(serializers.ModelSerializer):
    period_label = serializers.SerializerMethodField()
    target_label = ChoiceLabelField(source="target")
    indicators = IndicatorSnapshotSerializer(many=True, read_only=True)
    rows = serializers.SerializerMethodField()
    as_of = serializers.SerializerMethodField()

    class Meta:
        model = Evaluation
        fields = [
            "id",
            "period_key",
            "period_label",
            "target",
            "target_label",
            "number",
            "published_at",
            "as_of",
            "pdf_sha256",
            "xlsx_sha256",
            "indicators",
            "rows",
        ]

    def get_period_label(self, obj: Evaluation) -> str:
        return period_label(obj)

    def get_as_of(self, obj: Evaluation) -> str:
        return obj.results.get("as_of", "")

    @extend_schema_field(RankingRowSerializer(many=True))
    def get_rows(self, obj: Evaluation) -> list[dict]:
        rows = obj.results.get("rows", [])
        shown = self.context["shown"]
        return [
            {
                "rank": row["rank"],
                "unit_id": row["unit_id"],
                "unit_name": row["unit_name"],
                "total": row["total"],
                "scores": row["scores"] if row["unit_id"] in shown else None,
                "values": row["values"] if row["unit_id"] in shown else None,
            }
            for row in rows
        ]


@extend_schema_view(
    list=extend_schema(
        operation_id="evaluations_list", description="已发布的月度评估（排名通报），新月份在前。"
    ),
    retrieve=extend_schema(
        operation_id="evaluations_retrieve", description="一次已发布的月度评估（排名通报）。"
    ),
)
class EvaluationViewSet(ReadOnlyModelViewSet):
    """排名通报: published evaluations only (a draft is 404 here)."""

    permission_classes = [IsAuthenticated]
    serializer_class = EvaluationSerializer

    def get_serializer_context(self) -> dict:
        """Which units' detail the caller sees, worked out once for the whole answer (two queries)."""
        context = super().get_serializer_context()
        ids = scope_units().values_list("pk", flat=True)
        context["shown"] = visible_unit_ids(self.request.user, list(ids))
        return context

    def get_queryset(self):
        return Evaluation.objects.filter(state=EvaluationState.PUBLISHED).order_by("-period_key", "target")


evaluation_router = SimpleRouter()
evaluation_router.register("evaluations", EvaluationViewSet, basename="evaluation")
