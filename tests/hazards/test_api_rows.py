"""The hazard list API's rows are written out by hand for speed (HazardSerializer.to_representation, issue 15):
they must be exactly what DRF's generic walk over the declared fields gives, for every kind of row."""

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework import serializers
from rest_framework.test import APIRequestFactory

from hazards.api.serializers import HazardDetailSerializer, HazardSerializer
from hazards.choices import HazardLevel, HazardState, ListingLevel
from hazards.models import Hazard, HazardCategory
from hazards.selectors import api_rows
from tests.campaigns.campaign_world import make_campaign
from tests.hazards.conftest import HAZARDS, api_as, record

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def generic(hazard: Hazard) -> dict:
    return serializers.ModelSerializer.to_representation(HazardSerializer(), hazard)


@pytest.fixture
def rows(officer, district, enterprise_a, enterprise_b):
    plain = record(officer, enterprise_a)
    major = record(officer, enterprise_b, level=HazardLevel.MAJOR)
    closed = record(officer, enterprise_a)
    campaign = make_campaign(
        officer, district.dept_emergency, name="专项", start=TODAY - dt.timedelta(days=9), end=TODAY
    )
    Hazard.objects.filter(pk=closed.pk).update(
        state=HazardState.CLOSED,
        closed_on=TODAY,
        category=HazardCategory.objects.order_by("pk").first(),
        campaign=campaign,
        location="二号车间",
    )
    Hazard.objects.filter(pk=major.pk).update(
        responsible_person="",  # an imported major hazard may lack some of the 五落实
        measures="",
        listing_level=ListingLevel.DISTRICT,
        listed_on=TODAY - dt.timedelta(days=3),
        is_overdue=True,
        overdue_since=TODAY - dt.timedelta(days=1),
    )
    return (
        Hazard.objects.filter(pk__in=[plain.pk, major.pk, closed.pk])
        .select_related("enterprise", "township", "responsible_unit", "category")
        .prefetch_related("sectors")
    )


# Both ways of reading the rows: Postgres's one query with the sectors as an array, and the two queries
# another database (the SQLite demo) runs; both run here.
VENDORS = pytest.mark.parametrize("vendor", ["postgresql", "other"])


@VENDORS
def test_each_row_is_what_drf_writes_for_the_declared_fields(rows, vendor):
    if vendor == "postgresql" and connection.vendor != "postgresql":
        pytest.skip("an ARRAY subquery needs Postgres")
    plain = {row["id"]: row for row in api_rows([h.pk for h in rows], vendor=vendor)}
    assert rows.count() == 3 == len(plain)
    for hazard in rows:
        fast = HazardSerializer(plain[hazard.pk]).data
        assert list(fast) == HazardSerializer.Meta.fields
        assert fast == generic(hazard)
        assert HazardSerializer(hazard).data == generic(hazard)  # an instance takes DRF's own walk
    kinds = {(h.level, h.state, bool(h.listing_level), h.category_id is not None) for h in rows}
    assert len(kinds) == 3  # a plain, a listed major missing two of the 五落实, a closed one with a category
    major = next(h for h in rows if h.level == HazardLevel.MAJOR)
    assert len(generic(major)["five_missing"]) == 2


@VENDORS
def test_sectors_come_in_the_order_the_serializer_gives_them(rows, sectors, vendor):
    if vendor == "postgresql" and connection.vendor != "postgresql":
        pytest.skip("an ARRAY subquery needs Postgres")
    hazard, bare = rows[0], rows[1]
    hazard.sectors.set([sectors["hazchem"], sectors["construction"], sectors["industry-trade"]])
    bare.sectors.clear()
    hazard = Hazard.objects.prefetch_related("sectors").get(pk=hazard.pk)
    by_id = {row["id"]: row for row in api_rows([hazard.pk, bare.pk], vendor=vendor)}
    assert by_id[hazard.pk]["sector_ids"] == generic(hazard)["sectors"]
    assert len(by_id[hazard.pk]["sector_ids"]) == 3
    assert by_id[bare.pk]["sector_ids"] == []


def test_the_list_endpoint_serves_the_same_rows(officer, rows):
    response = api_as(officer).get(HAZARDS)
    assert response.status_code == 200
    by_id = {row["id"]: row for row in response.json()["results"]}
    for hazard in rows:
        assert by_id[hazard.pk] == generic(hazard)


def test_the_detail_keeps_drfs_walk_with_its_extra_fields(officer, rows):
    hazard = rows.first()
    request = APIRequestFactory().get(HAZARDS)
    request.user = officer
    detail = HazardDetailSerializer(hazard, context={"request": request}).data
    assert set(HazardDetailSerializer.Meta.fields) == set(detail)
    assert {k: detail[k] for k in HazardSerializer.Meta.fields} == generic(hazard)
