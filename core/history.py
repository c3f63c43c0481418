"""Bulk history: one simple_history record per row written in bulk, with its m2m snapshot.

bulk_create() and a hand-made UPDATE skip save(), so simple_history writes nothing by itself; an
import of thousands of rows writes its history here in a few statements instead of a save() each.
"""

from collections.abc import Sequence

from django.db import models

BATCH = 500


def history_bulk_create(
    model: type[models.Model],
    objs: Sequence[models.Model],
    *,
    user=None,
    when=None,
    update: bool = False,
    m2m_field: str | None = None,
    links: Sequence[models.Model] = (),
) -> list:
    """History records for `objs` (as created, or as updated), by `user` at `when`.

    With `m2m_field` (a field listed in the model's HistoricalRecords m2m_fields) and `links` (the
    through rows just written for `objs`, with ids), each record also gets its m2m snapshot.
    Returns the history records; an empty list when SIMPLE_HISTORY_ENABLED is off.
    """
    if not objs:
        return []
    records = model.history.bulk_history_create(
        objs, update=update, default_user=user, default_date=when, batch_size=BATCH
    )
    if not records:
        return []  # SIMPLE_HISTORY_ENABLED is off
    if m2m_field and links:
        field = model._meta.get_field(m2m_field)
        owner = field.m2m_field_name()  # e.g. "enterprise", "inspectionaction"
        target = field.m2m_reverse_field_name()  # e.g. "sector", "user"
        snapshot_model = getattr(model.history.model, m2m_field).model
        record_for = {record.id: record for record in records}
        snapshot_model.objects.bulk_create(
            [
                snapshot_model(
                    history=record_for[getattr(link, f"{owner}_id")],
                    id=link.id,
                    **{
                        f"{owner}_id": getattr(link, f"{owner}_id"),
                        f"{target}_id": getattr(link, f"{target}_id"),
                    },
                )
                for link in links
            ],
            batch_size=BATCH,
        )
    return records
