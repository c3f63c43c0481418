"""Bulk history (core.history): rows written with bulk_create() or a hand-made UPDATE get one history
record each, with the m2m snapshot, the acting user and the time, in a few statements."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from accounts.models import Enterprise
from core.history import history_bulk_create
from tests.factories import make_uscc

pytestmark = pytest.mark.django_db


@pytest.fixture
def written(district, sectors):
    """Three enterprises and their sectors, written the way an import writes them: in bulk, no save()."""
    enterprises = Enterprise.objects.bulk_create(
        Enterprise(uscc=make_uscc(), name=f"批量企业{i}", jurisdiction=district.township_a) for i in range(3)
    )
    picks = [[sectors["machinery"]], [sectors["fire"], sectors["gas"]], [sectors["hazchem"]]]
    through = Enterprise.sectors.through
    links = through.objects.bulk_create(
        through(enterprise_id=e.pk, sector_id=s.pk)
        for e, chosen in zip(enterprises, picks, strict=True)
        for s in chosen
    )
    return enterprises, links, picks


def test_one_record_per_object_with_the_user_the_time_and_the_sectors(written, officer):
    enterprises, links, picks = written
    when = timezone.make_aware(datetime(2024, 5, 1, 9, 30))

    records = history_bulk_create(
        Enterprise, enterprises, user=officer, when=when, m2m_field="sectors", links=links
    )

    assert len(records) == 3
    assert Enterprise.history.count() == 3
    for enterprise, chosen in zip(enterprises, picks, strict=True):
        record = enterprise.history.get()
        assert record.history_type == "+"
        assert record.history_user == officer
        assert record.history_date == when
        assert record.name == enterprise.name
        assert sorted(s.sector_id for s in record.sectors.all()) == sorted(s.pk for s in chosen)


def test_the_snapshot_rows_keep_the_through_rows_ids(written, officer):
    enterprises, links, _picks = written

    history_bulk_create(Enterprise, enterprises, user=officer, m2m_field="sectors", links=links)

    snapshot = Enterprise.history.model.sectors.model
    assert sorted(snapshot.objects.values_list("id", "enterprise_id", "sector_id")) == sorted(
        (link.id, link.enterprise_id, link.sector_id) for link in links
    )


def test_an_update_is_recorded_as_a_change_and_the_time_defaults_to_now(written, officer):
    enterprises, _links, _picks = written
    before = timezone.now()

    records = history_bulk_create(Enterprise, enterprises[:2], user=officer, update=True)

    assert [r.history_type for r in records] == ["~", "~"]
    assert all(before - timedelta(seconds=1) <= r.history_date <= timezone.now() for r in records)
    assert Enterprise.history.count() == 2


def test_without_links_no_snapshot_rows_are_written(written, officer):
    enterprises, _links, _picks = written

    history_bulk_create(Enterprise, enterprises, user=officer, m2m_field="sectors")

    assert Enterprise.history.count() == 3
    assert not Enterprise.history.model.sectors.model.objects.exists()


def test_a_users_own_history_user_on_the_object_wins_over_the_default(written, officer, township_a_user):
    enterprises, _links, _picks = written
    enterprises[0]._history_user = township_a_user

    history_bulk_create(Enterprise, enterprises, user=officer)

    assert enterprises[0].history.get().history_user == township_a_user
    assert enterprises[1].history.get().history_user == officer


def test_nothing_to_record_writes_nothing(officer):
    assert history_bulk_create(Enterprise, [], user=officer) == []
    assert not Enterprise.history.exists()


def test_with_history_switched_off_nothing_is_written(written, officer, settings):
    enterprises, links, _picks = written
    settings.SIMPLE_HISTORY_ENABLED = False

    assert history_bulk_create(Enterprise, enterprises, user=officer, m2m_field="sectors", links=links) == []
    assert not Enterprise.history.exists()


def test_a_thousand_rows_take_a_handful_of_statements(
    district, sectors, officer, django_assert_max_num_queries
):
    enterprises = Enterprise.objects.bulk_create(
        Enterprise(uscc=make_uscc(), name=f"企业{i}", jurisdiction=district.township_b) for i in range(1000)
    )
    through = Enterprise.sectors.through
    links = through.objects.bulk_create(
        through(enterprise_id=e.pk, sector_id=sectors["fire"].pk) for e in enterprises
    )

    with django_assert_max_num_queries(8):
        records = history_bulk_create(Enterprise, enterprises, user=officer, m2m_field="sectors", links=links)

    assert len(records) == 1000
