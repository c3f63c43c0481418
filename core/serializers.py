"""Serializer fields every app's API shares."""

from django.utils.translation import get_language
from rest_framework import serializers


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
