"""案件's writes: 立案 (by hand, from an inspection record, a hazard, by API or import — all through
`_case_build`), the transitions of the state machine, the decision with its penalties (一案双罚), measures,
the extension of the 90-day limit, and the nightly deadline sweep.

Who may act, and in which states, is enforcement.permissions; each transition asks it under its row lock.
"""

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from types import EllipsisType

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Greatest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.models import Enterprise, Notification, NumberSequence, OrgUnit, User
from accounts.scoping import restrict
from accounts.services import notification_create, notifications_create, number_next
from campaigns.models import Campaign
from campaigns.services import campaign_date_error, talk_links
from hazards.models import Hazard
from inspections.models import InspectionRecord

from .. import permissions as perms
from ..choices import (
    DEADLINE_WARNING_DAYS,
    GENERAL_PROCEDURE_DAYS,
    MONEY_PENALTIES,
    UNDECIDED_STATES,
    CaseEventKind,
    CaseProcedure,
    CaseSource,
    CaseState,
    DeadlineFlag,
    ExtensionStatus,
    MeasureKind,
    PenaltyKind,
    PenaltyTarget,
    StopKind,
)
from ..models import Case, CaseEvent, CaseExtension, LegalArticle, Measure, Penalty

CASE_SERIES = "case"
_CENTS = Decimal("0.01")
AMOUNT_MAX = Decimal("999999999999.99")


# ---------------------------------------------------------------- data


@dataclass(frozen=True)
class CaseData:
    """What an officer fills in to open a case (立案)."""

    enterprise: Enterprise
    handling_unit: OrgUnit
    procedure: str
    cause: str
    opened_on: dt.date
    facts: str = ""
    articles: Sequence[LegalArticle] = ()
    officers: Sequence[User] = ()
    source: str = CaseSource.NONE
    source_record: InspectionRecord | None = None
    source_hazard: Hazard | None = None
    source_accident: object | None = None  # hazards.Accident
    source_tip: object | None = None  # enforcement.Tip
    # 专项行动: ... (nothing said) takes the campaign of the source hazard, else of the inspection
    # action of the source record, when the case's 立案日期 falls within it; None = no campaign.
    campaign: Campaign | None | EllipsisType = ...


@dataclass(frozen=True)
class PenaltyData:
    """One penalty of a decision. `amount` in yuan (Decimal, two places) for 罚款 and 没收违法所得."""

    target: str
    kind: str
    amount: Decimal | None = None
    person_name: str = ""
    person_title: str = ""
    detail: str = ""


@dataclass(frozen=True)
class MeasureData:
    kind: str
    start_on: dt.date
    end_on: dt.date | None = None
    stop_kind: str = ""
    persons: int = 0
    detail: str = ""


@dataclass
class _Arrival:
    """The state an imported case arrives in (a case opened in the system starts 立案)."""

    state: str = CaseState.OPEN
    decided_on: dt.date | None = None
    closed_on: dt.date | None = None
    settle_flag: bool = False
    extra: dict = field(default_factory=dict)


# ---------------------------------------------------------------- helpers


def case_url(case: Case) -> str:
    try:
        return reverse("enforcement:case_detail", args=[case.pk])
    except NoReverseMatch:  # the pages are not mounted (an API-only deployment)
        return ""


def district_of(enterprise: Enterprise) -> OrgUnit:
    """The district the enterprise lies in (root of its jurisdiction): the default handling unit."""
    return OrgUnit.objects.get(pk=int(enterprise.jurisdiction.path.strip("/").split("/")[0]))


def unit_short(unit: OrgUnit) -> str:
    return unit.short_name or unit.name


def case_number_text(unit: OrgUnit, year: int, serial: int) -> str:
    """应急局案〔2026〕12号: the handling unit's gap-free yearly series."""
    return f"{unit_short(unit)}案〔{year}〕{serial}号"


_OWN_NUMBER = re.compile(r"^(?P<prefix>.+)案〔(?P<year>\d{4})〕(?P<serial>\d{1,6})号$")


def reserve_given_numbers(given: Iterable[tuple[str, OrgUnit]]) -> None:
    """Numbers typed in (or imported) in the system's own form for their handling unit move that unit's
    series past them, so a number generated later never collides with them."""
    highest: dict[tuple[int, int], int] = {}
    for number, unit in given:
        match = _OWN_NUMBER.match(number or "")
        if match and match.group("prefix") == unit_short(unit):
            key = (unit.pk, int(match.group("year")))
            highest[key] = max(highest.get(key, 0), int(match.group("serial")))
    for (unit_id, year), serial in highest.items():
        NumberSequence.objects.get_or_create(series=CASE_SERIES, org_unit_id=unit_id, year=year)
        NumberSequence.objects.filter(series=CASE_SERIES, org_unit_id=unit_id, year=year).update(
            last=Greatest(F("last"), serial)
        )


def case_number(*, unit: OrgUnit, year: int) -> str:
    return case_number_text(unit, year, number_next(series=CASE_SERIES, org_unit=unit, year=year))


def general_deadline(opened_on: dt.date) -> dt.date:
    return opened_on + dt.timedelta(days=GENERAL_PROCEDURE_DAYS)


def deadline_status(deadline: dt.date | None, today: dt.date) -> str:
    if deadline is None:
        return DeadlineFlag.NONE
    days = (deadline - today).days
    if days < 0:
        return DeadlineFlag.OVERDUE
    if days <= DEADLINE_WARNING_DAYS:
        return DeadlineFlag.NEAR
    return DeadlineFlag.NONE


def _lock(case: Case) -> Case:
    # Only the case row is locked (not its enterprise's or unit's, which the join reads).
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("enterprise", "handling_unit")
        .get(pk=case.pk)
    )


def _need_text(value: str, field_name: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field_name: message}, code="required")
    return value


def _date_check(
    value: dt.date | None,
    field_name: str,
    *,
    label: str,
    not_before: dt.date | None = None,
    before_label: str = "",
) -> dt.date:
    today = timezone.localdate()
    if value is None:
        raise ValidationError({field_name: _("请填写%(label)s。") % {"label": label}}, code="required")
    if value > today:
        raise ValidationError({field_name: _("%(label)s不能晚于今天。") % {"label": label}}, code="future")
    if not_before is not None and value < not_before:
        raise ValidationError(
            {
                field_name: _("%(label)s不能早于%(other)s（%(date)s）。")
                % {"label": label, "other": before_label, "date": not_before.isoformat()}
            },
            code="too_early",
        )
    return value


def _event(
    case: Case, user: User | None, kind: str, *, before: str = "", note: str = "", **links
) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case,
        kind=kind,
        from_state=before,
        to_state=case.state if before else "",
        note=note,
        user=user,
        **links,
    )


def _save(case: Case, user: User | None, fields: list[str]) -> None:
    case._history_user = user
    case.save(update_fields=[*fields, "updated"])


def _notify_officers(
    case: Case, *, key: str, kind: str, title: str, body: str = "", exclude: User | None = None
) -> None:
    """Tell the case's officers (承办人), or the handling unit when none is named."""
    url = case_url(case)
    named = list(case.officers.all())
    officers = [u for u in named if exclude is None or u.pk != exclude.pk]
    if officers:
        notifications_create(
            Notification(key=f"{key}:u{u.pk}", kind=kind, title=title, body=body, url=url, user=u)
            for u in officers
        )
    elif not named and (exclude is None or exclude.org_unit_id != case.handling_unit_id):
        notification_create(
            key=f"{key}:unit", kind=kind, title=title, body=body, url=url, org_unit=case.handling_unit
        )


# ---------------------------------------------------------------- 立案


def case_initial_from_record(record: InspectionRecord) -> dict:
    """What a case opened from an inspection record starts with (the form's initial values)."""
    return {
        "enterprise": record.enterprise,
        "source": CaseSource.INSPECTION,
        "source_record": record,
        "facts": record.findings,
        "opened_on": timezone.localdate(),
        "campaign": _fitting(case_default_campaign(source_record=record)),
    }


def case_initial_from_hazard(hazard: Hazard) -> dict:
    """What a case opened from a hazard (e.g. a major hazard not rectified in time) starts with."""
    facts = _("隐患 %(number)s：%(description)s（发现日期 %(found)s，整改期限 %(deadline)s）") % {
        "number": hazard.number,
        "description": hazard.description,
        "found": hazard.found_on.isoformat(),
        "deadline": hazard.deadline.isoformat(),
    }
    return {
        "enterprise": hazard.enterprise,
        "source": CaseSource.HAZARD,
        "source_hazard": hazard,
        "source_record": hazard.inspection_record,
        "facts": facts,
        "opened_on": timezone.localdate(),
        "campaign": _fitting(
            case_default_campaign(source_hazard=hazard, source_record=hazard.inspection_record)
        ),
    }


def case_default_campaign(
    *, source_hazard: Hazard | None = None, source_record: InspectionRecord | None = None
) -> Campaign | None:
    """The campaign a case opened from a hazard / inspection record belongs to when none is chosen:
    the hazard's, else the campaign of the record's inspection action."""
    if source_hazard is not None and source_hazard.campaign_id:
        return source_hazard.campaign
    if source_record is not None and source_record.action.campaign_id:
        return source_record.action.campaign
    return None


def _fitting(campaign: Campaign | None, day: dt.date | None = None) -> Campaign | None:
    day = day or timezone.localdate()
    return campaign if campaign is not None and campaign_date_error(campaign, day) is None else None


def case_campaign(data: CaseData) -> Campaign | None:
    """The campaign a new case is tagged to: the one chosen, else (nothing said) the source's, when the
    立案日期 falls within it (a case opened long after the campaign ended is not counted for it)."""
    if data.campaign is not ...:
        return data.campaign
    default = case_default_campaign(source_hazard=data.source_hazard, source_record=data.source_record)
    return _fitting(default, data.opened_on) if data.opened_on else None


def _source_of(data: CaseData) -> str:
    if data.source and data.source != CaseSource.NONE:
        return data.source
    if data.source_tip is not None:
        return CaseSource.TIP
    if data.source_accident is not None:
        return CaseSource.ACCIDENT
    if data.source_hazard is not None:
        return CaseSource.HAZARD
    if data.source_record is not None:
        return CaseSource.INSPECTION
    return CaseSource.NONE


def check_case_data(data: CaseData, *, user: User, check_sources: bool = True) -> None:
    """The rules of a case's details, as errors by field (the form, the API and the import share them)."""
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if data.procedure not in CaseProcedure.values:
        add("procedure", _("请选择程序类型（简易程序或一般程序）。"))
    if not (data.cause or "").strip():
        add("cause", _("请填写案由。"))
    elif len(data.cause.strip()) > Case._meta.get_field("cause").max_length:
        add("cause", _("案由不能超过300字。"))
    if data.opened_on is None:
        add("opened_on", _("请填写立案日期。"))
    elif data.opened_on > timezone.localdate():
        add("opened_on", _("立案日期不能晚于今天。"))
    if data.source not in CaseSource.values:
        add("source", _("案件来源无效。"))
    if not perms.can_use_unit(user, data.handling_unit):
        add("handling_unit", _("您不能以该单位名义办理案件。"))
    if any(not a.is_active for a in data.articles):
        add("articles", _("所选法律依据已停用。"))
    for officer in data.officers:
        if not officer.is_active or not (
            officer.role in (Role.ADMIN, Role.OFFICER)
            or (officer.role == Role.DEPARTMENT and officer.org_unit_id == data.handling_unit.pk)
        ):
            add("officers", _("%(name)s 不是办案单位的执法人员。") % {"name": officer.display_name})
    if data.source_record is not None and data.source_record.enterprise_id != data.enterprise.pk:
        add("source_record", _("来源检查记录的被检查单位与当事单位不一致。"))
    if data.source_hazard is not None and data.source_hazard.enterprise_id != data.enterprise.pk:
        add("source_hazard", _("来源隐患的单位与当事单位不一致。"))
    for name, source in (("source_accident", data.source_accident), ("source_tip", data.source_tip)):
        linked = getattr(source, "enterprise_id", None)
        if linked is not None and linked != data.enterprise.pk:
            add(name, _("来源记录的单位与当事单位不一致。"))
    if data.campaign is not ... and (message := campaign_date_error(data.campaign, data.opened_on)):
        add("campaign", message)
    if check_sources:
        # A source is picked from what the user can see: naming one outside the scope finds nothing.
        if (
            data.source_record is not None
            and not restrict(InspectionRecord.objects.filter(pk=data.source_record.pk), user).exists()
        ):
            add("source_record", _("找不到该检查记录。"))
        if (
            data.source_hazard is not None
            and not restrict(Hazard.objects.filter(pk=data.source_hazard.pk), user).exists()
        ):
            add("source_hazard", _("找不到该隐患。"))
    if errors:
        raise ValidationError(errors)


def _case_build(data: CaseData, *, number: str, user: User, arrival: _Arrival | None = None) -> Case:
    """A new case, not saved yet: numbered, placed where its enterprise is, its deadline set by procedure.
    The one constructor of `case_open` and the import."""
    arrival = arrival or _Arrival()
    enterprise = data.enterprise
    deadline = general_deadline(data.opened_on) if data.procedure == CaseProcedure.GENERAL else None
    case = Case(
        number=number,
        source=_source_of(data),
        source_record=data.source_record,
        source_hazard=data.source_hazard,
        source_accident=data.source_accident,
        source_tip=data.source_tip,
        enterprise=enterprise,
        campaign=case_campaign(data),
        jurisdiction=enterprise.jurisdiction,
        township=enterprise.township,
        handling_unit=data.handling_unit,
        procedure=data.procedure,
        cause=data.cause.strip(),
        facts=(data.facts or "").strip(),
        opened_on=data.opened_on,
        deadline=deadline,
        state=arrival.state,
        decided_on=arrival.decided_on,
        closed_on=arrival.closed_on,
        created_by=user,
        **arrival.extra,
    )
    if arrival.settle_flag and case.state in UNDECIDED_STATES:
        # An old ledger is not news: its flags are set without announcing them. A case opened in the
        # system is flagged (and its officers told) by the nightly task.
        case.deadline_flag = deadline_status(deadline, timezone.localdate())
    return case


@transaction.atomic
def case_open(*, user: User, data: CaseData, number: str = "") -> Case:
    """立案. A blank `number` takes the next of the handling unit's yearly series (gap-free)."""
    if not perms.can_open(user):
        raise PermissionDenied(_("您不能立案。"))
    check_case_data(data, user=user)
    number = (number or "").strip()
    if number:
        if Case.objects.filter(number=number).exists():
            raise ValidationError({"number": _("案件编号已存在。")}, code="unique")
        reserve_given_numbers([(number, data.handling_unit)])
    else:
        number = case_number(unit=data.handling_unit, year=data.opened_on.year)
        if Case.objects.filter(number=number).exists():
            raise ValidationError(
                {
                    "number": _("自动生成的案件编号 %(number)s 已被导入的案件使用，请手工填写编号。")
                    % {"number": number}
                },
                code="unique",
            )
    case = _case_build(data, number=number, user=user)
    case._history_user = user
    case.save()
    case.articles.set(data.articles)
    case.officers.set(data.officers)
    source = ""
    if case.source_hazard_id:
        source = _("（来源隐患 %(number)s）") % {"number": case.source_hazard.number}
    elif case.source_record_id:
        source = _("（来源检查记录 %(number)s）") % {
            "number": case.source_record.number or case.source_record.pk
        }
    _event(
        case,
        user,
        CaseEventKind.CREATED,
        note=_("立案：%(cause)s%(source)s") % {"cause": case.cause, "source": source},
    )
    _notify_officers(
        case,
        key=f"case-opened:{case.pk}",
        kind="case_opened",
        title=_("新立案件：%(number)s %(name)s") % {"number": case.number, "name": case.enterprise.name},
        body=_("案由：%(cause)s。您被指定为承办人。") % {"cause": case.cause},
        exclude=user,
    )
    return case


@transaction.atomic
def case_update(
    *,
    user: User,
    case: Case,
    cause: str,
    facts: str,
    articles: Iterable[LegalArticle],
    officers: Iterable[User],
    note: str = "",
    campaign: Campaign | None | EllipsisType = ...,
    talks: Iterable | None = None,
) -> Case:
    """修改案件信息 while the case is open: 案由, 案情, 法律依据, 承办人, 专项行动 (... = unchanged) and
    the linked 约谈 (campaigns.Activity; None = unchanged; those the user cannot see are kept)."""
    case = _lock(case)
    perms.action_require(user, case, perms.EDIT)
    articles, officers = list(articles), list(officers)
    # Articles already on the case stay allowed even if the administrator has since retired them.
    kept = set(case.articles.values_list("pk", flat=True))
    data = CaseData(
        enterprise=case.enterprise,
        handling_unit=case.handling_unit,
        procedure=case.procedure,
        cause=cause,
        opened_on=case.opened_on,
        facts=facts,
        articles=[a for a in articles if a.pk not in kept],
        officers=officers,
        source=case.source,
        campaign=campaign if campaign is ... or campaign is None or campaign.pk != case.campaign_id else ...,
    )
    check_case_data(data, user=user, check_sources=False)
    if talks is not None:
        talk_ids = talk_links(user=user, current=case.talks.values_list("pk", flat=True), chosen=talks)
    case.cause, case.facts = cause.strip(), (facts or "").strip()
    fields = ["cause", "facts"]
    if campaign is not ...:
        case.campaign = campaign
        fields.append("campaign")
    _save(case, user, fields)
    case.articles.set(articles)
    case.officers.set(officers)
    if talks is not None:
        case.talks.set(talk_ids)
    _event(case, user, CaseEventKind.EDITED, note=(note or "").strip())
    return case


# ---------------------------------------------------------------- transitions


def _transition(
    case: Case, user: User, to: str, *, fields: Iterable[str] = (), note: str = "", **links
) -> Case:
    before = case.state
    case.state = to
    if to not in UNDECIDED_STATES:
        case.deadline_flag = DeadlineFlag.NONE
    _save(case, user, ["state", "deadline_flag", *fields])
    _event(case, user, CaseEventKind.TRANSITION, before=before, note=note, **links)
    return case


def _on(on: dt.date | None, case: Case, field_name: str, label: str) -> dt.date:
    return _date_check(
        on or timezone.localdate(),
        field_name,
        label=label,
        not_before=case.opened_on,
        before_label=_("立案日期"),
    )


@transaction.atomic
def case_investigate(*, user: User, case: Case, note: str = "", on: dt.date | None = None) -> Case:
    """立案 → 调查取证 (一般程序)."""
    case = _lock(case)
    perms.action_require(user, case, perms.INVESTIGATE)
    _on(on, case, "on", _("日期"))
    return _transition(case, user, CaseState.INVESTIGATING, note=(note or "").strip())


@transaction.atomic
def case_notify(
    *, user: User, case: Case, hearing_requested: bool = False, note: str = "", on: dt.date | None = None
) -> Case:
    """调查取证 → 告知: the party is told of the intended penalty and of its right to be heard; whether it
    asked for a hearing (听证) is recorded."""
    case = _lock(case)
    perms.action_require(user, case, perms.NOTIFY)
    on = _on(on, case, "on", _("告知日期"))
    case.hearing_requested = bool(hearing_requested)
    text = _("%(date)s 告知当事人") % {"date": on.isoformat()}
    if case.hearing_requested:
        text += _("；当事人要求听证")
    if note:
        text += f"。{note.strip()}"
    return _transition(case, user, CaseState.NOTIFIED, fields=["hearing_requested"], note=text)


@transaction.atomic
def case_hearing(*, user: User, case: Case, note: str = "", on: dt.date | None = None) -> Case:
    """告知 → 听证 (held at the party's request)."""
    case = _lock(case)
    perms.action_require(user, case, perms.HEARING)
    on = _on(on, case, "on", _("听证日期"))
    text = _("%(date)s 举行听证") % {"date": on.isoformat()}
    if note:
        text += f"。{note.strip()}"
    return _transition(case, user, CaseState.HEARING, note=text)


def parse_amount(value, field_name: str = "amount") -> Decimal:
    """A yuan amount, exact: a Decimal (or text) with at most two decimal places, never a float."""
    if isinstance(value, float):
        raise ValidationError({field_name: _("金额须为精确的小数（不接受浮点数）。")}, code="invalid")
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ValidationError({field_name: _("金额格式不正确。")}, code="invalid") from None
    if not amount.is_finite() or amount <= 0:
        raise ValidationError({field_name: _("金额须大于0。")}, code="invalid")
    if amount != amount.quantize(_CENTS):
        raise ValidationError({field_name: _("金额最多保留两位小数（分）。")}, code="invalid")
    if amount > AMOUNT_MAX:
        raise ValidationError({field_name: _("金额过大。")}, code="invalid")
    return amount.quantize(_CENTS)


def check_penalties(penalties: Sequence[PenaltyData], *, require_person_name: bool = True) -> list[Penalty]:
    """The decision's penalties as unsaved rows, or errors naming the line (第2项：…)."""
    errors: list[str] = []
    rows: list[Penalty] = []
    if not penalties:
        raise ValidationError(
            {"penalties": _("请至少填写一项处罚；不予处罚的，请作出不予处罚决定。")}, code="required"
        )
    for index, p in enumerate(penalties, 1):
        prefix = _("第%(n)d项：") % {"n": index}
        if p.target not in PenaltyTarget.values:
            errors.append(prefix + _("请选择处罚对象（单位或个人）。"))
            continue
        if p.kind not in PenaltyKind.values:
            errors.append(prefix + _("请选择处罚种类。"))
            continue
        amount = None
        if p.kind in MONEY_PENALTIES:
            if p.amount in (None, ""):
                errors.append(prefix + _("%(kind)s须填写金额（元）。") % {"kind": PenaltyKind(p.kind).label})
                continue
            try:
                amount = parse_amount(p.amount)
            except ValidationError as exc:
                errors.extend(prefix + m for m in exc.messages)
                continue
        elif p.amount not in (None, ""):
            errors.append(prefix + _("只有罚款、没收违法所得填写金额。"))
            continue
        name = (p.person_name or "").strip()
        if p.target == PenaltyTarget.PERSON and not name and require_person_name:
            errors.append(prefix + _("对个人的处罚须填写被处罚人姓名（一案双罚）。"))
            continue
        if p.target == PenaltyTarget.PERSON and p.kind in (PenaltyKind.CLOSURE, PenaltyKind.SUSPENSION):
            errors.append(prefix + _("%(kind)s只能对单位作出。") % {"kind": PenaltyKind(p.kind).label})
            continue
        rows.append(
            Penalty(
                target=p.target,
                kind=p.kind,
                amount=amount,
                person_name=name[:50] if p.target == PenaltyTarget.PERSON else "",
                person_title=(p.person_title or "").strip()[:50] if p.target == PenaltyTarget.PERSON else "",
                detail=(p.detail or "").strip()[:300],
            )
        )
    if errors:
        raise ValidationError({"penalties": errors})
    return rows


@transaction.atomic
def case_decide(
    *,
    user: User,
    case: Case,
    decided_on: dt.date,
    penalties: Sequence[PenaltyData],
    summary: str = "",
    note: str = "",
) -> Case:
    """作出行政处罚决定 with its penalties (on the unit and, 一案双罚, on the person responsible).
    一般程序: after 告知 (or 听证); 简易程序: straight from 立案."""
    case = _lock(case)
    perms.action_require(user, case, perms.DECIDE)
    _date_check(
        decided_on,
        "decided_on",
        label=_("处罚决定日期"),
        not_before=case.opened_on,
        before_label=_("立案日期"),
    )
    rows = check_penalties(penalties)
    for row in rows:
        row.case = case
    Penalty.objects.bulk_create(rows)
    case.decided_on = decided_on
    case.decision_summary = (summary or "").strip()
    fines = sum((r.amount for r in rows if r.amount is not None), Decimal("0"))
    text = _("处罚决定：%(items)s") % {"items": "；".join(str(r) for r in rows)}
    if fines:
        text += _("（金额合计 %(sum)s 元）") % {"sum": f"{fines:.2f}"}
    if note:
        text += f"。{note.strip()}"
    return _transition(case, user, CaseState.DECIDED, fields=["decided_on", "decision_summary"], note=text)


@transaction.atomic
def case_execute(*, user: User, case: Case, note: str = "", on: dt.date | None = None) -> Case:
    """决定 → 执行 (the party pays, the measures are carried out)."""
    case = _lock(case)
    perms.action_require(user, case, perms.EXECUTE)
    on = _date_check(
        on or timezone.localdate(),
        "on",
        label=_("执行日期"),
        not_before=case.decided_on,
        before_label=_("处罚决定日期"),
    )
    text = _("%(date)s 执行处罚决定") % {"date": on.isoformat()}
    if note:
        text += f"。{note.strip()}"
    return _transition(case, user, CaseState.EXECUTING, note=text)


@transaction.atomic
def case_close(*, user: User, case: Case, closed_on: dt.date, note: str = "") -> Case:
    """结案: after execution (一般程序), or straight after the decision (简易程序)."""
    case = _lock(case)
    perms.action_require(user, case, perms.CLOSE)
    case.closed_on = _date_check(
        closed_on,
        "closed_on",
        label=_("结案日期"),
        not_before=case.decided_on,
        before_label=_("处罚决定日期"),
    )
    return _transition(case, user, CaseState.CLOSED, fields=["closed_on"], note=(note or "").strip())


@transaction.atomic
def case_no_penalty(*, user: User, case: Case, reason: str, on: dt.date | None = None) -> Case:
    """不予处罚 (with the reason): the case ends."""
    case = _lock(case)
    perms.action_require(user, case, perms.NO_PENALTY)
    reason = _need_text(reason, "reason", _("请填写不予处罚的理由。"))
    case.closed_on = _on(on, case, "on", _("决定日期"))
    case.outcome_reason = reason
    return _transition(case, user, CaseState.NO_PENALTY, fields=["closed_on", "outcome_reason"], note=reason)


@transaction.atomic
def case_transfer(
    *, user: User, case: Case, reason: str, transferred_to: str = "", on: dt.date | None = None
) -> Case:
    """移送 (to the police, another authority …, with the reason): the case ends here."""
    case = _lock(case)
    perms.action_require(user, case, perms.TRANSFER)
    reason = _need_text(reason, "reason", _("请填写移送理由。"))
    to = (transferred_to or "").strip()
    if len(to) > Case._meta.get_field("transferred_to").max_length:
        raise ValidationError({"transferred_to": _("移送机关不能超过100字。")})
    case.closed_on = _on(on, case, "on", _("移送日期"))
    case.outcome_reason, case.transferred_to = reason, to
    text = (_("移送%(to)s：") % {"to": to} if to else _("移送：")) + reason
    return _transition(
        case, user, CaseState.TRANSFERRED, fields=["closed_on", "outcome_reason", "transferred_to"], note=text
    )


# ---------------------------------------------------------------- measures


def check_measure(data: MeasureData, *, opened_on: dt.date | None = None) -> Measure:
    errors: dict[str, str] = {}
    if data.kind not in MeasureKind.values:
        errors["kind"] = _("请选择措施。")
    today = timezone.localdate()
    if data.start_on is None:
        errors["start_on"] = _("请填写开始日期。")
    elif data.start_on > today:
        errors["start_on"] = _("开始日期不能晚于今天。")
    if data.end_on is not None and data.start_on is not None and data.end_on < data.start_on:
        errors["end_on"] = _("截止日期不能早于开始日期。")
    if data.stop_kind and data.stop_kind not in StopKind.values:
        errors["stop_kind"] = _("三停类别无效。")
    if data.stop_kind and data.kind != MeasureKind.THREE_STOPS:
        errors["stop_kind"] = _("只有责令三停填写三停类别。")
    persons = data.persons or 0
    if persons < 0 or persons > 999:
        errors["persons"] = _("人数无效。")
    elif data.kind == MeasureKind.POLICE and persons < 1:
        errors["persons"] = _("移送公安（行政拘留）须填写人数。")
    elif persons and data.kind != MeasureKind.POLICE:
        errors["persons"] = _("只有移送公安（行政拘留）填写人数。")
    if len(data.detail or "") > 300:
        errors["detail"] = _("说明不能超过300字。")
    if errors:
        raise ValidationError(errors)
    return Measure(
        kind=data.kind,
        stop_kind=data.stop_kind or "",
        start_on=data.start_on,
        end_on=data.end_on,
        persons=persons,
        detail=(data.detail or "").strip(),
    )


@transaction.atomic
def measure_add(
    *,
    user: User,
    case: Case,
    kind: str,
    start_on: dt.date,
    end_on: dt.date | None = None,
    stop_kind: str = "",
    persons: int = 0,
    detail: str = "",
) -> Measure:
    """登记措施 (责令限期整改, 临时查封, 责令三停 …) on an open case."""
    case = _lock(case)
    perms.action_require(user, case, perms.MEASURE)
    measure = check_measure(
        MeasureData(
            kind=kind, start_on=start_on, end_on=end_on, stop_kind=stop_kind, persons=persons, detail=detail
        )
    )
    measure.case, measure.created_by = case, user
    measure._history_user = user
    measure.save()
    label = measure.get_kind_display()
    if measure.stop_kind:
        label += f"（{measure.get_stop_kind_display()}）"
    text = _("%(measure)s，%(start)s起") % {"measure": label, "start": start_on.isoformat()}
    if end_on:
        text += _("至%(end)s") % {"end": end_on.isoformat()}
    if measure.detail:
        text += f"。{measure.detail}"
    _event(case, user, CaseEventKind.MEASURE, note=text, measure=measure)
    return measure


# ---------------------------------------------------------------- 延长办案期限


@transaction.atomic
def case_extension_request(*, user: User, case: Case, new_deadline: dt.date, reason: str) -> CaseExtension:
    """The handling unit asks for more time to decide; the district office approves or refuses."""
    case = _lock(case)
    perms.action_require(user, case, perms.EXTEND)
    if perms.has_pending_extension(case):
        raise ValidationError(_("该案件已有待审批的延期申请。"), code=perms.STALE_STATE)
    reason = _need_text(reason, "reason", _("请填写延期理由。"))
    if new_deadline is None:
        raise ValidationError({"new_deadline": _("请填写延长后的期限。")})
    if new_deadline <= case.deadline:
        raise ValidationError(
            {"new_deadline": _("延长后的期限须晚于原期限（%(d)s）。") % {"d": case.deadline.isoformat()}}
        )
    extension = CaseExtension.objects.create(
        case=case, old_deadline=case.deadline, new_deadline=new_deadline, reason=reason, requested_by=user
    )
    _event(
        case,
        user,
        CaseEventKind.EXTENSION_REQUESTED,
        note=_("申请延长至 %(d)s：%(reason)s") % {"d": new_deadline.isoformat(), "reason": reason},
        extension=extension,
    )
    notification_create(
        key=f"case-extension:{extension.pk}",
        kind="case_extension_requested",
        title=_("案件延期待审批：%(number)s %(name)s")
        % {"number": case.number, "name": case.enterprise.name},
        body=_("%(unit)s 申请将办案期限延长至 %(d)s。理由：%(reason)s")
        % {"unit": case.handling_unit.name, "d": new_deadline.isoformat(), "reason": reason},
        url=case_url(case),
        role=Role.OFFICER,
    )
    return extension


@transaction.atomic
def case_extension_decide(
    *, user: User, extension: CaseExtension, approve: bool, note: str = ""
) -> CaseExtension:
    """区安委办/应急局 approves (the deadline moves, recording who approved) or refuses."""
    case = _lock(extension.case)
    perms.action_require(user, case, perms.EXTENSION_DECIDE)
    extension = CaseExtension.objects.select_for_update().get(pk=extension.pk)
    if extension.status != ExtensionStatus.PENDING:
        raise ValidationError(_("该延期申请已审批，请刷新页面。"), code=perms.STALE_STATE)
    note = (note or "").strip()
    if not approve and not note:
        raise ValidationError({"note": _("不同意延期须填写审批意见。")})
    extension.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REFUSED
    extension.decided_by, extension.decided_at, extension.decision_note = user, timezone.now(), note[:300]
    extension.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    if approve:
        case.deadline = extension.new_deadline
        # The flag says what has been announced: the new deadline is announced afresh by the nightly task.
        case.deadline_flag = DeadlineFlag.NONE
        _save(case, user, ["deadline", "deadline_flag"])
        kind, text = (
            CaseEventKind.EXTENSION_APPROVED,
            _("同意延长至 %(d)s") % {"d": extension.new_deadline.isoformat()},
        )
    else:
        kind, text = CaseEventKind.EXTENSION_REFUSED, _("不同意延期")
    if note:
        text += f"：{note}"
    _event(case, user, kind, note=text, extension=extension)
    notification_create(
        key=f"case-extension-decided:{extension.pk}",
        kind="case_extension_decided",
        title=(_("案件延期已同意：%(number)s") if approve else _("案件延期未同意：%(number)s"))
        % {"number": case.number},
        body=text,
        url=case_url(case),
        user=extension.requested_by,
    )
    return extension


# ---------------------------------------------------------------- the nightly deadline sweep


@transaction.atomic
def cases_flag_deadlines(*, today: dt.date | None = None) -> int:
    """Flag undecided general-procedure cases within 10 days of their limit or past it, log it on the
    timeline and tell the officers (bell, e-mail/robot through the delivery channels). Idempotent: only
    cases whose flag changes are touched, and notification keys name the case, the flag and the deadline,
    so a second run adds nothing. Returns how many cases changed flag."""
    today = today or timezone.localdate()
    near_from = today + dt.timedelta(days=DEADLINE_WARNING_DAYS)
    candidates = (
        Case.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(state__in=UNDECIDED_STATES, deadline__isnull=False)
        .filter(
            Q(deadline__lt=today) & ~Q(deadline_flag=DeadlineFlag.OVERDUE)
            | Q(deadline__gte=today, deadline__lte=near_from) & ~Q(deadline_flag=DeadlineFlag.NEAR)
            | Q(deadline__gt=near_from) & ~Q(deadline_flag=DeadlineFlag.NONE)
        )
        .select_related("enterprise", "handling_unit")
    )
    changed: list[Case] = []
    for case in candidates:
        flag = deadline_status(case.deadline, today)
        if flag != case.deadline_flag:
            case.deadline_flag = flag
            changed.append(case)
    if not changed:
        return 0
    Case.objects.bulk_update(changed, ["deadline_flag"], batch_size=500)
    flagged = [c for c in changed if c.deadline_flag]
    CaseEvent.objects.bulk_create(
        [
            CaseEvent(
                case=c,
                kind=CaseEventKind.OVERDUE
                if c.deadline_flag == DeadlineFlag.OVERDUE
                else CaseEventKind.DEADLINE_NEAR,
                note=_("办案期限 %(d)s") % {"d": c.deadline.isoformat()},
            )
            for c in flagged
        ],
        batch_size=500,
    )
    officers: dict[int, list[User]] = {}
    through = Case.officers.through
    users = {u.pk: u for u in User.objects.filter(enforcement_cases__in=flagged, is_active=True).distinct()}
    for case_id, user_id in through.objects.filter(case__in=flagged).values_list("case_id", "user_id"):
        if user_id in users:
            officers.setdefault(case_id, []).append(users[user_id])
    notes = []
    for case in flagged:
        overdue = case.deadline_flag == DeadlineFlag.OVERDUE
        title = (
            _("案件已超过办案期限：%(number)s %(name)s")
            if overdue
            else _("案件临近办案期限：%(number)s %(name)s")
        ) % {
            "number": case.number,
            "name": case.enterprise.name,
        }
        days = (case.deadline - today).days
        body = (
            _("办案期限 %(d)s 已过 %(n)d 天，请尽快作出决定或申请延期。")
            % {"d": case.deadline.isoformat(), "n": -days}
            if overdue
            else _("办案期限 %(d)s，还剩 %(n)d 天。") % {"d": case.deadline.isoformat(), "n": days}
        )
        key = f"case-deadline:{case.pk}:{case.deadline_flag}:{case.deadline.isoformat()}"
        url = case_url(case)
        recipients = officers.get(case.pk)
        if recipients:
            notes.extend(
                Notification(
                    key=f"{key}:u{u.pk}", kind="case_deadline", title=title, body=body, url=url, user=u
                )
                for u in recipients
            )
        else:
            notes.append(
                Notification(
                    key=f"{key}:unit",
                    kind="case_deadline",
                    title=title,
                    body=body,
                    url=url,
                    org_unit=case.handling_unit,
                )
            )
    notifications_create(notes)
    return len(changed)
