from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("enterprises/", views.enterprise_list, name="enterprise_list"),
    path("enterprises/new/", views.enterprise_create, name="enterprise_create"),
    path("enterprises/export/", views.enterprise_export, name="enterprise_export"),
    path("enterprises/import/", views.enterprise_import, name="enterprise_import"),
    path("enterprises/import/template/", views.enterprise_import_template, name="enterprise_import_template"),
    path("enterprises/<int:pk>/", views.enterprise_detail, name="enterprise_detail"),
    path("enterprises/<int:pk>/edit/", views.enterprise_edit, name="enterprise_edit"),
    path("org-units/", views.orgunit_list, name="orgunit_list"),
]
