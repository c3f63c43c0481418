"""案件 API: the cases, scoped to the caller, and their steps as POST actions.

A case outside the caller's view scope answers 404 for every route, before any role is considered;
only then may a role be refused (403): a township or a leader reads, a department acts on its own
unit's cases. Every write goes through enforcement.services, whose ValidationError becomes a 400 keyed
by field, or a 409 when the case moved under the caller (code "stale_state").
"""

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts.models import Enterprise, OrgUnit, User
from accounts.permissions import RolePermission
from accounts.scoping import get_object_in_scope, restrict
from hazards.models import Hazard
from inspections.models import InspectionRecord

from .. import permissions, selectors, services
from ..filtersets import CaseFilterSet
from ..models import Case, CaseEvent, CaseExtension, LegalArticle
from .serializers import (
    CaseCloseInputSerializer,
    CaseDecideInputSerializer,
    CaseDetailSerializer,
    CaseExtensionDecisionSerializer,
    CaseExtensionInputSerializer,
    CaseExtensionSerializer,
    CaseFiguresQuerySerializer,
    CaseFiguresSerializer,
    CaseInputSerializer,
    CaseMeasureInputSerializer,
    CaseMeasureSerializer,
    CaseNotifyInputSerializer,
    CaseReasonInputSerializer,
    CaseSerializer,
    CaseStepInputSerializer,
    CaseTransferInputSerializer,
    CaseUpdateInputSerializer,
    LegalArticleSerializer,
)

REFUSALS = {
    400: OpenApiResponse(description="校验未通过（按字段给出中文说明，或 non_field_errors）"),
    403: OpenApiResponse(description="当前角色不能执行该操作"),
    404: OpenApiResponse(description="案件不存在或不在可见范围内"),
    409: OpenApiResponse(description="案件状态已被他人改变（code: stale_state），请刷新后再试"),
}


def _by_ids(queryset: QuerySet, ids: list[int], field: str, message: str) -> list:
    ids = list(dict.fromkeys(ids))
    found = list(queryset.filter(pk__in=ids))
    if len(found) != len(ids):
        raise ValidationError({field: [message]})
    return found


class CaseViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """案件 within the caller's scope (others answer 404). POST opens a case (立案); PATCH edits its
    案由/案情/法律依据/承办人 while it is open; the state changes only through the actions below.
    Nothing is ever deleted."""

    filterset_class = CaseFilterSet
    lookup_value_regex = r"[0-9]+"
    permission_classes = [IsAuthenticated]

    def get_serializer_class(self):
        return CaseSerializer if self.action == "list" else CaseDetailSerializer

    def get_queryset(self) -> QuerySet[Case]:
        return selectors.case_list(user=self.request.user)

    def _detail_queryset(self) -> QuerySet[Case]:
        return selectors.case_list(user=self.request.user).prefetch_related(
            "articles",
            "officers",
            "penalties",
            "measures",
            Prefetch(
                "extensions", queryset=CaseExtension.objects.select_related("requested_by", "decided_by")
            ),
            Prefetch("events", queryset=CaseEvent.objects.select_related("user")),
        )

    def get_object(self) -> Case:
        queryset = self._detail_queryset() if self.action == "retrieve" else self.get_queryset()
        return get_object_in_scope(queryset, self.request.user, "view", pk=self.kwargs["pk"])

    def retrieve(self, request, *args, **kwargs):
        return self._detail(self.get_object(), fetch=False)

    # ------------------------------------------------------------ helpers

    def _case_to_change(self, action_name: str) -> Case:
        case = self.get_object()  # 404 first
        # Then 403 for a role that may never take this action, before the body is read.
        permissions.permission_require(self.request.user, case, action_name)
        return case

    def _parse(self, serializer_class, data=None) -> dict:
        parsed = serializer_class(data=self.request.data if data is None else data)
        parsed.is_valid(raise_exception=True)
        return parsed.validated_data

    def _detail(self, case: Case, code: int = status.HTTP_200_OK, *, fetch: bool = True) -> Response:
        fresh = self._detail_queryset().get(pk=case.pk) if fetch else case
        context = {
            **self.get_serializer_context(),
            "allowed_actions": permissions.case_allowed_actions(self.request.user, fresh),
        }
        return Response(CaseDetailSerializer(fresh, context=context).data, status=code)

    def _articles(self, ids: list[int]) -> list[LegalArticle]:
        return _by_ids(LegalArticle.objects.all(), ids, "articles", _("法律依据不存在。"))

    def _officers(self, ids: list[int]) -> list[User]:
        return _by_ids(User.objects.filter(is_active=True), ids, "officers", _("承办人不存在。"))

    # ------------------------------------------------------------ 立案 and edits

    @extend_schema(request=CaseInputSerializer, responses={201: CaseDetailSerializer, **REFUSALS})
    def create(self, request, *args, **kwargs):
        user = request.user
        if not permissions.can_open(user):
            raise PermissionDenied(RolePermission.message)
        data = self._parse(CaseInputSerializer)
        enterprise = (
            Enterprise.objects.select_related("jurisdiction__parent").filter(pk=data["enterprise"]).first()
        )
        if enterprise is None:
            raise ValidationError({"enterprise": [_("当事单位不存在。")]})
        if data["handling_unit"] is not None:
            unit = OrgUnit.objects.filter(pk=data["handling_unit"]).first()
            if unit is None:
                raise ValidationError({"handling_unit": [_("办案单位不存在。")]})
        elif permissions.can_act_for_district(user):
            unit = services.district_of(enterprise)
        else:
            unit = user.org_unit
        record = hazard = None
        if data["source_record"] is not None:
            record = restrict(InspectionRecord.objects.all(), user).filter(pk=data["source_record"]).first()
            if record is None:
                raise ValidationError({"source_record": [_("检查记录不存在或不在您的可见范围内。")]})
        if data["source_hazard"] is not None:
            hazard = restrict(Hazard.objects.all(), user).filter(pk=data["source_hazard"]).first()
            if hazard is None:
                raise ValidationError({"source_hazard": [_("隐患不存在或不在您的可见范围内。")]})
        case = services.case_open(
            user=user,
            number=data["number"],
            data=services.CaseData(
                enterprise=enterprise,
                handling_unit=unit,
                procedure=data["procedure"],
                cause=data["cause"],
                opened_on=data["opened_on"],
                facts=data["facts"],
                articles=self._articles(data["articles"]),
                officers=self._officers(data["officers"]),
                source=data["source"],
                source_record=record,
                source_hazard=hazard,
                campaign=data.get("campaign", ...),
            ),
        )
        return self._detail(case, status.HTTP_201_CREATED)

    @extend_schema(request=CaseUpdateInputSerializer, responses={200: CaseDetailSerializer, **REFUSALS})
    def partial_update(self, request, *args, **kwargs):
        """修改案由、案情、法律依据、承办人 (fields not sent keep their value) while the case is open."""
        case = self._case_to_change(permissions.EDIT)
        current = {
            "cause": case.cause,
            "facts": case.facts,
            "articles": list(case.articles.values_list("pk", flat=True)),
            "officers": list(case.officers.values_list("pk", flat=True)),
        }
        data = self._parse(CaseUpdateInputSerializer, {**current, **request.data})
        case = services.case_update(
            user=request.user,
            case=case,
            cause=data["cause"],
            facts=data["facts"],
            articles=self._articles(data["articles"]),
            officers=self._officers(data["officers"]),
            note=data["note"],
            campaign=data.get("campaign", ...),
        )
        return self._detail(case)

    # ------------------------------------------------------------ figures

    @extend_schema(
        filters=False,
        parameters=[
            OpenApiParameter("date_from", str, description="起始日期 YYYY-MM-DD（默认本年1月1日）"),
            OpenApiParameter("date_to", str, description="结束日期 YYYY-MM-DD（默认今天）"),
        ],
        responses={200: CaseFiguresSerializer, 400: REFUSALS[400]},
    )
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def figures(self, request):
        """Enforcement figures of a period in the caller's scope: 立案, 罚款 (exact yuan), 一案双罚, the
        enterprises under 停产整顿/临时查封/责令三停/关闭取缔, 行政拘留."""
        period = self._parse(CaseFiguresQuerySerializer, request.query_params)
        user = request.user
        figures = {
            **period,
            **selectors.enforcement_counts(user=user, **period),
            "fines": selectors.fines_decided(user=user, **period),
            "simple_fines": selectors.simple_procedure_figures(user=user, **period)["fines"],
            "measures": selectors.enterprises_with_measures(user=user, **period),
            "detained": selectors.persons_detained(user=user, **period),
        }
        return Response(CaseFiguresSerializer(figures).data)

    # ------------------------------------------------------------ steps

    @extend_schema(request=CaseStepInputSerializer, responses={200: CaseDetailSerializer, **REFUSALS})
    @action(detail=True, methods=["post"], filter_backends=[])
    def investigate(self, request, pk=None):
        """立案 → 调查取证 (一般程序)."""
        case = self._case_to_change(permissions.INVESTIGATE)
        return self._detail(
            services.case_investigate(user=request.user, case=case, **self._parse(CaseStepInputSerializer))
        )

    @extend_schema(request=CaseNotifyInputSerializer, responses={200: CaseDetailSerializer, **REFUSALS})
    @action(detail=True, methods=["post"], filter_backends=[])
    def notify(self, request, pk=None):
        """调查取证 → 告知 (hearing_requested: the party asked for a hearing)."""
        case = self._case_to_change(permissions.NOTIFY)
        return self._detail(
            services.case_notify(user=request.user, case=case, **self._parse(CaseNotifyInputSerializer))
        )

    @extend_schema(request=CaseStepInputSerializer, responses={200: CaseDetailSerializer, **REFUSALS})
    @action(detail=True, methods=["post"], filter_backends=[])
    def hearing(self, request, pk=None):
        """告知 → 听证 (only when the party asked for one)."""
        case = self._case_to_change(permissions.HEARING)
        return self._detail(
            services.case_hearing(user=request.user, case=case, **self._parse(CaseStepInputSerializer))
        )

    @extend_schema(request=CaseDecideInputSerializer, responses={200: CaseDetailSerializer, **REFUSALS})
    @action(detail=True, methods=["post"], filter_backends=[])
    def decide(self, request, pk=None):
        """作出处罚决定 with its penalties (单位 and, 一案双罚, 个人). 一般程序 after 告知/听证; 简易程序 from 立案."""
        case = self._case_to_change(permissions.DECIDE)
        data = self._parse(CaseDecideInputSerializer)
        penalties = [services.PenaltyData(**p) for p in data.pop("penalties")]
        return self._detail(services.case_decide(user=request.user, case=case, penalties=penalties, **data))

    @extend_schema(request=CaseStepInputSerializer, responses={200: CaseDetailSerializer, **REFUSALS})
    @action(detail=True, methods=["post"], filter_backends=[])
    def execute(self, request, pk=None):
        """决定 → 执行."""
        case = self._case_to_change(permissions.EXECUTE)
        return self._detail(
            services.case_execute(user=request.user, case=case, **self._parse(CaseStepInputSerializer))
        )

    @extend_schema(request=CaseCloseInputSerializer, responses={200: CaseDetailSerializer, **REFUSALS})
    @action(detail=True, methods=["post"], filter_backends=[])
    def close(self, request, pk=None):
        """结案 (一般程序 after 执行; 简易程序 after 决定)."""
        case = self._case_to_change(permissions.CLOSE)
        return self._detail(
            services.case_close(user=request.user, case=case, **self._parse(CaseCloseInputSerializer))
        )

    @extend_schema(request=CaseReasonInputSerializer, responses={200: CaseDetailSerializer, **REFUSALS})
    @action(detail=True, methods=["post"], url_path="no-penalty", url_name="no-penalty", filter_backends=[])
    def no_penalty(self, request, pk=None):
        """不予处罚 (reason required): the case ends."""
        case = self._case_to_change(permissions.NO_PENALTY)
        return self._detail(
            services.case_no_penalty(user=request.user, case=case, **self._parse(CaseReasonInputSerializer))
        )

    @extend_schema(request=CaseTransferInputSerializer, responses={200: CaseDetailSerializer, **REFUSALS})
    @action(detail=True, methods=["post"], filter_backends=[])
    def transfer(self, request, pk=None):
        """移送 (reason required, the receiving authority optional): the case ends here."""
        case = self._case_to_change(permissions.TRANSFER)
        return self._detail(
            services.case_transfer(user=request.user, case=case, **self._parse(CaseTransferInputSerializer))
        )

    @extend_schema(request=CaseMeasureInputSerializer, responses={201: CaseMeasureSerializer, **REFUSALS})
    @action(detail=True, methods=["post"], filter_backends=[])
    def measures(self, request, pk=None):
        """登记措施 (责令限期整改, 临时查封, 暂扣/扣押, 责令三停, 停产整顿, 关闭取缔, 移送公安) with its dates."""
        case = self._case_to_change(permissions.MEASURE)
        measure = services.measure_add(
            user=request.user, case=case, **self._parse(CaseMeasureInputSerializer)
        )
        return Response(CaseMeasureSerializer(measure).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CaseExtensionInputSerializer, responses={201: CaseExtensionSerializer, **REFUSALS})
    @action(detail=True, methods=["post"], filter_backends=[])
    def extensions(self, request, pk=None):
        """申请延长办案期限 (一般程序, not yet decided) with a reason; the district office decides."""
        case = self._case_to_change(permissions.EXTEND)
        extension = services.case_extension_request(
            user=request.user, case=case, **self._parse(CaseExtensionInputSerializer)
        )
        extension = CaseExtension.objects.select_related("requested_by", "decided_by").get(pk=extension.pk)
        return Response(CaseExtensionSerializer(extension).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[OpenApiParameter("extension_pk", int, OpenApiParameter.PATH, description="延期申请 id")],
        request=CaseExtensionDecisionSerializer,
        responses={200: CaseExtensionSerializer, **REFUSALS},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"extensions/(?P<extension_pk>[0-9]+)/decide",
        url_name="extension-decide",
        filter_backends=[],
    )
    def decide_extension(self, request, pk=None, extension_pk=None):
        """批准或不批准延期 (区安委办/应急局; refusing needs a note). Approval moves the deadline."""
        case = self.get_object()
        permissions.permission_require(request.user, case, permissions.EXTENSION_DECIDE)
        extension = get_object_or_404(case.extensions, pk=extension_pk)
        extension = services.case_extension_decide(
            user=request.user, extension=extension, **self._parse(CaseExtensionDecisionSerializer)
        )
        extension = CaseExtension.objects.select_related("requested_by", "decided_by").get(pk=extension.pk)
        return Response(CaseExtensionSerializer(extension).data)


class LegalArticleViewSet(viewsets.ReadOnlyModelViewSet):
    """法律依据 code table (edited by administrators in 系统管理)."""

    serializer_class = LegalArticleSerializer
    queryset = LegalArticle.objects.all()
    filterset_fields = ["is_active"]
