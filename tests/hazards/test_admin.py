"""The admin shows the hazard ledger but is no back door: no add, change, delete or history revert; the
category code table is edited there but a category is never deleted."""

import pytest

from hazards import services
from hazards.choices import HazardState
from hazards.models import Hazard, HazardCategory
from tests.hazards.conftest import TODAY

pytestmark = pytest.mark.django_db


def test_admin_shows_hazards_but_cannot_add_change_delete_or_revert(client, admin_user, hazard_a):
    client.force_login(admin_user)
    base = "/admin/hazards/hazard/"
    assert client.get(base).status_code == 200
    assert client.get(f"{base}{hazard_a.pk}/change/").status_code == 200  # a read-only view
    assert client.get(f"{base}add/").status_code == 403
    assert client.post(f"{base}{hazard_a.pk}/delete/", {"post": "yes"}).status_code == 403
    client.post(base, {"action": "delete_selected", "_selected_action": [hazard_a.pk], "post": "yes"})
    response = client.post(f"{base}{hazard_a.pk}/change/", {"state": HazardState.CLOSED, "description": "x"})
    assert response.status_code == 403
    first = hazard_a.history.earliest()
    services.hazard_void(user=admin_user, hazard=hazard_a, reason="录错")
    history_url = f"{base}{hazard_a.pk}/history/{first.history_id}/"
    form = client.get(history_url).context["adminform"].form
    # simple_history's old-version form holds every field, state included, whatever the permissions.
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update(state=HazardState.CLOSED, closed_on=TODAY().isoformat())
    assert client.post(history_url, data).status_code == 403
    hazard_a.refresh_from_db()
    assert hazard_a.state == HazardState.VOID and Hazard.objects.count() == 1


def test_admin_edits_the_category_table_but_never_deletes_a_category(client, admin_user, district):
    client.force_login(admin_user)
    category = HazardCategory.objects.first()
    base = "/admin/hazards/hazardcategory/"
    assert client.get(base).status_code == 200
    assert client.post(f"{base}{category.pk}/delete/", {"post": "yes"}).status_code == 403
    response = client.post(
        f"{base}{category.pk}/change/",
        {"name": category.name, "code": category.code, "order": 5, "is_active": ""},
    )
    assert response.status_code == 302
    category.refresh_from_db()
    assert not category.is_active and category.order == 5
