"""执法文书 in the browser and the API: draft from a hazard, preview, issue, download, correct; scope and roles."""

import hashlib
from urllib.parse import unquote

import pytest
from django.urls import reverse
from django.utils import timezone

from enforcement import services
from enforcement.document_layouts import DocumentState
from enforcement.models import Document, DocumentKind
from enforcement.views_documents import case_documents_context
from tests.enforcement.conftest import open_case
from tests.hazards.conftest import api_as
from tests.hazards.conftest import record as record_hazard

pytestmark = pytest.mark.django_db

DOCUMENTS = "/api/v1/documents/"
NOTICE = {
    "facts": "未培训上岗",
    "legal_basis": "《安全生产法》第二十八条",
    "penalty": "罚款贰万元",
    "rights": "有权申辩",
}
DECISION = {
    "facts": "未培训上岗",
    "legal_basis": "第九十七条",
    "penalty": "罚款贰万元",
    "payment": "十五日内",
    "remedy": "复议",
}


@pytest.fixture
def hazard_a(officer, enterprise_a):
    return record_hazard(officer, enterprise_a, location="二车间")


@pytest.fixture
def case_a(officer, enterprise_a, district):
    return open_case(officer, enterprise_a, district.dept_emergency)


def kind(code):
    return DocumentKind.objects.get(code=code)


# ---------------------------------------------------------------- pages


def test_officer_drafts_previews_issues_and_downloads_a_rectify_order(client, officer, hazard_a):
    client.force_login(officer)
    new = reverse("enforcement:document_new") + f"?hazard={hazard_a.pk}&kind=rectify-order"
    page = client.get(new)
    assert page.status_code == 200
    assert "配电箱未接地" in page.content.decode()  # the facts carried over from the hazard

    response = client.post(
        reverse("enforcement:document_new"),
        {
            "hazard": hazard_a.pk,
            "kind": "rectify-order",
            "issuing_unit": officer.org_unit_id,
            "facts": "二车间配电箱未接地",
            "deadline": hazard_a.deadline.isoformat(),
            "requirements": "立即整改",
            "legal_basis": "",
        },
    )
    document = Document.objects.get(hazard=hazard_a)
    assert response.status_code == 302 and response.url == document.get_absolute_url()
    assert document.state == DocumentState.DRAFT

    preview = client.get(reverse("enforcement:document_preview", args=[document.pk]))
    assert preview.status_code == 200 and preview["Content-Type"] == "application/pdf"
    assert preview.content.startswith(b"%PDF-")
    assert (
        client.get(reverse("enforcement:document_pdf", args=[document.pk])).status_code == 404
    )  # no number yet

    response = client.post(reverse("enforcement:document_issue", args=[document.pk]))
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.number == f"区应急管理局责改〔{timezone.localdate().year}〕1号"

    download = client.get(reverse("enforcement:document_pdf", args=[document.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert hashlib.sha256(download.content).hexdigest() == document.pdf.sha256
    disposition = unquote(download["Content-Disposition"])
    assert f"责令限期整改指令书_{document.number}.pdf" in disposition

    detail = client.get(document.get_absolute_url()).content.decode()
    assert document.number in detail and "下载PDF" in detail and "更正" in detail
    hazard_page = client.get(hazard_a.get_absolute_url()).content.decode()
    assert document.number in hazard_page  # the hazard page lists its documents


def test_issue_refused_for_a_missing_prerequisite_says_why(client, officer, case_a):
    client.force_login(officer)
    decision = services.document_create(
        user=officer, kind=kind("penalty-decision"), case=case_a, content=DECISION
    )
    page = client.get(decision.get_absolute_url()).content.decode()
    assert "出具前须先出具：行政处罚告知书" in page
    response = client.post(reverse("enforcement:document_issue", args=[decision.pk]), follow=True)
    assert "须先在本案件中出具行政处罚告知书" in response.content.decode()
    decision.refresh_from_db()
    assert decision.number == ""


def test_correct_from_the_page_opens_the_correction_draft(client, officer, case_a):
    client.force_login(officer)
    old = services.document_issue(
        user=officer,
        document=services.document_create(
            user=officer, kind=kind("penalty-notice"), case=case_a, content=NOTICE
        ),
    )
    response = client.post(reverse("enforcement:document_correct", args=[old.pk]))
    new = Document.objects.get(supersedes=old)
    assert response.status_code == 302 and response.url == reverse("enforcement:document_edit", args=[new.pk])
    # An issued document's edit page sends back to it.
    assert client.get(reverse("enforcement:document_edit", args=[old.pk])).status_code == 302


def test_outsider_township_gets_404_on_every_document_page(
    client, officer, township_b_user, case_a, cheap_pdfs
):
    document = services.document_issue(
        user=officer,
        document=services.document_create(
            user=officer, kind=kind("penalty-notice"), case=case_a, content=NOTICE
        ),
    )
    client.force_login(township_b_user)
    for name in ("document_detail", "document_preview", "document_pdf", "document_edit"):
        assert client.get(reverse(f"enforcement:{name}", args=[document.pk])).status_code == 404, name
    for name in ("document_issue", "document_correct", "document_discard"):
        assert client.post(reverse(f"enforcement:{name}", args=[document.pk])).status_code == 404, name
    assert document.number not in client.get(reverse("enforcement:document_list")).content.decode()


def test_township_and_leader_read_but_cannot_issue(client, officer, township_a_user, leader, case_a):
    document = services.document_create(
        user=officer, kind=kind("penalty-notice"), case=case_a, content=NOTICE
    )
    for user in (township_a_user, leader):
        client.force_login(user)
        page = client.get(document.get_absolute_url())
        assert page.status_code == 200 and "document-issue" not in page.content.decode()
        assert client.post(reverse("enforcement:document_issue", args=[document.pk])).status_code == 403
        assert client.get(reverse("enforcement:document_new") + f"?case={case_a.pk}").status_code == 403
    document.refresh_from_db()
    assert document.state == DocumentState.DRAFT


def test_document_list_filters_and_query_ceiling(
    client, officer, case_a, django_assert_max_num_queries, cheap_pdfs
):
    for _ in range(3):
        services.document_issue(
            user=officer,
            document=services.document_create(
                user=officer, kind=kind("penalty-notice"), case=case_a, content=NOTICE
            ),
        )
    services.document_create(user=officer, kind=kind("case-filing"), case=case_a, content={})
    client.force_login(officer)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("enforcement:document_list"), {"kind": "penalty-notice", "state": "issued"})
    body = page.content.decode()
    assert body.count('data-document="区应急管理局罚告') == 3 and "立案审批表" not in body.split("<tbody>")[1]


def test_case_documents_context_lists_and_offers(rf, officer, township_a_user, case_a):
    services.document_create(user=officer, kind=kind("penalty-notice"), case=case_a, content=NOTICE)
    request = rf.get("/")
    request.user = officer
    context = case_documents_context(request, case_a)
    assert len(context["case_documents"]) == 1 and context["can_draft_documents"]
    assert "penalty-decision" in {k.code for k in context["draft_kinds"]}
    request.user = township_a_user
    context = case_documents_context(request, case_a)
    assert len(context["case_documents"]) == 1 and context["draft_kinds"] == []


# ---------------------------------------------------------------- API


def test_api_create_update_issue_correct_and_pdf(officer, case_a):
    api = api_as(officer)
    created = api.post(DOCUMENTS, {"kind": "penalty-notice", "case": case_a.pk}, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["state"] == "draft" and body["number"] == "" and body["content"]["facts"] == case_a.facts
    url = f"{DOCUMENTS}{body['id']}/"

    patched = api.patch(url, {"content": {"penalty": "罚款贰万元"}}, format="json")
    assert patched.status_code == 200 and patched.json()["content"]["penalty"] == "罚款贰万元"

    bad = api.patch(url, {"content": {"facts": "x" * 6000}}, format="json")
    assert bad.status_code == 400

    issued = api.post(f"{url}issue/")
    assert issued.status_code == 200, issued.json()
    number = issued.json()["number"]
    assert number.startswith("区应急管理局罚告〔")
    assert issued.json()["allowed_actions"] == ["correct"]

    again = api.post(f"{url}issue/")
    assert again.status_code == 409 and again.json()["code"] == "stale_state"
    assert api.patch(url, {"content": {"facts": "改"}}, format="json").status_code == 409
    assert api.delete(url).status_code == 409

    pdf = api.get(f"{url}pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert hashlib.sha256(pdf.content).hexdigest() == issued.json()["pdf_sha256"]

    corrected = api.post(f"{url}correct/")
    assert corrected.status_code == 201 and corrected.json()["supersedes"] == body["id"]


def test_api_prerequisite_and_missing_field_are_400_with_chinese_messages(officer, case_a):
    api = api_as(officer)
    decision = api.post(
        DOCUMENTS, {"kind": "penalty-decision", "case": case_a.pk, "content": DECISION}, format="json"
    ).json()
    refused = api.post(f"{DOCUMENTS}{decision['id']}/issue/")
    assert refused.status_code == 400
    assert "须先在本案件中出具行政处罚告知书" in str(refused.json())

    notice = api.post(
        DOCUMENTS, {"kind": "penalty-notice", "case": case_a.pk, "content": {"facts": "x"}}, format="json"
    )
    missing = api.post(f"{DOCUMENTS}{notice.json()['id']}/issue/")
    assert missing.status_code == 400 and missing.json()["penalty"] == ["请填写“拟作出的行政处罚”。"]

    unknown = api.post(DOCUMENTS, {"kind": "nope", "case": case_a.pk}, format="json")
    assert unknown.status_code == 400 and "kind" in unknown.json()
    no_source = api.post(DOCUMENTS, {"kind": "penalty-notice"}, format="json")
    assert no_source.status_code == 400 and "case" in no_source.json()


def test_api_scope_and_roles(officer, township_a_user, township_b_user, leader, case_a):
    document = services.document_create(
        user=officer, kind=kind("penalty-notice"), case=case_a, content=NOTICE
    )
    url = f"{DOCUMENTS}{document.pk}/"
    outsider = api_as(township_b_user)
    assert outsider.get(url).status_code == 404
    assert outsider.post(f"{url}issue/").status_code == 404
    assert outsider.get(DOCUMENTS).json()["count"] == 0
    assert (
        outsider.post(DOCUMENTS, {"kind": "penalty-notice", "case": case_a.pk}, format="json").status_code
        == 403
    )

    for user in (township_a_user, leader):
        api = api_as(user)
        assert api.get(url).status_code == 200
        assert api.get(url).json()["allowed_actions"] == []
        assert api.post(f"{url}issue/").status_code == 403
        assert (
            api.post(DOCUMENTS, {"kind": "penalty-notice", "case": case_a.pk}, format="json").status_code
            == 403
        )
    document.refresh_from_db()
    assert document.state == DocumentState.DRAFT


def test_api_list_filters(officer, case_a, hazard_a):
    services.document_create(user=officer, kind=kind("penalty-notice"), case=case_a, content=NOTICE)
    services.document_create(user=officer, kind=kind("rectify-order"), hazard=hazard_a)
    api = api_as(officer)
    assert api.get(DOCUMENTS, {"kind": "rectify-order"}).json()["count"] == 1
    assert api.get(DOCUMENTS, {"case": case_a.pk}).json()["count"] == 1
    assert api.get(DOCUMENTS, {"state": "issued"}).json()["count"] == 0
    assert api.get(DOCUMENTS, {"state": "bogus"}).status_code == 400
    kinds = api.get("/api/v1/document-kinds/").json()
    assert {"code": "penalty-decision", "prerequisites": ["penalty-notice"]}.items() <= next(
        k for k in kinds["results"] if k["code"] == "penalty-decision"
    ).items()


def test_api_list_query_ceiling(officer, case_a, hazard_a, django_assert_max_num_queries):
    for _ in range(4):
        services.document_create(user=officer, kind=kind("penalty-notice"), case=case_a, content=NOTICE)
        services.document_create(user=officer, kind=kind("rectify-order"), hazard=hazard_a)
    api = api_as(officer)
    with django_assert_max_num_queries(8):
        response = api.get(DOCUMENTS)
    assert response.json()["count"] == 8
