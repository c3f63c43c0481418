"""录入检查's submit steps (inspections.hooks): what an app above adds to the confirm step is kept in
the draft by its prefix, handed to its step inside the submit transaction, and a refusal leaves
nothing written and the draft as it was. Hazards' own step is tested in tests/hazards/test_from_entry.py."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from inspections import hooks
from inspections.models import InspectionAction, InspectionDraft
from inspections.services import draft_save, draft_start, draft_submit


def step_url(draft, n: int) -> str:
    return reverse("inspections:draft_step", args=[draft.pk, n])


@pytest.fixture
def probe():
    """A submit step under prefix "probe" that records what it got and refuses when told to."""
    calls = []

    def step(*, user, action, data):
        calls.append({"user": user, "action": action, "data": data})
        if data.get("probe-answer") == "no":
            raise ValidationError({"probe-answer": ["探针拒绝提交。"]})

    hooks.register_submit_step("probe", step)
    yield calls
    hooks._registry[:] = [s for s in hooks._registry if s.prefix != "probe"]


@pytest.fixture
def draft(officer, team, routine, enterprise_a):
    draft = draft_start(user=officer)
    basics = {
        **draft.data["basics"],
        "kind": routine.pk,
        "organizer": officer.org_unit_id,
        "members": [m.pk for m in team],
    }
    return draft_save(user=officer, draft=draft, step=4, basics=basics, enterprise_ids=[enterprise_a.pk])


def test_a_prefix_is_a_plain_word():
    with pytest.raises(ValueError):
        hooks.register_submit_step("a-b", lambda **kw: None)


def test_only_a_registered_prefix_is_kept_and_capped(probe, officer, draft):
    posted = {"probe-answer": "x" * 5000, "probe-other": "1", "stranger-field": "1", "q": "2"}
    draft_save(user=officer, draft=draft, step=4, extra={"probe": posted, "stranger": posted})
    kept = InspectionDraft.objects.get(pk=draft.pk).data["extra"]
    assert set(kept) == {"probe"}
    assert set(kept["probe"]) == {"probe-answer", "probe-other"}
    assert len(kept["probe"]["probe-answer"]) == hooks.MAX_VALUE
    assert hooks.fields_of("probe", {f"probe-{i}": "1" for i in range(hooks.MAX_FIELDS + 5)}).__len__() == (
        hooks.MAX_FIELDS
    )


def test_the_confirm_step_keeps_its_fields_whichever_button_is_pressed(client, probe, officer, draft):
    client.force_login(officer)
    response = client.post(step_url(draft, 4), {"probe-answer": "later", "goto": "3"})
    assert response.url == step_url(draft, 3)
    assert InspectionDraft.objects.get(pk=draft.pk).data["extra"]["probe"] == {"probe-answer": "later"}
    assert probe == []  # going back submits nothing


def test_a_submit_step_gets_its_fields_inside_the_submit(client, probe, officer, draft):
    client.force_login(officer)
    client.post(step_url(draft, 4), {"probe-answer": "yes", "submit": "1"})
    action = InspectionAction.objects.get()
    assert probe == [{"user": officer, "action": action, "data": {"probe-answer": "yes"}}]
    assert not InspectionDraft.objects.exists()


def test_a_step_never_posted_gets_nothing_and_the_submit_goes_through(probe, officer, draft):
    action = draft_submit(user=officer, draft=draft)
    assert probe[0]["action"] == action and probe[0]["data"] == {}


def test_a_refusing_step_leaves_nothing_written_and_the_draft_kept(client, probe, officer, draft):
    client.force_login(officer)
    response = client.post(step_url(draft, 4), {"probe-answer": "no", "submit": "1"})
    assert response.url == step_url(draft, 4)  # a step's field belongs to the confirm step
    assert not InspectionAction.objects.exists()
    kept = InspectionDraft.objects.get(pk=draft.pk)
    assert kept.data["extra"]["probe"] == {"probe-answer": "no"} and kept.data["enterprises"]
    page = client.get(step_url(draft, 4))
    assert "尚未提交：请先改正标出的问题。" in page.content.decode()
    # The step's message is for its own panel, not the page's list of rules broken.
    assert "probe-answer" not in page.context["pending"]


def test_someone_elses_draft_is_not_saved_through_the_confirm_step(client, probe, township_a_user, draft):
    client.force_login(township_a_user)
    response = client.post(step_url(draft, 4), {"probe-answer": "no", "goto": "3"})
    assert response.status_code == 404
    assert "extra" not in InspectionDraft.objects.get(pk=draft.pk).data
