"""月度评估 (monthly evaluation) and 排名通报: scores worked out by hand from a small ledger of November 2026,
entered scores with reasons, ranks and ties, publishing that freezes (results, PDF and Excel bytes,
refused recomputes and edits, the database trigger), the PDF read back with pdftotext, the Excel read
back, who may do what, follow-ups (警示告知书 with its PDF, 约谈 recorded in the activity ledger), the
page's query count, the API and the dashboard panel.

The ledger (November 2026; every record through the apps' services):

    township A (东城机械厂)
      hazards  h1 found 11-02 deadline 11-17 closed 11-10
               h2 found 11-05 deadline 11-20 closed 11-18
               h3 found 11-10 deadline 11-25 closed 11-28
               h4 found 11-20 deadline 11-25 open                      → overdue on 11-30
               h5 found 10-01 deadline 10-16 open (一般)                → overdue
               h6 found 10-01 deadline 10-31 open 重大, not listed      → overdue, 重大逾期未挂牌
               h7 found 10-01 deadline 10-31 open 重大, listed 11-05    → overdue, listed
      plan     November: line 1 监督检查 4 家次, line 2 不限 1 家次; two 监督检查 visits in November
               → line 1 done 2, line 2 done 2 but counted 1 → (2 + 1) ÷ (4 + 1) = 60.0%
      activity one dated 11-10 entered 11-20 (late), one dated 11-28 entered 12-02 (on time) → 50.0%
    township B: nothing.

Default indicators (weights 25/20/15/20/10/10):
    A: 整改率 3/4 = 75.0% → 18.75; 逾期 4 → 20 − 8 = 12; 重大未挂牌 1 → 15 − 5 = 10;
       计划 60.0% → 12; 按时报送 50.0% → 5; 工作落实 (entered) 8 → total 65.75
    B: 整改率 no data → 25 (full); 逾期 0 → 20; 重大未挂牌 0 → 15; 计划 none → 0 (no plan: zero);
       按时报送 no data → 10 (full); 工作落实 9 → total 79
"""

import hashlib
import io
import shutil
import subprocess
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import Notification
from hazards.choices import HazardLevel
from reports import evaluation as calc
from reports import services_evaluation as services
from reports.models import Evaluation, EvaluationFollowUp, EvaluationIndicator, EvaluationScore
from reports.periods import Period
from reports.registry import Window, get_metric
from reports.scopes import StatsScope
from tests.reports.evaluation_ledger import NOVEMBER, D, build_ledger, enter_all, hazard, row_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """The published PDFs and workbooks are written under a temporary MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def ledger(district, officer, township_a_user, enterprise_a):
    return build_ledger(district, officer, township_a_user, enterprise_a)


@pytest.fixture
def computed(ledger, officer):
    return services.evaluation_compute(user=officer, period=NOVEMBER, target="township")


@pytest.fixture
def published(computed, officer, district):
    enter_all(officer, computed, district)
    return services.evaluation_publish(user=officer, evaluation=computed)


# ---------------------------------------------------------------- scores from known records


def test_raw_figures_and_scores_from_known_records(computed, district):
    a = row_of(computed, district.township_a)
    assert a["values"] == {
        "rectification-rate": 75.0,
        "overdue-hazards": 4,
        "major-unlisted": 1,
        "plan-completion": 60.0,
        "activities-on-time": 50.0,
    }
    assert a["scores"] == {
        "rectification-rate": "18.75",
        "overdue-hazards": "12.00",
        "major-unlisted": "10.00",
        "plan-completion": "12.00",
        "activities-on-time": "5.00",
        "work-done": None,
    }
    assert a["missing"] == ["work-done"]
    assert a["total"] == "57.75"  # the entered score counts 0 until it is given
    b = row_of(computed, district.township_b)
    assert b["values"] == {
        "rectification-rate": None,
        "overdue-hazards": 0,
        "major-unlisted": 0,
        "plan-completion": None,
        "activities-on-time": None,
    }
    assert b["scores"]["rectification-rate"] == "25.00"  # nothing found: full marks
    assert b["scores"]["plan-completion"] == "0.00"  # no plan: zero
    assert b["scores"]["activities-on-time"] == "10.00"
    assert b["total"] == "70.00"


def test_entered_scores_complete_the_totals_and_the_ranking(computed, officer, district):
    evaluation = enter_all(officer, computed, district)
    a, b = row_of(evaluation, district.township_a), row_of(evaluation, district.township_b)
    assert (a["total"], a["rank"]) == ("65.75", 2)
    assert (b["total"], b["rank"]) == ("79.00", 1)
    assert [r["unit_id"] for r in evaluation.results["rows"]] == [
        district.township_b.pk,
        district.township_a.pk,
    ]
    score = EvaluationScore.objects.get(evaluation=evaluation, unit=district.township_a)
    assert (score.score, score.reason, score.entered_by) == (Decimal("8.00"), "督查交办事项落实情况", officer)


def test_weights_are_the_offices(computed, officer, district):
    """Doubling the deduction per overdue hazard and halving the rectification weight change A's score
    at the next computation, and only then."""
    EvaluationIndicator.objects.filter(code="overdue-hazards").update(points_per=Decimal("4"))
    EvaluationIndicator.objects.filter(code="rectification-rate").update(weight=Decimal("10"))
    assert row_of(computed, district.township_a)["scores"]["overdue-hazards"] == "12.00"
    again = services.evaluation_compute(user=officer, period=NOVEMBER, target="township")
    a = row_of(again, district.township_a)
    assert a["scores"]["overdue-hazards"] == "4.00"  # 20 − 4 × 4
    assert a["scores"]["rectification-rate"] == "7.50"  # 10 × 75%
    assert next(s for s in again.indicators if s["code"] == "rectification-rate")["weight"] == "10.00"


def test_deductions_stop_at_zero_and_rates_cap_at_full_weight():
    deduct = {"rule": "deduct", "weight": "15.00", "points_per": "5.00", "no_data": "full"}
    assert calc.score_of(deduct, 2) == Decimal("5.00")
    assert calc.score_of(deduct, 7) == Decimal("0.00")
    assert calc.score_of(deduct, None) == Decimal("15.00")
    rate = {"rule": "rate", "weight": "20.00", "points_per": "0", "no_data": "zero"}
    assert calc.score_of(rate, Decimal("97.3")) == Decimal("19.46")
    assert calc.score_of(rate, Decimal("120")) == Decimal("20.00")
    assert calc.score_of(rate, None) == Decimal("0.00")


def test_equal_totals_share_a_rank_and_the_next_rank_skips():
    rows = [
        {"total": t, "name": n} for n, t in [("甲", "80.00"), ("乙", "90.00"), ("丙", "80.00"), ("丁", "70")]
    ]
    ranked = calc.rank(rows)
    assert [(r["name"], r["rank"]) for r in ranked] == [("乙", 1), ("甲", 2), ("丙", 2), ("丁", 4)]


def test_a_department_evaluation_scores_each_department(ledger, officer, district):
    evaluation = services.evaluation_compute(user=officer, period=NOVEMBER, target="department")
    ids = {r["unit_id"] for r in evaluation.results["rows"]}
    assert ids == {district.dept_construction.pk, district.dept_emergency.pk}
    # 东城机械厂 is machinery, a sub-sector of 工贸: 应急局's hazards.
    emergency = row_of(evaluation, district.dept_emergency)
    assert emergency["values"]["overdue-hazards"] == 4
    assert row_of(evaluation, district.dept_construction)["values"]["overdue-hazards"] == 0


# ---------------------------------------------------------------- entered scores


@pytest.mark.parametrize(
    ("score", "reason", "field"),
    [
        ("8", "  ", "reason"),
        ("11", "超出分值", "score"),
        ("-1", "负分", "score"),
        ("八", "不是数字", "score"),
        ("8.123", "三位小数", "score"),
    ],
)
def test_a_bad_entered_score_is_refused_by_field(computed, officer, district, score, reason, field):
    with pytest.raises(ValidationError) as caught:
        services.evaluation_score_enter(
            user=officer,
            evaluation=computed,
            indicator_code="work-done",
            unit_id=district.township_a.pk,
            score=score,
            reason=reason,
        )
    assert field in caught.value.message_dict
    assert not EvaluationScore.objects.exists()


def test_only_entered_indicators_take_a_score(computed, officer, district):
    with pytest.raises(ValidationError) as caught:
        services.evaluation_score_enter(
            user=officer,
            evaluation=computed,
            indicator_code="overdue-hazards",
            unit_id=district.township_a.pk,
            score="5",
            reason="想改计算结果",
        )
    assert "indicator" in caught.value.message_dict


# ---------------------------------------------------------------- publishing freezes


def test_publishing_refuses_missing_scores_and_a_month_not_over(computed, officer, district):
    with pytest.raises(ValidationError, match="东城街道"):
        services.evaluation_publish(user=officer, evaluation=computed)
    this_month = Period.containing("month", timezone.localdate())
    running = services.evaluation_compute(user=officer, period=this_month, target="township")
    enter_all(officer, running, district)
    with pytest.raises(ValidationError, match="尚未结束"):
        services.evaluation_publish(user=officer, evaluation=running)
    assert not Evaluation.objects.filter(state="published").exists()


def test_publishing_numbers_and_freezes(published, officer, district, enterprise_a):
    assert published.state == "published"
    year = timezone.localdate().year
    assert published.number == f"示范区安评〔{year}〕1号"
    pdf = published.pdf.read()
    published.pdf.close()
    assert hashlib.sha256(pdf).hexdigest() == published.pdf_sha256
    results = published.results
    # New records of November arrive; a recompute, a score and a second publish are refused.
    hazard(officer, enterprise_a, D(2026, 11, 25), D(2026, 11, 26))
    with pytest.raises(ValidationError, match="已发布"):
        services.evaluation_compute(user=officer, period=NOVEMBER, target="township")
    with pytest.raises(ValidationError, match="已发布"):
        services.evaluation_score_enter(
            user=officer,
            evaluation=published,
            indicator_code="work-done",
            unit_id=district.township_a.pk,
            score="10",
            reason="补评",
        )
    with pytest.raises(ValidationError, match="已发布"):
        services.evaluation_publish(user=officer, evaluation=published)
    published.refresh_from_db()
    assert published.results == results
    assert published.pdf.read() == pdf
    published.pdf.close()


def test_each_unit_is_told_its_own_total_and_rank_when_the_ranking_is_published(published, district):
    row = row_of(published, district.township_a)
    note = Notification.objects.get(kind="evaluation_published", org_unit=district.township_a)
    assert published.number in note.title
    assert f"得分 {row['total']} 分" in note.body and f"排名第 {row['rank']}" in note.body
    assert note.url == published.get_absolute_url()
    assert Notification.objects.filter(kind="evaluation_published").count() == len(published.results["rows"])


def test_the_database_refuses_changes_to_a_published_evaluation(published):
    for change in ({"results": {}}, {"number": "改号"}, {"state": "draft"}, {"pdf": "other.pdf"}):
        with pytest.raises(DatabaseError), transaction.atomic():
            Evaluation.objects.filter(pk=published.pk).update(**change)
    with pytest.raises(DatabaseError), transaction.atomic():
        EvaluationScore.objects.filter(evaluation=published).update(score=Decimal("10"))
    with pytest.raises(DatabaseError), transaction.atomic():
        Evaluation.objects.filter(pk=published.pk).delete()
    assert Evaluation.objects.get(pk=published.pk).results == published.results


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_the_ranking_pdf_reads_back(published, tmp_path):
    path = tmp_path / "ranking.pdf"
    path.write_bytes(published.pdf.read())
    published.pdf.close()
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    squeezed = "".join(text.split())
    assert "关于2026年11月各街道（乡镇）安全生产工作月度评估情况的通报" in squeezed
    assert published.number in squeezed
    for fragment in ("东城街道", "西山镇", "65.75", "79.00", "18.75", "隐患整改率", "重大隐患逾期未挂牌"):
        assert fragment in squeezed, fragment
    assert squeezed.index("西山镇") < squeezed.index("东城街道")  # ranked first
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    assert "CJK" in fonts


def test_the_ranking_excel_reads_back(published):
    with published.xlsx.open("rb") as handle:
        content = handle.read()
    assert hashlib.sha256(content).hexdigest() == published.xlsx_sha256
    wb = load_workbook(io.BytesIO(content))
    ws = wb["排名"]
    header = [c.value for c in ws[4]]
    assert header[:2] == ["排名", "单位"]
    assert header[-1] == "总分"
    first, second = [c.value for c in ws[5]], [c.value for c in ws[6]]
    assert (first[0], first[1], first[-1]) == (1, "西山镇", 79.0)
    assert (second[0], second[1], second[-1]) == (2, "东城街道", 65.75)
    assert second[header.index("隐患整改率（%）")] == 75.0
    assert second[header.index("逾期未整改隐患（个）")] == 4
    assert "活动按时报送率" in [c.value for c in wb["指标说明"]["A"]]


# ---------------------------------------------------------------- follow-ups


def test_a_warning_notice_is_numbered_with_its_pdf(published, officer, district):
    notice = services.follow_up_create(
        user=officer, evaluation=published, unit_id=district.township_a.pk, kind="warning"
    )
    year = timezone.localdate().year
    assert notice.number == f"示范区安警〔{year}〕1号"
    assert notice.pdf_sha256 == hashlib.sha256(notice.pdf.read()).hexdigest()
    notice.pdf.close()
    assert "15日内" in notice.text
    told = Notification.objects.get(kind="evaluation_warning")
    assert told.org_unit == district.township_a and notice.number in told.title


def test_a_talk_is_recorded_in_the_activity_ledger(published, officer, district):
    talk = services.follow_up_create(
        user=officer,
        evaluation=published,
        unit_id=district.township_a.pk,
        kind="talk",
        text="月度评估排名靠后，逾期隐患较多",
        talk_date=D(2026, 12, 1),
        place="区应急管理局会议室",
    )
    activity = talk.activity
    assert activity.is_talk and activity.talk_reason == "月度评估排名靠后，逾期隐患较多"
    assert [t.org_unit for t in activity.talk_targets.all()] == [district.township_a]
    assert activity.notes == published.number
    told = Notification.objects.get(kind="evaluation_talk")
    assert told.org_unit == district.township_a and "2026-12-01" in told.title
    assert "区应急管理局会议室" in told.body


def test_follow_ups_need_a_published_ranking_and_a_reason_for_a_talk(computed, published, officer, district):
    with pytest.raises(ValidationError, match="约谈事由"):
        services.follow_up_create(
            user=officer,
            evaluation=published,
            unit_id=district.township_a.pk,
            kind="talk",
            talk_date=D(2026, 12, 1),
        )
    draft = services.evaluation_compute(user=officer, period=Period(2026, "month", 10), target="township")
    with pytest.raises(ValidationError, match="发布之后"):
        services.follow_up_create(
            user=officer, evaluation=draft, unit_id=district.township_a.pk, kind="warning"
        )
    assert not EvaluationFollowUp.objects.exists()


# ---------------------------------------------------------------- who may do what


@pytest.mark.parametrize("persona", ["township_a_user", "department_user", "leader"])
def test_only_the_office_computes_scores_and_publishes(request, computed, persona, district):
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        services.evaluation_compute(user=user, period=NOVEMBER, target="township")
    with pytest.raises(PermissionDenied):
        services.evaluation_publish(user=user, evaluation=computed)
    with pytest.raises(PermissionDenied):
        services.evaluation_score_enter(
            user=user,
            evaluation=computed,
            indicator_code="work-done",
            unit_id=district.township_a.pk,
            score="5",
            reason="x",
        )


# ---------------------------------------------------------------- the new metrics


def test_the_new_metrics_take_one_query_and_list_their_records(ledger, django_assert_max_num_queries):
    from_a = Window(NOVEMBER.start, NOVEMBER.end, StatsScope(ledger.township_a).scope)
    unlisted = get_metric("hazards.major_overdue_unlisted")
    with django_assert_max_num_queries(1):
        assert unlisted.value(from_a) == 1
    (row,) = unlisted.records(from_a)
    assert row.level == HazardLevel.MAJOR and not row.listing_level
    on_time, plans = get_metric("activities.on_time_rate"), get_metric("inspections.plan_completion_rate")
    with django_assert_max_num_queries(1):
        assert on_time.value(from_a) == Decimal("50.0")
    with django_assert_max_num_queries(3):  # plans, their lines, one aggregate of every line
        assert plans.value(from_a) == Decimal("60.0")
    from_b = Window(NOVEMBER.start, NOVEMBER.end, StatsScope(ledger.township_b).scope)
    assert get_metric("inspections.plan_completion_rate").value(from_b) is None
