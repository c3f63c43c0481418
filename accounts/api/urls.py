from django.urls import include, path
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.routers import DefaultRouter

from .views import EnterpriseViewSet, OrgUnitViewSet, SectorViewSet

router = DefaultRouter()
router.register("enterprises", EnterpriseViewSet, basename="enterprise")
router.register("org-units", OrgUnitViewSet, basename="orgunit")
router.register("sectors", SectorViewSet, basename="sector")

urlpatterns = [
    path("auth/token/", ObtainAuthToken.as_view(), name="api-token"),
    path("", include(router.urls)),
]
