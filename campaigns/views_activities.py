"""Pages of the activity ledger (宣传培训 · 活动台账). Views parse, call a selector or a service, and render.

The record is found through the scoping rule first (404 outside it); a role that may not change it
is refused (403, permissions_activities) before a form is read; the service decides again.
"""

import mimetypes
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.audit import audit_export
from core.errors import form_add_errors
from core.lists import filtered, paginate, xlsx_response
from core.panels import panels_for

from . import permissions_activities as permissions
from . import selectors_activities as selectors
from . import services
from .choices_activities import KIND_COUNT_UNITS, ActivityKind
from .excel_activities import activity_export as build_export
from .filtersets_activities import ActivityFilterSet
from .forms_activities import (
    ActivityForm,
    AttachmentForm,
    QuantityFormSet,
    quantity_initial,
    quantity_units,
)
from .models import Activity

# ---------------------------------------------------------------- the ledger


def activity_filter(request: HttpRequest) -> ActivityFilterSet:
    """The ledger's filters on the user's scope; the Excel export uses the same one."""
    return ActivityFilterSet(
        request.GET, queryset=selectors.activity_rows(user=request.user), request=request
    )


@login_required
def activity_list(request: HttpRequest) -> HttpResponse:
    filterset = activity_filter(request)
    activities = filtered(filterset)
    page_obj = paginate(request, activities)
    return render(
        request,
        "campaigns/activity_list.html",
        {
            "filter_form": filterset.form,
            "page_obj": page_obj,
            "activities": page_obj.object_list,
            "figures": selectors.list_figures(activities),
            "quantities": selectors.list_quantities(activities),
            "can_record": permissions.can_record(request.user),
            "querystring": request.GET.urlencode(),
        },
    )


@login_required
def activity_export(request: HttpRequest) -> HttpResponse:
    """The ledger as Excel: the same filters and the same scope as the list page."""
    activities = filtered(activity_filter(request))
    content = build_export(activities)
    audit_export(request, what="activities", rows=activities.count())
    return xlsx_response(content, f"活动台账_{timezone.localdate():%Y%m%d}.xlsx")


# The slot upper apps may fill on an activity's page (the hazards and cases a 约谈 is linked to).
ACTIVITY_DETAIL = "campaigns.activity_detail"


@login_required
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    activity = selectors.activity_detail(user=request.user, pk=pk)
    can_change = permissions.can_change(request.user, activity)
    # Upper apps fill ACTIVITY_DETAIL: a 约谈's hazards and cases.
    return render(
        request,
        "campaigns/activity_detail.html",
        {
            "activity": activity,
            "can_change": can_change,
            "attachment_form": AttachmentForm() if can_change else None,
            "panels": panels_for(ACTIVITY_DETAIL, request, activity=activity),
        },
    )


# ---------------------------------------------------------------- recording and changing


@login_required
def activity_create(request: HttpRequest) -> HttpResponse:
    """登记活动."""
    if not permissions.can_record(request.user):
        raise PermissionDenied(_("您没有登记活动的权限。"))
    return _form_page(request, None)


@login_required
def activity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """修改活动: the district office or the organising unit."""
    activity = selectors.activity_get(user=request.user, pk=pk)
    if not permissions.can_change(request.user, activity):
        raise PermissionDenied(_("您不能修改该活动。"))
    return _form_page(request, activity)


def _form_page(request: HttpRequest, activity: Activity | None) -> HttpResponse:
    user = request.user
    bound = request.method == "POST"
    form = ActivityForm(
        request.POST if bound else None, request.FILES if bound else None, user=user, activity=activity
    )
    formset = QuantityFormSet(
        request.POST if bound else None,
        prefix="quantities",
        initial=quantity_initial(activity),
        form_kwargs={"units": quantity_units(activity)},
    )
    if bound:
        if form.is_valid() and formset.is_valid():
            data = form.to_data(formset.to_data())
            try:
                if activity is None:
                    saved = services.activity_create(
                        user=user, data=data, files=form.cleaned_data.get("files") or ()
                    )
                else:
                    saved = services.activity_update(user=user, activity=activity, data=data)
            except ValidationError as exc:
                form_add_errors(form, exc)
            else:
                messages.success(request, _("已保存活动：%(theme)s") % {"theme": saved.theme})
                return redirect(saved)
        messages.error(request, _("尚未保存：请改正标出的问题。"))
    return render(
        request,
        "campaigns/activity_form.html",
        {"form": form, "formset": formset, "activity": activity},
    )


@require_POST
@login_required
def activity_delete(request: HttpRequest, pk: int) -> HttpResponse:
    activity = selectors.activity_get(user=request.user, pk=pk)
    if not permissions.can_change(request.user, activity):
        raise PermissionDenied(_("您不能删除该活动。"))
    theme = activity.theme
    services.activity_delete(user=request.user, activity=activity)
    messages.success(request, _("已删除活动：%(theme)s") % {"theme": theme})
    return redirect("campaigns:activity_list")


# ---------------------------------------------------------------- evidence files


@require_POST
@login_required
def activity_attachment_add(request: HttpRequest, pk: int) -> HttpResponse:
    activity = selectors.activity_get(user=request.user, pk=pk)
    if not permissions.can_change(request.user, activity):
        raise PermissionDenied(_("您不能为该活动上传材料。"))
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            added = services.attachment_add(
                user=request.user, activity=activity, files=form.cleaned_data["files"]
            )
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, _("已上传 %(n)d 个佐证材料。") % {"n": len(added)})
    else:
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
    return redirect(activity)


@require_POST
@login_required
def activity_attachment_remove(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    attachment = selectors.attachment_get(user=request.user, pk=attachment_pk, activity_pk=pk)
    activity = attachment.activity
    if not permissions.can_change(request.user, activity):
        raise PermissionDenied(_("您不能删除该活动的材料。"))
    services.attachment_remove(user=request.user, attachment=attachment)
    messages.success(request, _("已删除佐证材料。"))
    return redirect(activity)


@login_required
def activity_attachment_file(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    """An evidence file through the scoping rule: never a bare /media/ link."""
    return attachment_response(selectors.attachment_get(user=request.user, pk=attachment_pk, activity_pk=pk))


def attachment_response(attachment) -> FileResponse:
    content_type = mimetypes.guess_type(attachment.file.name)[0] or "application/octet-stream"
    try:
        response = FileResponse(attachment.file.open("rb"), content_type=content_type)
    except FileNotFoundError as exc:  # the row outlived its file (a restore, a cleaned disk)
        raise Http404 from exc
    name = attachment.original_name or attachment.file.name.rsplit("/", 1)[-1]
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(name)}"
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# ---------------------------------------------------------------- home page panel


def home_activities_panel(request: HttpRequest) -> dict | None:
    """This year's activities in the user's scope: 场次 and 人次 by kind, and the quantities."""
    today = timezone.localdate()
    start = today.replace(month=1, day=1)
    totals = selectors.activity_totals(user=request.user, date_from=start, date_to=today)
    if not any(t["activities"] for t in totals.values()):
        return None
    labels = dict(ActivityKind.choices)
    rows = [
        {"kind": kind, "label": labels[kind], "count_unit": KIND_COUNT_UNITS[kind], **totals[kind]}
        for kind in ActivityKind.values
    ]
    quantities = selectors.quantity_totals(user=request.user, date_from=start, date_to=today)
    return {"year": today.year, "date_from": start, "rows": rows, "quantities": quantities}


def enterprise_talks_panel(request: HttpRequest, enterprise) -> dict | None:
    """On the enterprise page: the 约谈 that named it (those the user may see); nothing when none."""
    talks = selectors.enterprise_talks(user=request.user, enterprise=enterprise)
    return {"talks": talks} if talks else None


def campaign_activities_panel(request: HttpRequest, campaign) -> dict | None:
    """On a campaign's page: the publicity, training, drills and meetings tagged to it (those the user
    may see), with their totals; nothing when none."""
    activities = selectors.activity_list(user=request.user).filter(campaign=campaign)
    figures = selectors.list_figures(activities)
    if not figures["activities"]:
        return None
    return {
        "figures": figures,
        "quantities": selectors.list_quantities(activities),
        "activities": selectors.campaign_activities(user=request.user, campaign=campaign),
        "all_url": f"{reverse('campaigns:activity_list')}?campaign={campaign.pk}",
    }
