from rest_framework.routers import DefaultRouter

from .activities import ActivitySubtypeViewSet, ActivityViewSet, QuantityUnitViewSet
from .campaigns import CampaignKindViewSet, CampaignViewSet

router = DefaultRouter()
router.register("campaigns", CampaignViewSet, basename="campaign")
router.register("campaign-kinds", CampaignKindViewSet, basename="campaignkind")
router.register("activities", ActivityViewSet, basename="activity")
router.register("activity-subtypes", ActivitySubtypeViewSet, basename="activitysubtype")
router.register("quantity-units", QuantityUnitViewSet, basename="quantityunit")

urlpatterns = router.urls
