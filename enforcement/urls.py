from django.urls import path

from . import permissions, views, views_documents, views_sources, views_tips

app_name = "enforcement"

# One small POST view per step on a case (the case page's panels); each URL names its action.
STEP_URLS = {
    permissions.INVESTIGATE: "investigate",
    permissions.NOTIFY: "notify",
    permissions.HEARING: "hearing",
    permissions.DECIDE: "decide",
    permissions.EXECUTE: "execute",
    permissions.CLOSE: "close",
    permissions.NO_PENALTY: "no-penalty",
    permissions.TRANSFER: "transfer",
    permissions.MEASURE: "measure",
    permissions.EXTEND: "extend",
}

urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("export/", views.case_export, name="case_export"),
    path("new/", views.case_create, name="case_create"),
    path("<int:pk>/", views.case_detail, name="case_detail"),
    path("<int:pk>/edit/", views.case_edit, name="case_edit"),
    *(
        path(f"<int:pk>/{slug}/", views.case_action, {"action": action}, name=f"case_{action}")
        for action, slug in STEP_URLS.items()
    ),
    path(
        "<int:pk>/extensions/<int:extension_pk>/decide/",
        views.case_extension_decide,
        name="case_extension_decide",
    ),
    # 执法文书 (views_documents.py)
    path("documents/", views_documents.document_list_view, name="document_list"),
    path("documents/new/", views_documents.document_new, name="document_new"),
    path("documents/<int:pk>/", views_documents.document_detail, name="document_detail"),
    path("documents/<int:pk>/edit/", views_documents.document_edit, name="document_edit"),
    path("documents/<int:pk>/preview/", views_documents.document_preview, name="document_preview"),
    path("documents/<int:pk>/pdf/", views_documents.document_pdf, name="document_pdf"),
    path("documents/<int:pk>/issue/", views_documents.document_issue, name="document_issue"),
    path("documents/<int:pk>/correct/", views_documents.document_correct, name="document_correct"),
    path("documents/<int:pk>/discard/", views_documents.document_discard, name="document_discard"),
    # 举报 (views_tips.py) and 立案调查 from an accident or a report (views_sources.py)
    path("tips/", views_tips.tip_list, name="tip_list"),
    path("tips/export/", views_tips.tip_export, name="tip_export"),
    path("tips/new/", views_tips.tip_create, name="tip_create"),
    path("tips/<int:pk>/", views_tips.tip_detail, name="tip_detail"),
    path("tips/<int:pk>/edit/", views_tips.tip_edit, name="tip_edit"),
    path("tips/<int:pk>/check/", views_tips.tip_check, name="tip_check"),
    path("tips/<int:pk>/conclude/", views_tips.tip_conclude, name="tip_conclude"),
    path("tips/<int:pk>/reward/", views_tips.tip_reward, name="tip_reward"),
    path("tips/<int:pk>/hazard/", views_tips.tip_hazard, name="tip_hazard"),
    path("tips/<int:pk>/case/", views_sources.case_from_tip, name="case_from_tip"),
    path("from-accident/<int:accident_pk>/", views_sources.case_from_accident, name="case_from_accident"),
]
