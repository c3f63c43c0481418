"""专项行动的写入: create, change and delete a campaign with its phases and targets, and the checks the
upper apps call when they tag a record to a campaign."""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from accounts.models import OrgUnit, Sector, User
from core.dates import EARLIEST

from ..choices import METRIC_UNITS, SECTOR_METRICS, TargetMetric
from ..models import Campaign, CampaignKind, CampaignPhase, CampaignTarget
from ..permissions import can_change, can_choose_lead, can_create, can_delete
from ..selectors import LEAD_KINDS

MAX_TARGET = Decimal("9999999999")


@dataclass(frozen=True)
class PhaseData:
    name: str
    start_on: dt.date
    end_on: dt.date
    tasks: str = ""


@dataclass(frozen=True)
class TargetData:
    metric: str
    target: Decimal
    sector: Sector | None = None


@dataclass(frozen=True)
class CampaignData:
    """What an officer fills in for a campaign. `phases` and `targets` replace the campaign's own."""

    kind: CampaignKind
    name: str
    start_on: dt.date
    end_on: dt.date
    lead_department: OrgUnit
    member_units: Sequence[OrgUnit] = ()
    sectors: Sequence[Sector] = ()
    parent: Campaign | None = None
    document_number: str = ""
    description: str = ""
    phases: Sequence[PhaseData] = field(default_factory=tuple)
    targets: Sequence[TargetData] = field(default_factory=tuple)


# ---------------------------------------------------------------- checks


def _check(data: CampaignData, *, user: User, campaign: Campaign | None = None) -> None:
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if not data.name.strip():
        add("name", _("请填写专项行动名称。"))
    if data.start_on < EARLIEST:
        add("start_on", _("开始日期不能早于%(date)s。") % {"date": EARLIEST.isoformat()})
    if data.end_on < data.start_on:
        add("end_on", _("结束日期不能早于开始日期。"))
    if not data.kind.is_active and (campaign is None or campaign.kind_id != data.kind.pk):
        add("kind", _("该类型已停用。"))
    if data.lead_department.kind not in LEAD_KINDS:
        add("lead_department", _("牵头单位须为区级单位、安委会成员单位或专委会。"))
    if not can_choose_lead(user) and data.lead_department.pk != user.org_unit_id:
        add("lead_department", _("部门只能新建和修改本部门牵头的专项行动。"))
    if data.parent is not None:
        if campaign is not None and (
            data.parent.pk == campaign.pk or _is_descendant(data.parent, ancestor=campaign)
        ):
            add("parent", _("上级专项行动不能是本行动或其下级行动。"))
        elif data.start_on < data.parent.start_on or data.end_on > data.parent.end_on:
            add(
                "parent",
                _("子方案的期间须在上级专项行动期间（%(start)s至%(end)s）之内。")
                % {"start": data.parent.start_on, "end": data.parent.end_on},
            )
    clash = Campaign.objects.filter(name=data.name.strip(), start_on=data.start_on)
    if campaign is not None:
        clash = clash.exclude(pk=campaign.pk)
    if clash.exists():
        add("name", _("同一开始日期已有同名专项行动。"))

    for index, phase in enumerate(data.phases, 1):
        where = _("第%(n)d个阶段") % {"n": index}
        if not phase.name.strip():
            add("phases", _("%(where)s：请填写阶段名称。") % {"where": where})
        if phase.end_on < phase.start_on:
            add("phases", _("%(where)s：结束日期不能早于开始日期。") % {"where": where})
        elif phase.start_on < data.start_on or phase.end_on > data.end_on:
            add("phases", _("%(where)s：阶段须在专项行动期间之内。") % {"where": where})

    seen = set()
    for index, target in enumerate(data.targets, 1):
        where = _("第%(n)d个目标") % {"n": index}
        if target.metric not in TargetMetric.values:
            add("targets", _("%(where)s：指标不正确。") % {"where": where})
            continue
        number = None if target.target is None else Decimal(str(target.target))
        if number is None or number <= 0 or number > MAX_TARGET:
            add("targets", _("%(where)s：目标数须大于0。") % {"where": where})
        elif target.metric != TargetMetric.FINES and number != number.to_integral_value():
            add(
                "targets",
                _("%(where)s：%(unit)s数须为整数。") % {"where": where, "unit": METRIC_UNITS[target.metric]},
            )
        if target.sector is not None and target.metric not in SECTOR_METRICS:
            add("targets", _("%(where)s：该指标不分行业领域。") % {"where": where})
        key = (target.metric, target.sector.pk if target.sector else None)
        if key in seen:
            add("targets", _("%(where)s：同一指标和行业领域的目标只能有一个。") % {"where": where})
        seen.add(key)
    if errors:
        raise ValidationError(errors)


def _is_descendant(candidate: Campaign, *, ancestor: Campaign) -> bool:
    seen = set()
    node = candidate
    while node is not None and node.pk not in seen:
        if node.parent_id == ancestor.pk:
            return True
        seen.add(node.pk)
        node = node.parent
    return False


def _write(campaign: Campaign, data: CampaignData, *, user: User) -> Campaign:
    campaign._history_user = user
    campaign.kind = data.kind
    campaign.name = data.name.strip()
    campaign.parent = data.parent
    campaign.start_on = data.start_on
    campaign.end_on = data.end_on
    campaign.lead_department = data.lead_department
    campaign.document_number = data.document_number.strip()
    campaign.description = data.description.strip()
    campaign.save()
    campaign.member_units.set(data.member_units)
    campaign.sectors.set(data.sectors)
    campaign.phases.all().delete()
    CampaignPhase.objects.bulk_create(
        CampaignPhase(
            campaign=campaign,
            name=p.name.strip(),
            start_on=p.start_on,
            end_on=p.end_on,
            tasks=p.tasks.strip(),
        )
        for p in data.phases
    )
    campaign.targets.all().delete()
    CampaignTarget.objects.bulk_create(
        CampaignTarget(campaign=campaign, metric=t.metric, sector=t.sector, target=t.target, order=i)
        for i, t in enumerate(data.targets)
    )
    return campaign


# ---------------------------------------------------------------- use cases


@transaction.atomic
def campaign_create(*, user: User, data: CampaignData) -> Campaign:
    """新建专项行动 (the district office, or a department for a campaign it leads)."""
    if not can_create(user):
        raise PermissionDenied(_("您没有新建专项行动的权限。"))
    _check(data, user=user)
    campaign = Campaign(created_by=user)
    campaign._change_reason = "新建"
    return _write(campaign, data, user=user)


@transaction.atomic
def campaign_update(*, user: User, campaign: Campaign, data: CampaignData) -> Campaign:
    """修改专项行动: its fields, member units, sectors, and (replacing them) phases and targets."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if not can_change(user, campaign):
        raise PermissionDenied(_("您没有修改该专项行动的权限。"))
    _check(data, user=user, campaign=campaign)
    campaign._change_reason = "修改"
    return _write(campaign, data, user=user)


@transaction.atomic
def campaign_delete(*, user: User, campaign: Campaign) -> None:
    """删除: only a campaign nothing is tagged to and with no sub-plans."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if not can_delete(user, campaign):
        raise PermissionDenied(_("您没有删除该专项行动的权限。"))
    try:
        with transaction.atomic():
            campaign.delete()
    except ProtectedError as exc:
        raise ValidationError(
            _("已有检查、隐患、案件、活动或子方案关联到该专项行动，不能删除。"), code="protected"
        ) from exc


# ---------------------------------------------------------------- tagging (called by the upper apps)


def campaign_date_error(campaign: Campaign | None, day: dt.date | None) -> str | None:
    """Why a record dated `day` cannot be tagged to `campaign` (None when it can): the record must
    fall within the campaign's period."""
    if campaign is None or day is None or campaign.is_active_on(day):
        return None
    return _("%(day)s不在专项行动“%(name)s”期间（%(start)s至%(end)s）。") % {
        "day": day.isoformat(),
        "name": campaign.name,
        "start": campaign.start_on.isoformat(),
        "end": campaign.end_on.isoformat(),
    }
