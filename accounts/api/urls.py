from django.urls import include, path
from rest_framework.routers import DefaultRouter

from .auth_views import TokenLogoutView, TokenObtainView
from .responsibility import DutyListViewSet, LetterViewSet, WorkListViewSet
from .views import EnterpriseViewSet, OrgUnitViewSet, SectorViewSet

router = DefaultRouter()
router.register("enterprises", EnterpriseViewSet, basename="enterprise")
router.register("org-units", OrgUnitViewSet, basename="orgunit")
router.register("sectors", SectorViewSet, basename="sector")
router.register("responsibility-lists", DutyListViewSet, basename="responsibilitylist")
router.register("work-lists", WorkListViewSet, basename="worklist")
router.register("responsibility-letters", LetterViewSet, basename="responsibilityletter")

urlpatterns = [
    path("auth/token/", TokenObtainView.as_view(), name="api-token"),
    path("auth/logout/", TokenLogoutView.as_view(), name="api-logout"),
    path("", include(router.urls)),
]
