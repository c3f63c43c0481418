from django.urls import path

from . import summaries
from .evaluation import evaluation_router
from .views import MetricListView, StatsView

urlpatterns = [
    path("metrics/", MetricListView.as_view(), name="metric-list"),
    path("stats/", StatsView.as_view(), name="stats"),
]

urlpatterns += summaries.router.urls  # 工作总结 (reports/api/summaries.py)
urlpatterns += evaluation_router.urls  # 月度评估 (reports/api/evaluation.py)
