"""检查行动 (InspectionAction) and its 检查记录 (InspectionRecord): numbering, the rules every inspection
meets, and the one builder an action goes through whatever its origin — the entry form's draft, the
API, a planned 双随机 inspection completed, or an action of an imported ledger (services.imports)."""

import datetime as dt
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Enterprise, OrgUnit, User
from accounts.scoping import restrict
from accounts.services import number_block
from campaigns.models import Campaign
from campaigns.services import campaign_date_error
from core.dates import EARLIEST
from core.uploads import validate_image

from .. import permissions, selectors
from ..choices import ActionStatus, CheckResultValue
from ..models import CheckItem, CheckResult, InspectionAction, InspectionKind, InspectionRecord, RecordPhoto


@dataclass(frozen=True)
class ResultData:
    """One ticked check item: 符合 / 不符合 / 不涉及 and a note."""

    item_id: int
    result: str
    note: str = ""


@dataclass(frozen=True)
class VisitData:
    """What was found at one enterprise on an action: item results, findings, a note."""

    results: Sequence[ResultData] = field(default_factory=tuple)
    findings: str = ""
    note: str = ""


# ---------------------------------------------------------------- numbering

ACTION_MARK, RECORD_MARK = "检", "现检"
_SERIES = {ACTION_MARK: "inspection", RECORD_MARK: "inspection-record"}


def unit_label(unit: OrgUnit) -> str:
    return unit.short_name or unit.name


def number_label(unit: OrgUnit, mark: str, year: int, serial: int) -> str:
    return f"{unit_label(unit)}{mark}〔{year}〕{serial}号"


def numbers_issue(mark: str, actions: Sequence[InspectionAction]) -> list[str]:
    """One number per entry of `actions` (repeats welcome: one per record), in the order given, from
    its organiser's gap-free series for its year: 区应急管理局检〔2026〕12号 for an action (ACTION_MARK),
    区应急管理局现检〔2026〕31号 for a 现场检查记录 (RECORD_MARK).

    Each organiser and year takes one block, so a whole import costs a statement per series, and the
    series stay exactly as numbering one by one would leave them (caller holds the transaction).
    """
    wanted = Counter((a.organizer_id, a.date.year) for a in actions)
    units = {a.organizer_id: a.organizer for a in actions}
    blocks = {
        (unit_id, year): iter(number_block(series=_SERIES[mark], org_unit=units[unit_id], year=year, count=n))
        for (unit_id, year), n in wanted.items()
    }
    return [
        number_label(a.organizer, mark, a.date.year, next(blocks[(a.organizer_id, a.date.year)]))
        for a in actions
    ]


def _number(action: InspectionAction, records: Sequence[InspectionRecord]) -> None:
    """An inspection that happened takes its number, and each of its records one (planned ones wait)."""
    action.number = numbers_issue(ACTION_MARK, [action])[0]
    for record, number in zip(records, numbers_issue(RECORD_MARK, [action] * len(records)), strict=True):
        record.number = number


# ---------------------------------------------------------------- the rules


def split_names(text: str) -> list[str]:
    """Outside experts are typed as one line of names: 张三、李四, 王五."""
    for sep in ",，;；":
        text = text.replace(sep, "、")
    return [name.strip() for name in text.split("、") if name.strip()]


def _check_results(
    results: Sequence[ResultData], *, applicable: set[int] | None = None, kept: frozenset[int] = frozenset()
) -> None:
    """`applicable`: the items of the enterprise's sectors, when known (an API client may send any id);
    `kept`: items the record already has, which stay allowed though retired or re-sectored since."""
    valid = set(CheckResultValue.values)
    if any(r.result not in valid for r in results):
        raise ValidationError({"results": _("检查结果只能是符合、不符合或不涉及。")})
    ids = [r.item_id for r in results]
    if len(set(ids)) != len(ids):
        raise ValidationError({"results": _("同一检查事项只能记录一次结果。")})
    new = set(ids) - kept
    if CheckItem.objects.filter(pk__in=new, is_active=True).count() != len(new):
        raise ValidationError({"results": _("检查事项不存在或已停用。")})
    if applicable is not None and new - applicable:
        raise ValidationError({"results": _("检查事项不属于被检查单位的行业领域。")})


def _applicable_item_ids(enterprise_ids) -> dict[int, set[int]]:
    """The published items each enterprise may be checked on (its sectors and their parents)."""
    enterprises = Enterprise.objects.filter(pk__in=list(enterprise_ids)).prefetch_related("sectors")
    items = selectors.check_items_by_enterprise(enterprises)
    return {pk: {i.pk for i in found} for pk, found in items.items()}


def check_can_enter(user: User) -> None:
    if not permissions.can_enter(user):
        raise PermissionDenied(_("您没有录入检查的权限。"))


def check_campaign(campaign: Campaign | None, on: dt.date) -> None:
    """专项行动: an inspection tagged to a campaign happens within the campaign's period."""
    message = campaign_date_error(campaign, on)
    if message:
        raise ValidationError({"campaign": message})


def check_visited(enterprise_ids: Sequence[int]) -> None:
    """An action visits at least one enterprise, each once (1 家次 each)."""
    if not enterprise_ids:
        raise ValidationError({"enterprises": _("请至少选择一家被检查单位。")})
    if len(set(enterprise_ids)) != len(enterprise_ids):
        raise ValidationError({"enterprises": _("同一检查行动中不能重复选择同一单位。")})


def check_enterprises_writable(*, user: User, enterprise_ids: set[int]) -> None:
    """Every visited enterprise lies in the user's change scope (one query for any number)."""
    if restrict(Enterprise.objects.filter(pk__in=enterprise_ids), user, "change").count() != len(
        enterprise_ids
    ):
        raise ValidationError({"enterprises": _("所选单位不在您的管辖范围内。")})


def check_team_certificates(*, kind: InspectionKind, members: Sequence[User], on: dt.date) -> None:
    """An enforcement inspection needs at least two members holding a valid 执法证 on the day."""
    if kind.is_enforcement and sum(m.holds_valid_cert(on) for m in members) < 2:
        raise ValidationError(
            {"members": _("执法检查的检查组须至少有两名持有效执法证的人员。")}, code="too_few_certified"
        )


def imported_team_unverified(*, kind: InspectionKind, members: Sequence[User], on: dt.date) -> bool:
    """The 执法证 rule for an imported inspection, in one place for the import's check and its write.

    From INSPECTION_CERT_RULE_FROM (the day the office starts working in the system) an imported
    inspection meets the rule as an entered one does (refused otherwise). An older enforcement
    inspection whose team cannot be verified (its people have no accounts, or no 执法证 on file) is
    imported as it was written and flagged 执法证未核验: True.
    """
    if on >= settings.INSPECTION_CERT_RULE_FROM:
        check_team_certificates(kind=kind, members=members, on=on)
        return False
    try:
        check_team_certificates(kind=kind, members=members, on=on)
    except ValidationError:
        return True
    return False


def check_action(
    *,
    user: User,
    organizer: OrgUnit,
    kind: InspectionKind,
    members: Sequence[User],
    on: dt.date,
    leader_name: str | None,
    happened: bool = True,
    certificates: bool = True,
) -> None:
    """The rules of the action itself, which need no query: an import checks them per action.

    `leader_name` is None when the action is not leader-led; a planned one (`happened` False) may lie
    in the future; an import passes `certificates` False and applies imported_team_unverified instead.
    """
    if happened and on > timezone.localdate():
        raise ValidationError({"date": _("检查日期不能晚于今天。")})
    if on < EARLIEST:
        raise ValidationError({"date": _("检查日期不能早于 %(year)s 年。") % {"year": EARLIEST.year}})
    if not permissions.can_organize(user, organizer):
        raise ValidationError({"organizer": _("您不能以该单位的名义组织检查。")})
    if leader_name is not None and not leader_name.strip():
        raise ValidationError({"leader_name": _("领导带队的检查须填写带队领导。")})
    if certificates:
        check_team_certificates(kind=kind, members=members, on=on)


def check_action_rules(
    *,
    user: User,
    organizer: OrgUnit,
    enterprise_ids: set[int],
    kind: InspectionKind,
    members: Sequence[User],
    on: dt.date,
    leader_name: str | None,
    visits: Mapping[int, VisitData],
    happened: bool = True,
) -> None:
    """The rules every inspection must meet, whether entered, completed, imported or planned: who may
    enter, the action's own rules (check_action), the enterprises' scope and the item results."""
    check_can_enter(user)
    check_action(
        user=user,
        organizer=organizer,
        kind=kind,
        members=members,
        on=on,
        leader_name=leader_name,
        happened=happened,
    )
    check_enterprises_writable(user=user, enterprise_ids=enterprise_ids)
    if set(visits) - enterprise_ids:
        raise ValidationError({"results": _("检查结果对应的单位不在本次检查中。")})
    applicable = _applicable_item_ids(pk for pk, visit in visits.items() if visit.results)
    for pk, visit in visits.items():
        _check_results(visit.results, applicable=applicable.get(pk, set()))


# ---------------------------------------------------------------- the builder


def action_build(
    *,
    user: User,
    date: dt.date,
    kind: InspectionKind,
    members: Sequence[User],
    experts: str = "",
    is_leader_led: bool = False,
    leader_name: str = "",
    leader_level: str = "",
    note: str = "",
    status: str = ActionStatus.DONE,
    organizer: OrgUnit | None = None,
    action: InspectionAction | None = None,
    is_unannounced: bool = False,
    cert_unverified: bool = False,
    campaign: Campaign | None = None,
) -> InspectionAction:
    """The one constructor of an inspection action, unsaved and unnumbered: a new one for `organizer`,
    or `action` (a planned one being completed) filled in. 出动人次 is the members and the outside
    experts (外聘专家) named in `experts`; the leader is kept only on a leader-led action."""
    if action is None:
        action = InspectionAction(organizer=organizer, created_by=user)
    names = split_names(experts)
    action.date = date
    action.kind = kind
    action.experts = "、".join(names)
    action.person_count = len({m.pk for m in members}) + len(names)
    action.is_leader_led = is_leader_led
    action.leader_name = leader_name.strip() if is_leader_led else ""
    action.leader_level = leader_level if is_leader_led else ""
    action.note = note
    action.status = status
    action.is_unannounced = is_unannounced
    action.cert_unverified = cert_unverified
    action.campaign = campaign
    action._history_user = user
    return action


def _save_records(
    *, user: User, records: Sequence[InspectionRecord], visits: Mapping[int, VisitData]
) -> None:
    for record in records:
        record._history_user = user
        record.save()
        if record.enterprise_id in visits:
            record_save_visit(record=record, visit=visits[record.enterprise_id], user=user)


# ---------------------------------------------------------------- use cases


@transaction.atomic
def action_create(
    *,
    user: User,
    date: dt.date,
    organizer: OrgUnit,
    kind: InspectionKind,
    members: Sequence[User],
    enterprises: Sequence[Enterprise],
    experts: str = "",
    is_leader_led: bool = False,
    leader_name: str = "",
    leader_level: str = "",
    note: str = "",
    status: str = ActionStatus.DONE,
    visits: Mapping[int, VisitData] | None = None,
    is_unannounced: bool = False,
    campaign: Campaign | None = None,
) -> InspectionAction:
    """录入检查行动: one outing and a record for each visited enterprise (1 家次 each).

    `visits` maps an enterprise's pk to what was found there. A planned action (status 计划中)
    takes no number yet: numbers are issued to inspections that happened, so they stay gap-free.
    """
    check_visited([e.pk for e in enterprises])
    visits = visits or {}
    check_action_rules(
        user=user,
        organizer=organizer,
        enterprise_ids={e.pk for e in enterprises},
        kind=kind,
        members=members,
        on=date,
        leader_name=leader_name if is_leader_led else None,
        visits=visits,
        happened=status == ActionStatus.DONE,
    )
    check_campaign(campaign, date)
    action = action_build(
        user=user,
        organizer=organizer,
        date=date,
        kind=kind,
        members=members,
        experts=experts,
        is_leader_led=is_leader_led,
        leader_name=leader_name,
        leader_level=leader_level,
        note=note,
        status=status,
        is_unannounced=is_unannounced,
        campaign=campaign,
    )
    records = [InspectionRecord(action=action, enterprise=enterprise) for enterprise in enterprises]
    return _action_save(
        user=user,
        action=action,
        records=records,
        members=members,
        visits=visits,
        numbered=status == ActionStatus.DONE,
    )


@transaction.atomic
def action_complete_planned(
    *,
    user: User,
    action: InspectionAction,
    date: dt.date,
    kind: InspectionKind,
    members: Sequence[User],
    experts: str = "",
    is_leader_led: bool = False,
    leader_name: str = "",
    leader_level: str = "",
    note: str = "",
    visits: Mapping[int, VisitData] | None = None,
    is_unannounced: bool = False,
    campaign: Campaign | None = None,
) -> InspectionAction:
    """完成计划检查: a planned inspection (a 双随机 pick, 计划中) has happened; it gets its team, its
    results and, only now, its numbers. Its enterprises are the planned ones."""
    check_can_enter(user)
    action = InspectionAction.objects.select_for_update().select_related("organizer").get(pk=action.pk)
    if action.status != ActionStatus.PLANNED:
        raise ValidationError({"status": _("该检查不是计划中的检查，不能再次完成。")})
    records = list(action.records.order_by("pk"))
    visits = visits or {}
    check_action_rules(
        user=user,
        organizer=action.organizer,
        enterprise_ids={r.enterprise_id for r in records},
        kind=kind,
        members=members,
        on=date,
        leader_name=leader_name if is_leader_led else None,
        visits=visits,
    )
    check_campaign(campaign, date)
    action_build(
        user=user,
        action=action,
        date=date,
        kind=kind,
        members=members,
        experts=experts,
        is_leader_led=is_leader_led,
        leader_name=leader_name,
        leader_level=leader_level,
        note=note or action.note,
        status=ActionStatus.DONE,
        is_unannounced=is_unannounced,
        campaign=campaign,
    )
    return _action_save(
        user=user, action=action, records=records, members=members, visits=visits, numbered=True
    )


def _action_save(
    *,
    user: User,
    action: InspectionAction,
    records: list[InspectionRecord],
    members: Sequence[User],
    visits: Mapping[int, VisitData],
    numbered: bool,
) -> InspectionAction:
    """Write a built action with its team and visits; an action that happened gets its numbers now."""
    if numbered:
        _number(action, records)
    action.full_clean()
    action.save()
    action.members.set(members)
    _save_records(user=user, records=records, visits=visits)
    return action


@transaction.atomic
def record_save_visit(
    *,
    record: InspectionRecord,
    visit: VisitData,
    user: User,
    applicable: set[int] | None = None,
    kept: frozenset[int] = frozenset(),
) -> InspectionRecord:
    """Write one visit's findings and item results onto its record (replacing earlier results).

    Results whose item stays are updated in place, not deleted and re-created: a hazard registered
    from a 不符合 result (登记为隐患) keeps its link, so the item is not offered for registering twice.
    """
    check_record_not_issued(record)
    _check_results(visit.results, applicable=applicable, kept=kept)
    record.findings = visit.findings
    record.note = visit.note
    record._history_user = user
    record.save()
    wanted = {r.item_id: r for r in visit.results}
    results = CheckResult.objects.filter(record=record)  # never a caller's prefetched (now stale) list
    results.exclude(item_id__in=list(wanted)).delete()
    existing = {r.item_id: r for r in results}
    changed = []
    for item_id, old in existing.items():
        given = wanted[item_id]
        if (old.result, old.note) != (given.result, given.note):
            old.result, old.note = given.result, given.note
            changed.append(old)
    CheckResult.objects.bulk_update(changed, ["result", "note"])
    CheckResult.objects.bulk_create(
        [
            CheckResult(record=record, item_id=r.item_id, result=r.result, note=r.note)
            for r in visit.results
            if r.item_id not in existing
        ]
    )
    return record


def check_record_not_issued(record: InspectionRecord) -> None:
    """An issued record (出具, printed for signature) is locked: a correction is a new version."""
    if record.pk and InspectionRecord.objects.filter(pk=record.pk, issued_at__isnull=False).exists():
        raise ValidationError(_("该检查记录已出具，不能修改；如需更正，请新建更正版本。"))


def check_can_change_record(*, user: User, record: InspectionRecord) -> None:
    """403 unless the user may change the record (its organising unit's); the API asks it before
    reading a body, the services again when they write."""
    if not permissions.can_change_record(user, record):
        raise PermissionDenied(_("您没有修改该检查记录的权限：检查记录只能由检查单位修改。"))


@transaction.atomic
def record_update(*, user: User, record: InspectionRecord, visit: VisitData) -> InspectionRecord:
    """修改检查记录: findings, note and item results, by someone who may change its enterprise's records.

    Only inspections that happened: a planned one (双随机, 计划中) gets its results when it is completed.
    """
    check_can_change_record(user=user, record=record)
    if record.action.status != ActionStatus.DONE:
        raise ValidationError({"status": _("该检查尚未完成，请通过“开始录入”完成检查后再填写检查结果。")})
    applicable = _applicable_item_ids([record.enterprise_id]).get(record.enterprise_id, set())
    kept = frozenset(record.results.values_list("item_id", flat=True))
    return record_save_visit(record=record, visit=visit, user=user, applicable=applicable, kept=kept)


@transaction.atomic
def record_photo_create(*, user: User, record: InspectionRecord, image, caption: str = "") -> RecordPhoto:
    """上传现场照片 to a record: a real image (checked by content, not by name) within the size limit."""
    check_can_change_record(user=user, record=record)
    check_record_not_issued(record)
    try:
        ext = validate_image(image)
    except ValidationError as exc:
        raise ValidationError({"image": exc.messages}) from exc
    image.name = f"photo.{ext}"  # the stored name takes the true format, never the browser's name
    return RecordPhoto.objects.create(
        record=record,
        enterprise_id=record.enterprise_id,
        image=image,
        caption=caption.strip(),
        uploaded_by=user,
    )


@transaction.atomic
def record_issue(*, user: User, record: InspectionRecord) -> InspectionRecord:
    """出具记录（打印签字）: the record is locked from now on. Issuing twice changes nothing."""
    check_can_change_record(user=user, record=record)
    record = InspectionRecord.objects.select_for_update().get(pk=record.pk)
    if record.issued_at is not None:
        return record
    if record.action.status != ActionStatus.DONE or not record.number:
        raise ValidationError(_("该检查尚未完成，不能出具检查记录。"))
    record.issued_at = timezone.now()
    record.issued_by = user
    record._history_user = user
    record._change_reason = "出具"
    record.save(update_fields=["issued_at", "issued_by", "updated"])
    return record


@transaction.atomic
def record_correct(*, user: User, record: InspectionRecord) -> InspectionRecord:
    """更正: a new version of an issued record — same action and enterprise, its results and findings
    copied, the organiser's next record number — that supersedes it. The old one stays as it was
    (hazards registered from its results stay linked to it); the new one is editable until issued."""
    check_can_change_record(user=user, record=record)
    record = InspectionRecord.objects.select_for_update().select_related("action").get(pk=record.pk)
    if record.issued_at is None:
        raise ValidationError(_("该检查记录尚未出具，可直接修改，无需更正。"))
    if InspectionRecord.objects.filter(supersedes=record).exists():
        raise ValidationError(_("该检查记录已有更正版本，请在最新版本上更正。"))
    new = InspectionRecord(
        action=record.action,
        enterprise_id=record.enterprise_id,
        number=numbers_issue(RECORD_MARK, [record.action])[0],
        findings=record.findings,
        note=record.note,
        supersedes=record,
    )
    new._history_user = user
    new._change_reason = "更正"
    new.save()
    CheckResult.objects.bulk_create(
        [
            CheckResult(record=new, item_id=r.item_id, result=r.result, note=r.note)
            for r in record.results.all()
        ]
    )
    return new
