"""执法文书 numbers issued at the same instant: two officers issuing documents of one unit and kind get
distinct, consecutive numbers (no gap, no reuse, one PDF each); two officers issuing the same draft get
one number between them (the other is told it is already issued); an issue that fails after taking
its number gives it back."""

import re
from functools import partial

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.choices import Role
from enforcement import services
from enforcement.document_layouts import DocumentState
from enforcement.models import Document, DocumentKind, DocumentPdf
from enforcement.services import documents as documents_service
from tests.enforcement.conftest import open_case
from tests.factories import UserFactory
from tests.races.conftest import ROUNDS, at_once, errors

pytestmark = pytest.mark.django_db(transaction=True)

EACH = 2  # documents each racer issues one after the other, so the racers interleave
NOTICE = {
    "facts": "未培训上岗",
    "legal_basis": "《安全生产法》第二十八条",
    "penalty": "罚款",
    "rights": "有权陈述申辩",
}


def serials(numbers, unit: str, short: str, year: int) -> list[int]:
    pattern = re.compile(rf"{unit}{short}〔{year}〕(\d+)号")
    return sorted(int(pattern.fullmatch(n).group(1)) for n in numbers)


def issue_all(user, documents) -> list[str]:
    return [services.document_issue(user=user, document=d).number for d in documents]


def test_two_officers_issuing_at_once_get_gapless_unique_numbers(district, officer, enterprise_a):
    colleague = UserFactory(role=Role.OFFICER, org_unit=district.dept_emergency)
    kind = DocumentKind.objects.get(code="penalty-notice")
    year = timezone.localdate().year
    case = open_case(officer, enterprise_a, district.dept_emergency)
    taken: list[str] = []
    for _round in range(ROUNDS):
        drafts = [
            services.document_create(user=officer, kind=kind, case=case, content=NOTICE)
            for _ in range(2 * EACH)
        ]

        outcomes = at_once(
            partial(issue_all, officer, drafts[:EACH]), partial(issue_all, colleague, drafts[EACH:])
        )

        assert not errors(outcomes)
        taken += [n for o in outcomes for n in o.value]
        numbers = list(Document.objects.filter(kind=kind).exclude(number="").values_list("number", flat=True))
        assert sorted(numbers) == sorted(taken)
        assert serials(numbers, "区应急管理局", "罚告", year) == list(range(1, len(taken) + 1))
        assert DocumentPdf.objects.filter(document__kind=kind).count() == len(taken)


def test_two_officers_issuing_the_same_draft_get_one_number(district, officer, enterprise_a):
    colleague = UserFactory(role=Role.OFFICER, org_unit=district.dept_emergency)
    kind = DocumentKind.objects.get(code="penalty-notice")
    case = open_case(officer, enterprise_a, district.dept_emergency)
    for round_ in range(ROUNDS):
        draft = services.document_create(user=officer, kind=kind, case=case, content=NOTICE)

        outcomes = at_once(
            partial(services.document_issue, user=officer, document=draft),
            partial(services.document_issue, user=colleague, document=draft),
        )

        won = [o for o in outcomes if o.ok]
        lost = errors(outcomes)
        assert len(won) == 1 and len(lost) == 1
        assert isinstance(lost[0], ValidationError) and lost[0].code == "stale_state"
        draft.refresh_from_db()
        assert draft.state == DocumentState.ISSUED and draft.number == won[0].value.number
        assert draft.number.endswith(f"〔{timezone.localdate().year}〕{round_ + 1}号")  # no number was lost
        assert DocumentPdf.objects.filter(document=draft).count() == 1


def test_an_issue_failing_after_taking_its_number_gives_it_back(district, officer, enterprise_a, monkeypatch):
    """The PDF of one document fails to render while another is issued at the same moment: the failed
    issue rolls back with its number, so the numbers stay gap-free."""
    kind = DocumentKind.objects.get(code="penalty-notice")
    case = open_case(officer, enterprise_a, district.dept_emergency)
    failing = services.document_create(user=officer, kind=kind, case=case, content=NOTICE)
    good = services.document_create(user=officer, kind=kind, case=case, content=NOTICE)
    render = documents_service.document_pdf_render

    def render_or_fail(document, **kwargs):
        if document.pk == failing.pk:
            raise RuntimeError("printer on fire")
        return render(document, **kwargs)

    monkeypatch.setattr(documents_service, "document_pdf_render", render_or_fail)

    outcomes = at_once(
        partial(services.document_issue, user=officer, document=failing),
        partial(services.document_issue, user=officer, document=good),
    )

    assert isinstance(outcomes[0].error, RuntimeError)
    assert outcomes[1].ok
    failing.refresh_from_db()
    assert failing.state == DocumentState.DRAFT and failing.number == ""
    monkeypatch.setattr(documents_service, "document_pdf_render", render)
    again = services.document_issue(user=officer, document=failing)
    year = timezone.localdate().year
    assert sorted([outcomes[1].value.number, again.number]) == [
        f"区应急管理局罚告〔{year}〕1号",
        f"区应急管理局罚告〔{year}〕2号",
    ]
