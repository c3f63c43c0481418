"""Records entered or corrected late: mark the stored roll-ups of their periods stale.

Connected in ReportsConfig.ready(). When a hazard, accident, inspection action or record, case,
penalty, measure or activity is saved or deleted, the days it counts on (found/closed, occurred,
inspection date, opened/decided, activity date…) — before and after the change — are noted for the
transaction, and after the commit ONE statement marks stale the roll-ups whose period, or whose
year-before period (同比), overlaps them. The records of the signal's own model are read from the
instance; those counted through a parent (an inspection record through its action, a penalty through
its case) are resolved at the commit, one query per parent model.

Why mark after the commit, and recompute on the 10-minute beat (reports.tasks.rollups_recompute_stale)
instead of queueing a task per transaction:
- an import of 10,000 rows, or a day of busy entry, costs one UPDATE per transaction and at most one
  recompute of each stale roll-up per ten minutes, however many records touched it;
- nothing is queued inside a user's request, so a Redis that is down never touches data entry, and a
  stale row waits in the database (not in a message that can be lost) until it is recomputed;
- marking after the commit holds no lock on roll-up rows during the user's transaction (no deadlock
  between two imports touching the same months), and `rollup_compute` clears the flag before reading
  the records, so a record committed during a computation leaves its rows stale for the next sweep.
Writes that send no signal (bulk_create in the importers, a queryset update that sets the timestamp)
are found by the nightly sweep (reports.late_records.rollups_mark_written_since, from rollup_nightly)
through the rows' updated/created time; the days each kind of record counts on are listed there.
"""

from __future__ import annotations

from django.db import models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_init, post_save

from inspections.models import InspectionAction, InspectionRecord

from .late_records import TRACKED, Touched


class _Pending(Touched):
    """What one transaction touched, marked once after its commit."""

    def __init__(self, owner: list) -> None:
        super().__init__()
        self.owner = owner  # the connection's run_on_commit list this was registered on
        self.done = False

    def __call__(self) -> None:
        self.done = True
        self.mark()


def _pending() -> _Pending | None:
    """The current transaction's pending marks (registered on commit once), or None in autocommit.

    The marks are registered by the first tracked save of the transaction. A test that runs on-commit
    callbacks by hand (captureOnCommitCallbacks) must therefore capture from before that first save
    (or capture the earlier saves in a block of their own), as a real commit runs them all."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        return None
    pending: _Pending | None = getattr(connection, "_rollup_pending", None)
    if pending is not None and not pending.done:
        if pending.owner is connection.run_on_commit:
            return pending
        # Django replaces the list on commit and on any rollback; a savepoint rolled back drops the
        # callbacks registered in it. Still registered: ours; else start afresh.
        if any(func is pending for _sids, func, _robust in connection.run_on_commit):
            pending.owner = connection.run_on_commit
            return pending
    pending = _Pending(connection.run_on_commit)
    transaction.on_commit(pending, robust=True)  # appended to that very list
    connection._rollup_pending = pending
    return pending


def _values(instance: models.Model, fields: tuple[str, ...]) -> dict:
    # __dict__, not getattr: a field deferred by .only() must not cost a query here.
    return {name: instance.__dict__.get(name) for name in fields}


def _note(model: type[models.Model], values_list: list[dict]) -> None:
    pending = _pending()
    if pending is not None:
        for values in values_list:
            pending.note(model, values)
        return
    once = Touched()  # autocommit: the write is already committed, mark now
    for values in values_list:
        once.note(model, values)
    once.mark()


def _remember(sender, instance, **kwargs) -> None:
    """post_init: the dates as loaded, so that moving a record to another period marks both."""
    if instance.pk is not None:
        instance._rollup_loaded = _values(instance, TRACKED[sender].fields)


def _saved(sender, instance, **kwargs) -> None:
    if kwargs.get("raw"):  # loaddata
        return
    values = [_values(instance, TRACKED[sender].fields)]
    loaded = getattr(instance, "_rollup_loaded", None)
    if loaded and loaded != values[0]:
        values.append(loaded)
    instance._rollup_loaded = values[0]
    _note(sender, values)


def _deleted(sender, instance, **kwargs) -> None:
    values = [_values(instance, TRACKED[sender].fields)]
    loaded = getattr(instance, "_rollup_loaded", None)
    if loaded and loaded != values[0]:
        values.append(loaded)
    _note(sender, values)


def _members_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    """An action's team (members) changed: its person-times (人次) changed."""
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        _note(InspectionAction, [_values(instance, TRACKED[InspectionAction].fields)])
    elif pk_set:  # user.inspection_actions.add(...): the ids are actions, read at the commit
        _note(InspectionRecord, [{"action_id": pk} for pk in pk_set])


def connect() -> None:
    for model in TRACKED:
        uid = f"reports.rollup_stale.{model._meta.label_lower}"
        post_init.connect(_remember, sender=model, dispatch_uid=f"{uid}.init")
        post_save.connect(_saved, sender=model, dispatch_uid=f"{uid}.save")
        post_delete.connect(_deleted, sender=model, dispatch_uid=f"{uid}.delete")
    m2m_changed.connect(
        _members_changed, sender=InspectionAction.members.through, dispatch_uid="reports.rollup_stale.members"
    )


connect()
