from rest_framework.routers import DefaultRouter

from .views import (
    CheckItemViewSet,
    InspectionActionViewSet,
    InspectionPlanViewSet,
    InspectionRecordViewSet,
    RandomDrawViewSet,
)

router = DefaultRouter()
router.register("inspection-actions", InspectionActionViewSet, basename="inspectionaction")
router.register("inspection-records", InspectionRecordViewSet, basename="inspectionrecord")
router.register("check-items", CheckItemViewSet, basename="checkitem")
router.register("inspection-plans", InspectionPlanViewSet, basename="inspectionplan")
router.register("random-draws", RandomDrawViewSet, basename="randomdraw")

urlpatterns = router.urls
