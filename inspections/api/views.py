import mimetypes

from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from accounts.scoping import get_object_in_scope
from core.errors import STALE_STATE, Conflict

from .. import selectors, services
from ..filtersets import InspectionActionFilterSet, InspectionPlanFilterSet, InspectionRecordFilterSet
from ..models import DrawPick
from .serializers import (
    ActionInputSerializer,
    CheckItemSerializer,
    InspectionActionDetailSerializer,
    InspectionActionSerializer,
    InspectionPlanInputSerializer,
    InspectionPlanSerializer,
    InspectionRecordSerializer,
    PhotoSerializer,
    PhotoUploadSerializer,
    RandomDrawInputSerializer,
    RandomDrawSerializer,
    VisitInputSerializer,
    target_data,
    visit_data,
)

# The service names its errors after its arguments; the API answers in the names the client sent.
# A service's ValidationError and PermissionDenied become 400 / 403 in core.errors.api_exception_handler.
ACTION_ERROR_FIELDS = {"enterprises": "records", "results": "records"}


class InspectionActionViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """检查行动, within the caller's scope; others answer 404. POST creates an action with its visits."""

    filterset_class = InspectionActionFilterSet
    service_error_fields = ACTION_ERROR_FIELDS

    def get_serializer_class(self):
        return InspectionActionSerializer if self.action == "list" else InspectionActionDetailSerializer

    def get_queryset(self):
        user = self.request.user
        rows = selectors.action_list_rows(user=user)
        if self.action == "list":
            return rows
        # Only the visits the caller may see: a township sees a joint action, not the other towns' firms.
        visible = Prefetch(
            "records", queryset=selectors.record_list(user=user).order_by("pk"), to_attr="visible_records"
        )
        return rows.prefetch_related("members", visible)

    @extend_schema(request=ActionInputSerializer, responses={201: InspectionActionDetailSerializer})
    def create(self, request, *args, **kwargs):
        parsed = ActionInputSerializer(data=request.data, context=self.get_serializer_context())
        parsed.is_valid(raise_exception=True)
        data = parsed.validated_data
        ids = [r["enterprise"] for r in data["records"]]
        # Unknown and out-of-scope ids get the service's one answer, so neither is revealed.
        found = selectors.enterprises_writable(user=request.user, ids=ids).in_bulk()
        if set(ids) - set(found):
            raise ValidationError({"records": [_("所选单位不在您的管辖范围内。")]})
        created = services.action_create(
            user=request.user,
            date=data["date"],
            organizer=data["organizer"],
            kind=data["kind"],
            members=data["members"],
            enterprises=[found[pk] for pk in ids],
            experts=data["experts"],
            is_leader_led=data["is_leader_led"],
            leader_name=data["leader_name"],
            leader_level=data["leader_level"],
            note=data["note"],
            is_unannounced=data["is_unannounced"],
            campaign=data["campaign"],
            visits={r["enterprise"]: visit_data(r) for r in data["records"]},
        )
        body = self.get_serializer(self.get_queryset().get(pk=created.pk)).data
        return Response(body, status=status.HTTP_201_CREATED)


class InspectionRecordViewSet(mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """检查记录 (one visited enterprise each), within the caller's scope. PUT/PATCH rewrite what was
    found; photos/ lists and takes 现场照片."""

    serializer_class = InspectionRecordSerializer
    filterset_class = InspectionRecordFilterSet

    def get_queryset(self):
        return selectors.record_list(user=self.request.user).prefetch_related("results")

    def get_object(self):
        return get_object_in_scope(self.get_queryset(), self.request.user, "view", pk=self.kwargs["pk"])

    @extend_schema(request=VisitInputSerializer, responses={200: InspectionRecordSerializer})
    def update(self, request, *args, **kwargs):
        """PUT replaces the record: findings, note and results as sent; a result not sent is removed
        (none sent removes them all)."""
        record = self.get_object()  # 404 first, then 403 for who may not change it, before the body
        services.check_can_change_record(user=request.user, record=record)
        partial = kwargs.get("partial", False)
        parsed = VisitInputSerializer(data=request.data, partial=partial)
        parsed.is_valid(raise_exception=True)
        given = parsed.validated_data
        current = {
            "findings": record.findings,
            "note": record.note,
            "results": [
                {"item": r.item_id, "result": r.result, "note": r.note} for r in record.results.all()
            ],
        }
        if partial and "results" in given:
            # PATCH: the items sent are set, the record's other results stay as they are.
            sent = {r["item"] for r in given["results"]}
            kept = [r for r in current["results"] if r["item"] not in sent]
            given = {**given, "results": [*kept, *given["results"]]}
        services.record_update(user=request.user, record=record, visit=visit_data({**current, **given}))
        return Response(self.get_serializer(self.get_queryset().get(pk=record.pk)).data)

    @extend_schema(request=VisitInputSerializer, responses={200: InspectionRecordSerializer})
    def partial_update(self, request, *args, **kwargs):
        """PATCH changes only what is sent: findings, note, and the results of the items sent (added or
        changed); the record's other results stay. To remove a result, PUT the record without it."""
        return super().partial_update(request, *args, **kwargs)

    @extend_schema(request=None, responses={200: InspectionRecordSerializer})
    @action(detail=True, methods=["post"], filter_backends=[])
    def issue(self, request, pk=None):
        """出具（打印签字）: the record is locked from now on (issued_at). 409 when it was issued already."""
        record = self.get_object()
        services.check_can_change_record(user=request.user, record=record)
        if record.issued_at is not None:
            raise Conflict(
                detail={
                    "detail": _("该检查记录已出具，不能再次出具；如需更正，请新建更正版本。"),
                    "code": STALE_STATE,
                }
            )
        services.record_issue(user=request.user, record=record)
        return Response(self.get_serializer(self.get_queryset().get(pk=record.pk)).data)

    @extend_schema(request=None, responses={201: InspectionRecordSerializer})
    @action(detail=True, methods=["post"], filter_backends=[])
    def correct(self, request, pk=None):
        """更正: a new version of an issued record (201, the new record; `supersedes` names the old one,
        which stays as it was). 400 for a record not issued yet (edit it instead) or already corrected."""
        record = self.get_object()
        services.check_can_change_record(user=request.user, record=record)
        new = services.record_correct(user=request.user, record=record)
        body = self.get_serializer(self.get_queryset().get(pk=new.pk)).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], request=None, responses={200: PhotoSerializer(many=True)})
    @extend_schema(
        methods=["POST"],
        request={"multipart/form-data": PhotoUploadSerializer},
        responses={201: PhotoSerializer},
    )
    @action(
        detail=True,
        methods=["get", "post"],
        parser_classes=[MultiPartParser, FormParser],
        filter_backends=[],
        pagination_class=None,
    )
    def photos(self, request, pk=None):
        """现场照片 of the record; POST (multipart: image, caption) adds one."""
        record = self.get_object()
        context = self.get_serializer_context()
        if request.method == "POST":
            services.check_can_change_record(user=request.user, record=record)  # 403 before the upload
            parsed = PhotoUploadSerializer(data=request.data)
            parsed.is_valid(raise_exception=True)
            photo = services.record_photo_create(user=request.user, record=record, **parsed.validated_data)
            return Response(PhotoSerializer(photo, context=context).data, status=status.HTTP_201_CREATED)
        photos = record.photos.select_related("uploaded_by")
        return Response(PhotoSerializer(photos, many=True, context=context).data)

    @extend_schema(
        parameters=[OpenApiParameter("photo_pk", int, OpenApiParameter.PATH)],
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
        """One photo's image, for whoever may see the record; 404 otherwise."""
        photo = get_object_or_404(self.get_object().photos, pk=photo_pk)
        content_type = mimetypes.guess_type(photo.image.name)[0] or "application/octet-stream"
        try:
            response = FileResponse(photo.image.open("rb"), content_type=content_type)
        except FileNotFoundError as exc:  # the row outlived its file (a restore, a cleaned disk)
            raise Http404 from exc
        response["Cache-Control"] = "private, max-age=3600"
        return response


class CheckItemViewSet(viewsets.ReadOnlyModelViewSet):
    """检查事项: the published list, readable by every signed-in user."""

    serializer_class = CheckItemSerializer
    filterset_fields = ["sector"]

    def get_queryset(self):
        return selectors.check_items_published()


# ---------------------------------------------------------------- 双随机抽取


class RandomDrawViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """双随机抽取, within the caller's scope (others answer 404). Each draw carries its seed and both
    pools, so a client can replay it; creating one draws at once and plans an inspection per pick."""

    serializer_class = RandomDrawSerializer

    def get_queryset(self):
        picks = DrawPick.objects.select_related("enterprise", "action").prefetch_related("inspectors")
        return selectors.draw_list(user=self.request.user).prefetch_related(Prefetch("picks", queryset=picks))

    def get_object(self):
        return get_object_in_scope(self.get_queryset(), self.request.user, "view", pk=self.kwargs["pk"])

    @extend_schema(request=RandomDrawInputSerializer, responses={201: RandomDrawSerializer})
    def create(self, request, *args, **kwargs):
        parsed = RandomDrawInputSerializer(data=request.data)
        parsed.is_valid(raise_exception=True)
        data = parsed.validated_data
        draw = services.draw_create(
            user=request.user,
            organizer=data["organizer"],
            title=data["title"],
            planned_date=data["planned_date"],
            sector_ids=data["sectors"],
            township_ids=data["townships"],
            risk_grade_ids=data["risk_grades"],
            n=data["enterprise_count"],
            m=data["inspectors_per_enterprise"],
            weighted_by_grade=data["weighted_by_grade"],
        )
        draw = self.get_queryset().get(pk=draw.pk)
        return Response(RandomDrawSerializer(draw).data, status=status.HTTP_201_CREATED)


class InspectionPlanViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """检查计划 with done vs planned, within the caller's scope; others answer 404. Leaders read only.
    Writes go through services.plan_create / plan_update; the lines sent replace the old ones."""

    serializer_class = InspectionPlanSerializer
    filterset_class = InspectionPlanFilterSet

    def get_queryset(self):
        return selectors.plan_list(user=self.request.user)

    def get_object(self):
        return selectors.plan_get(user=self.request.user, pk=self.kwargs["pk"])

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        plans = list(page)
        # The whole page's lines are counted in one query, not one per plan.
        context = {**self.get_serializer_context(), "progress": selectors.plans_progress(plans=plans)}
        return self.get_paginated_response(InspectionPlanSerializer(plans, many=True, context=context).data)

    @extend_schema(request=InspectionPlanInputSerializer, responses={201: InspectionPlanSerializer})
    def create(self, request, *args, **kwargs):
        parsed = InspectionPlanInputSerializer(data=request.data)
        parsed.is_valid(raise_exception=True)
        v = parsed.validated_data
        plan = services.plan_create(
            user=request.user,
            organizer=v["organizer"],
            year=v["year"],
            month=v["month"],
            title=v["title"],
            note=v["note"],
            targets=target_data(v["targets"]),
        )
        plan = selectors.plan_get(user=request.user, pk=plan.pk)
        return Response(self.get_serializer(plan).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=InspectionPlanInputSerializer, responses={200: InspectionPlanSerializer})
    def update(self, request, *args, **kwargs):
        plan = self.get_object()
        partial = kwargs.get("partial", False)
        parsed = InspectionPlanInputSerializer(data=request.data, partial=partial)
        parsed.is_valid(raise_exception=True)
        # A PATCH keeps what it does not send, the lines included.
        current = {"year": plan.year, "month": plan.month, "title": plan.title, "note": plan.note}
        v = {**current, "targets": None, **parsed.validated_data} if partial else parsed.validated_data
        if v.get("organizer", plan.organizer) != plan.organizer:
            raise ValidationError({"organizer": [_("检查计划的检查单位不能更改。")]})
        if v["targets"] is not None:
            targets = target_data(v["targets"])
        else:
            targets = [
                services.TargetData(
                    target_visits=t.target_visits, sector=t.sector, township=t.township, kind=t.kind
                )
                for t in plan.targets.all()
            ]
        services.plan_update(
            user=request.user,
            plan=plan,
            year=v["year"],
            month=v["month"],
            title=v["title"],
            note=v["note"],
            targets=targets,
        )
        return Response(self.get_serializer(selectors.plan_get(user=request.user, pk=plan.pk)).data)
