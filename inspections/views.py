from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.excel import write_workbook
from accounts.selectors import sectors_active
from accounts.views import filtered, paginate, xlsx_response

from . import selectors
from .filtersets import InspectionActionFilterSet

EXPORT_HEADERS = [
    "检查行动编号",
    "检查日期",
    "检查类型",
    "检查单位",
    "出动人次",
    "检查单位数（家次）",
    "是否领导带队",
    "带队领导",
]


def _action_filter(request: HttpRequest) -> InspectionActionFilterSet:
    return InspectionActionFilterSet(
        request.GET, queryset=selectors.action_list_rows(user=request.user), request=request
    )


@login_required
def action_list(request: HttpRequest) -> HttpResponse:
    filterset = _action_filter(request)
    page_obj = paginate(request, filtered(filterset))
    return render(
        request,
        "inspections/action_list.html",
        {
            "filter_form": filterset.form,
            "page_obj": page_obj,
            "actions": page_obj.object_list,
            "querystring": request.GET.urlencode(),
        },
    )


@login_required
def action_export(request: HttpRequest) -> HttpResponse:
    """The filtered inspection list as Excel, within the user's scope."""
    rows = (
        [
            a.number,
            a.date,
            a.kind.name,
            a.organizer.name,
            a.person_count,
            a.visit_count,
            "是" if a.is_leader_led else "否",
            a.leader_name,
        ]
        for a in filtered(_action_filter(request))
    )
    content = write_workbook(sheet_title="检查行动", headers=EXPORT_HEADERS, rows=rows)
    return xlsx_response(content, f"检查行动_{timezone.localdate():%Y%m%d}.xlsx")


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
