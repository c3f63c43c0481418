from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("jobs/<int:pk>/", views.import_job, name="import_job"),
    path("jobs/<int:pk>/status/", views.import_job_status, name="import_job_status"),
    path("jobs/<int:pk>/requeue/", views.import_job_requeue, name="import_job_requeue"),
    path("jobs/<int:pk>/errors.xlsx", views.import_job_errors, name="import_job_errors"),
    path("<slug:kind>/", views.import_upload, name="import_upload"),
    path("<slug:kind>/template.xlsx", views.import_template, name="import_template"),
]
