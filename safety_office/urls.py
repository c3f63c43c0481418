"""Top-level URLs. The only place the project package imports the apps."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts import views as account_views
from accounts.api import urls as accounts_api_urls
from campaigns.api import urls as campaigns_api_urls
from enforcement.api import urls as enforcement_api_urls
from hazards.api import urls as hazards_api_urls
from inspections.api import urls as inspections_api_urls
from reports.api import urls as reports_api_urls

api_v1 = [
    path("", include(accounts_api_urls)),
    path("", include(campaigns_api_urls)),
    path("", include(inspections_api_urls)),
    path("", include(hazards_api_urls)),
    path("", include(enforcement_api_urls)),
    path("", include(reports_api_urls)),
]

urlpatterns = [
    path("", account_views.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            redirect_authenticated_user=True, extra_context={"demo_hint": settings.DEMO_LOGIN_HINT}
        ),
        name="login",
    ),
    path("logout/", account_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("accounts.urls")),
    path("imports/", include("core.urls")),
    path("campaigns/", include("campaigns.urls")),
    path("inspections/", include("inspections.urls")),
    path("hazards/", include("hazards.urls")),
    path("enforcement/", include("enforcement.urls")),
    path("reports/", include("reports.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    # Signed-in users only (SPECTACULAR_SETTINGS["SERVE_PERMISSIONS"]); the docs page sends a visitor to
    # the login page and loads Swagger UI's start-up script as a file, as the CSP requires.
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "api/docs/",
        login_required(SpectacularSwaggerSplitView.as_view(url_name="api-schema")),
        name="api-docs",
    ),
]

# An /api/ address no route matches answers JSON; pages get templates/404.html.
handler404 = "core.errors.page_not_found"
# The database down or restarting answers the 503 page (JSON under /api/); other errors templates/500.html.
handler500 = "core.errors.server_error"

# Uploaded files (photos, import files) are never served as plain /media/ URLs, not even in DEBUG:
# every photo goes through a view that applies the scoping rule.

admin.site.site_header = "区安全生产工作台账 · 系统管理"
admin.site.site_title = "系统管理"
