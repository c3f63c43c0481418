"""The ledger page reads its figures in pieces (the row count, the not-closed rows, the closed major and closed
listed ones: selectors.ledger_figures) so that a city's closed hazards are never read row by row. The pieces
must add up to exactly what one pass over the ledger counts (hazard_figures), for every scope and filter."""

import datetime as dt

import pytest

from hazards import selectors, services
from hazards.choices import HazardLevel
from hazards.views import hazard_filter
from tests.hazards.conftest import record, to_closed
from tests.hazards.test_views import ledger

pytestmark = pytest.mark.django_db


@pytest.fixture
def mixed(officer, township_a_user, enterprise_a, enterprise_b):
    """Each kind of row the pieces count apart, in both townships: open, overdue, major (open and closed),
    listed (open and closed), closed, void (a void major listed one too)."""
    today = dt.date.today()
    for firm, follower in ((enterprise_a, township_a_user), (enterprise_b, officer)):
        record(officer, firm)
        record(officer, firm, found_days_ago=40, days=10)  # overdue
        major_open = record(officer, firm, level=HazardLevel.MAJOR)
        services.listing_create(
            user=officer, hazard=major_open, level="district", listed_on=today, leader="李区长", document=""
        )
        major_closed = record(officer, firm, level=HazardLevel.MAJOR)
        services.listing_create(
            user=officer, hazard=major_closed, level="district", listed_on=today, leader="李区长", document=""
        )
        to_closed(major_closed, follower, officer)
        to_closed(record(officer, firm), follower, officer)
        void = record(officer, firm, level=HazardLevel.MAJOR)
        services.listing_create(
            user=officer, hazard=void, level="district", listed_on=today, leader="李区长", document=""
        )
        services.hazard_void(user=officer, hazard=void, reason="重复录入")


@pytest.mark.parametrize(
    "persona, params",
    [
        ("officer", {}),
        ("officer", {"state": "closed"}),
        ("officer", {"level": "major"}),
        ("officer", {"overdue": "true"}),
        ("officer", {"township": "a"}),
        ("township_a_user", {}),
        ("township_a_user", {"listed": "true"}),
    ],
)
def test_the_pieces_add_up_to_one_pass_over_the_ledger(request, rf, persona, params, mixed, district, client):
    user = request.getfixturevalue(persona)
    if params.get("township") == "a":
        params = {"township": district.township_a.pk}
    get = rf.get("/hazards/", params)
    get.user = user
    hazards = hazard_filter(get).qs

    figures, total = selectors.ledger_figures(hazards)

    assert figures == selectors.hazard_figures(hazards)
    assert total == hazards.count()
    # And the page shows them, its paginator counting with them.
    client.force_login(user)
    response = ledger(client, **params)
    assert response.context["figures"] == figures
    assert response.context["page_obj"].paginator.count == total


def test_the_pieces_on_the_whole_mixed_ledger(officer, mixed):
    figures, total = selectors.ledger_figures(selectors.hazard_list(user=officer))
    # 6 a township, one of them void (major and listed: in no figure, but a row of the list); 2 closed, one
    # of them major and listed; 2 major and 2 listed that count.
    assert total == 12
    assert (figures["found"], figures["rectified"], figures["major"], figures["listed"]) == (10, 4, 4, 4)
    assert figures["overdue"] == 2
