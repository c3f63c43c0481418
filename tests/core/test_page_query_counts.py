"""The hot pages of issue 15 ask the database the same number of questions whatever the size of the data: the
leaders' dashboard, the hazard ledger (filtered, first page and a deep page), the inspection list, the case
list and the hazard list API — for an officer (the whole district) and a township user (its subtree).

Each page is counted on a small world (a few rows of each list), then again after the lists have grown to
three pages for the officer, two for the township; a query per row (N+1), or per page skipped, would show. The
ceilings below pin today's counts, so a new query on a hot page is a decision, not an accident.
"""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from hazards import services as hazard_services
from hazards.choices import HazardLevel
from inspections.models import InspectionKind
from inspections.services import action_create
from reports.periods import Period
from reports.rollups import rollup_compute
from reports.scopes import WHOLE_DISTRICT, StatsScope
from tests.enforcement.conftest import open_case
from tests.factories import EnterpriseFactory
from tests.hazards.conftest import hazard_data

pytestmark = pytest.mark.django_db

YEAR = dt.date.today().year

# (persona, page) → the most queries the page may take, session and user included.
CEILINGS = {
    ("officer", "dashboard"): 26,
    ("officer", "ledger"): 15,
    ("officer", "ledger_filtered"): 16,
    ("officer", "ledger_deep"): 15,
    ("officer", "inspections"): 13,
    ("officer", "inspections_deep"): 13,
    ("officer", "cases"): 12,
    ("officer", "cases_deep"): 12,
    ("officer", "api"): 4,
    ("officer", "api_deep"): 4,
    ("township_a_user", "dashboard"): 15,
    ("township_a_user", "ledger"): 15,
    ("township_a_user", "ledger_filtered"): 16,
    ("township_a_user", "ledger_deep"): 15,
    ("township_a_user", "inspections"): 13,
    ("township_a_user", "inspections_deep"): 13,
    ("township_a_user", "cases"): 12,
    ("township_a_user", "cases_deep"): 12,
    ("township_a_user", "api"): 4,
    ("township_a_user", "api_deep"): 4,
}


def pages(district) -> dict[str, tuple[str, dict]]:
    a = district.township_a.pk
    return {
        "dashboard": ("/reports/", {"period": Period(YEAR, "year").key}),
        "ledger": ("/hazards/", {}),
        "ledger_filtered": ("/hazards/", {"township": a, "state": "open"}),
        # The last page of a grown list (a page past the end gives the last one).
        "ledger_deep": ("/hazards/", {"page": 99}),
        "inspections": ("/inspections/", {}),
        "inspections_deep": ("/inspections/", {"page": 99}),
        "cases": ("/enforcement/", {}),
        "cases_deep": ("/enforcement/", {"page": 99}),
        "api": ("/api/v1/hazards/", {}),
        "api_deep": ("/api/v1/hazards/", {"page": 2}),
    }


def grow(officer, township_a_user, district, sectors, rounds: int) -> None:
    """`rounds` × (in each township: an open hazard, a major listed one, a closed one, a case; one inspection
    visiting both townships), with sectors, so every column and badge a row shows has something to read."""
    today = dt.date.today()
    for i in range(rounds):
        firm_a = EnterpriseFactory(jurisdiction=district.community_a, sectors=[sectors["machinery"]])
        firm_b = EnterpriseFactory(jurisdiction=district.township_b, sectors=[sectors["construction"]])
        for firm in (firm_a, firm_b):
            hazard_services.hazard_create(user=officer, data=hazard_data(firm, found_days_ago=40 + i))
            major = hazard_services.hazard_create(
                user=officer, data=hazard_data(firm, level=HazardLevel.MAJOR, found_days_ago=3)
            )
            hazard_services.listing_create(
                user=officer, hazard=major, level="district", listed_on=today, leader="李区长", document=""
            )
            closed = hazard_services.hazard_create(user=officer, data=hazard_data(firm))
            follower = township_a_user if firm is firm_a else officer
            hazard_services.rectification_create(user=follower, hazard=closed, text="已整改", done_on=today)
            hazard_services.hazard_submit(user=follower, hazard=closed)
            hazard_services.hazard_verify(user=officer, hazard=closed, passed=True)
            open_case(officer, firm, district.dept_emergency)
            open_case(officer, firm, district.dept_emergency, opened_on=today - dt.timedelta(days=i))
        for firms in ([firm_a, firm_b], [firm_a]):
            action_create(
                user=officer,
                date=today - dt.timedelta(days=i),
                organizer=district.dept_emergency,
                kind=InspectionKind.objects.get(code="supervision"),
                members=[officer],
                enterprises=firms,
            )
    period = Period(YEAR, "year")
    for scope in (WHOLE_DISTRICT, StatsScope(district.township_a), StatsScope(district.township_b)):
        rollup_compute(period=period, stats_scope=scope)


def counts(client, api, district, *, grown: bool) -> dict[str, tuple[int, tuple[int, int]]]:
    """Each page's query count, and the rows it showed with its page number. The API answers 404 past its last page
    (the web pages show the last one), so on the small world its "deep" page is page 1."""
    found = {}
    for name, (url, params) in pages(district).items():
        if name == "api_deep" and not grown:
            params = {}
        with CaptureQueriesContext(connection) as captured:
            response = (api if url.startswith("/api/") else client).get(url, params)
        assert response.status_code == 200, name
        found[name] = (len(captured), _rows(response))
    return found


def _rows(response) -> tuple[int, int]:
    """The rows shown and the page's number."""
    if response.get("Content-Type", "").startswith("application/json"):
        body = response.json()
        return len(body["results"]), 2 if body["previous"] else 1
    if "page_obj" in response.context:
        page = response.context["page_obj"]
        return len(page.object_list), page.number
    return 0, 0


def test_the_hot_pages_ask_as_many_queries_for_three_pages_of_rows_as_for_three_rows(
    client, officer, township_a_user, district, sectors
):
    clients = {}
    for user in (officer, township_a_user):
        web, api = Client(), APIClient()
        web.force_login(user)
        api.force_authenticate(user)
        clients[user.username] = (web, api)
    persona = {"officer": "officer", "township_a": "township_a_user"}

    grow(officer, township_a_user, district, sectors, rounds=1)
    small = {name: counts(*pair, district, grown=False) for name, pair in clients.items()}
    # 21 rounds: 126 hazards, 84 cases, 42 inspections for the officer; half of the hazards and cases,
    # and every inspection (each visits township A), for the township.
    grow(officer, township_a_user, district, sectors, rounds=20)
    large = {name: counts(*pair, district, grown=True) for name, pair in clients.items()}

    for username, pages_counted in large.items():
        for name, (queries, (rows, number)) in pages_counted.items():
            before = small[username][name][0]
            assert before <= CEILINGS[(persona[username], name)], (username, name, before)
            assert queries <= before, (username, name, before, queries)
            if name == "dashboard":
                continue
            # Page 1 full, the deep page past it and not empty: the counts above are of full pages.
            if name.endswith("_deep"):
                assert number > 1 and rows > 0, (username, name, number, rows)
            else:
                assert rows == (50 if name == "api" else 25), (username, name, rows)
