"""The registries upper apps fill from their AppConfig.ready(): the main menu (core.navigation) and the
panels they add to a lower app's page (core.panels). Each test works on an empty registry of its own."""

from types import SimpleNamespace

import pytest
from django.test import RequestFactory

from core import navigation, panels
from core.navigation import NavItem, menu_for
from core.panels import HOME, panels_for, register_panel


@pytest.fixture
def menu(monkeypatch):
    monkeypatch.setattr(navigation, "_registry", [])
    return navigation._registry


@pytest.fixture
def slots(monkeypatch):
    monkeypatch.setattr(panels, "_registry", [])
    return panels._registry


def person(role: str, *, superuser: bool = False) -> SimpleNamespace:
    return SimpleNamespace(role=role, is_superuser=superuser)


def labels(user, path: str = "/") -> list[str]:
    return [entry["label"] for entry in menu_for(user, path)]


def active(user, path: str) -> list[str]:
    return [entry["label"] for entry in menu_for(user, path) if entry["active"]]


# ---------------------------------------------------------------- the menu


def test_an_entry_with_roles_is_shown_to_those_roles_only_and_to_a_superuser(menu):
    navigation.register(
        NavItem("工作台", "home", "house", order=0),
        NavItem("组织机构", "accounts:orgunit_list", "diagram-3", order=20, roles=frozenset({"officer"})),
        NavItem("系统管理", "admin:index", "gear", order=90, roles=frozenset({"admin"})),
    )

    assert labels(person("officer")) == ["工作台", "组织机构"]
    assert labels(person("leader")) == ["工作台"]
    assert labels(person("admin")) == ["工作台", "系统管理"]
    assert labels(person("leader", superuser=True)) == ["工作台", "组织机构", "系统管理"]
    assert labels(SimpleNamespace(is_superuser=False)) == ["工作台"]  # a user model without roles


def test_entries_come_in_order_whatever_order_the_apps_registered_them_in(menu):
    navigation.register(NavItem("后", "accounts:orgunit_list", "b", order=80))
    navigation.register(
        NavItem("前", "home", "a", order=0), NavItem("中", "accounts:enterprise_list", "c", order=10)
    )

    assert labels(person("officer")) == ["前", "中", "后"]


def test_registering_an_entry_twice_shows_it_once(menu):
    item = NavItem("工作台", "home", "house")

    navigation.register(item)
    navigation.register(item)  # ready() may run twice

    assert labels(person("officer")) == ["工作台"]


def test_an_entry_whose_page_is_not_mounted_is_left_out(menu):
    navigation.register(NavItem("工作台", "home", "house"), NavItem("未上线", "nowhere:index", "x"))

    assert labels(person("officer")) == ["工作台"]


def test_the_entry_with_the_longest_matching_prefix_is_the_active_one(menu):
    navigation.register(
        NavItem("工作台", "home", "house", order=0),
        NavItem("生产经营单位", "accounts:enterprise_list", "building", order=10),
        NavItem("登记单位", "accounts:enterprise_create", "plus", order=20),
    )
    officer = person("officer")

    assert active(officer, "/accounts/enterprises/new/") == ["登记单位"]
    assert active(officer, "/accounts/enterprises/12/") == ["生产经营单位"]
    assert active(officer, "/accounts/enterprises/") == ["生产经营单位"]
    assert active(officer, "/") == ["工作台"]
    assert active(officer, "/imports/jobs/3/") == []  # home matches only itself


def test_the_menu_entries_carry_url_and_icon(menu):
    navigation.register(NavItem("生产经营单位", "accounts:enterprise_list", "building"))

    assert menu_for(person("officer"), "/") == [
        {"label": "生产经营单位", "url": "/accounts/enterprises/", "icon": "building", "active": False}
    ]


@pytest.mark.django_db
def test_every_page_gets_the_menu_of_its_user(client, officer):
    client.force_login(officer)

    response = client.get("/accounts/enterprises/")

    entries = {entry["label"]: entry for entry in response.context["nav_menu"]}
    assert entries["生产经营单位"]["active"] is True
    assert "系统管理" not in entries  # registered by accounts for administrators only


# ---------------------------------------------------------------- panels


def request_as(role: str):
    request = RequestFactory().get("/")
    request.user = person(role)
    return request


def test_a_panel_shows_in_its_slot_for_its_roles_with_its_context(slots):
    register_panel(HOME, "a/verify.html", lambda request: {"count": 3}, roles=["officer"], order=20)
    register_panel(HOME, "b/follow.html", lambda request: {"count": 1}, roles=["township"], order=10)
    register_panel("inspection", "c/hazards.html", lambda request, record: {"record": record})

    assert panels_for(HOME, request_as("officer")) == [
        {"template_name": "a/verify.html", "panel": {"count": 3}}
    ]
    assert panels_for(HOME, request_as("township")) == [
        {"template_name": "b/follow.html", "panel": {"count": 1}}
    ]
    assert panels_for(HOME, request_as("leader")) == []
    assert panels_for("inspection", request_as("leader"), record="R1") == [
        {"template_name": "c/hazards.html", "panel": {"record": "R1"}}
    ]


def test_panels_of_a_slot_come_in_order(slots):
    register_panel(HOME, "late.html", lambda request: {}, order=30)
    register_panel(HOME, "early.html", lambda request: {}, order=10)

    assert [p["template_name"] for p in panels_for(HOME, request_as("officer"))] == [
        "early.html",
        "late.html",
    ]


def test_a_panel_with_nothing_to_show_is_left_out(slots):
    register_panel(HOME, "empty.html", lambda request: None)
    register_panel(HOME, "full.html", lambda request: {"n": 1})

    assert panels_for(HOME, request_as("officer")) == [{"template_name": "full.html", "panel": {"n": 1}}]


def test_a_panel_not_for_the_users_role_is_not_even_asked_for_its_context(slots):
    asked = []
    register_panel(HOME, "office.html", lambda request: asked.append(request) or {}, roles=["officer"])

    assert panels_for(HOME, request_as("leader")) == []
    assert asked == []


def test_registering_the_same_slot_and_template_again_replaces_the_panel(slots):
    register_panel(HOME, "x.html", lambda request: {"v": 1})
    register_panel(HOME, "x.html", lambda request: {"v": 2}, roles=["leader"])  # ready() ran again

    assert panels_for(HOME, request_as("leader")) == [{"template_name": "x.html", "panel": {"v": 2}}]
    assert panels_for(HOME, request_as("officer")) == []


def test_an_entry_also_covers_the_pages_it_names_so_the_entry_steps_light_up_their_own_entry(menu):
    navigation.register(
        NavItem("检查行动", "inspections:action_list", "a", order=20),
        NavItem("录入检查", "inspections:entry_new", "b", order=21, also=("inspections:draft_list",)),
    )

    assert active(person("officer"), "/inspections/drafts/7/step/2/") == ["录入检查"]
    assert active(person("officer"), "/inspections/new/") == ["录入检查"]
    assert active(person("officer"), "/inspections/12/") == ["检查行动"]
