"""执法文书: drafting, numbering at issue, the PDF and its lock, corrections, prerequisites, roles and scope."""

import datetime as dt
import hashlib
import re
import subprocess

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.http import Http404
from django.test import override_settings
from django.utils import timezone

from enforcement import services
from enforcement.choices import CaseProcedure
from enforcement.document_layouts import DocumentState
from enforcement.models import Document, DocumentKind, DocumentPdf
from enforcement.numbering import DEFAULT_PATTERN, check_number_pattern, number_format
from enforcement.selectors_documents import document_get, document_list, documents_issued_by_kind
from tests.enforcement.conftest import open_case
from tests.hazards.conftest import record as record_hazard

pytestmark = pytest.mark.django_db


def kind(code: str) -> DocumentKind:
    return DocumentKind.objects.get(code=code)


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


NOTICE = {
    "facts": "2026年3月1日检查发现三名员工未经安全生产教育和培训上岗作业",
    "legal_basis": "《安全生产法》第二十八条第一款",
    "penalty": "罚款人民币贰万元整",
    "rights": "你单位有权进行陈述和申辩。",
}
DECISION = {
    "facts": "三名员工未经培训上岗",
    "legal_basis": "《安全生产法》第九十七条第三项",
    "penalty": "罚款人民币贰万元整（¥20,000.00）",
    "payment": "十五日内缴纳",
    "remedy": "六十日内申请行政复议",
}


@pytest.fixture
def case_a(officer, enterprise_a, district):
    return open_case(officer, enterprise_a, district.dept_emergency)


@pytest.fixture
def hazard_a(officer, enterprise_a):
    return record_hazard(officer, enterprise_a, location="二车间", measures="更换接地线")


def issue(user, document):
    return services.document_issue(user=user, document=document)


def draft(user, code, content=None, **source):
    return services.document_create(user=user, kind=kind(code), content=content, **source)


# ---------------------------------------------------------------- code table and numbering


def test_kinds_are_seeded_with_short_names_and_prerequisites():
    names = dict(DocumentKind.objects.values_list("name", "short_name"))
    for name in [
        "现场检查记录",
        "责令限期整改指令书",
        "整改复查意见书",
        "立案审批表",
        "行政处罚告知书",
        "行政处罚决定书",
        "强制措施决定书",
        "责令改正通知书",
        "结案审批表",
    ]:
        assert names[name]
    assert names["行政处罚决定书"] == "罚决"
    assert list(kind("penalty-decision").prerequisites.values_list("code", flat=True)) == ["penalty-notice"]
    assert kind("penalty-decision").simple_procedure_skips_prerequisites
    assert list(kind("rectify-review").prerequisites.values_list("code", flat=True)) == ["rectify-order"]


def test_number_pattern_default_and_setting(district):
    district.dept_emergency.short_name = "应急"
    assert (
        number_format(unit=district.dept_emergency, kind_short="罚决", year=2026, serial=7)
        == "应急罚决〔2026〕7号"
    )
    with override_settings(
        ENFORCEMENT_DOCUMENT_NUMBER_PATTERN="{unit_short}（{year}）{kind_short}字第{n:03d}号"
    ):
        assert (
            number_format(unit=district.dept_emergency, kind_short="罚决", year=2026, serial=7)
            == "应急（2026）罚决字第007号"
        )
    assert DEFAULT_PATTERN == "{unit_short}{kind_short}〔{year}〕{n}号"
    assert check_number_pattern() == []
    with override_settings(ENFORCEMENT_DOCUMENT_NUMBER_PATTERN="{unit}{year}"):
        assert [e.id for e in check_number_pattern()] == ["enforcement.E001"]
    with override_settings(ENFORCEMENT_DOCUMENT_NUMBER_PATTERN="{unit_short}〔{year}〕号"):
        assert [e.id for e in check_number_pattern()] == ["enforcement.E002"]


# ---------------------------------------------------------------- draft → issue


def test_draft_has_no_number_and_issue_numbers_per_unit_kind_year(officer, case_a, district, tmp_path):
    first = draft(officer, "penalty-notice", NOTICE, case=case_a)
    assert first.number == "" and first.state == DocumentState.DRAFT
    first = issue(officer, first)
    year = timezone.localdate().year
    assert first.number == f"区应急管理局罚告〔{year}〕1号"
    assert first.state == DocumentState.ISSUED and first.issued_by == officer
    second = issue(officer, draft(officer, "penalty-notice", NOTICE, case=case_a))
    assert second.number == f"区应急管理局罚告〔{year}〕2号"
    # Another kind counts from 1.
    decision = issue(officer, draft(officer, "penalty-decision", DECISION, case=case_a))
    assert decision.number == f"区应急管理局罚决〔{year}〕1号"

    stored = DocumentPdf.objects.get(document=decision)
    data = bytes(stored.data)
    assert data.startswith(b"%PDF-")
    assert stored.sha256 == hashlib.sha256(data).hexdigest() and stored.size == len(data)
    text = squash(pdf_text(data, tmp_path))
    assert squash(decision.number) in text
    assert "行政处罚决定书" in text and "东城机械厂" in text and "罚款人民币贰万元整" in text


def test_draft_is_prefilled_from_the_case(officer, case_a):
    doc = draft(officer, "penalty-notice", case=case_a)
    assert doc.content["facts"] == case_a.facts
    assert "第九十七条" in doc.content["legal_basis"]
    assert "陈述" in doc.content["rights"]
    assert doc.issuing_unit == case_a.handling_unit
    assert doc.enterprise == case_a.enterprise


def test_issue_asks_for_the_required_fields_by_name(officer, case_a):
    doc = draft(officer, "penalty-decision", {"facts": "事实"}, case=case_a)
    to_notice = issue(officer, draft(officer, "penalty-notice", NOTICE, case=case_a))
    assert to_notice.number
    with pytest.raises(ValidationError) as exc:
        issue(officer, doc)
    assert exc.value.message_dict["penalty"] == ["请填写“行政处罚”。"]
    assert Document.objects.get(pk=doc.pk).number == ""


def test_bad_date_is_refused_with_the_field(officer, hazard_a):
    with pytest.raises(ValidationError) as exc:
        draft(officer, "rectify-order", {"facts": "x", "deadline": "2026-13-40"}, hazard=hazard_a)
    assert "整改期限" in exc.value.message_dict["deadline"][0]


# ---------------------------------------------------------------- the lock


def test_issued_pdf_bytes_do_not_change_when_the_case_and_enterprise_are_edited(
    officer, case_a, enterprise_a
):
    doc = issue(officer, draft(officer, "penalty-notice", NOTICE, case=case_a))
    before = hashlib.sha256(services.document_pdf_bytes(doc)).hexdigest()

    services.case_update(
        user=officer, case=case_a, cause="另一个案由", facts="改过的案情", articles=[], officers=[]
    )
    enterprise_a.name = "改名后的机械厂"
    enterprise_a.address = "新地址"
    enterprise_a.save()

    doc = Document.objects.get(pk=doc.pk)
    after = hashlib.sha256(services.document_pdf_bytes(doc)).hexdigest()
    assert after == before == DocumentPdf.objects.get(document=doc).sha256
    assert doc.content["party"]["name"] == "东城机械厂"
    assert doc.content["facts"] == NOTICE["facts"]


def test_issued_document_refuses_every_change(officer, case_a):
    doc = issue(officer, draft(officer, "penalty-notice", NOTICE, case=case_a))
    with pytest.raises(ValidationError) as exc:
        services.document_update(user=officer, document=doc, content={**NOTICE, "facts": "改"})
    assert exc.value.code == "stale_state"
    with pytest.raises(ValidationError):
        issue(officer, doc)
    # The model refuses too …
    doc = Document.objects.get(pk=doc.pk)
    doc.content = {"facts": "偷偷改"}
    with pytest.raises(ValidationError):
        doc.save()
    with pytest.raises(ValidationError):
        Document.objects.get(pk=doc.pk).delete()
    # … and so does the database, for an UPDATE that bypasses save().
    with pytest.raises(IntegrityError), transaction.atomic():
        Document.objects.filter(pk=doc.pk).update(content={"facts": "偷偷改"})
    with pytest.raises(IntegrityError), transaction.atomic():
        DocumentPdf.objects.filter(document=doc).update(data=b"%PDF-forged")
    assert Document.objects.get(pk=doc.pk).content["facts"] == NOTICE["facts"]


def test_only_a_deliberate_purge_deletes_issued_documents(officer, case_a):
    """The demo's reset sets enforcement.purge for its own transaction; nothing else may delete."""
    doc = issue(officer, draft(officer, "penalty-notice", NOTICE, case=case_a))
    with pytest.raises(IntegrityError), transaction.atomic():
        DocumentPdf.objects.filter(document=doc).delete()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enforcement.purge = 'on'")
        DocumentPdf.objects.filter(document=doc).delete()
        Document.objects.filter(pk=doc.pk).delete()
    assert not Document.objects.filter(pk=doc.pk).exists()


# ---------------------------------------------------------------- prerequisites


def test_decision_needs_an_issued_notice_on_the_case(officer, case_a):
    decision = draft(officer, "penalty-decision", DECISION, case=case_a)
    with pytest.raises(ValidationError) as exc:
        issue(officer, decision)
    assert exc.value.messages == [
        "出具行政处罚决定书前，须先在本案件中出具行政处罚告知书。（简易程序案件除外）"
    ]
    # A draft notice is not enough.
    notice = draft(officer, "penalty-notice", NOTICE, case=case_a)
    with pytest.raises(ValidationError):
        issue(officer, decision)
    issue(officer, notice)
    assert issue(officer, decision).state == DocumentState.ISSUED


def test_notice_of_another_case_does_not_count(officer, case_a, enterprise_a, district):
    other = open_case(officer, enterprise_a, district.dept_emergency)
    issue(officer, draft(officer, "penalty-notice", NOTICE, case=other))
    with pytest.raises(ValidationError):
        issue(officer, draft(officer, "penalty-decision", DECISION, case=case_a))


def test_simple_procedure_decision_needs_no_notice(officer, enterprise_a, district):
    case = open_case(officer, enterprise_a, district.dept_emergency, procedure=CaseProcedure.SIMPLE)
    assert issue(officer, draft(officer, "penalty-decision", DECISION, case=case)).number


def test_review_needs_a_rectify_order_and_points_at_it(officer, hazard_a, tmp_path):
    content = {"review_date": "2026-03-01", "review_findings": "已更换接地线", "opinion": "整改合格"}
    review = draft(officer, "rectify-review", content, hazard=hazard_a)
    with pytest.raises(ValidationError) as exc:
        issue(officer, review)
    assert "出具整改复查意见书前，须先针对同一隐患或检查记录出具责令限期整改指令书" in exc.value.messages[0]

    order = issue(officer, draft(officer, "rectify-order", hazard=hazard_a))
    assert order.content["deadline"] == hazard_a.deadline.isoformat()
    assert "配电箱未接地" in order.content["facts"]
    review = issue(officer, review)
    assert review.follows == order
    assert squash(order.number) in squash(pdf_text(services.document_pdf_bytes(review), tmp_path))


def test_case_only_kinds_need_a_case(officer, hazard_a):
    with pytest.raises(ValidationError) as exc:
        draft(officer, "penalty-decision", hazard=hazard_a)
    assert "须在案件中出具" in exc.value.message_dict["kind"][0]
    with pytest.raises(ValidationError):
        draft(officer, "inspection-record", hazard=hazard_a)


# ---------------------------------------------------------------- correction


def test_correction_supersedes_the_old_document_and_both_are_kept(officer, case_a, tmp_path):
    old = issue(officer, draft(officer, "penalty-notice", NOTICE, case=case_a))
    old_pdf = services.document_pdf_bytes(old)
    new = services.document_correct(user=officer, document=old)
    assert new.state == DocumentState.DRAFT and new.supersedes == old and new.number == ""
    assert new.content == {k: v for k, v in old.content.items() if k != "party"}
    assert services.document_correct(user=officer, document=old) == new  # asking twice: the same draft

    services.document_update(user=officer, document=new, content={**NOTICE, "penalty": "罚款人民币壹万元整"})
    new = issue(officer, Document.objects.get(pk=new.pk))
    old.refresh_from_db()
    assert old.state == DocumentState.CORRECTED and old.superseded_by == new
    assert new.number != old.number and new.number.endswith("2号")
    assert services.document_pdf_bytes(old) == old_pdf
    text = squash(pdf_text(services.document_pdf_bytes(new), tmp_path))
    assert squash(old.number) in text and "罚款人民币壹万元整" in text
    with pytest.raises(ValidationError):
        services.document_correct(user=officer, document=old)
    timeline = list(case_a.events.filter(kind="document").values_list("note", flat=True))
    assert timeline == [
        f"出具行政处罚告知书 {old.number}",
        f"出具行政处罚告知书 {new.number}（更正 {old.number}）",
    ]


def test_draft_cannot_be_corrected_but_can_be_discarded(officer, case_a):
    doc = draft(officer, "penalty-notice", NOTICE, case=case_a)
    with pytest.raises(ValidationError):
        services.document_correct(user=officer, document=doc)
    services.document_discard(user=officer, document=doc)
    assert not Document.objects.filter(pk=doc.pk).exists()


# ---------------------------------------------------------------- preview


def test_preview_has_no_number_and_a_watermark(officer, case_a, tmp_path):
    doc = draft(officer, "penalty-notice", NOTICE, case=case_a)
    text = squash(pdf_text(services.document_preview(document=doc), tmp_path))
    assert "出具时编号" in text and "〔" not in text
    assert all(
        char in text for char in "草稿预览"
    )  # the watermark (rotated, so its letters come out scattered)
    assert Document.objects.get(pk=doc.pk).number == ""


# ---------------------------------------------------------------- roles and scope


def test_leader_and_township_cannot_draft_or_issue(officer, leader, township_a_user, case_a, hazard_a):
    for user in (leader, township_a_user):
        with pytest.raises(PermissionDenied):
            draft(user, "penalty-notice", NOTICE, case=case_a)
        with pytest.raises(PermissionDenied):
            draft(user, "rectify-order", hazard=hazard_a)
    doc = draft(officer, "penalty-notice", NOTICE, case=case_a)
    for user in (leader, township_a_user):
        with pytest.raises(PermissionDenied):
            issue(user, doc)
        with pytest.raises(PermissionDenied):
            services.document_update(user=user, document=doc, content=NOTICE)


def test_department_issues_only_for_its_own_cases(
    officer, fire_user, emergency_user, enterprise_a, fire_dept, cheap_pdfs
):
    case = open_case(officer, enterprise_a, fire_dept)
    doc = issue(fire_user, draft(fire_user, "penalty-notice", NOTICE, case=case))
    assert doc.number.startswith("消防罚告")
    with pytest.raises(PermissionDenied):
        draft(emergency_user, "penalty-notice", NOTICE, case=case)


def test_outsider_township_does_not_see_the_document(
    officer, township_a_user, township_b_user, case_a, cheap_pdfs
):
    doc = issue(officer, draft(officer, "penalty-notice", NOTICE, case=case_a))
    assert document_get(township_a_user, doc.pk) == doc
    assert list(document_list(township_a_user)) == [doc]
    assert not document_list(township_b_user).exists()
    with pytest.raises(Http404):
        document_get(township_b_user, doc.pk)


# ---------------------------------------------------------------- figures


def test_documents_issued_by_kind_in_one_query(
    officer, case_a, hazard_a, township_b_user, django_assert_num_queries, cheap_pdfs
):
    issue(officer, draft(officer, "penalty-notice", NOTICE, case=case_a))
    old = issue(officer, draft(officer, "penalty-notice", NOTICE, case=case_a))
    correction = services.document_correct(user=officer, document=old)
    issue(officer, correction)  # a correction is not one more document
    issue(officer, draft(officer, "rectify-order", hazard=hazard_a))
    draft(officer, "correct-notice", {"facts": "x"}, hazard=hazard_a)  # a draft is not issued

    today = timezone.localdate()
    with django_assert_num_queries(1):
        counts = documents_issued_by_kind(officer, today - dt.timedelta(days=1), today)
    assert counts["penalty-notice"] == 2
    assert counts["rectify-order"] == 1
    assert counts["correct-notice"] == 0
    assert counts["penalty-decision"] == 0
    assert counts["inspection-record"] == 0
    last_year = documents_issued_by_kind(
        officer, today - dt.timedelta(days=400), today - dt.timedelta(days=300)
    )
    assert set(last_year.values()) == {0}
    assert set(documents_issued_by_kind(township_b_user, today, today).values()) == {0}


def test_department_sees_documents_as_it_sees_the_case_or_the_hazard(
    officer, department_user, emergency_user, enterprise_b, district, cheap_pdfs
):
    """住建 supervises construction: it sees the document issued from a construction firm's hazard, but
    not the documents of a case the emergency department handles for that firm (cases are their
    handling unit's)."""
    hazard = record_hazard(officer, enterprise_b)
    from_hazard = issue(officer, draft(officer, "rectify-order", hazard=hazard))
    case = open_case(officer, enterprise_b, district.dept_emergency)
    in_case = draft(officer, "penalty-notice", NOTICE, case=case)

    assert set(document_list(department_user)) == {from_hazard}
    # The emergency department handles the case and issued the other one (the officer's unit).
    assert set(document_list(emergency_user)) == {in_case, from_hazard}
    with pytest.raises(Http404):
        document_get(department_user, in_case.pk)
