from django.urls import path

from . import views, views_accidents, views_excel

app_name = "hazards"
urlpatterns = [
    path("", views.hazard_list, name="hazard_list"),
    path("export/", views_excel.hazard_export, name="hazard_export"),
    path("new/", views.hazard_create, name="hazard_create"),
    path("from-result/<int:check_result_pk>/", views.hazard_from_result, name="from_result"),
    path("verify/", views.verification_list, name="verification_list"),
    path("listed/", views.listed_list, name="listed_list"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("found-photos/<int:pk>/", views.found_photo, name="found_photo"),
    # 事故 (accidents)
    path("accidents/", views_accidents.accident_list, name="accident_list"),
    path("accidents/export/", views_accidents.accident_export, name="accident_export"),
    path("accidents/new/", views_accidents.accident_create, name="accident_create"),
    path("accidents/<int:pk>/", views_accidents.accident_detail, name="accident_detail"),
    path("accidents/<int:pk>/edit/", views_accidents.accident_edit, name="accident_edit"),
    path("<int:pk>/", views.hazard_detail, name="hazard_detail"),
    # One small POST view per action on a hazard (hazard page, home page and 待复查 queue)
    path("<int:pk>/rectify/", views.rectification_add, name="rectification_add"),
    path("<int:pk>/submit/", views.hazard_submit, name="hazard_submit"),
    path("<int:pk>/verify/", views.hazard_verify, name="hazard_verify"),
    path("<int:pk>/verify/confirm/", views.verify_confirm, name="verify_confirm"),
    path("<int:pk>/edit/", views.hazard_edit, name="hazard_edit"),
    path("<int:pk>/extend/", views.extension_request, name="extension_request"),
    path("<int:pk>/extensions/<int:extension_pk>/decide/", views.extension_decide, name="extension_decide"),
    path("<int:pk>/reopen/", views.hazard_reopen, name="hazard_reopen"),
    path("<int:pk>/void/", views.hazard_void, name="hazard_void"),
    path("<int:pk>/list/", views.hazard_listing, name="hazard_listing"),
    path("<int:pk>/delist/", views.hazard_delist, name="hazard_delist"),
]
