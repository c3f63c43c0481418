"""Serializer fields every app's API shares."""

from django.db import models
from django.utils.translation import get_language
from rest_framework import serializers

# (model, field, language) → {value: label}: built once per process and language.
_MODEL_LABELS: dict[tuple[type[models.Model], str, str | None], dict] = {}


def choice_labels(model: type[models.Model], field_name: str) -> dict:
    """value → label of a model field's choices in the active language, as get_FOO_display() shows them.
    For a serializer that writes plain rows by hand: reading a bound field's labels would build the
    serializer's whole field set first (about 2 ms for the hazard list's, per call)."""
    key = (model, field_name, get_language())
    labels = _MODEL_LABELS.get(key)
    if labels is None:
        choices = model._meta.get_field(field_name).flatchoices
        labels = _MODEL_LABELS[key] = {value: str(label) for value, label in choices}
    return labels


class ChoiceLabelField(serializers.CharField):
    """The label of a choice field's value, as the model's get_FOO_display() gives it: read-only.

    `CharField(source="get_state_display")` costs about 0.1 ms a row and field: DRF inspects the method's
    signature on every call and Django rebuilds the choices as a hashable dict on every call. On a 50-row
    hazard page that was a third of the request (issue 15). Here the labels are read once per language.

    `source` names the model field (`ChoiceLabelField(source="state")`); its choices come from the parent
    serializer's model unless `choices` is given.
    """

    def __init__(self, *, choices=None, **kwargs) -> None:
        kwargs["read_only"] = True
        super().__init__(**kwargs)
        self._choices = dict(choices) if choices is not None else None
        self._by_language: dict[str | None, dict] = {}

    def bind(self, field_name: str, parent) -> None:
        super().bind(field_name, parent)
        if self._choices is None:
            model = parent.Meta.model
            self._choices = dict(model._meta.get_field(self.source).flatchoices)

    def labels(self) -> dict:
        """value → label in the active language (for a serializer that writes many rows by hand)."""
        language = get_language()
        labels = self._by_language.get(language)
        if labels is None:
            labels = self._by_language[language] = {key: str(label) for key, label in self._choices.items()}
        return labels

    def to_representation(self, value) -> str:
        # A value outside the choices shows as itself, as get_FOO_display() shows it.
        return self.labels().get(value, str(value))
