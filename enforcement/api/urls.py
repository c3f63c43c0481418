from rest_framework.routers import DefaultRouter

from .documents import DocumentKindViewSet, DocumentViewSet
from .tips import TipViewSet
from .views import CaseViewSet, LegalArticleViewSet

router = DefaultRouter()
router.register("cases", CaseViewSet, basename="case")
router.register("legal-articles", LegalArticleViewSet, basename="legalarticle")
router.register("tips", TipViewSet, basename="tip")
router.register("documents", DocumentViewSet, basename="document")
router.register("document-kinds", DocumentKindViewSet, basename="documentkind")

urlpatterns = router.urls
