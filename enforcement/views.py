"""Pages of 行政执法: the case list, 立案 (by hand, from an inspection record, from a hazard), the case page
with its steps, and the panels the app adds to other apps' pages. Views parse, call a selector or a
service, and render.

Every step on a case is its own small POST view (one URL per action, see urls.py): it finds the case
through the scoping rule (404 outside it), refuses a user who may never act on it (403, by
permissions — before reading a form the user could not use), calls the one service function and comes
back to the case with a message. A rule the service refuses comes back inline on the form; a state that
moved meanwhile comes back as a message. Which forms the case page draws is
permissions.case_allowed_actions; the service decides again under its lock.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.models import Enterprise
from accounts.scoping import restrict
from accounts.selectors import enterprise_or_none
from core.audit import audit_export
from core.errors import form_add_errors
from core.lists import filtered, xlsx_response
from core.paging import paginate_ids_first
from hazards.models import Hazard
from hazards.selectors import hazard_get
from inspections.models import InspectionRecord
from inspections.selectors import record_get

from . import permissions, selectors, services, views_documents
from .choices import CaseProcedure, CaseState, DeadlineFlag, ExtensionStatus
from .excel import case_export as build_export
from .filtersets import CaseFilterSet
from .forms import (
    EXTENSION_DAYS,
    CaseEditForm,
    CaseForm,
    CloseForm,
    DecideForm,
    ExtensionDecideForm,
    ExtensionRequestForm,
    MeasureForm,
    NoPenaltyForm,
    NotifyForm,
    StepForm,
    TransferForm,
)
from .models import Case

SEARCH_LIMIT = 20
HOME_ROWS = 8
PANEL_ROWS = 10


# ---------------------------------------------------------------- the list


def case_filter(request: HttpRequest) -> CaseFilterSet:
    """The list's filters on the user's scope; the Excel export uses the same one."""
    return CaseFilterSet(request.GET, queryset=selectors.case_list(user=request.user), request=request)


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    filterset = case_filter(request)
    page_obj = paginate_ids_first(request, filtered(filterset))
    today = timezone.localdate()
    pk = filterset.form.cleaned_data.get("enterprise") if filterset.is_valid() else None
    return render(
        request,
        "enforcement/case_list.html",
        {
            "filter_form": filterset.form,
            "filter_enterprise": enterprise_or_none(user=request.user, pk=pk),
            "page_obj": page_obj,
            "rows": [_row(case, today) for case in page_obj.object_list],
            "can_open": permissions.can_open(request.user),
            "deadline_counts": selectors.deadline_counts(user=request.user),
            "querystring": request.GET.urlencode(),
        },
    )


@dataclass(frozen=True)
class Row:
    case: Case
    days: int | None  # days left to decide (negative: past the limit); None when no limit runs
    flag: str  # "", "near", "overdue"

    @property
    def late(self) -> int:
        """Days past the limit (0 when not past it)."""
        return -self.days if self.days is not None and self.days < 0 else 0


def _row(case: Case, today: dt.date) -> Row:
    return Row(case, case.days_remaining(today), case.deadline_status(today))


@login_required
def case_export(request: HttpRequest) -> HttpResponse:
    """The filtered list as Excel: the same filters and the same scope as the list page."""
    cases = filtered(case_filter(request))
    content = build_export(cases)
    audit_export(request, what="cases", rows=cases.count())
    return xlsx_response(content, f"行政执法案件_{timezone.localdate():%Y%m%d}.xlsx")


# ---------------------------------------------------------------- 立案


def _int(value) -> int | None:
    return int(value) if str(value or "").isdigit() else None


def _source(request: HttpRequest) -> tuple[InspectionRecord | None, Hazard | None]:
    """The inspection record or hazard the case is opened from (GET on the way in, hidden POST fields
    on the way out), found through the scoping rule: outside it, 404."""
    data = request.POST if request.method == "POST" else request.GET
    record = hazard = None
    if pk := _int(data.get("hazard")):
        hazard = hazard_get(user=request.user, pk=pk)
    elif pk := _int(data.get("record")):
        record = record_get(user=request.user, pk=pk)
    return record, hazard


def _enterprises(request: HttpRequest):
    return restrict(Enterprise.objects.select_related("jurisdiction__parent"), request.user, "view")


@login_required
def case_create(request: HttpRequest) -> HttpResponse:
    """立案: the enterprise first (carried over from the inspection record or hazard, or found by name),
    then the case."""
    user = request.user
    if not permissions.can_open(user):
        raise PermissionDenied(_("您没有立案的权限。"))
    record, hazard = _source(request)
    initial: dict = {}
    if hazard is not None:
        initial = services.case_initial_from_hazard(hazard)
    elif record is not None:
        initial = services.case_initial_from_record(record)
    data = request.POST if request.method == "POST" else request.GET
    enterprise = initial.get("enterprise")
    if enterprise is None and (pk := _int(data.get("enterprise"))):
        enterprise = get_object_or_404(_enterprises(request), pk=pk)
    if request.method == "POST":
        form = CaseForm(request.POST, user=user)
        if enterprise is None:
            form.add_error(None, _("请先选择当事单位。"))
        if form.is_valid():
            c = form.cleaned_data
            try:
                case = services.case_open(
                    user=user,
                    data=services.CaseData(
                        enterprise=enterprise,
                        handling_unit=c["handling_unit"],
                        procedure=c["procedure"],
                        cause=c["cause"],
                        opened_on=c["opened_on"],
                        facts=c["facts"],
                        articles=list(c["articles"]),
                        officers=list(c["officers"]),
                        source=initial.get("source", "none"),
                        source_record=initial.get("source_record"),
                        source_hazard=initial.get("source_hazard"),
                        campaign=c.get("campaign"),
                    ),
                )
            except ValidationError as exc:
                form_add_errors(form, exc)
            else:
                messages.success(request, _("已立案：%(number)s") % {"number": case.number})
                return redirect(case)
        messages.error(request, _("尚未立案：请改正标出的问题。"))
    else:
        form_initial = {k: v for k, v in initial.items() if k in ("facts", "opened_on", "campaign")}
        if hazard is not None:
            form_initial["cause"] = _("未按规定消除事故隐患案") if hazard.is_major else ""
        form = CaseForm(user=user, initial=form_initial)
    q = request.GET.get("q", "").strip()
    results = []
    if q and enterprise is None:
        results = _enterprises(request).filter(name__icontains=q).order_by("name", "pk")[:SEARCH_LIMIT]
        if not results:
            results = (
                _enterprises(request).filter(uscc__icontains=q.upper()).order_by("name", "pk")[:SEARCH_LIMIT]
            )
    return render(
        request,
        "enforcement/case_form.html",
        {
            "form": form,
            "enterprise": enterprise,
            "record": record,
            "hazard": hazard,
            "q": q,
            "results": results,
        },
    )


# ---------------------------------------------------------------- the case page


@dataclass(frozen=True)
class Action:
    """One step offered on the case page: its form, the service call and what the user is told."""

    form: type[Form]
    call: Callable[[HttpRequest, Case, dict], str]
    # An irreversible step asks first (static/js/app.js data-confirm).
    confirm: str = ""


def _investigate(request, case, c) -> str:
    services.case_investigate(user=request.user, case=case, note=c["note"], on=c["on"])
    return _("已进入调查取证。")


def _notify(request, case, c) -> str:
    services.case_notify(
        user=request.user, case=case, hearing_requested=c["hearing_requested"], note=c["note"], on=c["on"]
    )
    if c["hearing_requested"]:
        return _("已告知当事人；当事人要求听证。")
    return _("已告知当事人。")


def _hearing(request, case, c) -> str:
    services.case_hearing(user=request.user, case=case, note=c["note"], on=c["on"])
    return _("已记录听证。")


def _decide(request, case, c) -> str:
    services.case_decide(
        user=request.user,
        case=case,
        decided_on=c["decided_on"],
        penalties=c["_penalties"],
        summary=c["summary"],
    )
    return _("已作出处罚决定。")


def _execute(request, case, c) -> str:
    services.case_execute(user=request.user, case=case, note=c["note"], on=c["on"])
    return _("已登记执行。")


def _close(request, case, c) -> str:
    services.case_close(user=request.user, case=case, closed_on=c["closed_on"], note=c["note"])
    return _("已结案。")


def _no_penalty(request, case, c) -> str:
    services.case_no_penalty(user=request.user, case=case, reason=c["reason"], on=c["on"])
    return _("已作出不予处罚决定，案件办结。")


def _transfer(request, case, c) -> str:
    services.case_transfer(
        user=request.user, case=case, reason=c["reason"], transferred_to=c["transferred_to"], on=c["on"]
    )
    return _("已移送，案件办结。")


def _measure(request, case, c) -> str:
    measure = services.measure_add(
        user=request.user,
        case=case,
        kind=c["kind"],
        start_on=c["start_on"],
        end_on=c["end_on"],
        stop_kind=c["stop_kind"],
        persons=c["persons"],
        detail=c["detail"],
    )
    return _("已登记措施：%(kind)s。") % {"kind": measure.get_kind_display()}


def _extend(request, case, c) -> str:
    services.case_extension_request(
        user=request.user, case=case, new_deadline=c["new_deadline"], reason=c["reason"]
    )
    return _("已提交延期申请，等待区安委办/应急局审批。")


ACTIONS: dict[str, Action] = {
    permissions.INVESTIGATE: Action(StepForm, _investigate),
    permissions.NOTIFY: Action(NotifyForm, _notify),
    permissions.HEARING: Action(StepForm, _hearing),
    permissions.DECIDE: Action(
        DecideForm, _decide, gettext_lazy("处罚决定作出后不能撤回，确定作出处罚决定吗？")
    ),
    permissions.EXECUTE: Action(StepForm, _execute),
    permissions.CLOSE: Action(CloseForm, _close, gettext_lazy("结案后案件不能再办理，确定结案吗？")),
    permissions.NO_PENALTY: Action(
        NoPenaltyForm, _no_penalty, gettext_lazy("不予处罚后案件即办结，不能撤回，确定吗？")
    ),
    permissions.TRANSFER: Action(
        TransferForm, _transfer, gettext_lazy("移送后案件在本单位办结，不能撤回，确定移送吗？")
    ),
    permissions.MEASURE: Action(MeasureForm, _measure),
    permissions.EXTEND: Action(ExtensionRequestForm, _extend),
}
# The order of the step panels on the page: the next step of the procedure first.
STEP_ORDER = [
    permissions.INVESTIGATE,
    permissions.NOTIFY,
    permissions.HEARING,
    permissions.DECIDE,
    permissions.EXECUTE,
    permissions.CLOSE,
    permissions.MEASURE,
    permissions.EXTEND,
    permissions.NO_PENALTY,
    permissions.TRANSFER,
]
TITLES = {
    permissions.INVESTIGATE: gettext_lazy("调查取证"),
    permissions.NOTIFY: gettext_lazy("告知当事人"),
    permissions.HEARING: gettext_lazy("听证"),
    permissions.DECIDE: gettext_lazy("作出处罚决定"),
    permissions.EXECUTE: gettext_lazy("执行"),
    permissions.CLOSE: gettext_lazy("结案"),
    permissions.MEASURE: gettext_lazy("登记措施"),
    permissions.EXTEND: gettext_lazy("申请延长办案期限"),
    permissions.NO_PENALTY: gettext_lazy("不予处罚"),
    permissions.TRANSFER: gettext_lazy("移送"),
    permissions.EXTENSION_DECIDE: gettext_lazy("审批延期申请"),
}
ICONS = {
    permissions.INVESTIGATE: "search",
    permissions.NOTIFY: "envelope-paper",
    permissions.HEARING: "people",
    permissions.DECIDE: "hammer",
    permissions.EXECUTE: "check2-square",
    permissions.CLOSE: "archive",
    permissions.MEASURE: "sign-stop",
    permissions.EXTEND: "calendar-plus",
    permissions.NO_PENALTY: "slash-circle",
    permissions.TRANSFER: "box-arrow-right",
}


def next_step(case: Case, pending) -> tuple[str, str]:
    """(the next step, who holds the ball) in words, for the case page's header."""
    unit = case.handling_unit.short_name or case.handling_unit.name
    if pending is not None:
        return _("审批延期申请（延至 %(d)s）") % {"d": pending.new_deadline.isoformat()}, _("区安委办/应急局")
    general = case.procedure == CaseProcedure.GENERAL
    steps = {
        CaseState.OPEN: _("调查取证") if general else _("作出处罚决定（简易程序）"),
        CaseState.INVESTIGATING: _("出具行政处罚告知书，告知当事人"),
        CaseState.NOTIFIED: _("组织听证") if case.hearing_requested else _("作出处罚决定"),
        CaseState.HEARING: _("作出处罚决定"),
        CaseState.DECIDED: _("执行处罚决定") if general else _("结案"),
        CaseState.EXECUTING: _("结案"),
    }
    if case.state in steps:
        return steps[case.state], unit
    return _("案件已办结"), ""


def _detail(request: HttpRequest, case: Case, bound: dict[str, Form] | None = None) -> HttpResponse:
    extensions = list(selectors.case_extensions(case=case))
    pending = next((e for e in extensions if e.status == ExtensionStatus.PENDING), None)
    allowed = permissions.case_allowed_actions(request.user, case, pending=pending is not None)
    today = timezone.localdate()
    initial = {
        permissions.EXTEND: {"new_deadline": case.deadline + dt.timedelta(days=EXTENSION_DAYS)}
        if case.deadline
        else {},
    }
    forms = {name: ACTIONS[name].form(initial=initial.get(name)) for name in STEP_ORDER if name in allowed}
    if permissions.EXTENSION_DECIDE in allowed:
        forms[permissions.EXTENSION_DECIDE] = ExtensionDecideForm()
    forms.update(bound or {})
    steps = [
        {
            "name": name,
            "title": TITLES[name],
            "icon": ICONS[name],
            "form": forms[name],
            "url": reverse(f"enforcement:case_{name}", args=[case.pk]),
            "confirm": ACTIONS[name].confirm,
        }
        for name in STEP_ORDER
        if name in forms
    ]
    step, holder = next_step(case, pending)
    return render(
        request,
        "enforcement/case_detail.html",
        {
            # 执法文书: the case's documents, preview, issue and download (views_documents).
            **views_documents.case_documents_context(request, case),
            "case": case,
            "allowed": allowed,
            "steps": steps,
            "open_panel": next(iter(bound)) if bound else (steps[0]["name"] if steps else ""),
            "decide_form": forms.get(permissions.EXTENSION_DECIDE),
            "pending": pending,
            "next_step": step,
            "holder": holder,
            "days": case.days_remaining(today),
            "flag": case.deadline_status(today),
            "deadline_row": _row(case, today),
            "timeline": selectors.case_timeline(case=case),
            "talks": selectors.case_talks(user=request.user, case=case),
            "penalties": list(case.penalties.all()),
            "measures": list(case.measures.all()),
            "extensions": extensions,
            "articles": list(case.articles.all()),
            "officers": list(case.officers.all()),
            "source_hazards": selectors.case_linked_hazards(user=request.user, case=case),
            "can_edit": permissions.EDIT in allowed,
        },
    )


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.case_get(user=request.user, pk=pk))


def _case_for(request: HttpRequest, pk: int, action: str) -> Case:
    """The case in the user's scope (404 outside it), and 403 when the user may never `action` it."""
    case = selectors.case_get(user=request.user, pk=pk)
    permissions.permission_require(request.user, case, action)
    return case


def _act(
    request: HttpRequest, case: Case, name: str, form: Form, call: Callable[[dict], str]
) -> HttpResponse:
    """Validate, call the service, and come back with a message. A refused rule comes back inline on
    the form (nothing typed is lost); a state that moved meanwhile comes back as a message."""
    if form.is_valid():
        try:
            done = call(form.cleaned_data)
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                messages.error(request, "；".join(exc.messages))
                return redirect(case)
            form_add_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect(case)
    messages.error(request, _("未能保存：请改正标出的问题。"))
    return _detail(request, selectors.case_get(user=request.user, pk=case.pk), bound={name: form})


@require_POST
@login_required
def case_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One step on the case (urls.py: one URL per action)."""
    case = _case_for(request, pk, action)
    step = ACTIONS[action]
    form = step.form(request.POST)

    def call(c: dict) -> str:
        if isinstance(form, DecideForm):
            c = {**c, "_penalties": form.penalties()}
        return step.call(request, case, c)

    return _act(request, case, action, form, call)


@require_POST
@login_required
def case_extension_decide(request: HttpRequest, pk: int, extension_pk: int) -> HttpResponse:
    """批准/驳回延期: the extension is looked up among this case's own, never by its id alone."""
    case = _case_for(request, pk, permissions.EXTENSION_DECIDE)
    extension = selectors.extension_get(case=case, pk=extension_pk)
    approve = request.POST.get("decision") == "approve"

    def call(c: dict) -> str:
        services.case_extension_decide(
            user=request.user, extension=extension, approve=approve, note=c["note"]
        )
        if approve:
            return _("已同意延长办案期限至 %(d)s。") % {"d": extension.new_deadline.isoformat()}
        return _("已驳回延期申请。")

    return _act(request, case, permissions.EXTENSION_DECIDE, ExtensionDecideForm(request.POST), call)


@login_required
def case_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """修改案件信息: 案由, 案情, 法律依据, 承办人 while the case is open."""
    case = _case_for(request, pk, permissions.EDIT)
    if permissions.EDIT not in permissions.case_allowed_actions(request.user, case, pending=False):
        messages.error(
            request, _("该案件当前为“%(state)s”，不能修改。") % {"state": case.get_state_display()}
        )
        return redirect(case)
    initial = {
        "cause": case.cause,
        "facts": case.facts,
        "articles": list(case.articles.all()),
        "officers": list(case.officers.all()),
        "campaign": case.campaign_id,
        "talks": list(case.talks.values_list("pk", flat=True)),
    }
    if request.method == "POST":
        form = CaseEditForm(request.POST, user=request.user, initial=initial)
        if form.is_valid():
            c = form.cleaned_data
            try:
                services.case_update(
                    user=request.user,
                    case=case,
                    cause=c["cause"],
                    facts=c["facts"],
                    articles=c["articles"],
                    officers=c["officers"],
                    campaign=c.get("campaign"),
                    talks=c["talks"],
                )
            except ValidationError as exc:
                if not hasattr(exc, "error_dict"):
                    messages.error(request, "；".join(exc.messages))
                    return redirect(case)
                form_add_errors(form, exc)
            else:
                messages.success(request, _("已保存案件信息。"))
                return redirect(case)
        messages.error(request, _("未能保存：请改正标出的问题。"))
    else:
        form = CaseEditForm(user=request.user, initial=initial)
    return render(request, "enforcement/case_edit.html", {"case": case, "form": form})


# ---------------------------------------------------------------- panels on other pages (core.panels)


def home_cases_panel(request: HttpRequest) -> dict | None:
    """My cases near the deadline: undecided general-procedure cases the user handles, past the limit
    first, then within 10 days. Nothing drawn when there is none."""
    flagged = selectors.case_filter(selectors.cases_to_handle(user=request.user), {"deadline": "flagged"})
    rows = list(flagged[: HOME_ROWS + 1])
    if not rows:
        return None
    today = timezone.localdate()
    return {
        "rows": [_row(c, today) for c in rows[:HOME_ROWS]],
        "more": len(rows) > HOME_ROWS,
        "all_url": reverse("enforcement:case_list") + f"?deadline={DeadlineFlag.NEAR}",
        "overdue_url": reverse("enforcement:case_list") + f"?deadline={DeadlineFlag.OVERDUE}",
    }


def _cases_panel(request: HttpRequest, cases, **extra) -> dict:
    today = timezone.localdate()
    rows = list(cases[: PANEL_ROWS + 1])
    return {
        "rows": [_row(c, today) for c in rows[:PANEL_ROWS]],
        "more": len(rows) > PANEL_ROWS,
        "can_open": permissions.can_open(request.user),
        **extra,
    }


def activity_cases_panel(request: HttpRequest, activity) -> dict | None:
    """On a 约谈's page (campaigns.activity_detail): the cases linked to it that the user may see,
    newest first. Nothing drawn when there is none."""
    cases = selectors.case_list(user=request.user).filter(talks=activity).order_by("-opened_on", "-pk")
    panel = _cases_panel(request, cases, shown=PANEL_ROWS)
    return panel if panel["rows"] else None


def enterprise_cases_panel(request: HttpRequest, enterprise: Enterprise) -> dict:
    """On the enterprise page: its cases, newest first, and 立案 for those who may open one."""
    return _cases_panel(
        request,
        selectors.cases_for_enterprise(user=request.user, enterprise=enterprise),
        open_url=reverse("enforcement:case_create") + f"?enterprise={enterprise.pk}",
        all_url=reverse("enforcement:case_list") + f"?enterprise={enterprise.pk}",
    )


def enterprise_open_panel(request: HttpRequest, enterprise: Enterprise) -> dict | None:
    """立案 among the enterprise page's buttons."""
    if not permissions.can_open(request.user):
        return None
    return {"url": reverse("enforcement:case_create") + f"?enterprise={enterprise.pk}"}


def hazard_cases_panel(request: HttpRequest, hazard: Hazard) -> dict | None:
    """On the hazard page: the cases opened from it, and 立案查处 (a major hazard not rectified in time)."""
    panel = _cases_panel(
        request,
        selectors.cases_for_hazard(user=request.user, hazard=hazard),
        open_url=reverse("enforcement:case_create") + f"?hazard={hazard.pk}",
    )
    if not panel["rows"] and not panel["can_open"]:
        return None
    return panel


def record_cases_panel(request: HttpRequest, record: InspectionRecord) -> dict | None:
    """On an inspection record's page (drawn once, beside its first 不符合 result, or its first result):
    the cases opened from the record, and 立案 with the record's findings carried over."""
    cases = list(selectors.cases_for_record(user=request.user, record=record)[:PANEL_ROWS])
    can_open = permissions.can_open(request.user)
    if not cases and not can_open:
        return None
    # The record page has its results prefetched (inspections.selectors.record_results): no query here.
    results = sorted((r.pk, r.result) for r in record.results.all())
    anchor = next(
        (pk for pk, value in results if value == "noncompliant"), results[0][0] if results else None
    )
    return {
        "cases": cases,
        "can_open": can_open,
        "anchor": anchor,
        "open_url": reverse("enforcement:case_create") + f"?record={record.pk}",
    }
