"""/api/v1/activities/: CRUD with nested quantities, scoping (404 outside), roles (403), evidence
files, the figures of a period, and the code tables."""

import datetime as dt

import pytest

from campaigns.models import Activity

from .activity_helpers import png, record, script_as_jpg, subtype, unit

pytestmark = pytest.mark.django_db

URL = "/api/v1/activities/"
YESTERDAY = (dt.date.today() - dt.timedelta(days=1)).isoformat()


def body(organiser, **overrides):
    data = {
        "date": YESTERDAY,
        "kind": "publicity",
        "subtype": subtype("disaster-day").pk,
        "theme": "防灾减灾日宣传",
        "organiser": organiser.pk,
        "sessions": 1,
        "participants": 220,
        "quantities": [{"unit": unit("banner").pk, "amount": 6}, {"unit": unit("leaflet").pk, "amount": 800}],
    }
    data.update(overrides)
    return data


@pytest.fixture
def a_activity(township_a_user, district):
    return record(
        township_a_user, district.township_a, theme="东城宣传", quantities={"banner": 4}, files=[png()]
    )


def test_create_read_update_delete_with_nested_quantities(api, township_a_user, district):
    api.force_authenticate(township_a_user)
    created = api.post(URL, body(district.township_a), format="json")
    assert created.status_code == 201, created.json()
    data = created.json()
    assert data["kind"] == "publicity" and data["subtype_name"] == "防灾减灾日"
    assert {q["unit_code"]: q["amount"] for q in data["quantities"]} == {"banner": 6, "leaflet": 800}
    url = f"{URL}{data['id']}/"
    assert api.get(url).json()["theme"] == "防灾减灾日宣传"
    patched = api.patch(url, {"quantities": [{"unit": unit("media").pk, "amount": 3}]}, format="json")
    assert patched.status_code == 200
    assert [(q["unit_code"], q["amount"]) for q in patched.json()["quantities"]] == [("media", 3)]
    assert patched.json()["theme"] == "防灾减灾日宣传"  # what was not sent stays
    assert api.delete(url).status_code == 204
    assert not Activity.objects.exists()


def test_bad_input_answers_400_by_field(api, township_a_user, district):
    api.force_authenticate(township_a_user)
    answer = api.post(
        URL, body(district.township_b, subtype=subtype("principal").pk, theme=""), format="json"
    )
    assert answer.status_code == 400
    assert "theme" in answer.json()
    answer = api.post(URL, body(district.township_b, subtype=subtype("principal").pk), format="json")
    assert answer.status_code == 400 and {"organiser", "subtype"} <= set(answer.json())
    assert api.post(URL, {**body(district.township_a), "organiser": 999999}, format="json").status_code == 400
    assert not Activity.objects.exists()


def test_township_b_gets_404_and_lists_nothing_of_a(api, township_b_user, a_activity):
    api.force_authenticate(township_b_user)
    assert api.get(URL).json()["count"] == 0
    url = f"{URL}{a_activity.pk}/"
    assert api.get(url).status_code == 404
    assert api.patch(url, {"theme": "x"}, format="json").status_code == 404
    assert api.delete(url).status_code == 404
    attachment = a_activity.attachments.get()
    assert api.get(f"{url}attachments/{attachment.pk}/").status_code == 404


def test_leader_reads_but_gets_403_on_writes(api, leader, district, a_activity):
    api.force_authenticate(leader)
    assert api.get(URL).json()["count"] == 1
    assert api.post(URL, body(district.township_a), format="json").status_code == 403
    assert api.patch(f"{URL}{a_activity.pk}/", {"theme": "x"}, format="json").status_code == 403
    assert api.delete(f"{URL}{a_activity.pk}/").status_code == 403


def test_attachments_upload_download_and_refuse_a_renamed_script(api, township_a_user, a_activity):
    api.force_authenticate(township_a_user)
    url = f"{URL}{a_activity.pk}/attachments/"
    refused = api.post(url, {"files": [script_as_jpg()]}, format="multipart")
    assert refused.status_code == 400 and "files" in refused.json()
    added = api.post(url, {"files": [png("b.png")]}, format="multipart")
    assert added.status_code == 201
    file_url = added.json()[0]["url"]
    download = api.get(file_url)
    assert download.status_code == 200 and download["Content-Type"] == "image/png"
    assert api.delete(file_url).status_code == 204
    assert a_activity.attachments.count() == 1


def test_figures_of_a_period(api, officer, township_a_user, district):
    day = dt.date.today() - dt.timedelta(days=2)
    record(
        township_a_user,
        district.township_a,
        on=day,
        subtype_code="safety-month",
        sessions=2,
        participants=100,
        quantities={"banner": 10},
    )
    record(officer, district.township_b, on=day, subtype_code="safety-month", quantities={"banner": 5})
    api.force_authenticate(township_a_user)
    figures = api.get(f"{URL}figures/", {"date_from": day.isoformat(), "date_to": day.isoformat()}).json()
    assert figures["by_subtype"][0]["sessions"] == 2
    assert figures["quantity_totals"] == [
        {"unit": "banner", "name": "横幅", "unit_label": "条", "amount": 10}
    ]
    api.force_authenticate(officer)
    figures = api.get(f"{URL}figures/", {"date_from": day.isoformat()}).json()
    assert figures["quantity_totals"][0]["amount"] == 15
    bad = api.get(f"{URL}figures/", {"date_from": "2026-05-01", "date_to": "2026-04-01"})
    assert bad.status_code == 400


def test_list_query_ceiling(api, officer, township_a_user, district, django_assert_max_num_queries):
    for i in range(20):
        record(township_a_user, district.township_a, theme=f"宣传{i}", quantities={"banner": 1, "board": 2})
    api.force_authenticate(officer)
    with django_assert_max_num_queries(10):
        assert api.get(URL).status_code == 200


def test_code_tables(api, township_a_user):
    api.force_authenticate(township_a_user)
    subtypes = api.get("/api/v1/activity-subtypes/", {"is_talk": "true"}).json()["results"]
    assert [(s["kind"], s["name"]) for s in subtypes] == [("meeting", "约谈")]
    units = api.get("/api/v1/quantity-units/").json()["results"]
    assert {"横幅（条）", "宣传资料（份）", "展板（块）", "媒体报道（篇）"} <= {u["label"] for u in units}
