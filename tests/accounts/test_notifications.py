"""Notifications in the app: who sees which (user, unit, role), the bell's count in one query, mark as read."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import selectors, services
from accounts.choices import Role
from accounts.models import Notification
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def note(key: str, **recipient) -> Notification:
    return Notification.objects.create(
        kind="test", title=f"通知{key}", body="请处理", url="/hazards/", key=key, **recipient
    )


@pytest.fixture
def notes(district, officer, township_a_user):
    return {
        "unit_a": note("unit-a", org_unit=district.township_a),
        "unit_b": note("unit-b", org_unit=district.township_b),
        "officers": note("officers", role=Role.OFFICER),
        "personal": note("personal", user=township_a_user),
    }


def titles(user) -> set[str]:
    return set(selectors.notifications_for(user=user).values_list("title", flat=True))


def test_each_user_sees_its_own_its_units_and_its_roles(
    notes, officer, township_a_user, township_b_user, department_user, leader
):
    assert titles(township_a_user) == {"通知unit-a", "通知personal"}
    assert titles(township_b_user) == {"通知unit-b"}
    assert titles(officer) == {"通知officers"}
    assert titles(department_user) == set() and titles(leader) == set()


def test_a_user_without_unit_does_not_get_every_units_notifications(notes, district):
    loose = UserFactory(role=Role.ADMIN, org_unit=None)
    assert titles(loose) == set()


def test_the_list_page_shows_only_the_users_notifications(client, notes, township_a_user):
    client.force_login(township_a_user)
    response = client.get(reverse("accounts:notification_list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "通知unit-a" in html and "通知personal" in html
    assert "通知unit-b" not in html and "通知officers" not in html


def test_mark_one_read_then_open_it(client, notes, township_a_user, township_b_user):
    client.force_login(township_a_user)
    unit_a = notes["unit_a"]

    response = client.post(reverse("accounts:notification_read", args=[unit_a.pk]), {"open": "1"})

    assert response.status_code == 302 and response["Location"] == "/hazards/"
    assert list(unit_a.read_by.all()) == [township_a_user]
    assert selectors.notification_unread_count(user=township_a_user) == 1
    page = client.get(reverse("accounts:notification_list") + "?unread=1").content.decode()
    assert "通知unit-a" not in page and "通知personal" in page
    # Read by A's user is not read by everyone in the unit's other roles: B still has its own unread.
    assert selectors.notification_unread_count(user=township_b_user) == 1


def test_cannot_mark_someone_elses_notification(client, notes, township_b_user):
    client.force_login(township_b_user)
    url = reverse("accounts:notification_read", args=[notes["unit_a"].pk])
    assert client.post(url).status_code == 404
    assert client.get(url).status_code == 405
    assert not notes["unit_a"].read_by.exists()


def test_an_outside_url_is_not_followed(client, district, township_a_user):
    phishing = note("away", org_unit=district.township_a)
    Notification.objects.filter(pk=phishing.pk).update(url="https://evil.example/")
    client.force_login(township_a_user)
    response = client.post(reverse("accounts:notification_read", args=[phishing.pk]), {"open": "1"})
    assert response["Location"] == reverse("accounts:notification_list")


def test_mark_all_read(client, notes, officer, township_a_user):
    client.force_login(township_a_user)
    response = client.post(reverse("accounts:notification_read_all"), follow=True)
    assert "已将 2 条通知标为已读" in response.content.decode()
    assert selectors.notification_unread_count(user=township_a_user) == 0
    assert selectors.notification_unread_count(user=officer) == 1  # the officers' one is untouched
    assert services.notification_mark_all_read(user=township_a_user) == 0


def test_the_bell_shows_the_count_in_one_query_on_every_page(client, notes, township_a_user):
    client.force_login(township_a_user)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("accounts:orgunit_list"))
    html = response.content.decode()
    assert 'id="app-bell"' in html and "2 条未读" in html
    assert len([q for q in captured if "accounts_notification" in q["sql"]]) == 1

    notes["unit_a"].read_by.add(township_a_user)
    notes["personal"].read_by.add(township_a_user)
    html = client.get(reverse("accounts:orgunit_list")).content.decode()
    assert 'id="app-bell"' in html and "条未读" not in html


def test_pages_need_a_login(client):
    response = client.get(reverse("accounts:notification_list"))
    assert response.status_code == 302 and "login" in response["Location"]
