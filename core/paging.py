"""Pages of the long lists (hazard ledger, inspections, cases, the hazard API) in two steps: the page's ids
first, then those rows with everything the page shows.

OFFSET on the full query makes the database build every skipped row — its joins, its annotations — only to
throw it away: page 12,000 of a 300k ledger took 1.4 s. The ids alone, in the list's order, come off an
index in that order (hazards' `hazard_found_order`, …) and cost a few milliseconds per thousand rows skipped;
the joins then run for the 25 rows shown.
"""

from collections.abc import Callable
from functools import partial

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.functional import cached_property
from rest_framework.pagination import PageNumberPagination

from .lists import PAGE_SIZE
from .tallies import exact_count

# The page's rows from its ids (in any order): what each row shows, joins and per-row counts included;
# model instances, or plain dicts with an "id" (the hazard API's rows).
Rows = Callable[[list], QuerySet | list[dict]]
# Where row number `offset` of the list lies, when a list can tell cheaply (a tally of rows per value of its
# first ordering column): the list from there on and how many of its rows to skip; None when it cannot.
Seek = Callable[[QuerySet, int], tuple[QuerySet, int] | None]
# Fewer rows than this are skipped with OFFSET: a millisecond's walk, less than a seek costs.
SEEK_FROM = 10_000


class IdsFirstPaginator(Paginator):
    """A Paginator over an ordered queryset that reads a page's ids first, then its rows by id.

    `object_list` is the scoped, filtered, ordered list: its count is the total, and its ids in order are the
    pages. `rows`, if given, reads the page's rows from their ids, with what only the shown rows need (a
    per-row count, say) — anything that would make the ids query group or join more than its filters do —
    and without the list's filters when they are costly to test again (the ids come from the list, so they
    are in it). By default the rows are `object_list` narrowed to the ids. `seek`, if given, finds where a
    deep page starts without walking the rows before it.
    """

    def __init__(
        self,
        object_list: QuerySet,
        per_page: int,
        *,
        rows: Rows | None = None,
        count: int | None = None,
        seek: Seek | None = None,
        **kwargs,
    ) -> None:
        super().__init__(object_list, per_page, **kwargs)
        self.rows = rows
        self.seek = seek
        if count is not None:
            # Counted already, exactly, by the page's figures in the same scan: no second COUNT(*).
            self.__dict__["count"] = count

    @cached_property
    def count(self) -> int:
        # A whole tallied table (the officer's unfiltered ledger) is counted by its triggers' tally.
        return exact_count(self.object_list)

    def page(self, number) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return self._get_page(self.rows_of(self.page_ids(bottom, top)), number, self)

    def page_ids(self, bottom: int, top: int) -> list:
        if self.seek is not None and bottom >= SEEK_FROM:
            sought = self.seek(self.object_list, bottom)
            if sought is not None:
                rest, skip = sought
                return list(rest.values_list("pk", flat=True)[skip : skip + top - bottom])
        ids = self.object_list.values_list("pk", flat=True)
        if bottom > self.count // 2 and ids.ordered:
            # Past the middle, read from the other end: the last page skips nothing instead of the whole
            # list. The lists' orders end in the pk, so the reversed order is the exact mirror.
            tail = list(ids.reverse()[self.count - top : self.count - bottom])
            return tail[::-1]
        return list(ids[bottom:top])

    def rows_of(self, ids: list) -> list:
        if not ids:
            return []
        if self.rows is None:
            rows = self.object_list.filter(pk__in=ids).order_by()
        else:
            rows = self.rows(ids)
            if isinstance(rows, QuerySet):
                rows = rows.order_by()
        # The ids decide the order, so the database sorts nothing.
        by_pk = {(row["id"] if isinstance(row, dict) else row.pk): row for row in rows}
        return [by_pk[pk] for pk in ids if pk in by_pk]


def paginate_ids_first(
    request: HttpRequest,
    queryset: QuerySet,
    *,
    rows: Rows | None = None,
    count: int | None = None,
    seek: Seek | None = None,
    per_page: int = PAGE_SIZE,
) -> Page:
    """core.lists.paginate for the long lists: the same page (a bad or too-large number gives the nearest
    page), read ids first. `count`: the list's exact length when the page has counted it already; `seek`:
    see IdsFirstPaginator."""
    paginator = IdsFirstPaginator(queryset, per_page, rows=rows, count=count, seek=seek)
    return paginator.get_page(request.GET.get("page"))


class IdsFirstPagination(PageNumberPagination):
    """The API's page-number pagination (PAGE_SIZE, ?page=) read ids first, for the long lists' endpoints."""

    django_paginator_class = IdsFirstPaginator

    def paginate_queryset(self, queryset, request, view=None):
        # A view may read its page's rows itself (`page_rows(ids)`, see IdsFirstPaginator's `rows`) and find
        # a deep page's start (`page_seek`, its `seek`).
        rows = getattr(view, "page_rows", None)
        seek = getattr(view, "page_seek", None)
        self.django_paginator_class = partial(IdsFirstPaginator, rows=rows, seek=seek)
        return super().paginate_queryset(queryset, request, view)
