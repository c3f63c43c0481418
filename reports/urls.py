"""Statistics pages and downloads (issue 13)."""

from django.urls import path

from . import views, views_excel

app_name = "reports"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("figures/<str:key>/", views.figure, name="figure"),
    path("recompute/", views.recompute, name="recompute"),
    path("stats.xlsx", views_excel.stats_xlsx, name="stats_xlsx"),
]
