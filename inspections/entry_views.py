"""录入检查: the four-step phone form, its drafts, and the action / record / photo pages.

Every step is a plain POST form that saves into the user's InspectionDraft through the services
before moving on, so a connection lost between steps costs nothing: the draft is on the server
and /inspections/new/ or 我的草稿 brings the user back to the step they were on.
"""

import datetime as dt
import mimetypes
from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from core.errors import form_add_errors
from core.panels import panels_for

from . import hooks, permissions, selectors, services
from .choices import CheckResultValue, LeaderLevel
from .forms import EntryBasicsForm
from .models import InspectionDraft

STEPS = [
    (1, gettext_lazy("基本信息")),
    (2, gettext_lazy("被检查单位")),
    (3, gettext_lazy("检查情况")),
    (4, gettext_lazy("确认提交")),
]
STEP_TEMPLATES = {n: f"inspections/entry_step{n}.html" for n, _label in STEPS}
SEARCH_LIMIT = 20


def writer_required(view: Callable) -> Callable:
    """录入 is for roles that may write; a leader (read-only) gets 403."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not permissions.can_enter(request.user):
            raise PermissionDenied(_("您没有录入检查的权限。"))
        return view(request, *args, **kwargs)

    return login_required(wrapped)


def step_url(draft: InspectionDraft, step: int | None = None) -> str:
    return reverse("inspections:draft_step", args=[draft.pk, step or draft.step])


def _errors_key(draft: InspectionDraft) -> str:
    return f"inspection-draft-{draft.pk}-errors"


def _send_back(request: HttpRequest, draft: InspectionDraft, exc: ValidationError) -> HttpResponse:
    """A rule failed on submit: back to the step that shows the field, with the message; the draft
    keeps everything."""
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    step = min((services.DRAFT_FIELD_STEPS.get(f, services.DRAFT_STEPS) for f in errors), default=4)
    request.session[_errors_key(draft)] = errors
    messages.error(request, _("尚未提交：请先改正标出的问题。"))
    return redirect(step_url(draft, step))


# ---------------------------------------------------------------- start, resume, drafts


@writer_required
def entry_new(request: HttpRequest) -> HttpResponse:
    """录入检查: with drafts in progress, offer to resume them; otherwise step 1 of a new inspection.

    Nothing is saved until step 1 is posted with a unit chosen: then the draft is created and the
    user goes on as from any step 1. `?new=1` (the 新建 button beside the drafts) shows step 1 anyway.
    `?enterprise=<id>` (the enterprise page's 录入检查) starts a draft at once with that enterprise
    chosen (a GET only when the user has no drafts, so a reload piles nothing up); one the user may
    not inspect answers 404.
    """
    enterprise = _start_enterprise(request)
    if enterprise is not None:
        drafts = list(selectors.draft_list(user=request.user))
        if request.method == "POST" or not drafts:
            draft = services.draft_start(user=request.user, enterprise=enterprise)
            return redirect(step_url(draft, 1))
        context = {"rows": _draft_rows(request.user, drafts), "enterprise": enterprise}
        return render(request, "inspections/entry_new.html", context)
    if request.method == "GET" and "new" not in request.GET:
        drafts = list(selectors.draft_list(user=request.user))
        if drafts:
            return render(request, "inspections/entry_new.html", {"rows": _draft_rows(request.user, drafts)})
    return _new_basics(request)


def _new_basics(request: HttpRequest) -> HttpResponse:
    """Step 1 before any draft exists: an unsaved draft carries the defaults; a valid post creates it."""
    user = request.user
    unsaved = InspectionDraft(owner=user, data={"basics": services.draft_new_basics(user=user)})
    basics = unsaved.data["basics"]
    if request.method != "POST":
        form = EntryBasicsForm(user=user, draft=unsaved, initial=basics)
        return _render_step(request, unsaved, 1, {"form": form})
    form = EntryBasicsForm(request.POST, user=user, draft=unsaved, initial=basics)
    if not form.is_valid():
        return _render_step(request, unsaved, 1, {"form": form})
    draft = services.draft_start(user=user, basics=form.to_draft())
    try:
        services.draft_check_basics(user=user, draft=draft)
    except ValidationError as exc:
        # The draft exists now: its own step 1 shows the rule that failed, with everything kept.
        request.session[_errors_key(draft)] = (
            exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        )
        return redirect(step_url(draft, 1))
    goto = _goto(request, 2)
    services.draft_save(user=user, draft=draft, step=goto)
    return redirect(step_url(draft, goto))


def _start_enterprise(request: HttpRequest):
    raw = request.GET.get("enterprise")
    if raw is None:
        return None
    found = (
        selectors.enterprises_writable(user=request.user, ids=[raw]).first()
        if raw.isdecimal() and len(raw) < 10
        else None
    )
    if found is None:
        raise Http404(_("找不到该单位，或不在您的管辖范围内。"))
    return found


@login_required
def draft_list(request: HttpRequest) -> HttpResponse:
    """我的草稿: the user's own drafts, newest first, each with what it holds so far."""
    rows = _draft_rows(request.user, list(selectors.draft_list(user=request.user)))
    return render(request, "inspections/draft_list.html", {"rows": rows})


def _draft_rows(user, drafts: list[InspectionDraft]) -> list[dict]:
    ids = {pk for d in drafts for pk in d.data.get("enterprises") or []}
    names = dict(
        selectors.enterprises_writable(user=user, ids=ids).prefetch_related(None).values_list("pk", "name")
    )
    labels = dict(STEPS)
    return [
        {
            "draft": d,
            "date": (d.data.get("basics") or {}).get("date", ""),
            "enterprises": [names[pk] for pk in d.data.get("enterprises") or [] if pk in names],
            "step_label": labels.get(d.step, ""),
        }
        for d in drafts
    ]


@login_required
def draft_resume(request: HttpRequest, pk: int) -> HttpResponse:
    return redirect(step_url(selectors.draft_get(user=request.user, pk=pk)))


@require_POST
@writer_required
def draft_discard(request: HttpRequest, pk: int) -> HttpResponse:
    draft = selectors.draft_get(user=request.user, pk=pk)
    services.draft_discard(user=request.user, draft=draft)
    messages.success(request, _("草稿已删除。"))
    return redirect("inspections:draft_list")


@require_POST
@writer_required
def planned_start(request: HttpRequest, pk: int) -> HttpResponse:
    """开始录入 on a planned inspection (双随机): a draft prefilled from it, or the one already begun."""
    action = selectors.action_get(user=request.user, pk=pk)
    try:
        draft = services.draft_start(user=request.user, planned_action=action)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("inspections:action_detail", pk=action.pk)
    return redirect(step_url(draft))


@require_GET
@writer_required
def enterprise_search(request: HttpRequest) -> JsonResponse:
    """Step 2's search as JSON for the page script: at most 20 enterprises in the user's change scope."""
    found = selectors.enterprise_search(user=request.user, q=request.GET.get("q", ""), limit=SEARCH_LIMIT)
    return JsonResponse({"results": [_enterprise_row(e) for e in found]})


def _enterprise_row(enterprise) -> dict:
    return {
        "id": enterprise.pk,
        "name": enterprise.name,
        "uscc": enterprise.uscc,
        "township": enterprise.township.name,
    }


# ---------------------------------------------------------------- the four steps


@writer_required
def draft_step(request: HttpRequest, pk: int, step: int) -> HttpResponse:
    try:
        draft = selectors.draft_get(user=request.user, pk=pk)
    except Http404:
        # A second tap on 提交 after the first went through: the draft is gone, the action exists.
        # Another user's draft still answers 404.
        if request.method == "POST" and not selectors.draft_exists(pk=pk):
            return _already_submitted(request)
        raise
    handler = {1: _step_basics, 2: _step_enterprises, 3: _step_visits, 4: _step_confirm}.get(step)
    if handler is None:
        return redirect(step_url(draft))
    pending = request.session.pop(_errors_key(draft), None) if request.method == "GET" else None
    return handler(request, draft, pending or {})


def _render_step(request: HttpRequest, draft: InspectionDraft, step: int, context: dict) -> HttpResponse:
    context = {
        "draft": draft,
        "step": step,
        "steps": STEPS,
        "planned": draft.planned_action,
        **context,
    }
    return render(request, STEP_TEMPLATES[step], context)


def _goto(request: HttpRequest, default: int) -> int:
    """The 上一步 / 下一步 buttons carry the step to go to."""
    target = request.POST.get("goto", "")
    return int(target) if target in {"1", "2", "3", "4"} else default


def _go(request: HttpRequest, draft: InspectionDraft, default: int) -> HttpResponse:
    return redirect(step_url(draft, _goto(request, default)))


def _already_submitted(request: HttpRequest) -> HttpResponse:
    messages.info(request, _("该草稿已提交或已删除，未重复提交。"))
    return redirect("inspections:action_list")


def _step_basics(request: HttpRequest, draft: InspectionDraft, pending: dict) -> HttpResponse:
    user = request.user
    basics = draft.data.get("basics") or {}
    if request.method == "POST":
        form = EntryBasicsForm(request.POST, user=user, draft=draft, initial=basics)
        if form.is_valid():
            draft = services.draft_save(user=user, draft=draft, step=1, basics=form.to_draft())
            try:
                services.draft_check_basics(user=user, draft=draft)
            except ValidationError as exc:
                form_add_errors(form, exc)
            else:
                goto = _goto(request, 2)
                services.draft_save(user=user, draft=draft, step=goto)
                return redirect(step_url(draft, goto))
    elif pending:
        # Sent back from submit: show the draft as entered, with the rule that failed on its field.
        form = EntryBasicsForm(_basics_as_data(basics), user=user, draft=draft, initial=basics)
        form.is_valid()
        form_add_errors(form, ValidationError(pending))
    else:
        form = EntryBasicsForm(user=user, draft=draft, initial=basics)
    return _render_step(request, draft, 1, {"form": form})


def _basics_as_data(basics: dict) -> QueryDict:
    data = QueryDict(mutable=True)
    for key, value in basics.items():
        if isinstance(value, list):
            data.setlist(key, [str(v) for v in value])
        elif isinstance(value, bool):
            if value:
                data[key] = "on"
        elif value is not None:
            data[key] = str(value)
    return data


def _chosen(user, draft: InspectionDraft) -> list:
    """The draft's enterprises in the order they were picked, re-read through the user's scope."""
    ids = draft.data.get("enterprises") or []
    by_id = {e.pk: e for e in selectors.enterprises_writable(user=user, ids=ids)}
    return [by_id[pk] for pk in ids if pk in by_id]


def _warnings(draft: InspectionDraft, enterprises: list) -> list:
    """多头检查/重复检查: other units' inspections of the chosen enterprises within the window."""
    basics = draft.data.get("basics") or {}
    organizer_id = draft.planned_action.organizer_id if draft.planned_action else basics.get("organizer")
    try:
        on = dt.date.fromisoformat(basics.get("date") or "")
    except (TypeError, ValueError):
        on = timezone.localdate()
    return list(
        selectors.repeat_visits(enterprise_ids=[e.pk for e in enterprises], organizer_id=organizer_id, on=on)
    )


def _step_enterprises(request: HttpRequest, draft: InspectionDraft, pending: dict) -> HttpResponse:
    user = request.user
    if request.method == "POST":
        ids = list(draft.data.get("enterprises") or [])
        q = request.POST.get("q", "")
        try:
            if request.POST.get("add", "").isdecimal():
                ids.append(int(request.POST["add"]))
                services.draft_save(user=user, draft=draft, step=2, enterprise_ids=ids)
            elif request.POST.get("remove", "").isdecimal():
                ids = [pk for pk in ids if pk != int(request.POST["remove"])]
                services.draft_save(user=user, draft=draft, step=2, enterprise_ids=ids)
            else:
                goto = _goto(request, 3)
                if goto > 2 and not ids:
                    raise ValidationError({"enterprises": _("请至少选择一家被检查单位。")})
                services.draft_save(user=user, draft=draft, step=goto)
                return redirect(step_url(draft, goto))
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        url = step_url(draft, 2)
        return redirect(f"{url}?{urlencode({'q': q})}" if q else url)
    chosen = _chosen(user, draft)
    q = request.GET.get("q", "").strip()
    found = list(selectors.enterprise_search(user=user, q=q, limit=SEARCH_LIMIT)) if q else []
    results = [e for e in found if e not in chosen]
    context = {
        "chosen": chosen,
        "q": q,
        "results": results,
        "found_chosen": bool(found) and not results,
        "warnings": _warnings(draft, chosen),
        "repeat_days": _repeat_days(),
        "pending": pending,
        "search_url": reverse("inspections:entry_enterprise_search"),
    }
    return _render_step(request, draft, 2, context)


def _repeat_days() -> int:
    return settings.INSPECTION_REPEAT_DAYS


def _panels(user, draft: InspectionDraft, photo_errors: dict | None = None) -> list[dict]:
    """One panel per chosen enterprise: its items with what was ticked so far, and its photos."""
    chosen = _chosen(user, draft)
    items = selectors.check_items_by_enterprise(chosen)
    visits = draft.data.get("visits") or {}
    photos: dict[int, list] = {}
    for photo in draft.photos.all():
        photos.setdefault(photo.enterprise_id, []).append(photo)
    panels = []
    for enterprise in chosen:
        visit = visits.get(str(enterprise.pk)) or {}
        results = visit.get("results") or {}
        rows = []
        for item in items.get(enterprise.pk, []):
            entry = results.get(str(item.pk)) or {}
            rows.append({"item": item, "result": entry.get("result", ""), "note": entry.get("note", "")})
        counts = {value: sum(r["result"] == value for r in rows) for value in CheckResultValue.values}
        panels.append(
            {
                "enterprise": enterprise,
                "rows": rows,
                "findings": visit.get("findings", ""),
                "photos": photos.get(enterprise.pk, []),
                "photo_errors": (photo_errors or {}).get(enterprise.pk, []),
                "compliant": counts[CheckResultValue.COMPLIANT],
                "noncompliant": counts[CheckResultValue.NONCOMPLIANT],
                "not_applicable": counts[CheckResultValue.NOT_APPLICABLE],
                "unanswered": sum(not r["result"] for r in rows),
                "notes_only": sum(bool(r["note"]) and not r["result"] for r in rows),
                "noncompliant_rows": [r for r in rows if r["result"] == CheckResultValue.NONCOMPLIANT],
            }
        )
    return panels


def _step_visits(request: HttpRequest, draft: InspectionDraft, pending: dict) -> HttpResponse:
    user = request.user
    photo_errors: dict[int, list[str]] = {}
    if request.method == "POST":
        panels = _panels(user, draft)
        visits = {
            str(p["enterprise"].pk): {
                "results": {
                    str(r["item"].pk): {
                        "result": request.POST.get(f"r-{p['enterprise'].pk}-{r['item'].pk}", ""),
                        "note": request.POST.get(f"n-{p['enterprise'].pk}-{r['item'].pk}", ""),
                    }
                    for r in p["rows"]
                },
                "findings": request.POST.get(f"findings-{p['enterprise'].pk}", ""),
            }
            for p in panels
        }
        try:
            draft = services.draft_save(user=user, draft=draft, step=3, visits=visits)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
            return redirect(step_url(draft, 3))
        photo_errors = _save_photos(request, draft, [p["enterprise"].pk for p in panels])
        if not photo_errors:
            if "goto" in request.POST:
                goto = _goto(request, 4)
                services.draft_save(user=user, draft=draft, step=goto)
                return redirect(step_url(draft, goto))
            anchor = request.POST.get("upload", "")
            return redirect(
                f"{step_url(draft, 3)}#panel-{anchor}" if anchor.isdecimal() else step_url(draft, 3)
            )
        messages.error(request, _("有照片未能上传，其他内容已保存。"))
    context = {
        "panels": _panels(user, draft, photo_errors),
        "pending": pending,
        "result_choices": CheckResultValue.choices,
    }
    return _render_step(request, draft, 3, context)


def _save_photos(request: HttpRequest, draft: InspectionDraft, enterprise_ids: list[int]) -> dict:
    errors: dict[int, list[str]] = {}
    delete = request.POST.get("delete_photo", "")
    if delete.isdecimal():
        services.draft_photo_delete(user=request.user, draft=draft, photo_id=int(delete))
    for enterprise_id in enterprise_ids:
        for file in request.FILES.getlist(f"photo-{enterprise_id}"):
            try:
                services.draft_photo_create(
                    user=request.user, draft=draft, enterprise_id=enterprise_id, file=file
                )
            except ValidationError as exc:
                errors.setdefault(enterprise_id, []).extend(exc.messages)
    return errors


def _step_confirm(request: HttpRequest, draft: InspectionDraft, pending: dict) -> HttpResponse:
    user = request.user
    if request.method == "POST":
        # The fields apps above draw on this step (hooks: hazards' per-item choices) are kept in the
        # draft first, whichever button was pressed, so a refused submit or a step back loses nothing.
        extra = {prefix: hooks.fields_of(prefix, request.POST) for prefix in hooks.submit_prefixes()}
        try:
            draft = services.draft_save(user=user, draft=draft, step=4, extra=extra)
        except ValidationError:
            return _already_submitted(request)  # the other of two simultaneous taps won
        if "goto" in request.POST:
            return _go(request, draft, 3)
        try:
            action = services.draft_submit(user=user, draft=draft)
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and "draft" in exc.error_dict:
                return _already_submitted(request)  # the other of two simultaneous taps won
            return _send_back(request, draft, exc)
        messages.success(
            request,
            _("检查已提交，编号 %(number)s，共检查 %(n)d 家单位。")
            % {"number": action.number, "n": action.records.count()},
        )
        return redirect("inspections:action_detail", pk=action.pk)
    problems: list[str] = []
    basics = None
    try:
        basics = services.draft_check_basics(user=user, draft=draft)
    except ValidationError as exc:
        problems.extend(exc.messages)
    panels = _panels(user, draft)
    if not panels:
        problems.append(_("请至少选择一家被检查单位。"))
    # A refused submit step's messages go beside its own fields, in its panel; the rest at the top.
    own = {f: m for f, m in pending.items() if not hooks.owns_field(f)}
    extensions = panels_for(
        hooks.ENTRY_CONFIRM,
        request,
        draft=draft,
        visits=panels,
        basics=basics,
        saved=draft.data.get("extra") or {},
        errors={f: m for f, m in pending.items() if hooks.owns_field(f)},
    )
    context = {
        "basics": basics,
        "panels": panels,
        "extensions": extensions,
        "problems": problems,
        "pending": own,
        "warnings": _warnings(draft, [p["enterprise"] for p in panels]),
        "repeat_days": _repeat_days(),
        "leader_levels": LeaderLevel.choices,
        "certified": {m.pk for m in basics.members if m.holds_valid_cert(basics.date)} if basics else set(),
    }
    return _render_step(request, draft, 4, context)


# ---------------------------------------------------------------- action, record, photo pages


@login_required
def action_detail(request: HttpRequest, pk: int) -> HttpResponse:
    action = selectors.action_get(user=request.user, pk=pk)
    records = list(selectors.action_records(user=request.user, action=action))
    return render(
        request,
        "inspections/action_detail.html",
        {
            "action": action,
            "members": list(action.members.select_related("org_unit").order_by("name", "username")),
            "records": records,
            # Apps above list what the action produced (hazards: the hazards registered from it).
            "panels": panels_for(hooks.ACTION_DETAIL, request, action=action),
            # Only who may act for its organiser can complete a planned inspection (submit checks it too).
            "can_start": permissions.can_complete(request.user, action),
        },
    )


@login_required
def record_detail(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.record_get(user=request.user, pk=pk)
    results = selectors.record_results(record=record)
    return render(
        request,
        "inspections/record_detail.html",
        {
            "record": record,
            "action": record.action,
            "results": results,
            "noncompliant": [r for r in results if r.result == CheckResultValue.NONCOMPLIANT],
            "photos": list(record.photos.all()),
            "members": list(record.action.members.order_by("name", "username")),
            # Apps above add their part beside each result (hazards: 登记为隐患) through core.panels,
            # so this layer never names them.
            "panels": panels_for("inspections.record_detail", request, record=record),
            "can_change": permissions.can_change_record(request.user, record),
            "successor": getattr(record, "superseded_by", None),
        },
    )


@require_POST
@writer_required
def record_issue(request: HttpRequest, pk: int) -> HttpResponse:
    """出具记录（打印签字）: the record is locked; the PDF (a GET) never changes it."""
    record = selectors.record_get(user=request.user, pk=pk)
    try:
        services.record_issue(user=request.user, record=record)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("检查记录已出具，此后不能修改；如需更正，请新建更正版本。"))
    return redirect("inspections:record_detail", pk=record.pk)


@require_POST
@writer_required
def record_correct(request: HttpRequest, pk: int) -> HttpResponse:
    """更正: a new version of an issued record, which supersedes it; the old one stays as it was."""
    record = selectors.record_get(user=request.user, pk=pk)
    try:
        new = services.record_correct(user=request.user, record=record)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("inspections:record_detail", pk=record.pk)
    messages.success(request, _("已新建更正版本 %(number)s，出具前可修改。") % {"number": new.number})
    return redirect("inspections:record_detail", pk=new.pk)


@login_required
def photo(request: HttpRequest, pk: int) -> FileResponse:
    """A photo through the scoping rule (its record, or the viewer's own draft): never a bare /media/ link."""
    found = selectors.photo_get(user=request.user, pk=pk)
    content_type = mimetypes.guess_type(found.image.name)[0] or "application/octet-stream"
    try:
        response = FileResponse(found.image.open("rb"), content_type=content_type)
    except FileNotFoundError as exc:
        raise Http404 from exc
    response["Cache-Control"] = "private, max-age=3600"
    return response
