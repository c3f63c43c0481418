"""seed_demo's step "summaries": a visitor finds work summaries at once — the district's annual draft of the
demo year with its narrative written, the last finished quarter's report published, and the `township`
user's annual draft. The demo's reset removes them all, published versions included (committed_demo
checks that every table is back to its row count)."""

import pytest

from accounts.models import Notification, User
from demo.inspections import demo_today
from reports.models import Evaluation, EvaluationFollowUp, Report, ReportKind, ReportState
from reports.periods import Period
from tests.demo.conftest import committed_demo


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with committed_demo(django_db_blocker, "--seed", "4", "--enterprises", "150") as output:
        yield output


@pytest.fixture
def demo(world, db):
    return world


def test_the_district_annual_draft_is_built_and_written(demo):
    year = str(demo_today().year)
    report = Report.objects.get(kind=ReportKind.ANNUAL, period_key=year, scope_code="district")
    assert report.state == ReportState.DRAFT
    assert report.built_at is not None
    sections = {s.key: s for s in report.sections.all()}
    for key in ("overview", "highlights", "problems", "next_steps"):
        assert sections[key].narrative, key
        assert sections[key].narrative_edited_by.username == "officer"
    assert not [s.heading for s in sections.values() if s.figure_error]
    assert report.figures["district"]["hazards.found"]["value"] > 0
    assert sections["risk_control"].figure_text.startswith("建立隐患台账")
    assert "工作总结" in demo


def test_the_last_finished_quarter_is_published_as_version_one(demo):
    quarter = Period.containing("quarter", demo_today()).previous()
    report = Report.objects.get(kind=ReportKind.QUARTERLY, period_key=quarter.key, scope_code="district")
    assert report.state == ReportState.PUBLISHED
    version = report.versions.get()
    assert version.number == 1
    assert version.content["title"] == report.title
    assert [s["heading"] for s in version.content["sections"] if s["level"] == 1][-1] == "下步工作打算"


def test_the_township_user_finds_a_draft_of_their_own_township(demo):
    township = User.objects.get(username="township")
    report = Report.objects.get(
        kind=ReportKind.ANNUAL, period_key=str(demo_today().year), scope_unit=township.org_unit
    )
    assert report.state == ReportState.DRAFT
    assert report.title.startswith(township.org_unit.name)
    assert report.sections.get(key="overview").narrative


def test_last_months_township_ranking_is_published_with_a_warning_to_the_last(demo):
    month = Period.containing("month", demo_today()).previous()
    evaluation = Evaluation.objects.get(period_key=month.key, target="township")
    assert evaluation.state == "published" and evaluation.number and evaluation.pdf_sha256
    rows = evaluation.results["rows"]
    assert rows and not [r["unit_name"] for r in rows if r.get("missing")]
    assert [r["rank"] for r in rows] == sorted(r["rank"] for r in rows)
    notice = EvaluationFollowUp.objects.get(evaluation=evaluation, kind="warning")
    assert notice.unit_id == rows[-1]["unit_id"]
    # Every township hears its rank; the last one hears of the 警示告知书 too.
    assert Notification.objects.filter(kind="evaluation_published").count() == len(rows)
    assert Notification.objects.filter(kind="evaluation_warning", org_unit_id=notice.unit_id).exists()
    assert "排名通报" in demo
