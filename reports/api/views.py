"""The metric registry and the statistics contract over the API.

- GET /api/v1/metrics/ — the domains, and every registered metric: key, label, unit, kind, domain,
  definition (`Metric.as_dict()`).
- GET /api/v1/stats/?period=2026-Q1&scope=district — every metric for the period and scope, computed
  fresh from the records, with the year before: the same contract as `manage.py report_stats`.
  `period` defaults to this year, `scope` to the caller's own (the district for district-wide users,
  else their unit); a scope that does not exist or that the caller may not see is 404, a period that
  cannot be read 400 (with a Chinese message).
"""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.schema import DETAIL, FIELD_ERRORS

from ..contract import period_from_key, stats_payload
from ..periods import Period, today
from ..registry import DOMAINS, all_metrics
from ..scopes import StatsScope, scope_allowed, scope_default, scope_parse
from .serializers import MetricRegistrySerializer, StatsSerializer


class MetricListView(APIView):
    """指标目录: the domains and the registry, by domain and order. Every signed-in user may read the
    definitions. An object, not a bare list: these are definitions, not records of the caller's scope."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="metrics_retrieve",
        description="指标目录：各领域，以及每个统计指标的键、名称、单位、类别和口径。",
        responses={200: MetricRegistrySerializer},
    )
    def get(self, request: Request) -> Response:
        return Response(
            {
                "domains": [{"code": code, "label": label} for code, label in DOMAINS.items()],
                "metrics": [metric.as_dict() for metric in all_metrics()],
            }
        )


def _scope(request: Request) -> StatsScope:
    """The asked scope, or the caller's own; 404 when it does not exist or is not the caller's to see
    (the two are not told apart)."""
    code = request.query_params.get("scope", "").strip()
    stats_scope = None
    if not code:
        stats_scope = scope_default(request.user)
    elif "\x00" not in code and len(code) <= 100:
        try:
            stats_scope = scope_parse(code)
        except ValueError:
            stats_scope = None
    if stats_scope is None or not scope_allowed(request.user, stats_scope):
        raise NotFound(_("统计范围不存在或不在您的可见范围内。"))
    return stats_scope


class StatsView(APIView):
    """统计: every metric of a period and scope with the year before (as `report_stats --format json`)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="stats_retrieve",
        description="统计：某一期间、某一范围的全部指标（本期、去年同期、同比），即时按记录计算，"
        "与 report_stats --format json 同一格式。",
        parameters=[
            OpenApiParameter(
                "period",
                str,
                description="统计期间：2026（年）、2026-H1（半年）、2026-Q1（季度）或 2026-M03（月）；默认本年",
            ),
            OpenApiParameter(
                "scope", str, description="统计范围：district（全区）、单位编号或单位名称；默认本人所在范围"
            ),
        ],
        responses={
            200: StatsSerializer,
            400: OpenApiResponse(FIELD_ERRORS, description="统计期间无法识别（period 字段给出中文说明）"),
            404: OpenApiResponse(DETAIL, description="统计范围不存在或不在可见范围内"),
        },
    )
    def get(self, request: Request) -> Response:
        text = request.query_params.get("period", "").strip()
        try:
            period = period_from_key(text) if text else Period.containing("year", today())
        except ValueError as exc:
            raise ValidationError({"period": [str(exc)]}) from exc
        return Response(stats_payload(period, _scope(request)))
