from django.urls import path

from .views import MetricListView, StatsView

urlpatterns = [
    path("metrics/", MetricListView.as_view(), name="metric-list"),
    path("stats/", StatsView.as_view(), name="stats"),
]
