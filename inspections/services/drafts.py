"""录入草稿 (InspectionDraft): the phone form's four steps kept on the server as the user goes, checked
against every rule only on submit, when the draft becomes an inspection action (actions.action_create)
or completes a planned one (actions.action_complete_planned)."""

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Enterprise, OrgUnit, User
from accounts.scoping import restrict
from campaigns.models import Campaign
from campaigns.services import campaign_date_error
from core.uploads import validate_image

from .. import hooks, permissions, selectors
from ..choices import ActionStatus, CheckResultValue, LeaderLevel
from ..models import InspectionAction, InspectionDraft, InspectionKind, RecordPhoto
from .actions import (
    ResultData,
    VisitData,
    action_complete_planned,
    action_create,
    check_can_enter,
    check_team_certificates,
)

# draft.data, as the entry form fills it step by step (checked only on submit):
#   {"basics": {"date": "2026-05-01", "kind": 3, "organizer": 7, "members": [4, 9], "experts": "张工",
#               "is_leader_led": false, "leader_name": "", "leader_level": "", "note": ""},
#    "enterprises": [12, 15],
#    "visits": {"12": {"results": {"31": {"result": "noncompliant", "note": "…"}}, "findings": "…"}},
#    "extra": {"hz": {"hz-12-31-level": "major", …}}}   the confirm-step fields of apps above (hooks)
DRAFT_STEPS = 4
# Which step of the form shows the field a ValidationError names: the user is sent back there.
DRAFT_FIELD_STEPS = {
    "date": 1,
    "kind": 1,
    "organizer": 1,
    "members": 1,
    "experts": 1,
    "is_leader_led": 1,
    "leader_name": 1,
    "leader_level": 1,
    "note": 1,
    "campaign": 1,
    "enterprises": 2,
    "results": 3,
    "findings": 3,
    "photo": 3,
}


@dataclass(frozen=True)
class DraftBasics:
    """Step 1 of a draft, resolved to objects and checked against the user's scope."""

    date: dt.date
    kind: InspectionKind
    organizer: OrgUnit
    members: list[User]
    experts: str = ""
    is_leader_led: bool = False
    leader_name: str = ""
    leader_level: str = ""
    note: str = ""
    is_unannounced: bool = False
    campaign: Campaign | None = None

    def action_kwargs(self) -> dict:
        return {
            "date": self.date,
            "kind": self.kind,
            "members": self.members,
            "experts": self.experts,
            "is_leader_led": self.is_leader_led,
            "leader_name": self.leader_name,
            "leader_level": self.leader_level,
            "note": self.note,
            "is_unannounced": self.is_unannounced,
            "campaign": self.campaign,
        }


def _int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _own_draft(*, user: User, draft: InspectionDraft, lock: bool = False) -> InspectionDraft:
    """Drafts are personal; re-read (and lock) so two taps or two tabs cannot interleave."""
    qs = InspectionDraft.objects.filter(pk=draft.pk, owner=user)
    if lock:
        qs = qs.select_for_update(of=("self",))
    found = qs.select_related("planned_action").first()
    if found is None:
        raise ValidationError({"draft": _("该草稿已提交或已删除。")})
    return found


def _delete_files_on_commit(names: list[str]) -> None:
    storage = RecordPhoto._meta.get_field("image").storage

    def delete() -> None:
        for name in names:
            storage.delete(name)

    transaction.on_commit(delete)


def draft_basics_from_action(action: InspectionAction) -> dict:
    return {
        "date": action.date.isoformat(),
        "kind": action.kind_id,
        "organizer": action.organizer_id,
        "members": [m.pk for m in action.members.all()],
        "experts": action.experts,
        "is_leader_led": action.is_leader_led,
        "leader_name": action.leader_name,
        "leader_level": action.leader_level,
        "note": action.note,
        "is_unannounced": action.is_unannounced,
        "campaign": action.campaign_id,
    }


def draft_new_basics(*, user: User) -> dict:
    """What step 1 of a new inspection starts with: today, the user's own unit (or the first he may
    organise for) and himself on the team. Nothing is saved: 录入检查 shows these before any draft exists."""
    organizer = selectors.organizers_writable(user=user)
    own = organizer.filter(pk=user.org_unit_id).first() or organizer.first()
    return {
        "date": timezone.localdate().isoformat(),
        "organizer": own.pk if own else None,
        "members": [user.pk],
    }


@transaction.atomic
def draft_start(
    *,
    user: User,
    planned_action: InspectionAction | None = None,
    enterprise: Enterprise | None = None,
    basics: dict | None = None,
) -> InspectionDraft:
    """开始录入: a new draft, or for a planned inspection the user's draft of it (resumed if it exists),
    prefilled from the plan. Started from an enterprise's page, the draft has that enterprise chosen
    (if the user may inspect it: its change scope, as for any enterprise picked on step 2). Started
    from 录入检查's step 1, `basics` is what was posted (checked later by draft_basics, as any step 1)."""
    check_can_enter(user)
    if planned_action is None:
        data: dict = {"basics": basics if basics is not None else draft_new_basics(user=user)}
        if enterprise is not None:
            if not restrict(Enterprise.objects.filter(pk=enterprise.pk), user, "change").exists():
                raise ValidationError({"enterprises": _("所选单位不在您的管辖范围内。")})
            data["enterprises"] = [enterprise.pk]
        return InspectionDraft.objects.create(owner=user, data=data)
    if planned_action.status != ActionStatus.PLANNED:
        raise ValidationError({"planned_action": _("该检查不是计划中的检查，不能开始录入。")})
    if not permissions.can_organize(user, planned_action.organizer):
        # Submitting would be refused on the organiser anyway: say so before the form is filled in.
        message = _("该计划检查由%(unit)s组织，您不能录入。") % {"unit": planned_action.organizer}
        raise ValidationError({"planned_action": message})
    enterprise_ids = list(planned_action.records.order_by("pk").values_list("enterprise_id", flat=True))
    if restrict(Enterprise.objects.filter(pk__in=enterprise_ids), user, "change").count() != len(
        enterprise_ids
    ):
        raise PermissionDenied(_("该计划检查的被检查单位不在您的管辖范围内。"))
    existing = InspectionDraft.objects.filter(owner=user, planned_action=planned_action).first()
    if existing is not None:
        return existing
    data = {"basics": draft_basics_from_action(planned_action), "enterprises": enterprise_ids}
    return InspectionDraft.objects.create(owner=user, planned_action=planned_action, data=data)


def _clean_visits(visits: Mapping[str, Mapping]) -> dict:
    valid = set(CheckResultValue.values)
    cleaned = {}
    for enterprise_id, visit in visits.items():
        results = {}
        for item_id, entry in (visit.get("results") or {}).items():
            result, note = entry.get("result") or "", (entry.get("note") or "").strip()
            if result and result not in valid:
                raise ValidationError({"results": _("检查结果只能是符合、不符合或不涉及。")})
            if len(note) > 500:
                raise ValidationError({"results": _("每项说明不能超过500字。")})
            if result or note:
                results[str(int(item_id))] = {"result": result, "note": note}
        findings = (visit.get("findings") or "").strip()
        cleaned[str(int(enterprise_id))] = {"results": results, "findings": findings}
    return cleaned


@transaction.atomic
def draft_save(
    *,
    user: User,
    draft: InspectionDraft,
    step: int,
    basics: Mapping | None = None,
    enterprise_ids: Sequence[int] | None = None,
    visits: Mapping[str, Mapping] | None = None,
    extra: Mapping[str, Mapping] | None = None,
) -> InspectionDraft:
    """Keep what the user entered on one step and where they are; nothing is checked against the
    rules yet except scope: an enterprise outside the user's change scope never enters a draft.
    `extra` is the confirm step's fields of the registered submit steps, by prefix (hooks)."""
    draft = _own_draft(user=user, draft=draft, lock=True)
    data = dict(draft.data)
    if basics is not None:
        data["basics"] = dict(basics)
    if enterprise_ids is not None:
        ids = list(dict.fromkeys(int(pk) for pk in enterprise_ids))
        if draft.planned_action_id and ids != data.get("enterprises", []):
            raise ValidationError({"enterprises": _("计划检查的被检查单位不能更改。")})
        allowed = set(
            restrict(Enterprise.objects.filter(pk__in=ids), user, "change").values_list("pk", flat=True)
        )
        if set(ids) - allowed:
            raise ValidationError({"enterprises": _("所选单位不在您的管辖范围内。")})
        data["enterprises"] = ids
    if visits is not None:
        data["visits"] = {**data.get("visits", {}), **_clean_visits(visits)}
    if extra is not None:
        kept = dict(data.get("extra") or {})
        for prefix in hooks.submit_prefixes():
            if prefix in extra:
                kept[prefix] = hooks.fields_of(prefix, extra[prefix])
        data["extra"] = kept
    draft.data = data
    draft.step = min(max(int(step), 1), DRAFT_STEPS)
    draft.save()
    return draft


def draft_basics(*, user: User, draft: InspectionDraft) -> DraftBasics:
    """Step 1 of the draft as objects, each id checked against what the user may choose."""
    raw = draft.data.get("basics") or {}
    planned = draft.planned_action
    errors: dict[str, str] = {}
    date = None
    try:
        date = dt.date.fromisoformat(raw.get("date") or "")
    except (TypeError, ValueError):
        errors["date"] = _("请填写检查日期。")
    if date and date > timezone.localdate():
        errors["date"] = _("检查日期不能晚于今天。")
    kind = InspectionKind.objects.filter(is_active=True, pk=_int_or_none(raw.get("kind"))).first()
    if kind is None:
        errors["kind"] = _("请选择检查类型。")
    if planned is not None:
        organizer = planned.organizer
    else:
        organizer = (
            selectors.organizers_writable(user=user).filter(pk=_int_or_none(raw.get("organizer"))).first()
        )
        if organizer is None:
            errors["organizer"] = _("请选择检查单位。")
    member_ids = {pk for pk in map(_int_or_none, raw.get("members") or []) if pk is not None}
    planned_members = planned.members.values_list("pk", flat=True) if planned else []
    members = list(
        selectors.team_candidates(user=user, include_ids=planned_members).filter(pk__in=member_ids)
    )
    if len(members) != len(member_ids):
        errors["members"] = _("所选检查人员不在可选范围内。")
    leader_level = raw.get("leader_level") or ""
    if leader_level and leader_level not in LeaderLevel.values:
        errors["leader_level"] = _("领导级别无效。")
    is_leader_led = bool(raw.get("is_leader_led"))
    leader_name = (raw.get("leader_name") or "").strip()
    if is_leader_led and not leader_name:
        errors["leader_name"] = _("领导带队的检查须填写带队领导。")
    campaign = None
    if raw.get("campaign"):
        campaign = Campaign.objects.filter(pk=_int_or_none(raw.get("campaign"))).first()
        if campaign is None:
            errors["campaign"] = _("所选专项行动不存在。")
        elif date and (message := campaign_date_error(campaign, date)):
            errors["campaign"] = message
    if errors:
        raise ValidationError(errors)
    return DraftBasics(
        date=date,
        kind=kind,
        organizer=organizer,
        members=members,
        experts=raw.get("experts") or "",
        is_leader_led=is_leader_led,
        leader_name=leader_name,
        leader_level=leader_level,
        note=raw.get("note") or "",
        is_unannounced=bool(raw.get("is_unannounced")),
        campaign=campaign,
    )


def draft_check_basics(*, user: User, draft: InspectionDraft) -> DraftBasics:
    """Step 1 against every rule submit will apply, so the 执法证 rule shows on step 1 already."""
    basics = draft_basics(user=user, draft=draft)
    check_team_certificates(kind=basics.kind, members=basics.members, on=basics.date)
    return basics


def _draft_visits(draft: InspectionDraft, enterprises: Sequence[Enterprise]) -> dict[int, VisitData]:
    """The ticked items of each chosen enterprise; items that no longer apply to it are left out."""
    items = selectors.check_items_by_enterprise(enterprises)
    stored = draft.data.get("visits") or {}
    visits = {}
    for enterprise in enterprises:
        visit = stored.get(str(enterprise.pk)) or {}
        applicable = {i.pk for i in items.get(enterprise.pk, [])}
        results = [
            ResultData(item_id=int(item_id), result=entry["result"], note=entry.get("note", ""))
            for item_id, entry in (visit.get("results") or {}).items()
            if entry.get("result") and int(item_id) in applicable
        ]
        visits[enterprise.pk] = VisitData(results=results, findings=visit.get("findings", ""))
    return visits


@transaction.atomic
def draft_photo_create(
    *, user: User, draft: InspectionDraft, enterprise_id: int, file, caption: str = ""
) -> RecordPhoto:
    """现场照片 on a draft: a real image (checked by content), for one of the chosen enterprises."""
    draft = _own_draft(user=user, draft=draft)
    if enterprise_id not in (draft.data.get("enterprises") or []):
        raise ValidationError({"photo": _("请先选择被检查单位，再上传照片。")})
    try:
        ext = validate_image(file)
    except ValidationError as exc:
        raise ValidationError({"photo": exc.messages}) from exc
    file.name = f"photo.{ext}"  # the stored name never comes from the browser
    return RecordPhoto.objects.create(
        draft=draft, enterprise_id=enterprise_id, image=file, caption=caption[:200], uploaded_by=user
    )


@transaction.atomic
def draft_photo_delete(*, user: User, draft: InspectionDraft, photo_id: int) -> None:
    draft = _own_draft(user=user, draft=draft)
    photo = draft.photos.filter(pk=photo_id).first()
    if photo is not None:
        _delete_files_on_commit([photo.image.name])
        photo.delete()


@transaction.atomic
def draft_discard(*, user: User, draft: InspectionDraft) -> None:
    """放弃草稿: the draft and its photos go; a planned inspection stays planned."""
    draft = _own_draft(user=user, draft=draft, lock=True)
    _delete_files_on_commit(list(draft.photos.values_list("image", flat=True)))
    draft.delete()


@transaction.atomic
def draft_submit(*, user: User, draft: InspectionDraft) -> InspectionAction:
    """提交: the draft becomes an inspection action with its records, results and photos, numbered;
    for a planned inspection, that action is completed. Then the submit steps of the apps above run
    in the same transaction (hazards: each 不符合 item becomes a hazard), so a step's refusal leaves
    nothing written and the draft kept. The draft is then gone."""
    draft = _own_draft(user=user, draft=draft, lock=True)
    basics = draft_check_basics(user=user, draft=draft)
    ids = draft.data.get("enterprises") or []
    enterprises = list(selectors.enterprises_writable(user=user, ids=ids))
    if not ids:
        raise ValidationError({"enterprises": _("请至少选择一家被检查单位。")})
    if len(enterprises) != len(set(ids)):
        raise ValidationError({"enterprises": _("所选单位不在您的管辖范围内。")})
    visits = _draft_visits(draft, enterprises)
    if draft.planned_action_id:
        action = action_complete_planned(
            user=user, action=draft.planned_action, visits=visits, **basics.action_kwargs()
        )
    else:
        action = action_create(
            user=user,
            organizer=basics.organizer,
            enterprises=enterprises,
            visits=visits,
            **basics.action_kwargs(),
        )
    records = {r.enterprise_id: r.pk for r in action.records.all()}
    leftovers = []
    for photo in draft.photos.all():
        if photo.enterprise_id in records:
            photo.record_id, photo.draft = records[photo.enterprise_id], None
            photo.save(update_fields=["record", "draft"])
        else:
            leftovers.append(photo.image.name)
    hooks.run_submit_steps(user=user, action=action, extra=draft.data.get("extra") or {})
    _delete_files_on_commit(leftovers)
    draft.delete()
    return action
