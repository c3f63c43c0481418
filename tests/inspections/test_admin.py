"""The admin shows inspections but changes none: numbers, teams and records follow the app's rules."""

import pytest
from django.utils import timezone

from inspections.models import InspectionAction, InspectionKind
from inspections.services import action_create

pytestmark = pytest.mark.django_db


def test_admin_cannot_change_delete_or_revert_an_inspection(client, admin_user, district, enterprise_a):
    """The admin shows inspections; numbers, teams and records change only through the app's rules."""
    action = action_create(
        user=admin_user,
        date=timezone.localdate(),
        organizer=district.district,
        kind=InspectionKind.objects.get(code="supervision"),
        members=[admin_user],
        enterprises=[enterprise_a],
    )
    number = action.number
    InspectionAction.objects.filter(pk=action.pk).update(note="later")
    client.force_login(admin_user)
    base = "/admin/inspections/inspectionaction/"
    assert client.get(f"{base}{action.pk}/change/").status_code == 200
    assert client.post(f"{base}{action.pk}/delete/", {"post": "yes"}).status_code == 403
    history_url = f"{base}{action.pk}/history/{action.history.earliest().history_id}/"
    assert client.get(history_url).status_code == 200
    assert client.post(history_url, {"number": "改号", "date": "2020-01-01"}).status_code == 403
    action.refresh_from_db()
    assert action.number == number and InspectionAction.objects.count() == 1
