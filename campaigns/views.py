"""Campaign (专项行动) pages: the list, a campaign's page with its progress, create and edit, the export.

Views parse, call a selector or service and render; who may change a campaign is campaigns.permissions.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.audit import audit_export
from core.errors import form_add_errors
from core.lists import filtered, paginate, xlsx_response
from core.panels import panels_for

from . import permissions, selectors, services
from .excel import campaign_export as build_export
from .filtersets import CampaignFilterSet
from .forms import (
    CampaignForm,
    PhaseFormSet,
    TargetFormSet,
    campaign_data,
    campaign_initial,
    phase_initial,
    target_initial,
)
from .measures import measures

# The slot upper apps may fill on a campaign's page (e.g. activities, the 约谈 it led to).
CAMPAIGN_DETAIL = "campaigns.campaign_detail"
# Figures shown on each row of the list: tagged inspections, hazards and cases.
LIST_MEASURES = ("inspections", "enterprises_inspected", "hazards_found", "cases_opened")
# The member units' table on a phone: the columns that fit.
PHONE_MEASURES = ("inspections", "hazards_found", "cases_opened")


def campaign_filter(request: HttpRequest) -> CampaignFilterSet:
    return CampaignFilterSet(
        request.GET, queryset=selectors.campaign_list(user=request.user), request=request
    )


@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    filterset = campaign_filter(request)
    page_obj = paginate(request, filtered(filterset))
    campaigns = list(page_obj.object_list)
    shown = [m for m in measures() if m.key in LIST_MEASURES]
    figures = selectors.campaign_figures(
        user=request.user, campaign_ids=[c.pk for c in campaigns], keys=[m.key for m in shown]
    )
    today = timezone.localdate()
    rows = [
        {"campaign": c, "state": c.state_on(today), "figures": [(m, figures[c.pk][m.key]) for m in shown]}
        for c in campaigns
    ]
    return render(
        request,
        "campaigns/campaign_list.html",
        {
            "filter_form": filterset.form,
            "page_obj": page_obj,
            "rows": rows,
            "measures": shown,
            "can_create": permissions.can_create(request.user),
            "querystring": request.GET.urlencode(),
        },
    )


@login_required
def campaign_export(request: HttpRequest) -> HttpResponse:
    """The list as Excel: the same filters as the page."""
    campaigns = filtered(campaign_filter(request))
    content = build_export(campaigns, user=request.user)
    audit_export(request, what="campaigns", rows=campaigns.count())
    return xlsx_response(content, f"专项行动_{timezone.localdate():%Y%m%d}.xlsx")


def _list_link(url_name: str | None, campaign_pk: int) -> str | None:
    if not url_name:
        return None
    try:
        return f"{reverse(url_name)}?campaign={campaign_pk}"
    except NoReverseMatch:
        return None


@login_required
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = selectors.campaign_get(user=request.user, pk=pk)
    user = request.user
    today = timezone.localdate()
    progress = selectors.campaign_progress(user=user, campaign=campaign)
    for row in progress:
        row.link = _list_link(row.list_url, campaign.pk)
    tagged = [
        {"measure": m, "value": value, "link": _list_link(m.list_url, campaign.pk)}
        for m, value in selectors.campaign_tagged(user=user, campaign=campaign)
    ]
    split, contributions = selectors.campaign_contributions(user=user, campaign=campaign)
    for row in contributions:
        row.cells = list(zip(split, row.values, strict=True))
    return render(
        request,
        "campaigns/campaign_detail.html",
        {
            "campaign": campaign,
            "state": campaign.state_on(today),
            "phases": [{"phase": p, "state": p.state_on(today)} for p in campaign.phases.all()],
            "member_units": list(campaign.member_units.all()),
            "sectors": list(campaign.sectors.all()),
            "children": list(campaign.children.select_related("kind", "lead_department")),
            "progress": progress,
            "tagged": tagged,
            "split": split,
            "contributions": contributions,
            "phone_keys": PHONE_MEASURES,
            "can_change": permissions.can_change(user, campaign),
            "can_delete": permissions.can_delete(user, campaign),
            "panels": panels_for(CAMPAIGN_DETAIL, request, campaign=campaign),
            "scoped": not selectors.sees_everything(user),
        },
    )


def _form_page(request: HttpRequest, campaign=None) -> HttpResponse:
    user = request.user
    if request.method == "POST":
        form = CampaignForm(request.POST, user=user, campaign=campaign)
        phases = PhaseFormSet(request.POST, prefix="phases")
        targets = TargetFormSet(request.POST, prefix="targets")
        if form.is_valid() and phases.is_valid() and targets.is_valid():
            data = campaign_data(form, phases, targets)
            try:
                if campaign is None:
                    saved = services.campaign_create(user=user, data=data)
                else:
                    saved = services.campaign_update(user=user, campaign=campaign, data=data)
            except ValidationError as exc:
                form_add_errors(form, exc)
            else:
                messages.success(request, _("已保存专项行动：%(name)s") % {"name": saved.name})
                return redirect(saved)
        messages.error(request, _("尚未保存：请改正标出的问题。"))
    else:
        form = CampaignForm(
            user=user, campaign=campaign, initial=campaign_initial(campaign) if campaign else None
        )
        phases = PhaseFormSet(prefix="phases", initial=phase_initial(campaign))
        targets = TargetFormSet(prefix="targets", initial=target_initial(campaign))
    return render(
        request,
        "campaigns/campaign_form.html",
        {"form": form, "phases": phases, "targets": targets, "campaign": campaign},
    )


@login_required
def campaign_create(request: HttpRequest) -> HttpResponse:
    if not permissions.can_create(request.user):
        raise PermissionDenied(_("您没有新建专项行动的权限。"))
    return _form_page(request)


@login_required
def campaign_edit(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = selectors.campaign_get(user=request.user, pk=pk)
    if not permissions.can_change(request.user, campaign):
        raise PermissionDenied(_("您没有修改该专项行动的权限。"))
    return _form_page(request, campaign)


@require_POST
@login_required
def campaign_delete(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = selectors.campaign_get(user=request.user, pk=pk)
    if not permissions.can_delete(request.user, campaign):
        raise PermissionDenied(_("您没有删除该专项行动的权限。"))
    try:
        services.campaign_delete(user=request.user, campaign=campaign)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(campaign)
    messages.success(request, _("已删除专项行动：%(name)s") % {"name": campaign.name})
    return redirect("campaigns:campaign_list")
