from rest_framework import viewsets

from accounts.scoping import get_object_in_scope

from .. import selectors
from ..filtersets import InspectionActionFilterSet
from .serializers import CheckItemSerializer, InspectionActionSerializer, InspectionRecordSerializer


class InspectionActionViewSet(viewsets.ReadOnlyModelViewSet):
    """检查行动, within the caller's scope; others answer 404."""

    serializer_class = InspectionActionSerializer
    filterset_class = InspectionActionFilterSet

    def get_queryset(self):
        return selectors.action_list_rows(user=self.request.user)


class InspectionRecordViewSet(viewsets.ReadOnlyModelViewSet):
    """检查记录 (one visited enterprise each), within the caller's scope."""

    serializer_class = InspectionRecordSerializer
    filterset_fields = ["action", "enterprise"]

    def get_queryset(self):
        return selectors.record_list(user=self.request.user).prefetch_related("results")

    def get_object(self):
        return get_object_in_scope(self.get_queryset(), self.request.user, "view", pk=self.kwargs["pk"])


class CheckItemViewSet(viewsets.ReadOnlyModelViewSet):
    """检查事项: the published list, readable by every signed-in user."""

    serializer_class = CheckItemSerializer
    filterset_fields = ["sector"]

    def get_queryset(self):
        return selectors.check_items_published()
