"""No lost update on 生产经营单位: two people who loaded the same unit cannot both save over each other.

Every save bumps the unit's `version` (the form carries it in a hidden field, the API client sends back
the `version` it read); a save from a page or client that loaded an older version is refused — the
form keeps the user's input and says "该单位已被他人修改，请刷新后再改", the API answers 409."""

import re
from functools import partial

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts import services
from accounts.importers import ENTERPRISE_HEADERS
from accounts.models import Enterprise
from accounts.selectors import enterprise_history
from core.imports import get_importer
from tests.factories import EnterpriseFactory, enterprise_row, make_uscc, xlsx
from tests.races.conftest import ROUNDS, at_once

STALE = "该单位已被他人修改，请刷新后再改"


def url(enterprise) -> str:
    return reverse("accounts:enterprise_edit", args=[enterprise.pk])


def loaded_form(browser: Client, enterprise) -> dict:
    """The edit page's form as the browser got it: every field's value, the hidden version included."""
    page = browser.get(url(enterprise))
    assert page.status_code == 200
    form = page.context["form"]
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items() if v is not False}
    version = re.search(r'name="version" value="(\d+)"', page.content.decode())
    assert version, "the edit page carries the version in a hidden field"
    assert data["version"] == int(version.group(1))
    return data


def browser_for(user) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


@pytest.mark.django_db
def test_second_of_two_people_editing_the_form_is_refused_and_keeps_their_input(
    officer, township_a_user, enterprise_a
):
    mine, theirs = browser_for(officer), browser_for(township_a_user)
    my_form, their_form = loaded_form(mine, enterprise_a), loaded_form(theirs, enterprise_a)

    saved = mine.post(url(enterprise_a), {**my_form, "contact_person": "区里改的"})
    assert saved.status_code == 302

    refused = theirs.post(url(enterprise_a), {**their_form, "address": "街道填的新地址"})
    assert refused.status_code == 200
    text = refused.content.decode()
    assert STALE in text
    assert 'value="街道填的新地址"' in text  # the input is still on the form, to copy or compare
    enterprise_a.refresh_from_db()
    assert (enterprise_a.contact_person, enterprise_a.address) == ("区里改的", "")
    assert enterprise_a.version == 1

    # After a refresh, the same change goes through.
    again = loaded_form(theirs, enterprise_a)
    assert theirs.post(url(enterprise_a), {**again, "address": "街道填的新地址"}).status_code == 302
    enterprise_a.refresh_from_db()
    assert (enterprise_a.contact_person, enterprise_a.address, enterprise_a.version) == (
        "区里改的",
        "街道填的新地址",
        2,
    )


@pytest.mark.django_db
def test_an_edit_without_the_version_is_refused(officer, enterprise_a):
    browser = browser_for(officer)
    form = loaded_form(browser, enterprise_a)
    del form["version"]
    response = browser.post(url(enterprise_a), {**form, "address": "x"})
    assert response.status_code == 200
    enterprise_a.refresh_from_db()
    assert (enterprise_a.address, enterprise_a.version) == ("", 0)


@pytest.mark.django_db
def test_the_registration_form_has_no_version(officer):
    page = browser_for(officer).get(reverse("accounts:enterprise_create"))
    assert 'name="version"' not in page.content.decode()


# ---------------------------------------------------------------- the API


def api_for(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def detail(enterprise) -> str:
    return f"/api/v1/enterprises/{enterprise.pk}/"


@pytest.mark.django_db
def test_api_second_of_two_clients_gets_409_and_nothing_is_overwritten(
    officer, township_a_user, enterprise_a
):
    mine, theirs = api_for(officer), api_for(township_a_user)
    read = mine.get(detail(enterprise_a)).json()
    assert read["version"] == 0 and theirs.get(detail(enterprise_a)).json()["version"] == 0

    first = mine.patch(detail(enterprise_a), {"contact_person": "区里改的", "version": 0}, format="json")
    assert first.status_code == 200 and first.json()["version"] == 1

    second = theirs.patch(detail(enterprise_a), {"address": "街道填的", "version": 0}, format="json")
    assert second.status_code == 409
    assert second.json()["code"] == "stale_state" and STALE in second.json()["detail"]
    enterprise_a.refresh_from_db()
    assert (enterprise_a.contact_person, enterprise_a.address, enterprise_a.version) == ("区里改的", "", 1)

    again = theirs.patch(detail(enterprise_a), {"address": "街道填的", "version": 1}, format="json")
    assert again.status_code == 200 and again.json()["version"] == 2


@pytest.mark.django_db
def test_api_put_and_patch_need_the_version_and_it_cannot_be_set(officer, district, sectors, enterprise_a):
    api = api_for(officer)
    for method in (api.patch, api.put):
        body = {"uscc": enterprise_a.uscc, "name": "改名", "sectors": [sectors["machinery"].pk]}
        body["jurisdiction"] = district.community_a.pk
        response = method(detail(enterprise_a), body, format="json")
        assert response.status_code == 400 and "version" in response.json()
    assert api.put(detail(enterprise_a), {**body, "version": 0}, format="json").status_code == 200
    # A client cannot move the version itself: what it sends is only compared.
    response = api.patch(detail(enterprise_a), {"version": 1, "name": "再改名"}, format="json")
    assert response.status_code == 200 and response.json()["version"] == 2
    enterprise_a.refresh_from_db()
    assert (enterprise_a.name, enterprise_a.version) == ("再改名", 2)


@pytest.mark.django_db
def test_api_outsider_and_leader_are_refused_before_any_version_talk(township_b_user, leader, enterprise_a):
    body = {"address": "x", "version": 99}
    assert api_for(township_b_user).patch(detail(enterprise_a), body, format="json").status_code == 404
    assert api_for(leader).patch(detail(enterprise_a), body, format="json").status_code == 403
    enterprise_a.refresh_from_db()
    assert enterprise_a.version == 0


# ---------------------------------------------------------------- the service, and the import


def data_of(enterprise, **changes) -> services.EnterpriseData:
    enterprise.refresh_from_db()
    return services.EnterpriseData(
        uscc=enterprise.uscc,
        name=enterprise.name,
        jurisdiction=enterprise.jurisdiction,
        sectors=list(enterprise.sectors.all()),
        **changes,
    )


@pytest.mark.django_db(transaction=True)
def test_two_saves_of_the_same_version_at_once_exactly_one_wins(officer, admin_user, district):
    for _round in range(ROUNDS):
        enterprise = EnterpriseFactory(jurisdiction=district.community_a)
        save = partial(services.enterprise_update, enterprise=enterprise, expected_version=0)
        history_before = enterprise.history.count()

        outcomes = at_once(
            partial(save, user=officer, data=data_of(enterprise, address="甲")),
            partial(save, user=admin_user, data=data_of(enterprise, address="乙")),
        )

        refused = [o.error for o in outcomes if not o.ok]
        assert len(refused) == 1, refused
        assert isinstance(refused[0], ValidationError) and refused[0].code == "stale_state"
        assert STALE in refused[0].messages[0]
        enterprise.refresh_from_db()
        assert enterprise.version == 1
        assert enterprise.address == ("甲" if outcomes[0].ok else "乙")
        assert enterprise.history.count() == history_before + 1  # one save, one history record


@pytest.mark.django_db
def test_every_save_bumps_the_version(officer, enterprise_a):
    for expected in range(3):
        saved = services.enterprise_update(
            user=officer, enterprise=enterprise_a, data=data_of(enterprise_a), expected_version=expected
        )
        assert saved.version == expected + 1
    enterprise_a.refresh_from_db()
    assert enterprise_a.version == 3
    # The version is bookkeeping, not a change the history page lists.
    assert all(
        "版本" not in str(c["field"])
        for entry in enterprise_history(enterprise=enterprise_a)
        for c in entry["changes"]
    )


@pytest.mark.django_db
def test_an_import_that_changes_a_unit_bumps_its_version_and_stales_open_forms(officer, district):
    rows = [enterprise_row(单位名称=f"导入单位{i}") for i in range(2)]
    assert get_importer("enterprises").run(user=officer, file=xlsx(ENTERPRISE_HEADERS, rows)).created == 2
    changed, same = (Enterprise.objects.get(uscc=r["统一社会信用代码"]) for r in rows)
    assert (changed.version, same.version) == (0, 0)
    browser = browser_for(officer)
    form = loaded_form(browser, changed)

    rows[0]["地址"] = "导入改的地址"
    result = get_importer("enterprises").run(user=officer, file=xlsx(ENTERPRISE_HEADERS, rows))
    assert result.ok and result.updated == 2

    changed.refresh_from_db()
    same.refresh_from_db()
    assert (changed.version, same.version) == (1, 0)  # an unchanged row is not rewritten
    assert changed.history.latest("history_date").version == 1
    response = browser.post(url(changed), {**form, "contact_person": "页面改的"})
    assert STALE in response.content.decode()
    changed.refresh_from_db()
    assert (changed.address, changed.contact_person) == ("导入改的地址", "张三")


# ---------------------------------------------------------------- registering the same code at once


@pytest.mark.django_db(transaction=True)
def test_two_people_registering_the_same_code_at_once_get_one_unit_and_a_plain_refusal(
    officer, township_a_user, district, sectors
):
    for _round in range(ROUNDS):
        code = make_uscc()
        register = partial(
            services.enterprise_create,
            data=services.EnterpriseData(
                uscc=code,
                name="同时登记的企业",
                jurisdiction=district.community_a,
                sectors=[sectors["machinery"]],
            ),
        )

        outcomes = at_once(partial(register, user=officer), partial(register, user=township_a_user))

        refused = [o.error for o in outcomes if not o.ok]
        assert len(refused) == 1, refused
        assert isinstance(refused[0], ValidationError)
        assert refused[0].message_dict == {"uscc": ["该统一社会信用代码已登记。"]}
        assert Enterprise.objects.filter(uscc=code).count() == 1


@pytest.mark.django_db
def test_a_save_in_the_admin_also_stales_open_forms(client, admin_user, officer, enterprise_a):
    page = browser_for(officer)
    form = loaded_form(page, enterprise_a)
    client.force_login(admin_user)
    change = reverse("admin:accounts_enterprise_change", args=[enterprise_a.pk])
    admin_form = client.get(change).context["adminform"].form
    data = {name: admin_form[name].value() for name in admin_form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items() if v is not False}
    assert client.post(change, {**data, "address": "后台改的"}).status_code == 302
    enterprise_a.refresh_from_db()
    assert (enterprise_a.address, enterprise_a.version) == ("后台改的", 1)
    assert STALE in page.post(url(enterprise_a), {**form, "contact_person": "页面改的"}).content.decode()
