"""活动台账 pages: the list (filters, figures, phone-friendly), the form with its quantities formset,
the detail page with its evidence files, the Excel export — scoped, with query ceilings."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from campaigns.choices_activities import TalkTargetKind
from campaigns.models import Activity
from tests.campaigns.campaign_world import make_campaign

from .activity_helpers import kind, png, record, script_as_jpg, subtype, talk, unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def a_activity(township_a_user, district):
    return record(
        township_a_user,
        district.township_a,
        theme="东城安全生产月咨询日",
        subtype_code="safety-month",
        sessions=2,
        participants=300,
        quantities={"banner": 20, "leaflet": 1500},
        files=[png()],
    )


@pytest.fixture
def b_activity(township_b_user, district):
    return record(township_b_user, district.township_b, theme="西山消防宣传", quantities={"banner": 7})


def test_township_a_lists_its_own_activities_only(client, township_a_user, a_activity, b_activity):
    client.force_login(township_a_user)
    page = client.get(reverse("campaigns:activity_list"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "东城安全生产月咨询日" in text and "西山消防宣传" not in text
    assert page.context["figures"] == {"activities": 1, "sessions": 2, "participants": 300}
    assert {q["name"]: q["amount"] for q in page.context["quantities"]} == {"横幅": 20, "宣传资料": 1500}


def test_township_b_gets_404_for_a_record_its_file_and_its_edit(client, township_b_user, a_activity):
    client.force_login(township_b_user)
    attachment = a_activity.attachments.get()
    urls = [
        reverse("campaigns:activity_detail", args=[a_activity.pk]),
        reverse("campaigns:activity_edit", args=[a_activity.pk]),
        reverse("campaigns:activity_attachment_file", args=[a_activity.pk, attachment.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("campaigns:activity_delete", args=[a_activity.pk])).status_code == 404
    assert Activity.objects.filter(pk=a_activity.pk).exists()


def test_detail_shows_quantities_and_serves_the_photo_through_the_scope(client, township_a_user, a_activity):
    client.force_login(township_a_user)
    page = client.get(a_activity.get_absolute_url())
    assert page.status_code == 200 and page.context["can_change"]
    text = page.content.decode()
    assert "横幅" in text and "1500" in text
    attachment = a_activity.attachments.get()
    photo = client.get(reverse("campaigns:activity_attachment_file", args=[a_activity.pk, attachment.pk]))
    assert photo.status_code == 200 and photo["Content-Type"] == "image/png"
    assert photo["X-Content-Type-Options"] == "nosniff"


def test_leader_reads_but_cannot_record_or_change(client, leader, a_activity):
    client.force_login(leader)
    assert client.get(reverse("campaigns:activity_list")).status_code == 200
    page = client.get(a_activity.get_absolute_url())
    assert page.status_code == 200 and not page.context["can_change"]
    assert client.get(reverse("campaigns:activity_create")).status_code == 403
    assert client.get(reverse("campaigns:activity_edit", args=[a_activity.pk])).status_code == 403
    assert client.post(reverse("campaigns:activity_delete", args=[a_activity.pk])).status_code == 403


def _form(organiser, **overrides):
    form = {
        "type": kind("publicity").pk,
        "subtype": subtype("fire-day").pk,
        "date": (dt.date.today() - dt.timedelta(days=1)).isoformat(),
        "theme": "119消防宣传日进社区",
        "organiser": organiser.pk,
        "sessions": "1",
        "participants": "260",
        "place": "东城广场",
        "quantities-TOTAL_FORMS": "3",
        "quantities-INITIAL_FORMS": "0",
        "quantities-MIN_NUM_FORMS": "0",
        "quantities-MAX_NUM_FORMS": "30",
        "quantities-0-unit": unit("banner").pk,
        "quantities-0-amount": "12",
        "quantities-1-unit": unit("board").pk,
        "quantities-1-amount": "6",
        "quantities-2-unit": "",
        "quantities-2-amount": "",
    }
    form.update(overrides)
    return form


def test_township_records_an_activity_with_quantities_and_a_photo(client, township_a_user, district):
    client.force_login(township_a_user)
    assert client.get(reverse("campaigns:activity_create")).status_code == 200
    response = client.post(
        reverse("campaigns:activity_create"), {**_form(district.township_a), "files": [png()]}
    )
    activity = Activity.objects.get()
    assert response.status_code == 302 and response["Location"] == activity.get_absolute_url()
    assert {q.unit.code: q.amount for q in activity.quantities.all()} == {"banner": 12, "board": 6}
    assert activity.attachments.count() == 1


def test_form_errors_come_back_on_the_form_and_nothing_is_saved(client, township_a_user, district):
    client.force_login(township_a_user)
    bad = _form(district.township_b, **{"quantities-1-unit": unit("banner").pk})  # B's unit; banner twice
    page = client.post(reverse("campaigns:activity_create"), {**bad, "files": [script_as_jpg()]})
    assert page.status_code == 200 and not Activity.objects.exists()
    assert page.context["form"].errors["organiser"]
    assert page.context["formset"].non_form_errors()


def test_a_renamed_script_is_refused_on_the_form(client, township_a_user, district):
    client.force_login(township_a_user)
    page = client.post(
        reverse("campaigns:activity_create"), {**_form(district.township_a), "files": [script_as_jpg()]}
    )
    assert page.status_code == 200 and not Activity.objects.exists()
    assert "不是有效的照片或 PDF" in str(page.context["form"].errors["files"])


def test_edit_replaces_the_quantities(client, township_a_user, a_activity):
    client.force_login(township_a_user)
    url = reverse("campaigns:activity_edit", args=[a_activity.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, _form(a_activity.organiser, theme="改过的主题"))
    assert response.status_code == 302
    a_activity.refresh_from_db()
    assert a_activity.theme == "改过的主题"
    assert {q.unit.code: q.amount for q in a_activity.quantities.all()} == {"banner": 12, "board": 6}


def test_upload_and_remove_evidence_on_the_detail_page(client, township_a_user, a_activity):
    client.force_login(township_a_user)
    url = reverse("campaigns:activity_attachment_add", args=[a_activity.pk])
    client.post(url, {"files": [script_as_jpg()]})
    assert a_activity.attachments.count() == 1  # refused, with a message
    client.post(url, {"files": [png("b.png")]})
    assert a_activity.attachments.count() == 2
    first = a_activity.attachments.first()
    client.post(reverse("campaigns:activity_attachment_remove", args=[a_activity.pk, first.pk]))
    assert a_activity.attachments.count() == 1


def test_filters_by_kind_unit_and_date(client, officer, township_a_user, district, a_activity, b_activity):
    record(
        township_a_user,
        district.township_a,
        theme="东城演练",
        kind_code="drill",
        subtype_code="elevator",
        on=dt.date.today() - dt.timedelta(days=40),
    )
    client.force_login(officer)
    url = reverse("campaigns:activity_list")

    def themes(**params):
        return {a.theme for a in client.get(url, params).context["activities"]}

    assert themes(kind="drill") == {"东城演练"}
    assert themes(organiser=district.township_b.pk) == {"西山消防宣传"}
    since = (dt.date.today() - dt.timedelta(days=10)).isoformat()
    assert themes(date_from=since, organiser=district.township_a.pk) == {"东城安全生产月咨询日"}
    assert themes(subtype=subtype("elevator").pk) == {"东城演练"}
    assert themes(kind="nonsense") == set()  # an invalid filter lists nothing


def test_export_has_the_filtered_scoped_rows_in_the_import_layout(
    client, township_a_user, a_activity, b_activity
):
    client.force_login(township_a_user)
    response = client.get(reverse("campaigns:activity_export"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    assert header[:9] == (
        "日期",
        "活动类型",
        "子类型",
        "主题",
        "组织单位",
        "场次",
        "参与人次",
        "横幅（条）",
        "宣传资料（份）",
    )
    assert [r[3] for r in rows[1:]] == ["东城安全生产月咨询日"]
    assert rows[1][header.index("横幅（条）")] == 20


def test_list_and_detail_query_ceilings(
    client, officer, township_a_user, district, django_assert_max_num_queries
):
    for i in range(30):
        record(
            township_a_user, district.township_a, theme=f"宣传{i}", quantities={"banner": i + 1, "board": 1}
        )
    client.force_login(officer)
    with django_assert_max_num_queries(16):
        assert client.get(reverse("campaigns:activity_list")).status_code == 200
    activity = Activity.objects.first()
    with django_assert_max_num_queries(16):
        assert client.get(activity.get_absolute_url()).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(reverse("campaigns:activity_export")).status_code == 200


def test_home_page_shows_this_years_activities(client, township_a_user, a_activity):
    client.force_login(township_a_user)
    if a_activity.date.year != dt.date.today().year:
        pytest.skip("the fixture's activity is dated last year (the first days of January)")
    home = client.get(reverse("home"))
    panels = [p["panel"] for p in home.context["home_panels"] if p["panel"] and "quantities" in p["panel"]]
    assert panels and panels[0]["rows"][0]["activities"] == 1


def test_enterprise_page_lists_the_talks_that_named_it(
    client, officer, township_a_user, district, enterprise_a
):
    talk(
        officer,
        district.district,
        [(TalkTargetKind.ENTERPRISE, None, enterprise_a)],
        reason="火灾隐患未按期整改",
    )
    url = reverse("accounts:enterprise_detail", args=[enterprise_a.pk])
    client.force_login(officer)
    assert "火灾隐患未按期整改" in client.get(url).content.decode()
    client.force_login(township_a_user)  # the district's talk is not the township's record
    page = client.get(url)
    assert page.status_code == 200 and "约谈记录" not in page.content.decode()


def test_campaign_page_shows_its_activities_in_the_users_scope(
    client, officer, township_a_user, township_b_user, district
):
    today = dt.date.today()
    campaign = make_campaign(
        officer,
        district.dept_emergency,
        start=today - dt.timedelta(days=20),
        end=today + dt.timedelta(days=10),
    )
    record(
        township_a_user,
        district.township_a,
        theme="东城专项宣传",
        campaign=campaign,
        quantities={"banner": 9},
    )
    record(
        township_b_user,
        district.township_b,
        theme="西山专项宣传",
        campaign=campaign,
        quantities={"banner": 4},
    )
    client.force_login(officer)
    page = client.get(campaign.get_absolute_url()).content.decode()
    assert "东城专项宣传" in page and "西山专项宣传" in page and "横幅 13条" in page
    client.force_login(township_a_user)
    page = client.get(campaign.get_absolute_url()).content.decode()
    assert "东城专项宣传" in page and "西山专项宣传" not in page and "横幅 9条" in page
