from rest_framework.routers import DefaultRouter

from .accidents import AccidentCategoryViewSet, AccidentViewSet
from .views import HazardCategoryViewSet, HazardViewSet

router = DefaultRouter()
router.register("hazards", HazardViewSet, basename="hazard")
router.register("hazard-categories", HazardCategoryViewSet, basename="hazardcategory")
router.register("accidents", AccidentViewSet, basename="accident")
router.register("accident-categories", AccidentCategoryViewSet, basename="accidentcategory")

urlpatterns = router.urls
