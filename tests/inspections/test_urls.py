"""Addresses with an id beyond the database's integer range answer 404, never a 500."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/inspections/99999999999999999999/",
        "/inspections/records/99999999999999999999/pdf/",
        "/inspections/photos/99999999999999999999/",
        "/inspections/drafts/99999999999999999999/",
        "/inspections/draws/99999999999999999999/export/",
        "/inspections/plans/99999999999999999999/export/",
        "/api/v1/inspection-actions/99999999999999999999/",
        "/api/v1/inspection-records/99999999999999999999/photos/",
    ],
)
def test_ids_beyond_the_database_range_are_404(client, officer, url):
    client.force_login(officer)
    assert client.get(url).status_code == 404
