"""月度评估 and 排名通报 pages (included by reports/urls.py, namespace "reports")."""

from django.urls import path

from . import views_evaluation as views

urlpatterns = [
    path("evaluations/", views.evaluation_list, name="evaluation_list"),
    path("evaluations/compute/", views.evaluation_compute, name="evaluation_compute"),
    path("evaluations/indicators/", views.indicator_list, name="evaluation_indicators"),
    path("evaluations/indicators/new/", views.indicator_create, name="evaluation_indicator_create"),
    path("evaluations/indicators/<int:pk>/", views.indicator_edit, name="evaluation_indicator_edit"),
    path("evaluations/follow-ups/<int:pk>/notice.pdf", views.follow_up_pdf, name="evaluation_notice_pdf"),
    path("evaluations/<int:pk>/", views.evaluation_detail, name="evaluation_detail"),
    path("evaluations/<int:pk>/recompute/", views.evaluation_recompute, name="evaluation_recompute"),
    path("evaluations/<int:pk>/scores/", views.evaluation_score, name="evaluation_score"),
    path("evaluations/<int:pk>/publish/", views.evaluation_publish, name="evaluation_publish"),
    path("evaluations/<int:pk>/follow-ups/", views.follow_up_create, name="evaluation_follow_up"),
    path("evaluations/<int:pk>/ranking.pdf", views.evaluation_pdf, name="evaluation_pdf"),
    path("evaluations/<int:pk>/ranking.xlsx", views.evaluation_xlsx, name="evaluation_xlsx"),
]
