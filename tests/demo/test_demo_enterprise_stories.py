"""The demo's enterprises have a past: some were re-graded by the district office and had their address
corrected by their township, through the service, so their pages show 风险等级变更 and 变更记录."""

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Enterprise
from accounts.selectors import enterprise_grade_history, enterprise_history
from demo import enterprise_stories, steps
from demo.district import find_district
from tests.demo.conftest import committed_demo


def two_steps(monkeypatch) -> None:
    wanted = [s for s in steps.STEPS if s.name in ("district", "enterprise_stories")]
    monkeypatch.setattr(steps, "STEPS", wanted)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The district and its enterprises' stories, seeded once for the module (committed) and removed
    after it; each test reads them in its own transaction."""
    with committed_demo(django_db_blocker, "--seed", "3", "--enterprises", "80", patch=two_steps) as output:
        yield output


@pytest.fixture
def demo(world, db, monkeypatch):
    two_steps(monkeypatch)
    return world


def storied() -> list[Enterprise]:
    ids = Enterprise.history.filter(history_type="~").values("id")
    return list(Enterprise.objects.filter(pk__in=ids).order_by("pk"))


def test_some_enterprises_of_every_township_have_a_regrading_and_an_address_change(demo):
    firms = storied()
    district = find_district()
    townships = {f.township.pk for f in firms}
    assert len(firms) >= 2 * len(townships) and len(townships) >= 3
    assert "变更记录" in demo
    today = timezone.localdate()
    for firm in firms:
        grades = enterprise_grade_history(enterprise=firm)
        assert [g["registered"] for g in grades] == [False, True]  # newest first: changed, then registered
        changed = grades[0]
        assert changed["old"] != changed["new"] and changed["user"].username == "officer"
        assert changed["date"].date() < today
        entries = enterprise_history(enterprise=firm)
        fields = [[c["field"] for c in e["changes"]] for e in entries]
        assert fields[0] == ["地址"] and fields[1] == ["风险等级"] and fields[-1] == []
        assert entries[0]["record"].history_user.org_unit_id == firm.township.pk
        assert entries[0]["record"].history_date < changed["date"].replace(year=today.year + 1)
        assert entries[0]["record"].history_date > changed["date"]  # the address came after the grade
    assert district is not None


def test_the_enterprise_page_shows_the_story(demo, client):
    firm = storied()[0]
    client.force_login(firm.history.filter(history_type="~").first().history_user)
    page = client.get(reverse("accounts:enterprise_detail", args=[firm.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "暂无" not in html.split("变更记录", 1)[1][:400]
    assert firm.address in html


def test_the_step_runs_after_the_district_and_resets_with_it():
    names = [s.name for s in steps.STEPS]
    assert names.index("enterprise_stories") == names.index("district") + 1
    assert enterprise_stories.reset(None) is None
