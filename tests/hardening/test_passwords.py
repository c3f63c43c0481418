"""Django's password validators refuse weak passwords where an administrator sets one (the admin's
add-user and change-password forms) and where a user changes their own."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from accounts.models import User

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("weak", ["12345678", "password", "abc", "township_a1"])
def test_validators_refuse_weak_passwords(township_a_user, weak):
    with pytest.raises(ValidationError):
        validate_password(weak, user=township_a_user)


def test_admin_add_user_form_refuses_a_weak_password(client, admin_user, district):
    client.force_login(admin_user)
    form = {
        "username": "newbie",
        "name": "新同事",
        "role": "township",
        "org_unit": district.township_a.pk,
        "usable_password": "true",
    }
    response = client.post(
        "/admin/accounts/user/add/", {**form, "password1": "12345678", "password2": "12345678"}
    )
    assert response.status_code == 200  # the form again, with the error on the password
    assert "password2" in response.context["adminform"].form.errors
    assert not User.objects.filter(username="newbie").exists()

    strong = "Qz7!风险隐患-台账"
    response = client.post("/admin/accounts/user/add/", {**form, "password1": strong, "password2": strong})
    assert response.status_code == 302
    assert User.objects.get(username="newbie").check_password(strong)


def test_admin_password_change_refuses_a_weak_password_and_accepts_a_strong_one(
    client, admin_user, township_a_user
):
    client.force_login(admin_user)
    url = f"/admin/accounts/user/{township_a_user.pk}/password/"
    response = client.post(url, {"password1": "password", "password2": "password"})
    assert response.status_code == 200
    township_a_user.refresh_from_db()
    assert township_a_user.check_password("demo12345")

    strong = "Qz7!风险隐患-台账"
    response = client.post(url, {"password1": strong, "password2": strong})
    assert response.status_code == 302
    township_a_user.refresh_from_db()
    assert township_a_user.check_password(strong)
