"""修改隐患信息 (issue 10): a hazard's details and 五落实 are corrected by the district office or the
unit following it, through one service that records the change on the timeline and in history; a 重大
hazard whose 五落实 is incomplete is listed as 五落实待补充 and cannot be 销号 until it is complete."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from hazards import services
from hazards.choices import EventKind, HazardLevel, HazardState
from hazards.models import Hazard
from tests.hazards.conftest import HAZARDS, api_as, record, to_closed, to_verifying

pytestmark = pytest.mark.django_db


@pytest.fixture
def incomplete(officer, enterprise_a) -> Hazard:
    """A 重大 hazard as an old ledger brings it in: person and measures, no funds, no plan."""
    hazard = record(officer, enterprise_a, level=HazardLevel.MAJOR)
    Hazard.objects.filter(pk=hazard.pk).update(funds=None, contingency_plan="")
    hazard.refresh_from_db()
    return hazard


def edit_url(hazard) -> str:
    return reverse("hazards:hazard_edit", args=[hazard.pk])


def form_data(hazard, **changes) -> dict:
    data = {
        "level": hazard.level,
        "category": hazard.category_id or "",
        "description": hazard.description,
        "location": hazard.location,
        "responsible_unit": hazard.responsible_unit_id,
        "responsible_person": hazard.responsible_person,
        "measures": hazard.measures,
        "funds": "" if hazard.funds is None else str(hazard.funds),
        "contingency_plan": hazard.contingency_plan,
        **changes,
    }
    return {f"edit-{k}": v for k, v in data.items()}


# ---------------------------------------------------------------- the service


def test_follower_corrects_details_recorded_on_timeline_and_history(township_a_user, hazard_a):
    services.hazard_update(
        user=township_a_user,
        hazard=hazard_a,
        data={"description": " 配电箱未接地，电缆老化 ", "location": "二号车间", "measures": "更换电缆"},
    )
    hazard_a.refresh_from_db()
    assert hazard_a.description == "配电箱未接地，电缆老化" and hazard_a.location == "二号车间"
    event = hazard_a.events.last()
    assert event.kind == EventKind.EDITED and event.user == township_a_user
    assert event.note == "修改了：隐患描述、隐患部位、整改措施"
    latest = hazard_a.history.first()
    assert latest.history_user == township_a_user and latest.location == "二号车间"
    assert hazard_a.deadline == hazard_a.history.last().deadline  # the deadline is not editable here


def test_nothing_changed_writes_nothing(officer, hazard_a):
    events, history = hazard_a.events.count(), hazard_a.history.count()
    services.hazard_update(user=officer, hazard=hazard_a, data={"description": hazard_a.description})
    assert hazard_a.events.count() == events and hazard_a.history.count() == history


def test_the_deadline_and_state_are_not_editable(officer, hazard_a):
    with pytest.raises(ValidationError):
        services.hazard_update(
            user=officer, hazard=hazard_a, data={"deadline": hazard_a.deadline, "state": "closed"}
        )


def test_made_major_needs_the_five_and_the_description_stays(officer, hazard_a):
    with pytest.raises(ValidationError) as exc:
        services.hazard_update(
            user=officer, hazard=hazard_a, data={"level": HazardLevel.MAJOR, "description": " "}
        )
    errors = exc.value.message_dict
    assert {"description", "responsible_person", "measures", "funds", "contingency_plan"} <= set(errors)
    assert "五落实" in errors["funds"][0]


def test_only_the_district_office_moves_the_hazard_to_another_unit(
    officer, township_a_user, district, hazard_a
):
    with pytest.raises(ValidationError) as exc:
        services.hazard_update(
            user=township_a_user, hazard=hazard_a, data={"responsible_unit": district.dept_emergency}
        )
    assert "responsible_unit" in exc.value.message_dict
    with pytest.raises(ValidationError):  # another township's unit cannot follow it
        services.hazard_update(user=officer, hazard=hazard_a, data={"responsible_unit": district.township_b})
    services.hazard_update(user=officer, hazard=hazard_a, data={"responsible_unit": district.dept_emergency})
    hazard_a.refresh_from_db()
    assert hazard_a.responsible_unit == district.dept_emergency


def test_who_may_edit(
    officer, township_a_user, township_b_user, department_user, leader, enterprise_a, hazard_b
):
    hazard = record(officer, enterprise_a)
    for user in (township_b_user, leader):
        with pytest.raises(PermissionDenied):
            services.hazard_update(user=user, hazard=hazard, data={"location": "x"})
    # The supervising department verifies a township's hazard; it does not rewrite it.
    to_verifying(hazard_b, officer)
    with pytest.raises(PermissionDenied):
        services.hazard_update(user=department_user, hazard=hazard_b, data={"location": "x"})
    # Closed: the follower no longer edits; the district office still corrects the record.
    to_closed(hazard, township_a_user, officer)
    with pytest.raises(PermissionDenied):
        services.hazard_update(user=township_a_user, hazard=hazard, data={"location": "x"})
    services.hazard_update(user=officer, hazard=hazard, data={"location": "东门"})
    # Void: nobody.
    services.hazard_void(user=officer, hazard=hazard, reason="录错")
    with pytest.raises(ValidationError) as exc:
        services.hazard_update(user=officer, hazard=hazard, data={"location": "西门"})
    assert exc.value.code == "stale_state"


# ---------------------------------------------------------------- 五落实: listed until complete, needed to close


def test_closing_a_major_hazard_needs_the_five_complete(officer, township_a_user, incomplete):
    to_verifying(incomplete, township_a_user)
    with pytest.raises(ValidationError) as exc:
        services.hazard_verify(user=officer, hazard=incomplete, passed=True)
    assert "整改资金、应急预案" in exc.value.messages[0]
    incomplete.refresh_from_db()
    assert incomplete.state == HazardState.VERIFYING
    # Failing is still possible, and so is filling the five in, then closing.
    services.hazard_update(
        user=township_a_user, hazard=incomplete, data={"funds": Decimal("3.00"), "contingency_plan": "停用"}
    )
    services.hazard_verify(user=officer, hazard=incomplete, passed=True)
    incomplete.refresh_from_db()
    assert incomplete.state == HazardState.CLOSED


def test_ledger_filter_and_badge_list_the_incomplete(client, officer, hazard_a, incomplete):
    complete = record(officer, hazard_a.enterprise, level=HazardLevel.MAJOR)
    client.force_login(officer)
    page = client.get(reverse("hazards:hazard_list"), {"five_incomplete": "true"})
    assert [h.number for h in page.context["hazards"]] == [incomplete.number]
    assert "五落实待补充" in page.content.decode()
    others = client.get(reverse("hazards:hazard_list"), {"five_incomplete": "false"}).context["hazards"]
    assert {h.number for h in others} == {hazard_a.number, complete.number}
    body = api_as(officer).get(HAZARDS, {"five_incomplete": "true"}).json()
    assert [row["number"] for row in body["results"]] == [incomplete.number]
    assert body["results"][0]["five_missing"] == ["整改资金", "应急预案"]
    detail = client.get(incomplete.get_absolute_url()).content.decode()
    assert 'id="hazard-five-missing"' in detail and "补充五落实" in detail


# ---------------------------------------------------------------- the page


def test_edit_page_fills_in_the_five(client, township_a_user, incomplete):
    client.force_login(township_a_user)
    page = client.get(edit_url(incomplete))
    assert page.status_code == 200 and page.context["form"]["funds"].value() is None
    assert page.context["form"].fields["responsible_unit"].disabled  # only the office moves it
    response = client.post(
        edit_url(incomplete), form_data(incomplete, funds="5.5", contingency_plan="疏散预案")
    )
    assert response.status_code == 302 and response.url == incomplete.get_absolute_url()
    incomplete.refresh_from_db()
    assert incomplete.funds == Decimal("5.50") and incomplete.contingency_plan == "疏散预案"
    assert incomplete.events.last().note == "修改了：整改资金（万元）、应急预案"
    assert "五落实待补充" not in client.get(incomplete.get_absolute_url()).content.decode()


def test_edit_page_shows_a_refused_rule_on_the_form(client, officer, hazard_a):
    client.force_login(officer)
    response = client.post(edit_url(hazard_a), form_data(hazard_a, level="major"))
    assert response.status_code == 200
    assert "五落实" in response.context["form"].errors["contingency_plan"][0]
    hazard_a.refresh_from_db()
    assert hazard_a.level == HazardLevel.GENERAL


def test_edit_page_refuses_wrong_role_and_outsider(
    client, leader, township_b_user, township_a_user, officer, hazard_a
):
    for user, code in ((leader, 403), (township_b_user, 404)):
        client.force_login(user)
        assert client.get(edit_url(hazard_a)).status_code == code
        assert client.post(edit_url(hazard_a), form_data(hazard_a, location="x")).status_code == code
    to_closed(hazard_a, township_a_user, officer)
    client.force_login(township_a_user)
    assert client.get(edit_url(hazard_a)).status_code == 403
    hazard_a.refresh_from_db()
    assert hazard_a.location == ""


# ---------------------------------------------------------------- the API


def test_api_patch_corrects_and_fills_in(township_a_user, incomplete):
    url = f"{HAZARDS}{incomplete.pk}/"
    response = api_as(township_a_user).patch(
        url, {"funds": "8.00", "contingency_plan": "预案"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["five_missing"] == [] and response.json()["events"][-1]["kind"] == "edited"


def test_api_patch_refusals(township_a_user, township_b_user, leader, officer, hazard_a):
    url = f"{HAZARDS}{hazard_a.pk}/"
    assert api_as(leader).patch(url, {"location": "x"}, format="json").status_code == 403
    assert api_as(township_b_user).patch(url, {"location": "x"}, format="json").status_code == 404
    bad = api_as(officer).patch(url, {"level": "major"}, format="json")
    assert bad.status_code == 400 and "funds" in bad.json()
    hazard_a.refresh_from_db()
    assert hazard_a.location == "" and hazard_a.level == HazardLevel.GENERAL


def test_pass_of_an_incomplete_major_hazard_is_refused_on_the_page_and_by_the_api(
    client, officer, township_a_user, incomplete
):
    to_verifying(incomplete, township_a_user)
    client.force_login(officer)
    response = client.post(reverse("hazards:hazard_verify", args=[incomplete.pk]), {"decision": "pass"})
    assert response.status_code == 302
    page = client.get(response.url)
    assert any("尚缺：整改资金、应急预案" in str(m) for m in page.context["messages"])
    api = api_as(officer).post(f"{HAZARDS}{incomplete.pk}/verify/", {"passed": True}, format="json")
    assert api.status_code == 400 and "应急预案" in str(api.json())
    incomplete.refresh_from_db()
    assert incomplete.state == HazardState.VERIFYING
