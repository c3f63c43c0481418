"""Pages of the hazard ledger. Views parse, call a selector or a service, and render.

Every action on a hazard is its own small POST view: it finds the hazard through the scoping rule
(404 outside it), refuses a role that may never act (403, by permissions — before reading a form the
user could not use), calls the one service function and comes back to the hazard with a message. A
rule the service refuses comes back inline on the form. Which panels the hazard page shows is
permissions.hazard_allowed_actions; the service decides again under its lock.
"""

import datetime as dt
import mimetypes
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Enterprise
from accounts.scoping import restrict
from accounts.selectors import enterprise_or_none
from core.errors import form_add_errors
from core.lists import filtered, paginate
from core.paging import paginate_ids_first
from core.panels import panels_for
from inspections.models import InspectionRecord
from inspections.selectors import enterprise_search

from . import permissions, selectors, services
from .choices import ACTIVE_STATES, DEADLINE_DAYS, ExtensionStatus, HazardLevel, HazardState
from .filtersets import HazardFilterSet
from .forms import (
    EXTENSION_DAYS,
    SAVE_ONLY,
    SUBMIT_NOW,
    ExtensionDecideForm,
    ExtensionRequestForm,
    FromResultForm,
    HazardEditForm,
    HazardForm,
    ListingForm,
    RectificationForm,
    ReopenForm,
    SubmitForm,
    VerifyForm,
    VoidForm,
    deadline_defaults,
)
from .models import Hazard

SEARCH_LIMIT = 20
# The fields of a 不符合 line on the confirm step that show their own errors; others show on the line.
FIVE_FIELDS = ("deadline", "level", "responsible_person", "measures", "funds", "contingency_plan")
HOME_ROWS = 10
# The hazard page's slot for the apps above (core.panels): enforcement shows the hazard's cases and 立案.
HAZARD_DETAIL = "hazards.hazard_detail"


# ---------------------------------------------------------------- the ledger


def hazard_filter(request: HttpRequest) -> HazardFilterSet:
    """The ledger's filters on the user's scope; the Excel export uses the same one."""
    return HazardFilterSet(request.GET, queryset=selectors.hazard_list(user=request.user), request=request)


@login_required
def hazard_list(request: HttpRequest) -> HttpResponse:
    filterset = hazard_filter(request)
    hazards = filtered(filterset)
    figures, total = selectors.ledger_figures(hazards)
    page_obj = paginate_ids_first(
        request,
        hazards,
        rows=lambda ids: selectors.ledger_rows(hazards.filter(pk__in=ids)),
        count=total,
        seek=selectors.ledger_seek,
    )
    return render(
        request,
        "hazards/hazard_list.html",
        {
            "filter_form": filterset.form,
            "filter_enterprise": _filter_enterprise(request, filterset),
            "page_obj": page_obj,
            "hazards": page_obj.object_list,
            "figures": figures,
            "can_record": permissions.can_create(request.user),
            "querystring": request.GET.urlencode(),
        },
    )


def _filter_enterprise(request: HttpRequest, filterset: HazardFilterSet):
    pk = filterset.form.cleaned_data.get("enterprise") if filterset.is_valid() else None
    return enterprise_or_none(user=request.user, pk=pk)


@login_required
def listed_list(request: HttpRequest) -> HttpResponse:
    """挂牌督办: every listed hazard in scope, still-listed first, with its state and days open."""
    page_obj = paginate(request, selectors.annotate_overdue(selectors.listed_hazards(user=request.user)))
    return render(
        request, "hazards/listed_list.html", {"page_obj": page_obj, "hazards": page_obj.object_list}
    )


@login_required
def verification_list(request: HttpRequest) -> HttpResponse:
    """待复查: the rectifications reported, each with its entries and photos, passed or failed per row."""
    if not permissions.can_verify_any(request.user):
        raise PermissionDenied(_("只有区安委办/应急局或监管部门可以复查销号。"))
    page_obj = paginate(request, selectors.annotate_overdue(selectors.verification_rows(user=request.user)))
    return render(
        request,
        "hazards/verification_list.html",
        {"page_obj": page_obj, "hazards": page_obj.object_list, "next": request.get_full_path()},
    )


# ---------------------------------------------------------------- recording


@login_required
def hazard_create(request: HttpRequest) -> HttpResponse:
    """登记隐患: first find the enterprise (within the change scope), then fill in the hazard."""
    user = request.user
    if not permissions.can_create(user):
        raise PermissionDenied(_("您没有登记隐患的权限。"))
    writable = restrict(Enterprise.objects.select_related("jurisdiction__parent"), user, "change")
    if request.method == "POST":
        form = HazardForm(request.POST, request.FILES, user=user)
        enterprise = writable.filter(pk=_int(request.POST.get("enterprise"))).first()
        if form.is_valid():
            try:
                hazard = services.hazard_create(user=user, data=form.to_data())
            except ValidationError as exc:
                form_add_errors(form, exc)
            else:
                messages.success(request, _("已登记隐患：%(number)s") % {"number": hazard.number})
                return redirect(hazard)
        messages.error(request, _("尚未登记：请改正标出的问题。"))
    else:
        enterprise = None
        if request.GET.get("enterprise"):
            enterprise = get_object_or_404(writable, pk=_int(request.GET["enterprise"]))
        initial = {"enterprise": enterprise, "responsible_unit": enterprise.township} if enterprise else {}
        form = HazardForm(user=user, initial=initial)
    q = request.GET.get("q", "").strip()
    return render(
        request,
        "hazards/hazard_form.html",
        {
            "form": form,
            "enterprise": enterprise,
            "q": q,
            "results": enterprise_search(user=user, q=q, limit=SEARCH_LIMIT) if q and not enterprise else [],
        },
    )


def _int(value) -> int | None:
    return int(value) if str(value or "").isdigit() else None


@login_required
def hazard_from_result(request: HttpRequest, check_result_pk: int) -> HttpResponse:
    """登记为隐患 from a 不符合 item of an inspection record: one click on the record page, or this
    full form (pre-filled) when more is needed — a major hazard's 五落实, or an error to correct."""
    user = request.user
    result = selectors.check_result_get(user=user, pk=check_result_pk)
    if not permissions.can_create(user):
        raise PermissionDenied(_("您没有登记隐患的权限。"))
    record = result.record
    record_url = reverse("inspections:record_detail", args=[record.pk])
    if refusal := services.check_result_refusal(result):
        # Registered already: the second click lands on the hazard the first one made.
        if (existing := selectors.check_result_hazard(result)) is not None:
            messages.info(request, _("该检查事项已登记为隐患：%(number)s") % {"number": existing.number})
            return redirect(existing)
        messages.error(request, refusal)
        return redirect(record_url)
    found_on = record.action.date
    description = services.check_result_description(result)
    if request.method == "POST":
        # The one-click form sends only a level (and maybe a deadline): the defaults fill the rest — the
        # deadline by the one rule from the inspection date and the level — so the full form drawn
        # after an error already holds them.
        data = request.POST.copy()
        defaults = {
            "description": description,
            "deadline": services.default_deadline(data.get("level") or "", found_on).isoformat(),
        }
        for field, value in defaults.items():
            if not data.get(field, "").strip():
                data[field] = value
        form = FromResultForm(data, found_on=found_on)
        if form.is_valid():
            try:
                hazard = services.hazard_from_check_result(user=user, check_result=result, **form.to_kwargs())
            except ValidationError as exc:
                form_add_errors(form, exc)
            else:
                messages.success(request, _("已登记隐患：%(number)s") % {"number": hazard.number})
                return redirect(hazard)
        messages.error(request, _("尚未登记：请改正标出的问题。"))
    else:
        level = request.GET.get("level") or HazardLevel.GENERAL
        form = FromResultForm(
            initial={
                "description": description,
                "deadline": services.default_deadline(level, found_on).isoformat(),
                "responsible_unit": record.enterprise.township,
                "level": level,
            },
            found_on=found_on,
        )
    return render(
        request,
        "hazards/hazard_from_result.html",
        {"form": form, "result": result, "record": record, "record_url": record_url},
    )


# ---------------------------------------------------------------- the hazard page


FORMS: dict[str, type[Form]] = {
    "rectify": RectificationForm,
    "submit": SubmitForm,
    "extend": ExtensionRequestForm,
    "verify": VerifyForm,
    "decide": ExtensionDecideForm,
    "listing": ListingForm,
    "reopen": ReopenForm,
    "void": VoidForm,
}


def _detail(request: HttpRequest, hazard: Hazard, bound: dict[str, Form] | None = None) -> HttpResponse:
    pending = hazard.extensions.filter(status=ExtensionStatus.PENDING).select_related("requested_by").first()
    allowed = permissions.hazard_allowed_actions(request.user, hazard, pending=pending is not None)
    initial = {
        "extend": {"new_deadline": hazard.deadline + dt.timedelta(days=EXTENSION_DAYS)},
        # Asking for more time means the work goes on: then the entry is saved only, by default.
        "rectify": {"then": SAVE_ONLY if pending is not None else SUBMIT_NOW},
    }
    forms = {name: cls(initial=initial.get(name)) for name, cls in FORMS.items() if name in allowed}
    forms.update(bound or {})
    today = timezone.localdate()
    return render(
        request,
        "hazards/hazard_detail.html",
        {
            "hazard": hazard,
            "timeline": selectors.hazard_timeline(hazard=hazard),
            "sectors": list(hazard.sectors.all()),
            "talks": selectors.hazard_talks(user=request.user, hazard=hazard),
            "pending": pending,
            "allowed": allowed,
            "forms": forms,
            "open_panel": _open_panel(allowed, bound),
            "overdue_now": hazard.state in ACTIVE_STATES and hazard.deadline < today,
            "has_actions": bool(allowed - {permissions.EDIT}),
            "latest": selectors.latest_rectification(hazard=hazard) if "verify" in allowed else None,
            "verifiers": selectors.hazard_verifiers(hazard),
            "missing": selectors.five_missing(hazard),
            "can_follow_up": hazard.state == HazardState.VERIFYING
            and permissions.can_follow(request.user, hazard)
            and not permissions.can_verify(request.user, hazard),
            "panels": panels_for(HAZARD_DETAIL, request, hazard=hazard),
        },
    )


def _open_panel(allowed: frozenset[str], bound: dict[str, Form] | None) -> str:
    """The panel drawn open: the one with errors, else the next step for this user."""
    if bound:
        return next(iter(bound))
    return next((name for name in ("verify", "decide") if name in allowed), "")


@login_required
def hazard_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.hazard_get(user=request.user, pk=pk))


@login_required
def photo(request: HttpRequest, pk: int) -> FileResponse:
    """A rectification photo through the scoping rule: never a bare /media/ link."""
    return _image_response(selectors.rectification_photo_get(user=request.user, pk=pk))


@login_required
def found_photo(request: HttpRequest, pk: int) -> FileResponse:
    """A photo of the hazard as found, through the scoping rule."""
    return _image_response(selectors.hazard_photo_get(user=request.user, pk=pk))


def _image_response(found) -> FileResponse:
    content_type = mimetypes.guess_type(found.image.name)[0] or "application/octet-stream"
    try:
        response = FileResponse(found.image.open("rb"), content_type=content_type)
    except FileNotFoundError as exc:  # the row outlived its file (a restore, a cleaned disk)
        raise Http404 from exc
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# ---------------------------------------------------------------- actions on a hazard


def _next(request: HttpRequest) -> str | None:
    """Where a queue row wants to come back to (the home page, 待复查); only this site's own paths."""
    url = request.POST.get("next") or ""
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
        return url
    return None


def _back(request: HttpRequest, hazard: Hazard) -> HttpResponse:
    return redirect(_next(request) or hazard.get_absolute_url())


def _hazard_for(request: HttpRequest, pk: int, action: str) -> Hazard:
    """The hazard in the user's scope (404 outside it), and 403 when the user may never `action` it."""
    hazard = selectors.hazard_get(user=request.user, pk=pk)
    permissions.permission_require(request.user, hazard, action)
    return hazard


def _act(request: HttpRequest, hazard: Hazard, panel: str, form: Form, call: Callable[[dict], str]):
    """Validate, call the service, and come back with a message. A refused rule comes back inline on
    the form (nothing typed is lost); a state that moved meanwhile comes back as a message."""
    if form.is_valid():
        try:
            done = call(form.cleaned_data)
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                messages.error(request, "；".join(exc.messages))
                return _back(request, hazard)
            form_add_errors(form, exc)
        else:
            messages.success(request, done)
            return _back(request, hazard)
    problems = [e for errors in form.errors.values() for e in errors]
    if _next(request):
        messages.error(request, "；".join(problems))
        return _back(request, hazard)
    messages.error(request, _("未能保存：请改正标出的问题。"))
    hazard = selectors.hazard_get(user=request.user, pk=hazard.pk)
    return _detail(request, hazard, bound={panel: form})


@require_POST
@login_required
def rectification_add(request: HttpRequest, pk: int) -> HttpResponse:
    hazard = _hazard_for(request, pk, permissions.RECTIFY)
    form = RectificationForm(request.POST, request.FILES)

    def call(c: dict) -> str:
        submit = c.get("then") == SUBMIT_NOW
        entry = services.rectification_create(
            user=request.user,
            hazard=hazard,
            text=c["text"],
            done_on=c["done_on"],
            photos_before=c["photos_before"],
            photos_after=c["photos_after"],
            submit=submit,
        )
        saved = _("已记录整改情况（照片 %(n)d 张）。") % {"n": entry.photos.count()}
        if submit:
            return saved + _("已提交复查，将由%(who)s复查。") % {"who": selectors.hazard_verifiers(hazard)}
        return saved

    return _act(request, hazard, "rectify", form, call)


@require_POST
@login_required
def hazard_submit(request: HttpRequest, pk: int) -> HttpResponse:
    hazard = _hazard_for(request, pk, permissions.SUBMIT)

    def call(c: dict) -> str:
        services.hazard_submit(user=request.user, hazard=hazard, note=c.get("note") or "")
        return _("已申请复查，等待复查销号。")

    return _act(request, hazard, "submit", SubmitForm(request.POST), call)


@require_POST
@login_required
def hazard_verify(request: HttpRequest, pk: int) -> HttpResponse:
    """复查: the button pressed says pass or fail; a fail needs the note."""
    hazard = _hazard_for(request, pk, permissions.VERIFY)
    passed = request.POST.get("decision") == "pass"

    def call(c: dict) -> str:
        services.hazard_verify(user=request.user, hazard=hazard, passed=passed, note=c.get("note") or "")
        if passed:
            return _("复查通过，%(number)s 已销号。") % {"number": hazard.number}
        return _("复查不通过，%(number)s 退回整改。") % {"number": hazard.number}

    return _act(request, hazard, "verify", VerifyForm(request.POST), call)


@login_required
def verify_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """确认销号: where 复查通过 leads when the page's confirmation dialog did not run (no JavaScript):
    the rectification's photos once more, and the one button that passes. Nothing changes here."""
    hazard = _hazard_for(request, pk, permissions.VERIFY)
    if permissions.VERIFY not in permissions.hazard_allowed_actions(request.user, hazard):
        messages.error(
            request, _("该隐患当前为“%(state)s”，不需要复查。") % {"state": hazard.get_state_display()}
        )
        return redirect(hazard)
    data = request.POST if request.method == "POST" else request.GET
    return render(
        request,
        "hazards/verify_confirm.html",
        {
            "hazard": hazard,
            "latest": selectors.latest_rectification(hazard=hazard),
            "note": (data.get("verify-note") or "")[:500],
            "next": _next(request) or "",
            "missing": selectors.five_missing(hazard),
        },
    )


@login_required
def hazard_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """修改隐患信息: details and 五落实, for those who may act on the hazard (permissions EDIT)."""
    hazard = _hazard_for(request, pk, permissions.EDIT)
    can_move = permissions.can_act_for_district(request.user)
    initial = {f: getattr(hazard, f) for f in services.EDITABLE_FIELDS}
    initial["talks"] = list(hazard.talks.values_list("pk", flat=True))
    if request.method == "POST":
        form = HazardEditForm(request.POST, initial=initial, can_move=can_move, user=request.user)
        if form.is_valid():
            try:
                services.hazard_update(user=request.user, hazard=hazard, data=form.changes())
            except ValidationError as exc:
                if not hasattr(exc, "error_dict"):
                    messages.error(request, "；".join(exc.messages))
                    return redirect(hazard)
                form_add_errors(form, exc)
            else:
                messages.success(request, _("已保存隐患信息。"))
                return redirect(hazard)
        messages.error(request, _("未能保存：请改正标出的问题。"))
    else:
        form = HazardEditForm(initial=initial, can_move=can_move, user=request.user)
    return render(
        request,
        "hazards/hazard_edit.html",
        {"hazard": hazard, "form": form, "missing": selectors.five_missing(hazard)},
    )


@require_POST
@login_required
def extension_request(request: HttpRequest, pk: int) -> HttpResponse:
    hazard = _hazard_for(request, pk, permissions.EXTEND)

    def call(c: dict) -> str:
        services.extension_request(
            user=request.user, hazard=hazard, new_deadline=c["new_deadline"], reason=c["reason"]
        )
        return _("已提交延期申请，等待区安委办审批。")

    return _act(request, hazard, "extend", ExtensionRequestForm(request.POST), call)


@require_POST
@login_required
def extension_decide(request: HttpRequest, pk: int, extension_pk: int) -> HttpResponse:
    """批准/驳回延期: the extension is looked up among this hazard's own, never by its id alone."""
    hazard = _hazard_for(request, pk, permissions.DECIDE)
    extension = selectors.extension_get(hazard=hazard, pk=extension_pk)
    approve = request.POST.get("decision") == "approve"

    def call(c: dict) -> str:
        services.extension_decide(
            user=request.user, extension=extension, approve=approve, note=c.get("note") or ""
        )
        if approve:
            return _("已同意延期至 %(date)s。") % {"date": extension.new_deadline.isoformat()}
        return _("已驳回延期申请。")

    return _act(request, hazard, "decide", ExtensionDecideForm(request.POST), call)


@require_POST
@login_required
def hazard_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    hazard = _hazard_for(request, pk, permissions.REOPEN)

    def call(c: dict) -> str:
        services.hazard_reopen(user=request.user, hazard=hazard, reason=c["reason"])
        return _("已重新打开，隐患回到整改中。")

    return _act(request, hazard, "reopen", ReopenForm(request.POST), call)


@require_POST
@login_required
def hazard_void(request: HttpRequest, pk: int) -> HttpResponse:
    hazard = _hazard_for(request, pk, permissions.VOID)

    def call(c: dict) -> str:
        services.hazard_void(user=request.user, hazard=hazard, reason=c["reason"])
        return _("已作废。")

    return _act(request, hazard, "void", VoidForm(request.POST), call)


@require_POST
@login_required
def hazard_listing(request: HttpRequest, pk: int) -> HttpResponse:
    hazard = _hazard_for(request, pk, permissions.LISTING)

    def call(c: dict) -> str:
        services.listing_create(
            user=request.user,
            hazard=hazard,
            level=c["listing_level"],
            listed_on=c["listed_on"],
            leader=c["listing_leader"],
            document=c.get("listing_document") or "",
        )
        return _("已挂牌督办。")

    return _act(request, hazard, "listing", ListingForm(request.POST), call)


@require_POST
@login_required
def hazard_delist(request: HttpRequest, pk: int) -> HttpResponse:
    hazard = _hazard_for(request, pk, permissions.DELIST)

    def call(c: dict) -> str:
        services.listing_end(user=request.user, hazard=hazard)
        return _("已摘牌。")

    return _act(request, hazard, "delist", Form(request.POST), call)


# ---------------------------------------------------------------- panels on other pages (core.panels)


def home_follow_panel(request: HttpRequest) -> dict:
    """需跟进的隐患 of a township or department: overdue first, then due within 3 days, then the rest."""
    today = timezone.localdate()
    rows = selectors.hazards_to_follow(user=request.user, today=today)
    return {
        "hazards": list(rows[:HOME_ROWS]),
        "total": rows.count(),
        "soon": today + dt.timedelta(days=3),
        "today": today,
    }


def home_verify_panel(request: HttpRequest) -> dict:
    """待复查 with the latest rectification's photos, pass (confirmed) or fail with a note, per row."""
    rows = selectors.verification_rows(user=request.user)
    return {"hazards": list(rows[:HOME_ROWS]), "total": rows.count(), "next": request.get_full_path()}


def home_extension_panel(request: HttpRequest) -> dict | None:
    """延期申请 waiting for the district office's decision; nothing drawn when there is none."""
    rows = list(selectors.pending_extensions(user=request.user)[: HOME_ROWS + 1])
    if not rows:
        return None
    return {"extensions": rows[:HOME_ROWS], "more": len(rows) > HOME_ROWS, "next": request.get_full_path()}


def record_hazards_panel(request: HttpRequest, record: InspectionRecord) -> dict:
    """On an inspection record's page, beside each 不符合 result: the hazards registered from it, or
    the one-click 登记为隐患 form for a user who may record hazards."""
    can_create = permissions.can_create(request.user)
    return {
        "by_result": selectors.record_hazards(record=record),
        "can_create": can_create,
        # The one-click form proposes the deadline of the one rule (inspection date + 15/30 days).
        "defaults": deadline_defaults(record.action.date) if can_create else {},
    }


def entry_confirm_panel(
    request: HttpRequest, draft, visits: list[dict], basics, saved: dict, errors: dict
) -> dict | None:
    """录入检查 step 4: one line per 不符合 item — ticked to become a hazard on submit, its level, its
    deadline and, for 重大, 五落实 — drawn from what the draft kept (inspections.hooks)."""
    if not permissions.can_create(request.user):
        return None
    on = basics.date if basics else timezone.localdate()
    kept = saved.get(services.ENTRY_PREFIX) or {}
    groups = []
    for visit in visits:
        rows = visit["noncompliant_rows"]
        lines = []
        for row in rows:
            choice = services.entry_choice(
                kept, services.entry_key(visit["enterprise"].pk, row["item"].pk), on
            )
            mine = {f[len(choice.key) + 1 :]: m for f, m in errors.items() if f.startswith(f"{choice.key}-")}
            lines.append(
                {
                    "item": row["item"],
                    "choice": choice,
                    "description": services.finding_description(
                        title=row["item"].title,
                        note=row["note"],
                        findings=visit["findings"],
                        sole=len(rows) == 1,
                    ),
                    "errors": mine,
                    "other_errors": [m for f, msgs in mine.items() if f not in FIVE_FIELDS for m in msgs],
                    "defaults": {
                        level: services.default_deadline(level, on).isoformat()
                        for level in ("general", "major")
                    },
                }
            )
        if lines:
            groups.append({"enterprise": visit["enterprise"], "lines": lines, "photos": len(visit["photos"])})
    if not groups:
        return None
    return {"groups": groups, "days": DEADLINE_DAYS, "levels": HazardLevel.choices}


def action_hazards_panel(request: HttpRequest, action) -> dict | None:
    """On an inspection action's page: the hazards it produced, with level, state and a link."""
    hazards = list(selectors.annotate_overdue(selectors.action_hazards(user=request.user, action=action)))
    return {"hazards": hazards} if hazards else None


ENTERPRISE_ROWS = 10


def activity_hazards_panel(request: HttpRequest, activity) -> dict | None:
    """On a 约谈's page (campaigns.activity_detail): the hazards linked to it that the user may see,
    newest first. Nothing drawn when there is none."""
    found = list(
        selectors.hazard_list(user=request.user)
        .filter(talks=activity)
        .order_by("-found_on", "-pk")[: ENTERPRISE_ROWS + 1]
    )
    if not found:
        return None
    return {
        "hazards": found[:ENTERPRISE_ROWS],
        "more": len(found) > ENTERPRISE_ROWS,
        "shown": ENTERPRISE_ROWS,
    }


def enterprise_hazards_panel(request: HttpRequest, enterprise: Enterprise) -> dict:
    """On the enterprise page: its hazards, open first with the overdue marked, 10 at most, and the way
    to all of them on the ledger."""
    return {
        "hazards": list(
            selectors.enterprise_hazards(user=request.user, enterprise=enterprise)[:ENTERPRISE_ROWS]
        ),
        "counts": selectors.enterprise_hazard_counts(user=request.user, enterprise=enterprise),
        "all_url": f"{reverse('hazards:hazard_list')}?enterprise={enterprise.pk}",
    }
