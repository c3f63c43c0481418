"""core.bulk writes the rows bulk_create and simple_history's bulk history write, only faster (COPY and
INSERT … SELECT on PostgreSQL): the same columns, the same '+' history with its user, date and m2m
snapshot, ids from the tables' own sequences."""

from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from core.bulk import bulk_history_insert, bulk_insert, bulk_insert_values
from core.history import history_bulk_create
from hazards.choices import EventKind
from hazards.models import Hazard, HazardEvent
from hazards.services.create import _hazard_build
from tests.hazards.conftest import hazard_data

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's"),
]

# Columns that differ between two writes of the same object by their nature: its ids and clock stamps.
_OWN = {"id", "number", "created", "updated", "history_id", "history_date"}


def build(enterprise, user, number: str) -> Hazard:
    data = hazard_data(enterprise, measures="重新接地", funds=Decimal("12.5"))
    return _hazard_build(data, number=number, user=user)[0]


def row(obj, exclude=_OWN) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields if f.attname not in exclude}


def test_bulk_insert_writes_what_bulk_create_writes_and_gives_ids(officer, enterprise_a, enterprise_b):
    before = timezone.now()
    copied = bulk_insert(Hazard, [build(enterprise_a, officer, "C-1"), build(enterprise_b, officer, "C-2")])
    created = Hazard.objects.bulk_create(
        [build(enterprise_a, officer, "B-1"), build(enterprise_b, officer, "B-2")]
    )

    assert all(h.pk and not h._state.adding for h in copied)
    assert copied[0].pk < copied[1].pk  # in the order given, as bulk_create numbers them
    stored = {h.number: h for h in Hazard.objects.all()}
    for mine, theirs in ((copied[0], created[0]), (copied[1], created[1])):
        assert row(stored[mine.number]) == row(stored[theirs.number])
        assert stored[mine.number].created >= before and stored[mine.number].updated >= before
    # The next row made the ordinary way takes an id after them: the sequence was used, not bypassed.
    assert Hazard.objects.create(**row(build(enterprise_a, officer, "N-1"), exclude={"id"})).pk > copied[1].pk


def test_events_written_without_objects_are_the_rows_bulk_create_writes(officer, enterprise_a):
    hazard = bulk_insert(Hazard, [build(enterprise_a, officer, "C-1")])[0]
    at = timezone.now()

    def event(note):
        return HazardEvent(hazard=hazard, kind=EventKind.CREATED, note=note, user=officer, at=at)

    bulk_insert(HazardEvent, [event("甲")], with_ids=False)
    values = {"hazard_id": hazard.pk, "kind": EventKind.CREATED, "user_id": officer.pk, "at": at}
    assert bulk_insert_values(HazardEvent, [{**values, "note": "甲"}]) == 1
    HazardEvent.objects.bulk_create([event("甲")])

    written = [row(e) for e in HazardEvent.objects.order_by("pk")]
    assert written[0] == written[1] == written[2]
    assert (written[0]["from_state"], written[0]["rectification_id"]) == ("", None)  # defaults filled in


def test_history_is_one_plus_row_per_object_with_user_date_and_sectors(officer, enterprise_a, sectors):
    hazards = bulk_insert(Hazard, [build(enterprise_a, officer, "C-1"), build(enterprise_a, officer, "C-2")])
    through = Hazard.sectors.through
    bulk_insert_values(
        through, [{"hazard_id": h.pk, "sector_id": s.pk} for h in hazards for s in list(sectors.values())[:2]]
    )
    links = list(through.objects.all())
    when = timezone.now()

    assert (
        bulk_history_insert(Hazard, hazards, user=officer, when=when, m2m_field="sectors", links=links) == 2
    )
    history_bulk_create(Hazard, hazards, user=officer, when=when, m2m_field="sectors", links=links)

    for hazard in hazards:
        mine, theirs = Hazard.history.filter(id=hazard.pk).order_by("history_id")
        assert (mine.history_type, mine.history_user, mine.history_date) == ("+", officer, when)
        assert mine.history_change_reason == theirs.history_change_reason == ""
        assert row(mine, exclude={"history_id"}) == row(theirs, exclude={"history_id"})
        assert row(mine.instance) == row(Hazard.objects.get(pk=hazard.pk))
        snapshot = sorted(mine.sectors.values_list("id", "hazard_id", "sector_id"))
        assert snapshot == sorted(theirs.sectors.values_list("id", "hazard_id", "sector_id"))
        assert snapshot == sorted(
            through.objects.filter(hazard=hazard).values_list("id", "hazard_id", "sector_id")
        )
