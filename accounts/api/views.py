from dataclasses import fields as dc_fields

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from .. import selectors, services
from ..filtersets import EnterpriseFilterSet, OrgUnitFilterSet
from ..models import Sector
from ..scoping import get_object_in_scope
from .serializers import (
    EnterpriseInputSerializer,
    EnterpriseSerializer,
    EnterpriseUpdateSerializer,
    OrgUnitSerializer,
    SectorSerializer,
)


def _to_data(validated: dict, base: services.EnterpriseData | None = None) -> services.EnterpriseData:
    values = {f.name: getattr(base, f.name) for f in dc_fields(services.EnterpriseData)} if base else {}
    values.update(validated)
    values["sectors"] = list(values.get("sectors", []))
    return services.EnterpriseData(**values)


def _current_data(enterprise) -> services.EnterpriseData:
    names = [f.name for f in dc_fields(services.EnterpriseData)]
    values = {n: getattr(enterprise, n) for n in names if n != "sectors"}
    return services.EnterpriseData(**values, sectors=list(enterprise.sectors.all()))


class EnterpriseViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """生产经营单位. Lists hold only what the caller may see; anything else is 404. Units are never
    deleted: set status to 关闭 instead."""

    serializer_class = EnterpriseSerializer
    filterset_class = EnterpriseFilterSet

    def get_queryset(self):
        return selectors.enterprise_list(user=self.request.user)

    def get_object(self):
        return get_object_in_scope(self.get_queryset(), self.request.user, "view", pk=self.kwargs["pk"])

    @extend_schema(request=EnterpriseInputSerializer, responses={201: EnterpriseSerializer})
    def create(self, request, *args, **kwargs):
        parsed = EnterpriseInputSerializer(data=request.data)
        parsed.is_valid(raise_exception=True)
        # A service's ValidationError / PermissionDenied reach the client through core's exception handler.
        enterprise = services.enterprise_create(user=request.user, data=_to_data(parsed.validated_data))
        return Response(EnterpriseSerializer(enterprise).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=EnterpriseUpdateSerializer,
        responses={
            200: EnterpriseSerializer,
            409: OpenApiResponse(description="该单位已被他人修改（code: stale_state），请重新读取后再改"),
        },
    )
    def update(self, request, *args, **kwargs):
        enterprise = self.get_object()
        partial = kwargs.get("partial", False)
        parsed = EnterpriseUpdateSerializer(data=request.data, partial=partial)
        parsed.is_valid(raise_exception=True)
        values = dict(parsed.validated_data)
        version = values.pop("version")
        data = _to_data(values, base=_current_data(enterprise))
        enterprise = services.enterprise_update(
            user=request.user, enterprise=enterprise, data=data, expected_version=version
        )
        return Response(
            EnterpriseSerializer(selectors.enterprise_get(user=request.user, pk=enterprise.pk)).data
        )


class OrgUnitViewSet(viewsets.ReadOnlyModelViewSet):
    """组织单位: the organisation tree, reference data readable by every signed-in user."""

    serializer_class = OrgUnitSerializer
    filterset_class = OrgUnitFilterSet

    def get_queryset(self):
        return selectors.orgunit_list()


class SectorViewSet(viewsets.ReadOnlyModelViewSet):
    """行业领域 code table."""

    serializer_class = SectorSerializer
    queryset = Sector.objects.all()
    filterset_fields = ["is_active", "parent"]
