"""隐患台账 API: the ledger, scoped to the caller, and its closed loop as POST actions.

A hazard outside the caller's view scope answers 404 for every route, before any role is
considered; only then may a role be refused (403). Every write goes through hazards.services,
whose ValidationError becomes a 400 keyed by field, or a 409 when the hazard moved under the
caller (code "stale_state"): core.errors.api_exception_handler does it, renaming the service's
field names to the client's through `service_error_fields`.
"""

import mimetypes

from django.db.models import Prefetch, QuerySet
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts.models import Enterprise
from accounts.permissions import RolePermission
from accounts.scoping import get_object_in_scope, restrict
from core.paging import IdsFirstPagination
from inspections.models import CheckResult, InspectionRecord

from .. import permissions, selectors, services
from ..filtersets import HazardFilterSet
from ..models import DeadlineExtension, Hazard, HazardCategory, HazardEvent, Rectification, RectificationPhoto
from .serializers import (
    ExtensionDecisionSerializer,
    ExtensionInputSerializer,
    ExtensionSerializer,
    HazardCategorySerializer,
    HazardDetailSerializer,
    HazardFiguresSerializer,
    HazardInputSerializer,
    HazardSerializer,
    HazardUpdateInputSerializer,
    ListingInputSerializer,
    NoteInputSerializer,
    ReasonInputSerializer,
    RectificationInputSerializer,
    RectificationSerializer,
    VerifyInputSerializer,
)

# The service names listing errors after the model's fields; the client sent level/leader.
LISTING_FIELDS = {"level": "non_field_errors", "listing_level": "level", "listing_leader": "leader"}

REFUSALS = {
    400: OpenApiResponse(description="校验未通过（按字段给出中文说明，或 non_field_errors）"),
    403: OpenApiResponse(description="当前角色不能执行该操作"),
    404: OpenApiResponse(description="隐患不存在或不在可见范围内"),
    409: OpenApiResponse(description="隐患状态已被他人改变（code: stale_state），请刷新后再试"),
}


class HazardViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """隐患台账 within the caller's scope (others answer 404). POST records a hazard (待整改); PATCH
    corrects its details and 五落实; state changes only through the actions below, never by editing.
    Nothing is ever deleted."""

    filterset_class = HazardFilterSet
    # An id that is not a number is no hazard: 404 from the router, not a ValueError from the query.
    lookup_value_regex = r"[0-9]+"
    # Leaders read; whether a role may act is decided after the hazard is found in scope, so a
    # hazard the caller cannot see answers 404 whatever the role.
    permission_classes = [IsAuthenticated]
    # A deep page of a city's ledger reads its ids off the ledger's order index, not every skipped row.
    pagination_class = IdsFirstPagination

    @property
    def service_error_fields(self) -> dict[str, str]:
        """The service's field names the client knows by another (core.errors.api_exception_handler)."""
        return LISTING_FIELDS if self.action == "supervise" else {}

    def get_serializer_class(self):
        return HazardSerializer if self.action == "list" else HazardDetailSerializer

    def get_queryset(self) -> QuerySet[Hazard]:
        return selectors.hazard_list(user=self.request.user)

    @property
    def page_rows(self):
        """The list's page as plain rows (IdsFirstPagination): its ids come from the scoped, filtered list."""
        return selectors.api_rows if self.action == "list" else None

    @property
    def page_seek(self):
        """A deep page of the whole ledger finds its day off the per-day tally (IdsFirstPagination)."""
        return selectors.ledger_seek if self.action == "list" else None

    def _detail_queryset(self) -> QuerySet[Hazard]:
        return (
            selectors.hazard_list(user=self.request.user)
            .select_related("supervising_department", "created_by", "inspection_record")
            .prefetch_related(
                "sectors",
                Prefetch("events", queryset=HazardEvent.objects.select_related("user")),
                Prefetch(
                    "rectifications",
                    queryset=Rectification.objects.select_related("created_by").prefetch_related("photos"),
                ),
                Prefetch(
                    "extensions",
                    queryset=DeadlineExtension.objects.select_related("requested_by", "decided_by"),
                ),
            )
        )

    def get_object(self) -> Hazard:
        queryset = self._detail_queryset() if self.action == "retrieve" else self.get_queryset()
        return get_object_in_scope(queryset, self.request.user, "view", pk=self.kwargs["pk"])

    def get_serializer_context(self) -> dict:
        return {**super().get_serializer_context(), "hazard_pk": self.kwargs.get("pk")}

    # ------------------------------------------------------------ helpers

    def _require_write(self) -> None:
        if not permissions.can_create(self.request.user):
            raise PermissionDenied(RolePermission.message)

    def _hazard_to_change(self, action: str) -> Hazard:
        hazard = self.get_object()  # 404 first
        self._require_write()
        # Then 403 for a role that may never take this action (a township verifying, a department
        # voiding), before the body is read: as the pages do, and whatever the client sent.
        permissions.permission_require(self.request.user, hazard, action)
        return hazard

    def _parse(self, serializer_class, *, partial: bool = False) -> dict:
        parsed = serializer_class(data=self.request.data, partial=partial)
        parsed.is_valid(raise_exception=True)
        return parsed.validated_data

    def _detail(self, hazard: Hazard, code: int = status.HTTP_200_OK) -> Response:
        fresh = self._detail_queryset().get(pk=hazard.pk)
        return Response(
            HazardDetailSerializer(fresh, context=self.get_serializer_context()).data, status=code
        )

    # ------------------------------------------------------------ recording

    @extend_schema(request=HazardInputSerializer, responses={201: HazardDetailSerializer, **REFUSALS})
    def create(self, request, *args, **kwargs):
        self._require_write()
        data = self._parse(HazardInputSerializer)
        user = request.user
        enterprise = Enterprise.objects.filter(pk=data["enterprise"]).first()
        if enterprise is None:  # the same words as the service's for one outside the scope
            raise ValidationError({"enterprise": [_("所选单位不在您的管辖范围内。")]})
        record = result = None
        if data["inspection_record"] is not None:
            records = restrict(InspectionRecord.objects.select_related("action"), user, "view")
            record = records.filter(pk=data["inspection_record"]).first()
            if record is None:
                raise ValidationError({"inspection_record": [_("检查记录不存在或不在您的可见范围内。")]})
        if data["check_result"] is not None:
            result = CheckResult.objects.filter(pk=data["check_result"], record=record).first()
            if result is None:
                raise ValidationError({"check_result": [_("检查事项不属于该检查记录。")]})
        fields = {
            k: v for k, v in data.items() if k not in ("inspection_record", "check_result", "enterprise")
        }
        fields["responsible_unit"] = data.get("responsible_unit") or services.default_responsible_unit(
            enterprise
        )
        hazard_data = services.HazardData(
            enterprise=enterprise, inspection_record=record, check_result=result, **fields
        )
        hazard = services.hazard_create(user=user, data=hazard_data)
        return self._detail(hazard, status.HTTP_201_CREATED)

    @extend_schema(request=HazardUpdateInputSerializer, responses={200: HazardDetailSerializer, **REFUSALS})
    def partial_update(self, request, *args, **kwargs):
        """修改隐患信息 (details and 五落实): only the fields sent change; the timeline records which.
        The district office, or the unit following the hazard while it is open."""
        hazard = self._hazard_to_change(permissions.EDIT)
        data = self._parse(HazardUpdateInputSerializer, partial=True)
        return self._detail(services.hazard_update(user=request.user, hazard=hazard, data=data))

    # ------------------------------------------------------------ figures

    @extend_schema(filters=True, responses={200: HazardFiguresSerializer})
    @action(detail=False, methods=["get"], pagination_class=None)
    def figures(self, request):
        """发现/销号/整改率/重大/挂牌/逾期 of the filtered ledger; rate is null when nothing was found."""
        queryset = self.filter_queryset(selectors.hazard_list(user=request.user))
        return Response(HazardFiguresSerializer(selectors.hazard_figures(queryset)).data)

    # ------------------------------------------------------------ the closed loop

    @extend_schema(
        request={"multipart/form-data": RectificationInputSerializer},
        responses={201: RectificationSerializer, **REFUSALS},
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser], filter_backends=[])
    def rectifications(self, request, pk=None):
        """整改记录 (multipart: text, done_on, photos_before, photos_after); the first one moves
        待整改 to 整改中. With submit=true the hazard is also submitted for 复查 (→ 待复查) in the same
        transaction: both happen or neither."""
        hazard = self._hazard_to_change(permissions.RECTIFY)
        data = self._parse(RectificationInputSerializer)
        entry = services.rectification_create(user=request.user, hazard=hazard, **data)
        entry = Rectification.objects.select_related("created_by").prefetch_related("photos").get(pk=entry.pk)
        body = RectificationSerializer(entry, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(request=NoteInputSerializer, responses={200: HazardDetailSerializer, **REFUSALS})
    @action(detail=True, methods=["post"], filter_backends=[])
    def submit(self, request, pk=None):
        """整改完成，申请复查: 整改中 → 待复查."""
        hazard = self._hazard_to_change(permissions.SUBMIT)
        return self._detail(
            services.hazard_submit(user=request.user, hazard=hazard, **self._parse(NoteInputSerializer))
        )

    @extend_schema(request=VerifyInputSerializer, responses={200: HazardDetailSerializer, **REFUSALS})
    @action(detail=True, methods=["post"], filter_backends=[])
    def verify(self, request, pk=None):
        """复查: passed → 已销号; failed → 整改中 with the note as the reason."""
        hazard = self._hazard_to_change(permissions.VERIFY)
        return self._detail(
            services.hazard_verify(user=request.user, hazard=hazard, **self._parse(VerifyInputSerializer))
        )

    @extend_schema(request=ReasonInputSerializer, responses={200: HazardDetailSerializer, **REFUSALS})
    @action(detail=True, methods=["post"], filter_backends=[])
    def reopen(self, request, pk=None):
        """已销号 → 整改中 (区安委办/应急局 only; reason required)."""
        hazard = self._hazard_to_change(permissions.REOPEN)
        return self._detail(
            services.hazard_reopen(user=request.user, hazard=hazard, **self._parse(ReasonInputSerializer))
        )

    @extend_schema(request=ReasonInputSerializer, responses={200: HazardDetailSerializer, **REFUSALS})
    @action(detail=True, methods=["post"], filter_backends=[])
    def void(self, request, pk=None):
        """作废 (区安委办/应急局 only; reason required). The hazard stays in the ledger."""
        hazard = self._hazard_to_change(permissions.VOID)
        return self._detail(
            services.hazard_void(user=request.user, hazard=hazard, **self._parse(ReasonInputSerializer))
        )

    # ------------------------------------------------------------ extensions

    @extend_schema(request=ExtensionInputSerializer, responses={201: ExtensionSerializer, **REFUSALS})
    @action(detail=True, methods=["post"], filter_backends=[])
    def extensions(self, request, pk=None):
        """申请延期 with a reason; the district office decides."""
        hazard = self._hazard_to_change(permissions.EXTEND)
        extension = services.extension_request(
            user=request.user, hazard=hazard, **self._parse(ExtensionInputSerializer)
        )
        extension = DeadlineExtension.objects.select_related("requested_by", "decided_by").get(
            pk=extension.pk
        )
        return Response(ExtensionSerializer(extension).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[OpenApiParameter("extension_pk", int, OpenApiParameter.PATH, description="延期申请 id")],
        request=ExtensionDecisionSerializer,
        responses={200: ExtensionSerializer, **REFUSALS},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"extensions/(?P<extension_pk>[0-9]+)/decide",
        url_name="extension-decide",
        filter_backends=[],
    )
    def decide_extension(self, request, pk=None, extension_pk=None):
        """批准或驳回延期 (区安委办/应急局); refusing needs a note."""
        hazard = self._hazard_to_change(permissions.DECIDE)
        extension = get_object_or_404(hazard.extensions, pk=extension_pk)
        data = self._parse(ExtensionDecisionSerializer)
        extension = services.extension_decide(user=request.user, extension=extension, **data)
        extension = DeadlineExtension.objects.select_related("requested_by", "decided_by").get(
            pk=extension.pk
        )
        return Response(ExtensionSerializer(extension).data)

    # ------------------------------------------------------------ 挂牌督办

    @extend_schema(request=ListingInputSerializer, responses={200: HazardDetailSerializer, **REFUSALS})
    @action(detail=True, methods=["post"], url_path="list", url_name="supervise", filter_backends=[])
    def supervise(self, request, pk=None):
        """挂牌督办 a major, still-open hazard at 区级/市级/省级."""
        hazard = self._hazard_to_change(permissions.LISTING)
        data = self._parse(ListingInputSerializer)
        hazard = services.listing_create(user=request.user, hazard=hazard, **data)
        return self._detail(hazard)

    @extend_schema(request=None, responses={200: HazardDetailSerializer, **REFUSALS})
    @action(detail=True, methods=["post"], filter_backends=[])
    def delist(self, request, pk=None):
        """摘牌, only once the hazard is 已销号."""
        hazard = self._hazard_to_change(permissions.DELIST)
        return self._detail(services.listing_end(user=request.user, hazard=hazard))

    # ------------------------------------------------------------ photos

    @extend_schema(
        parameters=[OpenApiParameter("photo_pk", int, OpenApiParameter.PATH, description="整改照片 id")],
        responses={(200, "image/*"): OpenApiTypes.BINARY},
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"photos/(?P<photo_pk>[0-9]+)",
        url_name="photo-file",
        filter_backends=[],
    )
    def photo_file(self, request, pk=None, photo_pk=None):
        """One rectification photo, for whoever may see the hazard; 404 otherwise."""
        hazard = self.get_object()
        photo = get_object_or_404(RectificationPhoto, rectification__hazard=hazard, pk=photo_pk)
        content_type = mimetypes.guess_type(photo.image.name)[0] or "application/octet-stream"
        try:
            response = FileResponse(photo.image.open("rb"), content_type=content_type)
        except FileNotFoundError as exc:  # the row outlived its file (a restore, a cleaned disk)
            raise Http404 from exc
        response["Cache-Control"] = "private, max-age=3600"
        response["X-Content-Type-Options"] = "nosniff"
        return response


class HazardCategoryViewSet(viewsets.ReadOnlyModelViewSet):
    """隐患类别 code table (edited by administrators in 系统管理)."""

    serializer_class = HazardCategorySerializer
    queryset = HazardCategory.objects.all()
    filterset_fields = ["is_active"]
