from rest_framework.routers import DefaultRouter

from .views import HazardCategoryViewSet, HazardViewSet

router = DefaultRouter()
router.register("hazards", HazardViewSet, basename="hazard")
router.register("hazard-categories", HazardCategoryViewSet, basename="hazardcategory")

urlpatterns = router.urls
