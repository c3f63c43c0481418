from django.urls import path

from . import entry_views, views

app_name = "inspections"
urlpatterns = [
    path("", views.action_list, name="action_list"),
    path("export/", views.action_export, name="action_export"),
    path("check-items/", views.check_item_list, name="check_item_list"),
    path("draws/", views.draw_list, name="draw_list"),
    path("draws/new/", views.draw_create, name="draw_create"),
    path("draws/<int:pk>/", views.draw_detail, name="draw_detail"),
    path("draws/<int:pk>/export/", views.draw_export, name="draw_export"),
    path("records/<int:pk>/pdf/", views.record_pdf, name="record_pdf"),
    path("plans/", views.plan_list, name="plan_list"),
    path("plans/new/", views.plan_create, name="plan_create"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/edit/", views.plan_edit, name="plan_edit"),
    path("plans/<int:pk>/export/", views.plan_export, name="plan_export"),
    path("plans/<int:pk>/tasks/", views.plan_tasks_create, name="plan_tasks_create"),
    # 录入检查 (entry_views): the phone form, drafts, and the action / record / photo pages
    path("new/", entry_views.entry_new, name="entry_new"),
    path("new/enterprises/", entry_views.enterprise_search, name="entry_enterprise_search"),
    path("drafts/", entry_views.draft_list, name="draft_list"),
    path("drafts/<int:pk>/", entry_views.draft_resume, name="draft_resume"),
    path("drafts/<int:pk>/step/<int:step>/", entry_views.draft_step, name="draft_step"),
    path("drafts/<int:pk>/discard/", entry_views.draft_discard, name="draft_discard"),
    path("<int:pk>/", entry_views.action_detail, name="action_detail"),
    path("<int:pk>/start/", entry_views.planned_start, name="planned_start"),
    path("records/<int:pk>/", entry_views.record_detail, name="record_detail"),
    path("records/<int:pk>/issue/", entry_views.record_issue, name="record_issue"),
    path("records/<int:pk>/correct/", entry_views.record_correct, name="record_correct"),
    path("photos/<int:pk>/", entry_views.photo, name="photo"),
]
