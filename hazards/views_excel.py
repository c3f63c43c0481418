"""The hazard ledger as Excel: the filtered export. (Importing is core's one import page, kind "hazards".)"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from core.audit import audit_export
from core.lists import filtered, xlsx_response

from .excel import hazard_export as build_export
from .views import hazard_filter


@login_required
def hazard_export(request: HttpRequest) -> HttpResponse:
    """The ledger as Excel: the same filters and the same scope as the list page."""
    hazards = filtered(hazard_filter(request))
    content = build_export(hazards)
    audit_export(request, what="hazards", rows=hazards.count())
    return xlsx_response(content, f"隐患台账_{timezone.localdate():%Y%m%d}.xlsx")
