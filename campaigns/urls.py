from django.urls import path

from . import views, views_activities

app_name = "campaigns"
urlpatterns = [
    # 专项行动
    path("", views.campaign_list, name="campaign_list"),
    path("export/", views.campaign_export, name="campaign_export"),
    path("new/", views.campaign_create, name="campaign_create"),
    path("<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("<int:pk>/edit/", views.campaign_edit, name="campaign_edit"),
    path("<int:pk>/delete/", views.campaign_delete, name="campaign_delete"),
    # 活动台账 (宣传/培训/演练/会议): campaigns/views_activities.py
    path("activities/", views_activities.activity_list, name="activity_list"),
    path("activities/export/", views_activities.activity_export, name="activity_export"),
    path("activities/new/", views_activities.activity_create, name="activity_create"),
    path("activities/<int:pk>/", views_activities.activity_detail, name="activity_detail"),
    path("activities/<int:pk>/edit/", views_activities.activity_edit, name="activity_edit"),
    path("activities/<int:pk>/delete/", views_activities.activity_delete, name="activity_delete"),
    path(
        "activities/<int:pk>/attachments/",
        views_activities.activity_attachment_add,
        name="activity_attachment_add",
    ),
    path(
        "activities/<int:pk>/attachments/<int:attachment_pk>/",
        views_activities.activity_attachment_file,
        name="activity_attachment_file",
    ),
    path(
        "activities/<int:pk>/attachments/<int:attachment_pk>/delete/",
        views_activities.activity_attachment_remove,
        name="activity_attachment_remove",
    ),
]
