from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.http import HttpRequest
from django.test import Client

from accounts.choices import TOWNSHIP_KINDS, OrgKind, Role
from accounts.models import Enterprise, OrgUnit, Sector, User
from accounts.validators import uscc_problem
from demo import steps
from demo.district import DISTRICT_NAME
from tests.demo.conftest import committed_demo
from tests.factories import UserFactory


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def snapshot() -> list[tuple]:
    rows = Enterprise.objects.values_list(
        "uscc", "name", "jurisdiction__name", "supervising_department__name", "risk_grade__code", "status",
        "longitude", "contact_person", "contact_phone",
    )  # fmt: skip
    sectors = {}
    for uscc, code in Enterprise.sectors.through.objects.values_list("enterprise__uscc", "sector__code"):
        sectors.setdefault(uscc, set()).add(code)
    return sorted((*row, frozenset(sectors[row[0]])) for row in rows)


def counts() -> tuple[int, ...]:
    return (
        OrgUnit.objects.count(),
        User.objects.count(),
        Enterprise.objects.count(),
        Enterprise.sectors.through.objects.count(),
        OrgUnit.history.count(),
        User.history.count(),
    )


def test_same_seed_same_district_other_seed_other_district(db, cheap_pdfs):
    seed("--seed", "5", "--enterprises", "80")
    first = snapshot()
    seed("--seed", "5", "--enterprises", "80", "--reset")
    assert snapshot() == first
    seed("--seed", "6", "--enterprises", "80", "--reset")
    other = snapshot()
    assert other != first
    assert not {row[0] for row in other} & {row[0] for row in first}
    assert User.objects.filter(username="officer").count() == 1


def test_an_officer_user_alone_also_counts_as_the_demo(db):
    UserFactory(username="officer")
    assert "已存在" in seed("--enterprises", "10")
    assert not OrgUnit.objects.exists() and not Enterprise.objects.exists()


def test_a_taken_username_stops_the_seed_without_leaving_half_a_district(db):
    UserFactory(username="leader")
    with pytest.raises(CommandError, match="leader"):
        seed("--enterprises", "10")
    assert not OrgUnit.objects.exists() and not Enterprise.objects.exists()


def test_steps_run_in_their_written_order_with_their_own_rng_and_reset_first_in_reverse(db, monkeypatch):
    assert [s.name for s in steps.STEPS] == [
        "district",
        "enterprise_stories",
        "responsibility",
        "campaigns",
        "inspections",
        "hazards",
        "enforcement",
        "activities",
        "accidents",
        "statistics",  # the dashboard's stored figures, computed after the commit
        "summaries",  # the work summaries (annual draft, published quarterly, a township's draft)
        "evaluation",  # last month's ranking of the townships, published, with a 警示告知书
    ]
    calls = []

    def step(name: str) -> steps.Step:
        def build(*, rng, context) -> list[str]:
            calls.append((name, rng.random(), context.users["officer"].username, context.enterprises.count()))
            return [f"{name} 完成"]

        return steps.Step(name, build, lambda district: calls.append((f"reset {name}", district.name)))

    monkeypatch.setattr(steps, "STEPS", [steps.STEPS[0], step("early"), step("late")])
    output = seed("--seed", "8", "--enterprises", "20")
    assert [c[0] for c in calls] == ["early", "late"]
    assert calls[0][2:] == ("officer", 20)
    assert calls[0][1] != calls[1][1]  # each step draws from its own generator
    assert output.index("early 完成") < output.index("late 完成")
    assert "生产经营单位 20 家" in output

    first = calls[:]
    calls.clear()
    seed("--seed", "8", "--enterprises", "20", "--reset")
    assert calls[:2] == [("reset late", DISTRICT_NAME), ("reset early", DISTRICT_NAME)]
    assert [c[0] for c in calls[2:]] == ["early", "late"]
    assert calls[2:] == first  # the same seed gives each step the same numbers


class TestOneDemo:
    """Tests that read one demo (seed 3, 200 enterprises), seeded once for the class, committed, and
    removed after it; each test runs in its own transaction, so a reset or rebuild on top is rolled back."""

    @pytest.fixture(scope="class")
    def world(self, django_db_setup, django_db_blocker):
        with committed_demo(django_db_blocker, "--seed", "3", "--enterprises", "200") as output:
            yield output

    @pytest.fixture
    def demo(self, world, db):
        return world

    def test_demo_district_has_townships_grid_departments_and_committees(self, demo):
        district = OrgUnit.objects.get(kind=OrgKind.DISTRICT, name=DISTRICT_NAME)
        townships = OrgUnit.objects.filter(kind__in=TOWNSHIP_KINDS, parent=district)
        assert 10 <= townships.count() <= 14
        assert {t.kind for t in townships} == set(TOWNSHIP_KINDS)
        assert townships.filter(kind=OrgKind.OFFICE).count() == 1
        for township in townships:
            grid = list(township.children.all())
            assert 3 <= len(grid) <= 8, township
            expected = OrgKind.VILLAGE if township.kind == OrgKind.TOWN else OrgKind.COMMUNITY
            assert {g.kind for g in grid} == {expected}, township
            assert township.short_name and township.path.startswith(district.path)

        departments = {
            d.short_name: d for d in OrgUnit.objects.filter(kind=OrgKind.DEPARTMENT, parent=district)
        }
        assert departments.keys() >= {
            "应急",
            "住建",
            "消防",
            "市场监管",
            "交通",
            "教体",
            "文旅",
            "民政",
            "卫健",
            "城管",
            "交警",
        }
        supervised = {
            short: set(d.supervised_sectors.values_list("code", flat=True))
            for short, d in departments.items()
        }
        assert {"hazchem", "mining", "fireworks", "industry-trade"} <= supervised["应急"]
        assert supervised["住建"] >= {"construction"} and supervised["消防"] == {"fire"}
        # Every sector but the cross-cutting ones has someone supervising it.
        assert set(Sector.objects.filter(parent=None).values_list("code", flat=True)) <= set().union(
            *supervised.values()
        )
        assert OrgUnit.objects.filter(kind=OrgKind.COMMITTEE, parent=district).count() >= 3

    def test_demo_users_sign_in_with_the_demo_password_where_the_readme_says(self, demo):
        users = {u.username: u for u in User.objects.select_related("org_unit")}
        for username in ["admin", "officer", "township", "department", "leader"]:
            # request=: the brute-force lockout (django-axes) checks every sign-in against the client address.
            assert Client().login(request=HttpRequest(), username=username, password="demo12345"), username
            assert users[username].name
        assert users["admin"].role == Role.ADMIN and users["admin"].is_superuser and users["admin"].is_staff
        assert users["admin"].org_unit.kind == OrgKind.DISTRICT
        assert users["officer"].role == Role.OFFICER and users["officer"].org_unit.name == "区应急管理局"
        assert (
            users["department"].role == Role.DEPARTMENT and users["department"].org_unit.short_name == "住建"
        )
        assert users["leader"].role == Role.LEADER and users["leader"].org_unit.kind == OrgKind.DISTRICT
        first = OrgUnit.objects.filter(kind__in=TOWNSHIP_KINDS).order_by("order").first()
        assert users["township"].role == Role.TOWNSHIP and users["township"].org_unit == first
        assert not users["officer"].is_staff
        # One more login per township and department, for trying the scoping out.
        assert User.objects.filter(role=Role.TOWNSHIP, org_unit__kind__in=TOWNSHIP_KINDS).count() > 10
        assert Client().login(request=HttpRequest(), username="dept_xiaofang", password="demo12345")

    def test_demo_enterprises_are_valid_placed_and_supervised(self, demo):
        enterprises = list(
            Enterprise.objects.select_related(
                "jurisdiction__parent", "supervising_department", "risk_grade"
            ).prefetch_related("sectors", "supervising_department__supervised_sectors")
        )
        assert len(enterprises) == 200
        assert len({e.uscc for e in enterprises}) == 200
        for e in enterprises:
            assert uscc_problem(e.uscc) is None, e.uscc
            e.full_clean()
            sectors = list(e.sectors.all())
            assert 1 <= len(sectors) <= 2, e.name
            assert e.township.kind in TOWNSHIP_KINDS
            assert e.jurisdiction.path.startswith(e.township.path)
            # The supervising department supervises one of its sectors, or the parent of one (工贸).
            watched = set(e.supervising_department.supervised_sectors.all())
            assert watched & ({*sectors} | {s.parent for s in sectors}), e.name
            assert e.risk_grade is not None and e.name and e.address and e.contact_phone.startswith("1")
        grades = Counter(e.risk_grade.code for e in enterprises)
        assert grades["blue"] > grades["yellow"] > grades["orange"] > grades["red"]
        assert Counter(e.status for e in enterprises).most_common(1)[0][0] == "operating"
        assert 0 < sum(e.is_fire_key_unit for e in enterprises) < 40

        township = User.objects.get(username="township").org_unit
        assert Enterprise.objects.filter(jurisdiction__path__startswith=township.path).exists()

    def test_a_second_run_without_reset_changes_nothing(self, demo):
        before, data = counts(), snapshot()
        output = seed("--seed", "99", "--enterprises", "10")
        assert "已存在" in output and "--reset" in output
        assert counts() == before and snapshot() == data

    def test_reset_removes_only_the_demo_and_its_history(
        self, demo, district, enterprise_a, township_a_user, cheap_pdfs
    ):
        demo_ids = list(Enterprise.objects.exclude(pk=enterprise_a.pk).values_list("pk", flat=True))
        seed("--seed", "5", "--enterprises", "60", "--reset")
        assert Enterprise.objects.filter(pk=enterprise_a.pk).exists()
        assert User.objects.filter(pk=township_a_user.pk).exists()
        assert OrgUnit.objects.filter(pk=district.township_a.pk).exists()
        assert not Enterprise.objects.filter(pk__in=demo_ids).exists()
        # Deleting leaves no '-' history behind, and the old units' and users' history is gone too.
        assert not Enterprise.history.filter(history_type="-").exists()
        assert not OrgUnit.history.filter(history_type="-").exists()
        assert set(OrgUnit.history.values_list("id", flat=True)) <= set(
            OrgUnit.objects.values_list("pk", flat=True)
        )
        assert Enterprise.objects.count() == 61

    def test_demo_has_a_year_of_inspections_the_township_can_see(self, demo):
        import datetime as dt

        from django.utils import timezone

        from inspections.models import InspectionAction
        from inspections.selectors import inspection_figures

        assert InspectionAction.objects.filter(is_leader_led=True).exists()
        township = User.objects.get(username="township")
        today = timezone.localdate()
        figures = inspection_figures(user=township, start=dt.date(today.year, 1, 1), end=today)
        assert figures["actions"] > 0 and figures["unit_visits"] >= figures["units"] > 0
        # Actions are numbered without gaps per organiser, and new numbers continue after the demo's.
        action = InspectionAction.objects.order_by("organizer", "-pk").first()
        count = InspectionAction.objects.filter(organizer=action.organizer).count()
        numbers = set(
            InspectionAction.objects.filter(organizer=action.organizer).values_list("number", flat=True)
        )
        assert len(numbers) == count and any(n.endswith(f"〔{today.year}〕{count}号") for n in numbers)
