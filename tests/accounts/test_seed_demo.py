from django.core.management import call_command
from django.test import Client

from accounts.choices import TOWNSHIP_KINDS, OrgKind
from accounts.models import Enterprise, OrgUnit, User
from accounts.validators import uscc_problem


def snapshot() -> list[tuple[str, str]]:
    return sorted(Enterprise.objects.values_list("uscc", "name"))


def test_demo_district_is_believable_and_usable(db):
    call_command("seed_demo", "--seed", "3", "--enterprises", "200", verbosity=0)
    townships = OrgUnit.objects.filter(kind__in=TOWNSHIP_KINDS)
    assert 10 <= townships.count() <= 14
    assert all(t.children.exists() for t in townships)
    departments = OrgUnit.objects.filter(kind=OrgKind.DEPARTMENT)
    assert departments.count() >= 11 and all(d.supervised_sectors.exists() for d in departments)

    enterprises = Enterprise.objects.prefetch_related("sectors").select_related("jurisdiction__parent")
    assert enterprises.count() == 200
    for e in enterprises:
        assert uscc_problem(e.uscc) is None
        assert e.sectors.exists()
        assert e.township.kind in TOWNSHIP_KINDS

    for username in ["admin", "officer", "township", "department", "leader"]:
        assert Client().login(username=username, password="demo12345"), username
    township = User.objects.get(username="township").org_unit
    assert township == townships.order_by("order").first()
    assert Enterprise.objects.filter(jurisdiction__path__startswith=township.path).exists()


def test_same_seed_same_district_and_a_second_run_changes_nothing(db):
    call_command("seed_demo", "--seed", "5", "--enterprises", "80", verbosity=0)
    first = snapshot()
    call_command("seed_demo", "--seed", "99", "--enterprises", "10", verbosity=0)  # refused: demo exists
    assert snapshot() == first
    call_command("seed_demo", "--seed", "5", "--enterprises", "80", "--reset", verbosity=0)
    assert snapshot() == first
    call_command("seed_demo", "--seed", "6", "--enterprises", "80", "--reset", verbosity=0)
    assert snapshot() != first
    assert User.objects.filter(username="officer").count() == 1


def test_demo_has_a_year_of_inspections_the_township_can_see(db):
    import datetime as dt

    from django.utils import timezone

    from inspections.models import InspectionAction
    from inspections.selectors import inspection_figures

    call_command("seed_demo", "--seed", "4", "--enterprises", "150", verbosity=0)
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
