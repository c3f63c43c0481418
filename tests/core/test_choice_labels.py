"""Choice labels without Django's per-call work (core.models.ChoiceLabelsMixin, core.serializers.
ChoiceLabelField) give exactly what get_FOO_display() gives: in the active language, and a value outside
the choices as itself."""

import pytest
from django.db.models import Model
from django.utils import translation

from core.serializers import ChoiceLabelField
from hazards.api.serializers import HazardSerializer
from hazards.choices import HazardState
from hazards.models import Hazard
from tests.hazards.conftest import record

pytestmark = pytest.mark.django_db


def django_label(hazard: Hazard, name: str) -> str:
    return Model._get_FIELD_display(hazard, Hazard._meta.get_field(name))


def test_labels_are_djangos_in_each_language(officer, enterprise_a):
    hazard = record(officer, enterprise_a)
    for language in ("zh-hans", "en"):
        with translation.override(language):
            for name in ("state", "level", "source", "listing_level"):
                assert getattr(hazard, f"get_{name}_display")() == django_label(hazard, name)
    with translation.override("zh-hans"):
        assert hazard.get_state_display() == str(HazardState(hazard.state).label)


def test_a_value_outside_the_choices_shows_as_itself(officer, enterprise_a):
    hazard = record(officer, enterprise_a)
    hazard.state = "retired"
    assert hazard.get_state_display() == "retired" == django_label(hazard, "state")


def test_the_api_field_gives_the_models_label(officer, enterprise_a):
    hazard = record(officer, enterprise_a)
    data = HazardSerializer(hazard).data
    assert data["state_display"] == hazard.get_state_display()
    assert data["level_display"] == hazard.get_level_display()
    assert data["listing_level_display"] == ""  # not listed: no label, as get_listing_level_display()
    field = ChoiceLabelField(choices=HazardState.choices)
    assert field.to_representation("closed") == str(HazardState.CLOSED.label)
    assert field.to_representation("retired") == "retired"
