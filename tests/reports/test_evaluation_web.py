"""月度评估's pages, API and dashboard panel: what each role sees and may do (the office computes, scores,
publishes and follows up; a township sees published rankings and only its own row's detail; a draft does
not exist for it), the indicators' configuration with its clear refusals, and the query ceiling of the
evaluation page."""

import datetime as dt

import pytest
from django.urls import reverse

from reports import services_evaluation as services
from reports.models import Evaluation, EvaluationIndicator, EvaluationScore
from reports.periods import Period
from tests.reports.evaluation_ledger import NOVEMBER, build_ledger, enter_all

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
def draft(ledger, officer):
    return services.evaluation_compute(user=officer, period=NOVEMBER, target="township")


@pytest.fixture
def published(draft, officer, district, cheap_pdfs):
    enter_all(officer, draft, district)
    return services.evaluation_publish(user=officer, evaluation=draft)


def login(client, user):
    client.force_login(user)
    return client


# ---------------------------------------------------------------- the office's flow in the browser


def test_the_office_computes_scores_and_publishes_in_the_browser(
    client, officer, ledger, district, cheap_pdfs
):
    login(client, officer)
    assert client.get(reverse("reports:evaluation_list")).status_code == 200
    answer = client.post(
        reverse("reports:evaluation_compute"), {"period": NOVEMBER.key, "target": "township"}
    )
    evaluation = Evaluation.objects.get(period_key=NOVEMBER.key, target="township")
    assert answer.status_code == 302 and answer["Location"] == evaluation.get_absolute_url()
    page = client.get(evaluation.get_absolute_url()).content.decode()
    assert "18.75" in page and "待评分" in page and 'id="score-form"' in page
    bad = client.post(
        reverse("reports:evaluation_score", args=[evaluation.pk]),
        {"indicator": "work-done", "unit": district.township_a.pk, "score": "30", "reason": "好"},
    )
    assert bad.status_code == 400 and "得分应在 0 至 10 分之间" in bad.content.decode()
    for unit in (district.township_a, district.township_b):
        answer = client.post(
            reverse("reports:evaluation_score", args=[evaluation.pk]),
            {"indicator": "work-done", "unit": unit.pk, "score": "8", "reason": "按时完成交办事项"},
        )
        assert answer.status_code == 302
    no_confirm = client.post(reverse("reports:evaluation_publish", args=[evaluation.pk]), {}, follow=True)
    assert "请勾选确认" in no_confirm.content.decode()
    client.post(reverse("reports:evaluation_publish", args=[evaluation.pk]), {"confirm": "on"})
    evaluation.refresh_from_db()
    assert evaluation.is_published and evaluation.number
    page = client.get(evaluation.get_absolute_url()).content.decode()
    assert evaluation.number in page and 'id="score-form"' not in page and 'id="follow-up-form"' in page
    pdf = client.get(reverse("reports:evaluation_pdf", args=[evaluation.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    xlsx = client.get(reverse("reports:evaluation_xlsx", args=[evaluation.pk]))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    answer = client.post(
        reverse("reports:evaluation_follow_up", args=[evaluation.pk]),
        {"unit": district.township_a.pk, "kind": "warning", "text": ""},
    )
    assert answer.status_code == 302
    notice = evaluation.follow_ups.get()
    assert client.get(reverse("reports:evaluation_notice_pdf", args=[notice.pk])).status_code == 200


def test_a_published_evaluation_refuses_changes_from_the_page(client, officer, published, district):
    login(client, officer)
    answer = client.post(
        reverse("reports:evaluation_score", args=[published.pk]),
        {"indicator": "work-done", "unit": district.township_a.pk, "score": "1", "reason": "改分"},
        follow=True,
    )
    assert "已发布，不能再修改" in answer.content.decode()
    answer = client.post(reverse("reports:evaluation_recompute", args=[published.pk]), follow=True)
    assert "已发布，不能再修改" in answer.content.decode()
    assert EvaluationScore.objects.get(evaluation=published, unit=district.township_a).score == 8


# ---------------------------------------------------------------- roles and scope


@pytest.mark.parametrize("persona", ["township_a_user", "department_user", "leader"])
def test_only_the_office_may_write(request, client, draft, published, persona, district):
    login(client, request.getfixturevalue(persona))
    assert (
        client.post(
            reverse("reports:evaluation_compute"), {"period": NOVEMBER.key, "target": "township"}
        ).status_code
        == 403
    )
    assert (
        client.post(reverse("reports:evaluation_publish", args=[published.pk]), {"confirm": "on"}).status_code
        == 403
    )
    assert (
        client.post(
            reverse("reports:evaluation_follow_up", args=[published.pk]), {"kind": "warning"}
        ).status_code
        == 403
    )
    assert (
        client.get(
            reverse("reports:evaluation_indicator_edit", args=[EvaluationIndicator.objects.first().pk])
        ).status_code
        == 403
    )


def test_a_draft_does_not_exist_for_a_township(client, township_a_user, officer, published, district):
    other = services.evaluation_compute(user=officer, period=Period(2026, "month", 10), target="township")
    login(client, township_a_user)
    assert client.get(reverse("reports:evaluation_detail", args=[other.pk])).status_code == 404
    assert client.post(reverse("reports:evaluation_score", args=[other.pk]), {}).status_code == 404
    listing = client.get(reverse("reports:evaluation_list")).content.decode()
    assert published.get_absolute_url() in listing and other.get_absolute_url() not in listing


def test_a_township_sees_every_total_but_only_its_own_detail(client, township_b_user, published, district):
    login(client, township_b_user)
    page = client.get(published.get_absolute_url()).content.decode()
    assert "65.75" in page and "79.00" in page  # both totals
    assert "18.75" not in page  # A's per-indicator score
    assert "督查交办事项落实情况" in page  # B's own reason


def test_the_notice_of_a_township_is_not_another_townships(
    client, officer, township_b_user, published, district
):
    notice = services.follow_up_create(
        user=officer, evaluation=published, unit_id=district.township_a.pk, kind="warning"
    )
    login(client, township_b_user)
    assert client.get(reverse("reports:evaluation_notice_pdf", args=[notice.pk])).status_code == 404
    assert notice.number not in client.get(published.get_absolute_url()).content.decode()


def test_the_evaluation_page_keeps_its_query_count(client, officer, published, django_assert_max_num_queries):
    login(client, officer)
    client.get(published.get_absolute_url())
    with django_assert_max_num_queries(14):
        assert client.get(published.get_absolute_url()).status_code == 200


# ---------------------------------------------------------------- indicators


def test_the_office_edits_an_indicator_and_a_bad_rule_is_refused(client, officer):
    login(client, officer)
    indicator = EvaluationIndicator.objects.get(code="overdue-hazards")
    url = reverse("reports:evaluation_indicator_edit", args=[indicator.pk])
    form = {
        "name": "逾期未整改隐患",
        "source": "computed",
        "rule": "rate",
        "metric_key": "hazards.overdue",
        "weight": "20",
        "points_per": "3",
        "no_data": "full",
        "applies_to": "both",
        "order": "20",
        "is_active": "on",
        "description": "",
    }
    bad = client.post(url, form)
    assert bad.status_code == 400 and "按比率得分须选择一个比率" in bad.content.decode()
    money = client.post(url, {**form, "rule": "deduct", "metric_key": "enforcement.fines"})
    assert money.status_code == 400
    good = client.post(url, {**form, "rule": "deduct"})
    assert good.status_code == 302
    indicator.refresh_from_db()
    assert indicator.points_per == 3 and indicator.updated_by == officer
    page = client.get(reverse("reports:evaluation_indicators")).content.decode()
    assert "每个扣 3 分" in page


def test_everyone_reads_the_indicators(client, township_a_user):
    login(client, township_a_user)
    page = client.get(reverse("reports:evaluation_indicators"))
    assert page.status_code == 200 and "重大隐患逾期未挂牌" in page.content.decode()


# ---------------------------------------------------------------- API and dashboard


def test_the_api_lists_published_rankings_with_detail_in_scope(
    api, officer, township_a_user, published, district
):
    services.evaluation_compute(user=officer, period=Period(2026, "month", 10), target="township")
    api.force_authenticate(township_a_user)
    answer = api.get("/api/v1/evaluations/")
    assert answer.status_code == 200
    (item,) = answer.json()["results"]
    assert item["number"] == published.number
    rows = {row["unit_id"]: row for row in item["rows"]}
    assert rows[district.township_a.pk]["scores"]["rectification-rate"] == "18.75"
    assert rows[district.township_b.pk]["scores"] is None and rows[district.township_b.pk]["total"] == "79.00"
    assert api.get(f"/api/v1/evaluations/{published.pk}/").status_code == 200
    draft_pk = Evaluation.objects.get(state="draft").pk
    assert api.get(f"/api/v1/evaluations/{draft_pk}/").status_code == 404


def test_leaders_see_the_latest_ranking_on_the_dashboard(client, leader, published):
    login(client, leader)
    page = client.get(reverse("reports:dashboard")).content.decode()
    assert 'id="evaluation-ranking"' in page and published.number in page and "79.00" in page


def test_no_panel_before_a_ranking_is_published(client, leader, district):
    login(client, leader)
    assert 'id="evaluation-ranking"' not in client.get(reverse("reports:dashboard")).content.decode()


def test_dates_are_what_the_tests_assume():
    assert dt.date.today() > NOVEMBER.end  # November 2026 has ended: it may be published


def test_a_talk_from_the_page_is_in_the_activity_ledger_and_shown_to_its_unit(
    client, officer, township_a_user, township_b_user, published, district
):
    login(client, officer)
    future = client.post(
        reverse("reports:evaluation_follow_up", args=[published.pk]),
        {"unit": district.township_a.pk, "kind": "talk", "text": "排名靠后", "talk_date": "2099-01-01"},
    )
    assert future.status_code == 400 and "日期不能晚于今天" in future.content.decode()
    answer = client.post(
        reverse("reports:evaluation_follow_up", args=[published.pk]),
        {"unit": district.township_a.pk, "kind": "talk", "text": "排名靠后", "talk_date": "2026-12-01"},
    )
    assert answer.status_code == 302
    talk = published.follow_ups.get()
    assert talk.activity.talk_targets.get().org_unit == district.township_a
    login(client, township_a_user)
    assert "排名靠后" in client.get(published.get_absolute_url()).content.decode()
    login(client, township_b_user)
    assert "排名靠后" not in client.get(published.get_absolute_url()).content.decode()
