from django.urls import path

from . import views, views_responsibility

app_name = "accounts"
urlpatterns = [
    path("enterprises/", views.enterprise_list, name="enterprise_list"),
    path("enterprises/new/", views.enterprise_create, name="enterprise_create"),
    path("enterprises/export/", views.enterprise_export, name="enterprise_export"),
    path("enterprises/<int:pk>/", views.enterprise_detail, name="enterprise_detail"),
    path("enterprises/<int:pk>/edit/", views.enterprise_edit, name="enterprise_edit"),
    path("org-units/", views.orgunit_list, name="orgunit_list"),
    path("notifications/", views.notification_list, name="notification_list"),
    path("notifications/read-all/", views.notification_read_all, name="notification_read_all"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification_read"),
    # 安全责任: 职责清单, 工作清单, 责任书 (views_responsibility)
    path("responsibility/", views_responsibility.overview, name="responsibility"),
    path("responsibility/duties/", views_responsibility.duty_list_list, name="duty_list_list"),
    path("responsibility/duties/new/", views_responsibility.duty_list_create, name="duty_list_create"),
    path("responsibility/duties/<int:pk>/", views_responsibility.duty_list_detail, name="duty_list_detail"),
    path(
        "responsibility/duties/<int:pk>/items/", views_responsibility.duty_item_add, name="duty_list_item_add"
    ),
    path(
        "responsibility/duty-items/<int:pk>/remove/",
        views_responsibility.duty_item_remove,
        name="duty_item_remove",
    ),
    path("responsibility/work/", views_responsibility.work_list_list, name="work_list_list"),
    path("responsibility/work/new/", views_responsibility.work_list_create, name="work_list_create"),
    path("responsibility/work/<int:pk>/", views_responsibility.work_list_detail, name="work_list_detail"),
    path(
        "responsibility/work/<int:pk>/export/", views_responsibility.work_list_export, name="work_list_export"
    ),
    path(
        "responsibility/work/<int:pk>/items/", views_responsibility.work_item_add, name="work_list_item_add"
    ),
    path(
        "responsibility/work-items/<int:pk>/progress/",
        views_responsibility.work_item_progress,
        name="work_item_progress",
    ),
    path("responsibility/letters/", views_responsibility.letter_list, name="letter_list"),
    path("responsibility/letters/new/", views_responsibility.letter_create, name="letter_create"),
    path("responsibility/letters/export/", views_responsibility.letter_export, name="letter_export"),
    path("responsibility/letters/<int:pk>/", views_responsibility.letter_detail, name="letter_detail"),
    path("responsibility/letters/<int:pk>/file/", views_responsibility.letter_file, name="letter_file"),
]
