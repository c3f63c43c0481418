from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.selectors import sectors_active

from . import selectors


@login_required
def check_item_list(request: HttpRequest) -> HttpResponse:
    """检查事项清单: published read-only to every user, optionally for one sector."""
    items = selectors.check_items_published()
    sector_id = request.GET.get("sector", "")
    if sector_id.isdigit():
        items = items.filter(sector_id=int(sector_id))
    return render(
        request,
        "inspections/check_item_list.html",
        {"items": items, "sectors": sectors_active(), "sector_id": sector_id},
    )
