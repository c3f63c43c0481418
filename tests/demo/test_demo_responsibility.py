"""The demo's 安全责任: most operating enterprises of every township signed this year's letter (coverage
like the summaries' ~90 %), the district signed with every township and department, the duty lists
name their leaders, and the work lists have due dates and progress."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.choices import OrgKind, WorkStatus
from accounts.models import DutyList, OrgUnit, ResponsibilityLetter, User, WorkItem, WorkList
from accounts.selectors_responsibility import letter_coverage, work_progress
from demo import steps
from tests.demo.conftest import committed_demo


def two_steps(monkeypatch) -> None:
    wanted = [s for s in steps.STEPS if s.name in ("district", "responsibility")]
    monkeypatch.setattr(steps, "STEPS", wanted)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The district and its 安全责任, seeded once for the module (committed) and removed after it; each
    test reads them in its own transaction, and a rebuild on top is rolled back."""
    with committed_demo(django_db_blocker, "--seed", "4", "--enterprises", "150", patch=two_steps) as output:
        yield output


@pytest.fixture
def demo(world, db, monkeypatch):
    two_steps(monkeypatch)
    return world


def test_most_firms_of_every_township_signed_this_year(demo):
    year = timezone.localdate().year
    officer = User.objects.get(username="officer")
    coverage = letter_coverage(user=officer, year=year)
    assert (
        len(coverage["rows"])
        == OrgUnit.objects.filter(kind__in=(OrgKind.STREET, OrgKind.TOWN, OrgKind.OFFICE)).count()
    )
    for row in coverage["rows"]:
        if row["enterprises"] >= 5:
            assert 75 <= row["rate"] <= 100, row
    assert 84 <= coverage["total"]["rate"] <= 97
    assert "安全责任" in demo and "责任书" in demo
    units = ResponsibilityLetter.objects.filter(signer_unit__isnull=False, year=year)
    assert (
        units.count()
        == OrgUnit.objects.filter(
            kind__in=(OrgKind.STREET, OrgKind.TOWN, OrgKind.OFFICE, OrgKind.DEPARTMENT)
        ).count()
    )
    assert not ResponsibilityLetter.objects.filter(signed_on__gt=timezone.localdate()).exists()
    assert ResponsibilityLetter.history.count() == ResponsibilityLetter.objects.count()


def test_duty_and_work_lists_with_progress(demo):
    assert DutyList.objects.filter(holder_post="区长").exists()
    assert DutyList.objects.filter(holder_post="党工委书记").count() >= 3
    assert WorkList.objects.count() == 2
    assert not WorkItem.objects.filter(due_on__isnull=True).exists()
    statuses = set(WorkItem.objects.values_list("status", flat=True))
    assert WorkStatus.DONE in statuses
    township_user = User.objects.get(username="township")
    figures = work_progress(user=township_user, year=timezone.localdate().year)
    assert figures["tasks"] == 4  # the township's own list only


def test_reset_removes_it(demo):
    call_command("seed_demo", "--seed", "4", "--enterprises", "150", "--reset", stdout=StringIO())
    assert ResponsibilityLetter.objects.count() > 0  # rebuilt
    assert DutyList.history.count() == DutyList.objects.count()
