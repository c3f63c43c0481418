"""登记隐患: one constructor for a hazard whatever its origin — the form, a 不符合 check result, the API
and the Excel import all build it through `_hazard_build`."""

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from types import EllipsisType

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Enterprise, OrgUnit, User
from accounts.scoping import restrict
from accounts.services import number_next
from campaigns.models import Campaign
from campaigns.services import campaign_date_error, talk_links
from core.dates import EARLIEST
from inspections.choices import CheckResultValue
from inspections.models import CheckResult, InspectionRecord

from .. import selectors
from ..choices import DEADLINE_DAYS, EventKind, HazardLevel, HazardSource
from ..models import Hazard, HazardCategory, HazardEvent, HazardPhoto
from ..permissions import EDIT, action_require, can_act_for_district, can_create
from . import notify
from ._common import _event, _lock, _photos_checked, _save
from .overdue import _log_overdue, _settle_overdue


@dataclass(frozen=True)
class HazardData:
    """What a person fills in when recording a hazard."""

    enterprise: Enterprise
    source: str
    description: str
    found_on: dt.date
    deadline: dt.date
    responsible_unit: OrgUnit
    level: str = HazardLevel.GENERAL
    category: HazardCategory | None = None
    location: str = ""
    responsible_person: str = ""
    measures: str = ""
    funds: Decimal | None = None
    contingency_plan: str = ""
    inspection_record: InspectionRecord | None = None
    check_result: CheckResult | None = None
    photos: Sequence[UploadedFile] = ()
    # 专项行动: ... (the default) takes the campaign of the inspection the hazard was found on.
    campaign: Campaign | None | EllipsisType = ...


# ---------------------------------------------------------------- numbers and places


def district_id(enterprise: Enterprise) -> int:
    """The district whose yearly series numbers the enterprise's hazards (the root of its jurisdiction)."""
    return int(enterprise.jurisdiction.path.strip("/").split("/")[0])


def number_text(year: int, serial: int) -> str:
    """YH202600042: the system's own hazard number."""
    return f"YH{year}{serial:05d}"


def hazard_number(*, enterprise: Enterprise, year: int) -> str:
    """The next number of the district's gap-free series for `year`."""
    district = OrgUnit.objects.get(pk=district_id(enterprise))
    return number_text(year, number_next(series="hazard", org_unit=district, year=year))


def default_deadline(level: str, found_on: dt.date) -> dt.date:
    """整改期限 proposed for a hazard found on `found_on`: 15 days for 一般, 30 for 重大 (choices.DEADLINE_DAYS).
    The one rule for every way a hazard is recorded."""
    days = DEADLINE_DAYS.get(level, DEADLINE_DAYS[HazardLevel.GENERAL])
    return found_on + dt.timedelta(days=days)


def finding_description(*, title: str, note: str = "", findings: str = "", sole: bool = False) -> str:
    """隐患描述 of a 不符合 item: what the officer wrote about it (the item's 说明; the visit's 发现问题
    when this is the visit's only 不符合 item), else the item phrased as a finding — never the bare
    question of the check list."""
    if note.strip():
        return note.strip()
    if sole and findings.strip():
        return findings.strip()
    return _("检查发现：%(item)s不符合要求") % {"item": title.strip().rstrip("？?。；;，, ")}


def default_responsible_unit(enterprise: Enterprise) -> OrgUnit:
    """属地管理: a hazard is followed by the township the enterprise lies in."""
    return enterprise.township


def _hazard_build(
    data: HazardData, *, number: str, user: User, today: dt.date | None = None, **arrival
) -> tuple[Hazard, bool]:
    """A new ledger entry, not saved yet: numbered, placed where its enterprise is (jurisdiction,
    township, supervising department), its overdue flag set by the one rule. `arrival` is the state
    (and listing) an imported hazard arrives in; a hazard recorded in the system starts 待整改.
    Returns the hazard and whether it is overdue already (the caller logs and notifies)."""
    enterprise = data.enterprise
    hazard = Hazard(
        number=number,
        enterprise=enterprise,
        jurisdiction=enterprise.jurisdiction,
        township=enterprise.township,
        supervising_department=enterprise.supervising_department,
        source=data.source,
        inspection_record=data.inspection_record,
        check_result=data.check_result,
        level=data.level,
        category=data.category,
        description=data.description.strip(),
        location=data.location.strip(),
        found_on=data.found_on,
        deadline=data.deadline,
        responsible_unit=data.responsible_unit,
        responsible_person=data.responsible_person.strip(),
        measures=data.measures.strip(),
        funds=data.funds,
        contingency_plan=data.contingency_plan.strip(),
        campaign_id=hazard_campaign_id(data),
        created_by=user,
        **arrival,
    )
    return hazard, _settle_overdue(hazard, today)


def hazard_campaign_id(data: HazardData) -> int | None:
    """The campaign a new hazard is tagged to: the one chosen, else (nothing said) the campaign of the
    inspection it was found on."""
    if data.campaign is not ...:
        return data.campaign.pk if data.campaign is not None else None
    if data.inspection_record is not None:
        return data.inspection_record.action.campaign_id
    return None


def _created_event(hazard: Hazard, user: User, note: str, **at) -> HazardEvent:
    """The 登记 line that opens every hazard's timeline (not saved)."""
    return HazardEvent(hazard=hazard, kind=EventKind.CREATED, note=note, user=user, **at)


# ---------------------------------------------------------------- the rules of an entry


def check_result_refusal(
    result: CheckResult, *, record: InspectionRecord | None | EllipsisType = ...
) -> str | None:
    """Why a check result cannot become a hazard (登记为隐患), or None when it can: it must belong to
    the hazard's record (when that is being checked), be 不符合, and not be registered already (a
    voided entry frees it)."""
    if record is not ... and result.record_id != getattr(record, "pk", None):
        return _("检查事项不属于该检查记录。")
    if result.result != CheckResultValue.NONCOMPLIANT:
        return _("只有“不符合”的检查事项可以登记为隐患。")
    if selectors.check_result_hazard(result) is not None:
        return _("该检查事项已登记为隐患。")
    return None


def check_hazard_data(*, user: User, data: HazardData, today: dt.date | None = None) -> None:
    """The rules of a ledger entry, raised together so a form can show every problem at once."""
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if not restrict(Enterprise.objects.filter(pk=data.enterprise.pk), user, "change").exists():
        add("enterprise", _("所选单位不在您的管辖范围内。"))
    if data.source not in HazardSource.values:
        add("source", _("隐患来源无效。"))
    if data.level not in HazardLevel.values:
        add("level", _("隐患等级只能是一般或重大。"))
    if not data.description.strip():
        add("description", _("请填写隐患描述。"))
    if data.found_on > today:
        add("found_on", _("发现日期不能晚于今天。"))
    elif data.found_on < EARLIEST:
        add("found_on", _("发现日期不能早于 %(year)s 年。") % {"year": EARLIEST.year})
    if data.deadline < data.found_on:
        add("deadline", _("整改期限不能早于发现日期。"))
    if data.campaign is not ... and (message := campaign_date_error(data.campaign, data.found_on)):
        add("campaign", message)
    _check_responsible_unit(data, add)
    if data.funds is not None and data.funds < 0:
        add("funds", _("整改资金不能为负数。"))
    if data.inspection_record is not None:
        if data.inspection_record.enterprise_id != data.enterprise.pk:
            add("inspection_record", _("检查记录与隐患所属单位不一致。"))
        if data.source != HazardSource.INSPECTION:
            add("source", _("关联了检查记录的隐患，来源应为“检查发现”。"))
    if data.check_result is not None and (
        refusal := check_result_refusal(data.check_result, record=data.inspection_record)
    ):
        add("check_result", refusal)
    if data.level == HazardLevel.MAJOR:
        # 五落实: all five are required for a major hazard (the deadline always is).
        for field, value in (
            ("responsible_person", data.responsible_person.strip()),
            ("measures", data.measures.strip()),
            ("funds", data.funds),
            ("contingency_plan", data.contingency_plan.strip()),
        ):
            if value in ("", None):
                add(field, _("重大隐患须落实“五落实”：请填写此项。"))
    if errors:
        raise ValidationError(errors)


def _check_responsible_unit(data: HazardData, add: Callable[[str, str], None]) -> None:
    unit = data.responsible_unit
    if not (unit.is_township or unit.is_department or unit.is_district):
        add("responsible_unit", _("跟踪责任单位应为街道/乡镇、部门或区安委办。"))
    elif not unit.is_active:
        add("responsible_unit", _("该单位已停用，不能跟踪隐患。"))
    elif unit.is_township and not data.enterprise.jurisdiction.path.startswith(unit.path):
        # Another township could not even see the hazard: it would be told of it and find nothing.
        add("responsible_unit", _("跟踪责任单位为街道/乡镇时，应为该单位所在的街道/乡镇。"))


# ---------------------------------------------------------------- 登记隐患


@transaction.atomic
def hazard_create(*, user: User, data: HazardData) -> Hazard:
    """登记隐患: a new ledger entry in 待整改, numbered, placed where its enterprise is."""
    if not can_create(user):
        raise PermissionDenied(_("您没有登记隐患的权限。"))
    if data.check_result is not None:
        # Two clicks on 登记为隐患 at once: the second waits here, then finds the first one's hazard.
        CheckResult.objects.select_for_update().get(pk=data.check_result.pk)
    check_hazard_data(user=user, data=data)
    _photos_checked(data.photos)
    number = hazard_number(enterprise=data.enterprise, year=data.found_on.year)
    hazard, newly_overdue = _hazard_build(data, number=number, user=user)
    hazard._history_user = user
    hazard.save()
    hazard.sectors.set(data.enterprise.sectors.all())
    for f in data.photos:
        HazardPhoto.objects.create(hazard=hazard, image=f, uploaded_by=user)
    _created_event(hazard, user, hazard.get_source_display()).save()
    notify.hazard_registered(hazard)
    if newly_overdue:
        _log_overdue([hazard])
    return hazard


@transaction.atomic
def hazard_from_check_result(
    *,
    user: User,
    check_result: CheckResult,
    deadline: dt.date | None = None,
    responsible_unit: OrgUnit | None = None,
    level: str = HazardLevel.GENERAL,
    category: HazardCategory | None = None,
    description: str = "",
    location: str = "",
    responsible_person: str = "",
    measures: str = "",
    funds: Decimal | None = None,
    contingency_plan: str = "",
) -> Hazard:
    """A 不符合 check item becomes a hazard in one step, linked to its inspection record. Without a
    deadline, the usual one from the inspection date (default_deadline); without a description, the
    written finding (as at 录入检查's submission)."""
    if refusal := check_result_refusal(check_result):
        raise ValidationError(refusal)
    record = check_result.record
    text = description.strip() or check_result_description(check_result)
    if deadline is None:
        deadline = default_deadline(level, record.action.date)
    return hazard_create(
        user=user,
        data=HazardData(
            enterprise=record.enterprise,
            source=HazardSource.INSPECTION,
            description=text,
            found_on=record.action.date,
            deadline=deadline,
            responsible_unit=responsible_unit or default_responsible_unit(record.enterprise),
            level=level,
            category=category,
            location=location,
            responsible_person=responsible_person,
            measures=measures,
            funds=funds,
            contingency_plan=contingency_plan,
            inspection_record=record,
            check_result=check_result,
        ),
    )


def check_result_description(check_result: CheckResult) -> str:
    """The hazard text a 不符合 item of a record proposes (its 说明, the record's 发现问题 when it is the
    record's only 不符合 item, else the item phrased as a finding)."""
    sole = not (
        CheckResult.objects.filter(record_id=check_result.record_id, result=CheckResultValue.NONCOMPLIANT)
        .exclude(pk=check_result.pk)
        .exists()
    )
    return finding_description(
        title=check_result.item.title,
        note=check_result.note,
        findings=check_result.record.findings,
        sole=sole,
    )


# ---------------------------------------------------------------- 修改隐患信息

# What may be corrected after recording, in the order the timeline names them. The deadline is not
# here: it moves only through an approved 延期申请; the enterprise, source and dates are the record's facts.
EDITABLE_FIELDS = (
    "description",
    "location",
    "category",
    "level",
    "responsible_unit",
    "responsible_person",
    "measures",
    "funds",
    "contingency_plan",
    "campaign",
)
_TEXT_FIELDS = ("description", "location", "responsible_person", "measures", "contingency_plan")


@transaction.atomic
def hazard_update(*, user: User, hazard: Hazard, data: dict) -> Hazard:
    """修改隐患信息: correct a hazard's details and fill in its 五落实. `data` holds only the fields to
    change (any of EDITABLE_FIELDS). The change is a line on the timeline naming the fields, and a
    history row. A 重大 hazard may be saved with its 五落实 still incomplete (it stays listed as
    五落实待补充 and cannot be 销号 until complete), but a hazard made 重大 here needs all five, as when
    recording one. `data["talks"]` (约谈 activities), when given, replaces the 约谈 the user can see."""
    hazard = _lock(hazard)
    action_require(user, hazard, EDIT)
    data = dict(data)
    chosen_talks = data.pop("talks", None)
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(_("不能修改这些信息：%(fields)s") % {"fields": "、".join(sorted(unknown))})
    new = {k: (v.strip() if k in _TEXT_FIELDS and isinstance(v, str) else v) for k, v in data.items()}
    changed = [f for f in EDITABLE_FIELDS if f in new and new[f] != getattr(hazard, f)]
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    after = {f: new.get(f, getattr(hazard, f)) for f in EDITABLE_FIELDS}
    if not after["description"]:
        add("description", _("请填写隐患描述。"))
    if after["level"] not in HazardLevel.values:
        add("level", _("隐患等级只能是一般或重大。"))
    if after["funds"] is not None and after["funds"] < 0:
        add("funds", _("整改资金不能为负数。"))
    if "responsible_unit" in changed:
        if not can_act_for_district(user):
            add("responsible_unit", _("只有区安委办/应急局可以更换跟踪责任单位。"))
        else:
            probe = HazardData(
                enterprise=hazard.enterprise,
                source=hazard.source,
                description=after["description"],
                found_on=hazard.found_on,
                deadline=hazard.deadline,
                responsible_unit=after["responsible_unit"],
            )
            _check_responsible_unit(probe, add)
    if "campaign" in changed and (message := campaign_date_error(after["campaign"], hazard.found_on)):
        add("campaign", message)
    if "level" in changed and after["level"] == HazardLevel.MAJOR:
        for field in ("responsible_person", "measures", "funds", "contingency_plan"):
            if after[field] in ("", None):
                add(field, _("重大隐患须落实“五落实”：请填写此项。"))
    talks = None
    if chosen_talks is not None:
        current = set(hazard.talks.values_list("pk", flat=True))
        try:
            talks = talk_links(user=user, current=current, chosen=chosen_talks)
        except ValidationError as exc:
            errors.update(exc.message_dict)
        if talks == current:
            talks = None
    if errors:
        raise ValidationError(errors)
    if talks is not None:
        hazard.talks.set(talks)
    if not changed and talks is None:
        return hazard
    for field in changed:
        setattr(hazard, field, after[field])
    if changed:
        _save(hazard, user, changed)
    labels = "、".join(
        str(Hazard._meta.get_field(f).verbose_name)
        for f in [*changed, *(["talks"] if talks is not None else [])]
    )
    _event(hazard, user, EventKind.EDITED, note=_("修改了：%(fields)s") % {"fields": labels})
    return hazard
