"""seed_demo's 行政执法 cases: a year of them from the demo hazards and inspections, walked through the real
steps (numbered without gaps in 立案 order, timelines on the days the steps happened), fines in exact
yuan, 一案双罚 and measures, a few documents issued with their PDFs; the same for the same seed, and gone
again after a reset."""

import datetime as dt
from collections import Counter
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.choices import Role
from accounts.models import NumberSequence, User
from demo import enforcement as enforcement_demo
from demo.steps import STEPS, demo_reset
from enforcement.choices import CaseProcedure, CaseSource, CaseState, PenaltyKind, PenaltyTarget
from enforcement.document_layouts import DocumentState
from enforcement.models import Case, CaseEvent, Document, DocumentPdf, Measure, Penalty
from enforcement.selectors import case_list, fines_decided
from hazards.choices import HazardLevel
from hazards.models import Hazard
from tests.demo.conftest import committed_demo
from tests.enforcement.conftest import open_case
from tests.factories import UserFactory


def seed(*args: str) -> None:
    call_command("seed_demo", "--seed", "4", "--enterprises", "150", *args, verbosity=0)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The demo, seeded once for the module (committed) and removed after it; each test reads it in its
    own transaction, and what a test writes on top (a reset, a rebuild) is rolled back."""
    with committed_demo(django_db_blocker, "--seed", "4", "--enterprises", "150", real_pdfs=True) as output:
        yield output


@pytest.fixture
def demo(world, db):
    return world


def test_the_step_runs_after_hazards():
    names = [s.name for s in STEPS]
    assert names.index("enforcement") == names.index("hazards") + 1


def test_demo_has_a_year_of_cases_from_hazards_and_inspections(demo):
    today = timezone.localdate()
    cases = Case.objects.all()
    assert cases.count() >= 5
    assert not cases.filter(source_hazard__isnull=True, source_record__isnull=True).exists()
    assert set(cases.values_list("source", flat=True)) <= {CaseSource.HAZARD, CaseSource.INSPECTION}
    for case in cases.select_related("source_hazard", "source_record"):
        source = case.source_hazard or case.source_record
        assert source.enterprise_id == case.enterprise_id, case.number
        assert case.opened_on <= today and case.facts
        if case.decided_on:
            assert case.opened_on <= case.decided_on <= today
        if case.closed_on:
            assert case.closed_on <= today
    # Every major hazard found a week or more ago was put on file.
    majors = Hazard.objects.filter(level=HazardLevel.MAJOR, found_on__lte=today - dt.timedelta(days=7))
    assert majors.exists() and not majors.filter(cases__isnull=True).exists()
    assert cases.filter(procedure=CaseProcedure.GENERAL).exists()
    states = Counter(cases.values_list("state", flat=True))
    assert states[CaseState.CLOSED] >= 1


def test_fines_are_exact_and_double_penalties_name_the_person(demo):
    fines = Penalty.objects.filter(kind=PenaltyKind.FINE)
    assert fines.exists()
    for penalty in fines:
        assert isinstance(penalty.amount, Decimal) and penalty.amount > 0
        assert penalty.amount == penalty.amount.quantize(Decimal("1"))  # whole yuan, as decided
    for penalty in Penalty.objects.filter(target=PenaltyTarget.PERSON):
        assert penalty.person_name and penalty.case.penalties.filter(target=PenaltyTarget.UNIT).exists()
    officer = User.objects.get(username="officer")
    start = min(Case.objects.values_list("opened_on", flat=True))
    total = fines_decided(user=officer, date_from=start, date_to=timezone.localdate())["total"]
    assert total == sum(fines.exclude(case__decided_on=None).values_list("amount", flat=True))


def test_numbers_are_gap_free_per_unit_in_opening_order(demo):
    by_unit: dict[tuple[int, int], list[tuple[int, object]]] = {}
    for number, unit, opened in Case.objects.values_list("number", "handling_unit", "opened_on"):
        serial = int(number.split("〕")[1].rstrip("号"))
        by_unit.setdefault((unit, opened.year), []).append((serial, opened))
    for (unit, year), rows in by_unit.items():
        rows.sort()
        assert [n for n, _ in rows] == list(range(1, len(rows) + 1))
        assert [d for _, d in rows] == sorted(d for _, d in rows)
        assert NumberSequence.objects.get(series="case", org_unit=unit, year=year).last == len(rows)


def test_timelines_are_on_the_days_of_the_steps(demo):
    for case in Case.objects.prefetch_related("events"):
        events = list(case.events.all())
        assert events[0].kind == "created" and events[0].at.date() == case.opened_on, case.number
        steps = [e for e in events if e.kind != "overdue" and e.kind != "deadline_near"]
        assert [e.at for e in steps] == sorted(e.at for e in steps), case.number
        if case.decided_on:
            decided = next(e for e in events if e.to_state == CaseState.DECIDED)
            assert timezone.localtime(decided.at).date() == case.decided_on
    for measure in Measure.objects.all():
        assert measure.start_on >= measure.case.opened_on


def test_two_documents_are_issued_with_their_pdfs(demo):
    issued = Document.objects.filter(state=DocumentState.ISSUED).select_related("kind", "case")
    if not enforcement_demo._documents_removable():
        # The database's locks would keep the demo's documents after a reset: none are issued.
        assert not issued.exists()
        return
    kinds = {d.kind.code: d for d in issued}
    assert set(kinds) <= {"rectify-order", "penalty-decision"} and kinds
    if "penalty-decision" in kinds:
        assert kinds["penalty-decision"].case.procedure == CaseProcedure.SIMPLE  # no 告知书 needed
    for document in issued:
        assert document.number and document.case_id
        assert DocumentPdf.objects.get(document=document).data[:4] == b"%PDF"


def test_the_department_sees_its_own_cases(demo):
    department = User.objects.get(username="department")
    visible = case_list(user=department)
    assert not visible.exclude(handling_unit=department.org_unit).exists()


def test_same_seed_same_cases(demo, cheap_pdfs):
    first = sorted(Case.objects.values_list("number", "enterprise__uscc", "state", "opened_on", "procedure"))
    amounts = sorted(Penalty.objects.values_list("case__number", "kind", "amount"))
    seed("--reset")
    assert (
        sorted(Case.objects.values_list("number", "enterprise__uscc", "state", "opened_on", "procedure"))
        == first
    )
    assert sorted(Penalty.objects.values_list("case__number", "kind", "amount")) == amounts


def test_reset_removes_the_demo_cases_only(demo, district, enterprise_a):
    other = UserFactory(username="other_officer", role=Role.OFFICER, org_unit=district.dept_emergency)
    ours = open_case(other, enterprise_a, district.dept_emergency)
    assert Case.objects.count() > 1
    demo_reset()
    assert list(Case.objects.all()) == [ours]
    assert set(CaseEvent.objects.values_list("case_id", flat=True)) == {ours.pk}
    assert not Document.objects.exists() and not DocumentPdf.objects.exists()
    assert not Penalty.objects.exists() and not Measure.objects.exists()
    assert set(Case.history.values_list("id", flat=True)) <= {ours.pk}
    assert list(NumberSequence.objects.filter(series="case").values_list("org_unit", flat=True)) == [
        district.dept_emergency.pk
    ]
