"""Statistics pages and downloads (issue 13)."""

from django.urls import path

from . import urls_evaluation, urls_summaries, views, views_excel

app_name = "reports"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("figures/<str:key>/", views.figure, name="figure"),
    path("recompute/", views.recompute, name="recompute"),
    path("stats.xlsx", views_excel.stats_xlsx, name="stats_xlsx"),
]

urlpatterns += urls_summaries.urlpatterns + urls_evaluation.urlpatterns
