"""The admin shows cases read-only (with their history) and edits the 法律依据 code table, never deleting
an article; the nightly deadline task is scheduled; the work list is for those who handle cases."""

import pytest
from django.conf import settings

from enforcement import selectors
from enforcement.choices import CaseState
from enforcement.models import Case, LegalArticle
from tests.enforcement.conftest import open_case

pytestmark = pytest.mark.django_db


def test_admin_shows_cases_but_cannot_add_change_or_delete(
    client, admin_user, officer, enterprise_a, district
):
    case = open_case(officer, enterprise_a, district.district)
    client.force_login(admin_user)
    base = "/admin/enforcement/case/"
    assert client.get(base).status_code == 200
    assert client.get(f"{base}{case.pk}/change/").status_code == 200
    assert client.get(f"{base}{case.pk}/history/").status_code == 200
    assert client.get(f"{base}add/").status_code == 403
    assert client.post(f"{base}{case.pk}/delete/", {"post": "yes"}).status_code == 403
    response = client.post(f"{base}{case.pk}/change/", {"state": CaseState.CLOSED})
    assert response.status_code == 403
    assert Case.objects.get(pk=case.pk).state == CaseState.OPEN


def test_admin_edits_the_article_table_but_never_deletes(client, admin_user, district):
    client.force_login(admin_user)
    article = LegalArticle.objects.get(article="第一百零二条")
    base = "/admin/enforcement/legalarticle/"
    assert client.get(base).status_code == 200
    assert client.post(f"{base}{article.pk}/delete/", {"post": "yes"}).status_code == 403
    response = client.post(
        f"{base}add/",
        {
            "law": "中华人民共和国消防法",
            "law_short": "消防法",
            "article": "第六十条",
            "summary": "消防设施",
            "order": 500,
        },
    )
    assert response.status_code == 302
    assert str(LegalArticle.objects.get(article="第六十条")) == "《消防法》第六十条"


def test_seeded_articles(district):
    labels = {str(a) for a in LegalArticle.objects.all()}
    for article in (
        "第二十条",
        "第四十一条",
        "第九十七条",
        "第九十九条",
        "第一百零一条",
        "第一百零二条",
        "第一百一十条",
    ):
        assert f"《安全生产法》{article}" in labels


def test_deadline_task_is_scheduled_nightly():
    entry = settings.CELERY_BEAT_SCHEDULE["enforcement-flag-case-deadlines"]
    assert entry["task"] == "enforcement.tasks.flag_case_deadlines"


def test_work_list_is_for_handlers(officer, department_user, township_b_user, leader, enterprise_b, district):
    own = open_case(officer, enterprise_b, district.dept_construction)
    other = open_case(officer, enterprise_b, district.district)
    assert set(selectors.cases_to_handle(user=officer)) == {own, other}
    assert set(selectors.cases_to_handle(user=department_user)) == {own}
    assert not selectors.cases_to_handle(user=township_b_user).exists()
    assert not selectors.cases_to_handle(user=leader).exists()
