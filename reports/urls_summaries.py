"""工作总结 pages: templates, drafts, versions, PDF builds."""

from django.urls import path

from . import views_summaries as views

urlpatterns: list = [
    path("summaries/", views.report_list, name="report_list"),
    path("summaries/new/", views.report_new, name="report_new"),
    path("summaries/<int:pk>/", views.report_detail, name="report_detail"),
    path("summaries/<int:pk>/build/", views.report_rebuild, name="report_rebuild"),
    path("summaries/<int:pk>/publish/", views.report_publish_view, name="report_publish"),
    path(
        "summaries/<int:pk>/sections/<int:section_pk>/",
        views.section_narrative,
        name="report_section_narrative",
    ),
    path("summaries/<int:pk>/v<int:number>/", views.version_detail, name="version_detail"),
    path("summaries/<int:pk>/v<int:number>/pdf/", views.version_pdf, name="version_pdf"),
    path("summary-templates/", views.template_list, name="template_list"),
    path("summary-templates/<int:pk>/", views.template_edit, name="template_edit"),
]

# ---- PDF / Word build jobs (the PDF work adds its routes in one block below) ----
# Start an export (POST fmt, version, rebuild), its progress (JSON) and its file (reports/views_jobs.py).
from . import views_jobs  # noqa: E402

urlpatterns += [
    path("summaries/<int:pk>/jobs/", views_jobs.report_job_start, name="report_job_start"),
    path("summaries/jobs/<int:pk>/", views_jobs.report_job_status, name="report_job_status"),
    path("summaries/jobs/<int:pk>/download/", views_jobs.report_job_download, name="report_job_download"),
]
# ---- end of the PDF / Word build jobs ----
