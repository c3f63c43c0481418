"""Numbers run per series, unit and year without gaps or reuse, also under concurrency."""

import threading

import pytest
from django.db import connection, transaction

from accounts.services import number_next


@pytest.mark.django_db
def test_numbers_run_per_unit_and_year(district):
    with transaction.atomic():
        assert [
            number_next(series="inspection", org_unit=district.township_a, year=2026) for _ in range(3)
        ] == [1, 2, 3]
        assert number_next(series="inspection", org_unit=district.township_b, year=2026) == 1
        assert number_next(series="inspection", org_unit=district.township_a, year=2027) == 1
        assert number_next(series="hazard", org_unit=district.township_a, year=2026) == 1


@pytest.mark.django_db
def test_a_rolled_back_number_is_issued_again(district):
    with transaction.atomic():
        number_next(series="inspection", org_unit=district.township_a, year=2026)
    with pytest.raises(RuntimeError), transaction.atomic():
        assert number_next(series="inspection", org_unit=district.township_a, year=2026) == 2
        raise RuntimeError("the save failed")
    with transaction.atomic():
        assert number_next(series="inspection", org_unit=district.township_a, year=2026) == 2


@pytest.mark.django_db(transaction=True)
def test_refuses_to_run_outside_a_transaction(district):
    with pytest.raises(RuntimeError, match="inside the transaction"):
        number_next(series="inspection", org_unit=district.township_a, year=2026)


@pytest.mark.django_db(transaction=True)
def test_concurrent_callers_get_distinct_consecutive_numbers(district):
    unit = district.township_a
    with transaction.atomic():
        number_next(series="inspection", org_unit=unit, year=2026)  # the counter row exists
    results, errors = [], []
    barrier = threading.Barrier(4)

    def take():
        try:
            barrier.wait()
            with transaction.atomic():
                results.append(number_next(series="inspection", org_unit=unit, year=2026))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=take) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(results) == [2, 3, 4, 5]
