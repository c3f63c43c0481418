from django.urls import path

from . import views

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
]
