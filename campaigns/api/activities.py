"""活动台账 API (/api/v1/activities/): the ledger scoped to the caller, quantities and 约谈 targets
nested, evidence files uploaded and downloaded through the scope, and the figures of a period.

An activity outside the caller's view scope answers 404 on every route before any role is asked;
then a role that may not change it gets 403. Every write goes through campaigns.services, whose
ValidationError becomes a 400 keyed by field (core.errors.api_exception_handler).
"""

import datetime as dt

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.reverse import reverse

from accounts.api.serializers import OrgUnitBriefSerializer
from accounts.models import Enterprise, OrgUnit
from accounts.permissions import RolePermission
from accounts.scoping import get_object_in_scope

from .. import permissions_activities as permissions
from .. import selectors_activities as selectors
from .. import services
from ..choices_activities import ActivityKind, TalkTargetKind
from ..filtersets_activities import ActivityFilterSet
from ..models import (
    Activity,
    ActivityAttachment,
    ActivityQuantity,
    ActivitySubtype,
    ActivityTalkTarget,
    ActivityType,
    Campaign,
    QuantityUnit,
)
from ..views_activities import attachment_response

# ---------------------------------------------------------------- read shapes


class QuantityUnitSerializer(serializers.ModelSerializer):
    label = serializers.CharField(read_only=True, help_text=gettext_lazy("如 横幅（条）"))

    class Meta:
        model = QuantityUnit
        fields = ["id", "code", "name", "unit", "label", "order", "is_active"]


class ActivitySubtypeSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(source="type.code", read_only=True, help_text=gettext_lazy("活动类型代码"))

    class Meta:
        model = ActivitySubtype
        fields = ["id", "kind", "code", "name", "is_talk", "order", "is_active"]


class QuantitySerializer(serializers.ModelSerializer):
    unit_code = serializers.CharField(source="unit.code", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    unit_label = serializers.CharField(
        source="unit.unit", read_only=True, help_text=gettext_lazy("计量单位，如 条")
    )

    class Meta:
        model = ActivityQuantity
        fields = ["unit", "unit_code", "unit_name", "unit_label", "amount"]


class TalkTargetSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="__str__", read_only=True)

    class Meta:
        model = ActivityTalkTarget
        fields = ["kind", "org_unit", "enterprise", "name"]


class AttachmentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text=gettext_lazy("文件下载地址（按可见范围校验）"))

    class Meta:
        model = ActivityAttachment
        fields = ["id", "kind", "original_name", "url", "created"]

    def get_url(self, attachment: ActivityAttachment) -> str:
        return reverse(
            "activity-attachment-file",
            args=[attachment.activity_id, attachment.pk],
            request=self.context.get("request"),
        )


class ActivitySerializer(serializers.ModelSerializer):
    """One ledger row: the activity with its quantities and 约谈 targets."""

    kind = serializers.CharField(source="type.code", read_only=True)
    kind_name = serializers.CharField(source="type.name", read_only=True)
    subtype_name = serializers.CharField(source="subtype.name", read_only=True, allow_null=True, default=None)
    organiser = OrgUnitBriefSerializer(read_only=True)
    quantities = QuantitySerializer(many=True, read_only=True)
    talk_targets = TalkTargetSerializer(many=True, read_only=True)
    is_talk = serializers.BooleanField(read_only=True)

    class Meta:
        model = Activity
        fields = [
            "id",
            "date",
            "end_date",
            "kind",
            "kind_name",
            "subtype",
            "subtype_name",
            "is_talk",
            "theme",
            "organiser",
            "campaign",
            "sessions",
            "participants",
            "place",
            "talk_reason",
            "notes",
            "quantities",
            "talk_targets",
        ]


class ActivityDetailSerializer(ActivitySerializer):
    attachments = AttachmentSerializer(many=True, read_only=True)
    created_by = serializers.CharField(source="created_by.display_name", read_only=True)

    class Meta(ActivitySerializer.Meta):
        fields = [*ActivitySerializer.Meta.fields, "attachments", "created_by", "created", "updated"]


# ---------------------------------------------------------------- input shapes


class QuantityInputSerializer(serializers.Serializer):
    unit = serializers.IntegerField(help_text=gettext_lazy("数量单位 id（/api/v1/quantity-units/）"))
    amount = serializers.IntegerField(min_value=0, max_value=100_000_000)


class TalkTargetInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=TalkTargetKind.choices)
    org_unit = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text=gettext_lazy("街道/乡镇或部门 id")
    )
    enterprise = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text=gettext_lazy("生产经营单位 id")
    )


class ActivityInputSerializer(serializers.Serializer):
    """登记/修改活动. Ids for the related records: one that does not exist and one outside the
    caller's scope get the same answer. `quantities` and `talk_targets` replace the activity's own."""

    date = serializers.DateField()
    end_date = serializers.DateField(required=False, allow_null=True, default=None)
    kind = serializers.ChoiceField(
        choices=ActivityKind.choices, help_text=gettext_lazy("宣传/培训/演练/会议")
    )
    subtype = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text=gettext_lazy("子类型 id")
    )
    theme = serializers.CharField(max_length=200)
    organiser = serializers.IntegerField(help_text=gettext_lazy("组织单位 id"))
    campaign = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text=gettext_lazy("专项行动 id")
    )
    sessions = serializers.IntegerField(required=False, default=1, min_value=1, max_value=100_000)
    participants = serializers.IntegerField(required=False, default=0, min_value=0, max_value=10_000_000)
    place = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    talk_reason = serializers.CharField(required=False, allow_blank=True, default="")
    quantities = QuantityInputSerializer(many=True, required=False, default=list)
    talk_targets = TalkTargetInputSerializer(many=True, required=False, default=list)


@extend_schema_field({"type": "array", "items": {"type": "string", "format": "binary"}})
class FileListField(serializers.ListField):
    """Several files under one name; `name[]` (as browsers' FormData often sends it) works too."""

    child = serializers.FileField()

    def get_value(self, dictionary):
        if hasattr(dictionary, "getlist"):
            return dictionary.getlist(self.field_name) + dictionary.getlist(f"{self.field_name}[]")
        return super().get_value(dictionary)


class AttachmentInputSerializer(serializers.Serializer):
    files = FileListField(required=False, default=list, help_text=gettext_lazy("照片或 PDF（可多个）"))


class PeriodSerializer(serializers.Serializer):
    date_from = serializers.DateField(
        required=False, help_text=gettext_lazy("起始日期（含），默认今年 1 月 1 日")
    )
    date_to = serializers.DateField(required=False, help_text=gettext_lazy("截止日期（含），默认今天"))

    def validate(self, attrs):
        today = timezone.localdate()
        attrs.setdefault("date_from", today.replace(month=1, day=1))
        attrs.setdefault("date_to", today)
        if attrs["date_to"] < attrs["date_from"]:
            raise serializers.ValidationError({"date_to": _("截止日期不能早于起始日期。")})
        return attrs


def _lookup(model, pk, field: str, message: str, queryset=None):
    if pk is None:
        return None
    found = (queryset if queryset is not None else model.objects.all()).filter(pk=pk).first()
    if found is None:
        raise ValidationError({field: [message]})
    return found


def activity_data_from(payload: dict, *, user) -> services.ActivityData:
    """The parsed body as the service's ActivityData: ids looked up, unknown ones refused by field."""
    activity_type = ActivityType.objects.filter(code=payload["kind"]).first()
    if activity_type is None:
        raise ValidationError({"kind": [_("活动类型无效。")]})
    units = QuantityUnit.objects.in_bulk([q["unit"] for q in payload["quantities"]])
    quantities = []
    for q in payload["quantities"]:
        if q["unit"] not in units:
            raise ValidationError({"quantities": [_("数量单位 %(id)s 不存在。") % {"id": q["unit"]}]})
        quantities.append((units[q["unit"]], q["amount"]))
    visible = selectors.talk_enterprises(user=user)
    targets = []
    for t in payload["talk_targets"]:
        org_unit = _lookup(OrgUnit, t["org_unit"], "talk_targets", _("约谈单位不存在。"))
        enterprise = _lookup(
            Enterprise,
            t["enterprise"],
            "talk_targets",
            _("生产经营单位不存在或不在您的可见范围内。"),
            visible,
        )
        targets.append(services.TalkTargetData(kind=t["kind"], org_unit=org_unit, enterprise=enterprise))
    return services.ActivityData(
        date=payload["date"],
        end_date=payload["end_date"],
        type=activity_type,
        subtype=_lookup(ActivitySubtype, payload["subtype"], "subtype", _("子类型不存在。")),
        theme=payload["theme"],
        organiser=_lookup(OrgUnit, payload["organiser"], "organiser", _("组织单位不存在。")),
        campaign=_lookup(Campaign, payload["campaign"], "campaign", _("专项行动不存在。")),
        sessions=payload["sessions"],
        participants=payload["participants"],
        place=payload["place"],
        notes=payload["notes"],
        talk_reason=payload["talk_reason"],
        quantities=tuple(quantities),
        talk_targets=tuple(targets),
    )


def _payload_of(activity: Activity) -> dict:
    """The activity as an input body, for PATCH: the fields sent replace these."""
    return {
        "date": activity.date,
        "end_date": activity.end_date,
        "kind": activity.type.code,
        "subtype": activity.subtype_id,
        "theme": activity.theme,
        "organiser": activity.organiser_id,
        "campaign": activity.campaign_id,
        "sessions": activity.sessions,
        "participants": activity.participants,
        "place": activity.place,
        "notes": activity.notes,
        "talk_reason": activity.talk_reason,
        "quantities": [{"unit": q.unit_id, "amount": q.amount} for q in activity.quantities.all()],
        "talk_targets": [
            {"kind": t.kind, "org_unit": t.org_unit_id, "enterprise": t.enterprise_id}
            for t in activity.talk_targets.all()
        ],
    }


ATTACHMENT_PK = OpenApiParameter("attachment_pk", int, OpenApiParameter.PATH, description="佐证材料 id")


class ActivityViewSet(viewsets.ModelViewSet):
    """活动台账 (宣传/培训/演练/会议, 约谈) within the caller's scope (others answer 404). The district
    office writes for any unit, a township or department for its own; leaders read."""

    filterset_class = ActivityFilterSet
    lookup_value_regex = r"[0-9]+"
    permission_classes = [IsAuthenticated]
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def get_serializer_class(self):
        if self.action in ("create", "update", "partial_update"):
            return ActivityInputSerializer
        return ActivitySerializer if self.action == "list" else ActivityDetailSerializer

    def get_queryset(self):
        return selectors.activity_list(user=self.request.user).prefetch_related(
            "quantities__unit", "talk_targets__org_unit", "talk_targets__enterprise"
        )

    def get_object(self) -> Activity:
        queryset = self.get_queryset().prefetch_related("attachments").select_related("created_by")
        return get_object_in_scope(queryset, self.request.user, "view", pk=self.kwargs["pk"])

    def _to_change(self) -> Activity:
        activity = self.get_object()  # 404 first
        if not permissions.can_change(self.request.user, activity):
            raise PermissionDenied(RolePermission.message)
        return activity

    def _detail(self, activity: Activity, code: int = status.HTTP_200_OK) -> Response:
        fresh = (
            self.get_queryset()
            .prefetch_related("attachments")
            .select_related("created_by")
            .get(pk=activity.pk)
        )
        return Response(
            ActivityDetailSerializer(fresh, context=self.get_serializer_context()).data, status=code
        )

    @extend_schema(request=ActivityInputSerializer, responses={201: ActivityDetailSerializer})
    def create(self, request, *args, **kwargs):
        if not permissions.can_record(request.user):
            raise PermissionDenied(RolePermission.message)
        parsed = ActivityInputSerializer(data=request.data)
        parsed.is_valid(raise_exception=True)
        activity = services.activity_create(
            user=request.user, data=activity_data_from(parsed.validated_data, user=request.user)
        )
        return self._detail(activity, status.HTTP_201_CREATED)

    @extend_schema(request=ActivityInputSerializer, responses={200: ActivityDetailSerializer})
    def update(self, request, *args, **kwargs):
        activity = self._to_change()
        partial = kwargs.get("partial", False)
        parsed = ActivityInputSerializer(data=request.data, partial=partial)
        parsed.is_valid(raise_exception=True)
        payload = {**_payload_of(activity), **parsed.validated_data} if partial else parsed.validated_data
        data = activity_data_from(payload, user=request.user)
        return self._detail(services.activity_update(user=request.user, activity=activity, data=data))

    @extend_schema(request=ActivityInputSerializer, responses={200: ActivityDetailSerializer})
    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    @extend_schema(responses={204: None})
    def destroy(self, request, *args, **kwargs):
        activity = self._to_change()
        services.activity_delete(user=request.user, activity=activity)
        return Response(status=status.HTTP_204_NO_CONTENT)

    # ------------------------------------------------------------ evidence files

    @extend_schema(
        request={"multipart/form-data": AttachmentInputSerializer},
        responses={201: AttachmentSerializer(many=True)},
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser], filter_backends=[])
    def attachments(self, request, pk=None):
        """上传佐证材料 (multipart `files`: photos or PDFs, checked by content)."""
        activity = self._to_change()
        parsed = AttachmentInputSerializer(data=request.data)
        parsed.is_valid(raise_exception=True)
        added = services.attachment_add(
            user=request.user, activity=activity, files=parsed.validated_data["files"]
        )
        body = AttachmentSerializer(added, many=True, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[ATTACHMENT_PK], responses={(200, "*/*"): OpenApiTypes.BINARY})
    @action(
        detail=True,
        methods=["get"],
        url_path=r"attachments/(?P<attachment_pk>[0-9]+)",
        url_name="attachment-file",
        filter_backends=[],
    )
    def attachment_file(self, request, pk=None, attachment_pk=None):
        """One evidence file, for whoever may see the activity; 404 otherwise."""
        activity = self.get_object()
        return attachment_response(get_object_or_404(ActivityAttachment, activity=activity, pk=attachment_pk))

    @extend_schema(parameters=[ATTACHMENT_PK], request=None, responses={204: None})
    @attachment_file.mapping.delete
    def attachment_delete(self, request, pk=None, attachment_pk=None):
        """删除一个佐证材料."""
        activity = self._to_change()
        attachment = get_object_or_404(ActivityAttachment, activity=activity, pk=attachment_pk)
        services.attachment_remove(user=request.user, attachment=attachment)
        return Response(status=status.HTTP_204_NO_CONTENT)

    # ------------------------------------------------------------ figures

    @extend_schema(
        parameters=[PeriodSerializer],
        filters=False,
        responses={200: OpenApiTypes.OBJECT, 400: OpenApiResponse(description="日期不合法")},
    )
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def figures(self, request):
        """The figures of a period in the caller's scope: by kind and sub-type (活动、场次、人次),
        quantities by kind and sub-type, quantity totals, meetings by sub-type, 约谈 by target kind,
        activities per organising unit."""
        period = PeriodSerializer(data=request.query_params)
        period.is_valid(raise_exception=True)
        args = {"user": request.user, **period.validated_data}
        return Response(
            {
                "date_from": _iso(args["date_from"]),
                "date_to": _iso(args["date_to"]),
                "by_subtype": selectors.activity_figures(**args),
                "quantities": selectors.quantity_figures(**args),
                "quantity_totals": selectors.quantity_totals(**args),
                "meetings": selectors.meeting_figures(**args),
                "talks": selectors.talk_figures(**args),
                "by_unit": selectors.activities_by_unit(**args),
            }
        )


def _iso(day: dt.date) -> str:
    return day.isoformat()


class ActivitySubtypeViewSet(viewsets.ReadOnlyModelViewSet):
    """活动子类型 code table (edited by administrators in 系统管理), with the kind each belongs to."""

    serializer_class = ActivitySubtypeSerializer
    queryset = ActivitySubtype.objects.select_related("type")
    filterset_fields = ["is_active", "is_talk"]


class QuantityUnitViewSet(viewsets.ReadOnlyModelViewSet):
    """数量单位 catalogue (横幅 条, 宣传资料 份 …), edited by administrators."""

    serializer_class = QuantityUnitSerializer
    queryset = QuantityUnit.objects.all()
    filterset_fields = ["is_active"]


__all__ = ["ActivitySubtypeViewSet", "ActivityViewSet", "QuantityUnitViewSet"]
