"""Numbers run per series, unit and year without gaps or reuse, also under concurrency (the
race itself: tests/races/test_numbering.py)."""

import pytest
from django.db import transaction

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
