from django.urls import path

from . import views

app_name = "inspections"
urlpatterns = [
    path("", views.action_list, name="action_list"),
    path("export/", views.action_export, name="action_export"),
    path("check-items/", views.check_item_list, name="check_item_list"),
]
