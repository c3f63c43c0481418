"""core.paging: a page read ids first is the page Django's Paginator gives — the same rows in the same order,
the same nearest page for a bad number — with the extra per-row work done on the page's rows only."""

import pytest
from django.core.paginator import Paginator
from django.db.models import Value
from django.test import RequestFactory

from accounts.choices import OrgKind
from accounts.models import OrgUnit
from core.paging import IdsFirstPaginator, paginate_ids_first

pytestmark = pytest.mark.django_db


@pytest.fixture
def units(district):
    # Names that do not sort like the ids, so the order comes from the query, not from the ids.
    for i in range(23):
        OrgUnit.objects.create(
            name=f"单位{(i * 7) % 23:02d}", kind=OrgKind.COMMUNITY, parent=district.township_a
        )
    return OrgUnit.objects.order_by("-name", "pk")


@pytest.mark.parametrize(("per_page", "orphans"), [(5, 0), (4, 2), (7, 3)])
def test_every_page_holds_the_rows_of_the_plain_paginator_in_its_order(units, per_page, orphans):
    # Pages past the middle are read from the other end of the order: the same rows all the same.
    plain, ids_first = (
        Paginator(units, per_page, orphans),
        IdsFirstPaginator(units, per_page, orphans=orphans),
    )
    assert ids_first.count == plain.count and ids_first.num_pages == plain.num_pages
    for number in plain.page_range:
        assert list(ids_first.page(number)) == list(plain.page(number))


def test_the_rows_callable_reads_only_the_page_and_keeps_its_order(units):
    seen = []

    def rows(ids):
        seen.append(ids)
        return OrgUnit.objects.filter(pk__in=ids).annotate(mark=Value(1))

    narrowed = units.filter(name__startswith="单位1")
    page = IdsFirstPaginator(narrowed, 4, rows=rows).page(2)
    assert [u.name for u in page] == [u.name for u in narrowed[4:8]]
    assert all(u.mark == 1 for u in page)
    assert seen == [[u.pk for u in narrowed[4:8]]]


def test_a_bad_or_too_large_page_number_gives_the_nearest_page(units):
    last = list(Paginator(units, 10).page(3))
    for value in ("99", "x", ""):
        page = paginate_ids_first(RequestFactory().get("/", {"page": value}), units, per_page=10)
        assert list(page) == (last if value == "99" else list(Paginator(units, 10).page(1)))


def test_a_known_count_is_not_counted_again(units, django_assert_num_queries):
    total = units.count()
    with django_assert_num_queries(2):  # the ids, the rows
        page = IdsFirstPaginator(units, 10, count=total).page(1)
    assert page.paginator.count == total and len(page) == 10


def test_an_empty_list_is_one_empty_page(units):
    page = paginate_ids_first(RequestFactory().get("/"), units.none())
    assert list(page) == [] and page.paginator.count == 0 and page.number == 1
