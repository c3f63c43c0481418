"""整改 in one move and 复查 with photos and a confirmation (issue 10): the township records the
rectification and, by the form's choice, submits it for 复查 in the same step; whoever verifies sees the
latest rectification's photos beside the buttons, and passing (销号) is confirmed first — by the page's
dialog, or without JavaScript by a confirmation page."""

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse

from hazards import services
from hazards.choices import EventKind, HazardState
from hazards.models import Rectification
from hazards.selectors import hazard_verifiers
from tests.hazards.conftest import HAZARDS, TODAY, api_as, png, record, to_verifying

pytestmark = pytest.mark.django_db

VERIFIERS = "区安委办/应急局或区应急管理局"  # enterprise A (工贸) is supervised by 区应急管理局


def rectify(client, hazard, then=None, **extra):
    data = {"rect-text": "已加装接地线", "rect-done_on": TODAY().isoformat(), **extra}
    if then is not None:
        data["rect-then"] = then
    return client.post(reverse("hazards:rectification_add", args=[hazard.pk]), data)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# ---------------------------------------------------------------- the service


def test_one_call_records_the_rectification_and_submits_it(township_a_user, hazard_a):
    entry = services.rectification_create(
        user=township_a_user, hazard=hazard_a, text="已整改", done_on=TODAY(), submit=True, note="请复查"
    )
    hazard_a.refresh_from_db()
    assert hazard_a.state == HazardState.VERIFYING
    events = list(hazard_a.events.values_list("kind", "from_state", "to_state", "note"))
    assert events[1:] == [
        (EventKind.TRANSITION, HazardState.OPEN, HazardState.RECTIFYING, "开始整改"),
        (EventKind.RECTIFICATION, "", "", "已整改"),
        (EventKind.TRANSITION, HazardState.RECTIFYING, HazardState.VERIFYING, "请复查"),
    ]
    assert entry.hazard_id == hazard_a.pk


def test_a_refused_entry_submits_nothing(township_a_user, hazard_a):
    with pytest.raises(ValidationError):
        services.rectification_create(
            user=township_a_user, hazard=hazard_a, text="  ", done_on=TODAY(), submit=True
        )
    hazard_a.refresh_from_db()
    assert hazard_a.state == HazardState.OPEN and not Rectification.objects.exists()


# ---------------------------------------------------------------- the hazard page


def test_township_page_leads_with_the_one_form_and_its_choice(client, township_a_user, hazard_a):
    client.force_login(township_a_user)
    page = client.get(hazard_a.get_absolute_url())
    html = page.content.decode()
    form = page.context["forms"]["rectify"]
    assert form["then"].value() == "submit"  # 整改完成，提交复查 unless more time was asked for
    assert "整改完成，提交复查" in html and "只保存整改记录" in html
    # Drawn open at the head of the actions, not a collapsed panel; no second panel to find.
    assert '<section class="action-panel action-panel-lead" id="panel-rectify">' in html
    assert '<details class="action-panel" id="panel-submit"' not in html
    assert VERIFIERS in html


def test_pending_extension_makes_save_only_the_default(client, township_a_user, hazard_a):
    services.extension_request(
        user=township_a_user,
        hazard=hazard_a,
        new_deadline=hazard_a.deadline + dt.timedelta(days=9),
        reason="缺料",
    )
    client.force_login(township_a_user)
    assert client.get(hazard_a.get_absolute_url()).context["forms"]["rectify"]["then"].value() == "save"


def test_rectify_and_submit_in_one_post_then_the_page_says_who_verifies(client, township_a_user, hazard_a):
    client.force_login(township_a_user)
    response = rectify(client, hazard_a, "submit", **{"rect-photos_after": [png()]})
    assert response.status_code == 302 and response.url == hazard_a.get_absolute_url()
    hazard_a.refresh_from_db()
    assert hazard_a.state == HazardState.VERIFYING
    page = client.get(hazard_a.get_absolute_url())
    assert any("已提交复查" in m and VERIFIERS in m for m in messages_of(page))
    html = page.content.decode()
    assert 'id="hazard-next-step"' in html and f"等待{VERIFIERS}复查" in html
    assert "rectify" not in page.context["allowed"]


def test_save_only_keeps_the_hazard_in_rectification(client, township_a_user, hazard_a):
    client.force_login(township_a_user)
    assert rectify(client, hazard_a, "save").status_code == 302
    hazard_a.refresh_from_db()
    assert hazard_a.state == HazardState.RECTIFYING
    # A post without the choice (an older page) only saves, as before.
    assert rectify(client, hazard_a).status_code == 302
    hazard_a.refresh_from_db()
    assert hazard_a.state == HazardState.RECTIFYING and hazard_a.rectifications.count() == 2


def test_wrong_role_and_outsider_cannot_rectify(client, leader, township_b_user, hazard_a):
    client.force_login(leader)
    assert rectify(client, hazard_a, "submit").status_code == 403
    client.force_login(township_b_user)
    assert rectify(client, hazard_a, "submit").status_code == 404
    hazard_a.refresh_from_db()
    assert hazard_a.state == HazardState.OPEN and not Rectification.objects.exists()


def test_submitting_a_hazard_already_in_verification_is_refused(client, township_a_user, hazard_a):
    to_verifying(hazard_a, township_a_user)
    client.force_login(township_a_user)
    response = rectify(client, hazard_a, "submit")
    assert response.status_code == 302
    assert any("待复查" in m for m in messages_of(client.get(response.url)))
    assert hazard_a.rectifications.count() == 1


# ---------------------------------------------------------------- the API


def test_api_rectification_can_submit_in_the_same_call(township_a_user, hazard_a, media):
    url = f"{HAZARDS}{hazard_a.pk}/rectifications/"
    body = {"text": "已整改", "done_on": TODAY().isoformat(), "submit": "true", "photos_after": [png()]}
    response = api_as(township_a_user).post(url, body, format="multipart")
    assert response.status_code == 201 and len(response.json()["photos"]) == 1
    hazard_a.refresh_from_db()
    assert hazard_a.state == HazardState.VERIFYING


def test_api_rectification_without_submit_only_records(township_a_user, hazard_a):
    url = f"{HAZARDS}{hazard_a.pk}/rectifications/"
    body = {"text": "已整改", "done_on": TODAY().isoformat()}
    assert api_as(township_a_user).post(url, body, format="multipart").status_code == 201
    hazard_a.refresh_from_db()
    assert hazard_a.state == HazardState.RECTIFYING


def test_api_submit_flag_is_refused_to_wrong_role_and_outsider(leader, township_b_user, hazard_a):
    url = f"{HAZARDS}{hazard_a.pk}/rectifications/"
    body = {"text": "已整改", "done_on": TODAY().isoformat(), "submit": "true"}
    assert api_as(leader).post(url, body, format="multipart").status_code == 403
    assert api_as(township_b_user).post(url, body, format="multipart").status_code == 404
    hazard_a.refresh_from_db()
    assert hazard_a.state == HazardState.OPEN


# ---------------------------------------------------------------- 复查: photos beside the buttons, pass confirmed


@pytest.fixture
def waiting(township_a_user, hazard_a, media):
    services.rectification_create(
        user=township_a_user, hazard=hazard_a, text="旧记录", done_on=TODAY(), photos_after=[png("old.png")]
    )
    latest = services.rectification_create(
        user=township_a_user,
        hazard=hazard_a,
        text="已全部整改",
        done_on=TODAY(),
        photos_before=[png("b.png")],
        photos_after=[png("a.png")],
        submit=True,
    )
    return hazard_a, latest


def photo_urls(rectification) -> list[str]:
    return [reverse("hazards:photo", args=[p.pk]) for p in rectification.photos.all()]


def test_every_verify_screen_shows_the_latest_photos_and_confirms_the_pass(client, officer, waiting):
    hazard, latest = waiting
    verify_url = reverse("hazards:hazard_verify", args=[hazard.pk])
    confirm_url = reverse("hazards:verify_confirm", args=[hazard.pk])
    client.force_login(officer)
    pages = {
        "hazard page": client.get(hazard.get_absolute_url()),
        "待复查": client.get(reverse("hazards:verification_list")),
        "home": client.get(reverse("home")),
    }
    for name, page in pages.items():
        html = page.content.decode()
        for url in photo_urls(latest):
            assert f'href="{url}"' in html, name
        # The pass button asks first (app.js) and, without JavaScript, leads to the confirmation page.
        assert 'data-confirm="确认' in html and f'data-confirm-action="{verify_url}"' in html, name
        assert confirm_url in html, name
    hazard.refresh_from_db()
    assert hazard.state == HazardState.VERIFYING


def test_confirmation_page_without_javascript_then_the_pass(client, officer, waiting):
    hazard, latest = waiting
    client.force_login(officer)
    confirm = client.post(
        reverse("hazards:verify_confirm", args=[hazard.pk]),
        {"decision": "pass", "verify-note": "现场核实到位", "next": reverse("hazards:verification_list")},
    )
    assert confirm.status_code == 200
    html = confirm.content.decode()
    for url in photo_urls(latest):
        assert url in html
    assert 'value="现场核实到位"' in html and "确认通过并销号" in html
    hazard.refresh_from_db()
    assert hazard.state == HazardState.VERIFYING  # nothing changes before the confirmation
    done = client.post(
        reverse("hazards:hazard_verify", args=[hazard.pk]),
        {"decision": "pass", "verify-note": "现场核实到位"},
    )
    assert done.status_code == 302
    hazard.refresh_from_db()
    assert hazard.state == HazardState.CLOSED
    assert hazard.events.last().note == "现场核实到位"


def test_confirmation_page_refuses_wrong_role_and_outsider(
    client, township_a_user, township_b_user, leader, waiting
):
    hazard, _latest = waiting
    url = reverse("hazards:verify_confirm", args=[hazard.pk])
    for user, code in ((township_a_user, 403), (leader, 403), (township_b_user, 404)):
        client.force_login(user)
        assert client.get(url).status_code == code, user.username


def test_confirmation_page_of_a_hazard_no_longer_waiting_goes_back(client, officer, waiting):
    hazard, _latest = waiting
    services.hazard_verify(user=officer, hazard=hazard, passed=True)
    client.force_login(officer)
    response = client.get(reverse("hazards:verify_confirm", args=[hazard.pk]))
    assert response.status_code == 302 and response.url == hazard.get_absolute_url()


def test_app_js_turns_a_confirmed_button_to_its_action():
    script = (Path(settings.BASE_DIR) / "static" / "js" / "app.js").read_text(encoding="utf-8")
    assert 'getAttribute("data-confirm-action")' in script and '"formaction"' in script


def test_the_page_names_no_department_that_follows_the_hazard_itself(officer, district, enterprise_b):
    by_township = record(officer, enterprise_b)
    assert hazard_verifiers(by_township) == "区安委办/应急局或区住建局"
    by_department = record(officer, enterprise_b, responsible_unit=district.dept_construction)
    assert hazard_verifiers(by_department) == "区安委办/应急局"
