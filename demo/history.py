"""Removing the demo's history rows, with the many-to-many snapshots simple_history hangs on them.

simple_history keeps a model's m2m snapshots (HistoricalCampaign_member_units …) in tables whose
`history` key has no database constraint and no cascade, so deleting the history rows alone leaves
orphans nothing reads. The demo's reset removes both.
"""

from functools import cache

from django.apps import apps
from django.db.models import Model


@cache
def _m2m_snapshots(history_model: type[Model]) -> tuple[type[Model], ...]:
    found = []
    for model in apps.get_models():
        field = next((f for f in model._meta.fields if f.name == "history"), None)
        if field is not None and field.related_model is history_model and model is not history_model:
            found.append(model)
    return tuple(found)


def history_purge(model: type[Model], **lookup) -> None:
    """Delete `model`'s history rows matching `lookup`, and their m2m snapshots first."""
    rows = model.history.filter(**lookup)
    for snapshot in _m2m_snapshots(model.history.model):
        snapshot.objects.filter(history_id__in=rows.values("history_id")).delete()
    rows.delete()
