from rest_framework.routers import DefaultRouter

from .views import CheckItemViewSet, InspectionActionViewSet, InspectionRecordViewSet

router = DefaultRouter()
router.register("inspection-actions", InspectionActionViewSet, basename="inspectionaction")
router.register("inspection-records", InspectionRecordViewSet, basename="inspectionrecord")
router.register("check-items", CheckItemViewSet, basename="checkitem")

urlpatterns = router.urls
