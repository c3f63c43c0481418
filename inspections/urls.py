from django.urls import path

from . import views

app_name = "inspections"
urlpatterns = [
    path("check-items/", views.check_item_list, name="check_item_list"),
]
