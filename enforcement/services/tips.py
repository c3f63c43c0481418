"""举报: recording a whistle-blower report, checking it (已受理 → 核查中 → 属实/不属实), paying its reward,
and following a substantiated one with a hazard (群众举报, through hazards' own constructor).

Each transition locks the row, asks enforcement.permissions_tips under the lock, and leaves a history
record naming who did it.
"""

import datetime as dt
from dataclasses import dataclass, fields
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Enterprise, OrgUnit, Sector, User
from accounts.services import notification_create, number_next
from core.dates import EARLIEST
from hazards.choices import HazardLevel, HazardSource
from hazards.models import Hazard
from hazards.services import HazardData, default_responsible_unit, hazard_create

from .. import permissions_tips as perms
from ..choices_tips import TipChannel, TipState
from ..models import Tip

SERIES = "tip"
REWARD_MAX = Decimal("99999999.99")


@dataclass(frozen=True)
class TipData:
    """What the office writes down when a report comes in."""

    received_on: dt.date
    channel: str
    content: str
    township: OrgUnit | None = None  # from the enterprise when one is named
    enterprise: Enterprise | None = None
    sector: Sector | None = None  # from the enterprise when one is named
    address: str = ""
    reporter_name: str = ""
    reporter_phone: str = ""


def tip_number_text(year: int, serial: int) -> str:
    """JB202600012: the system's own report number, per district and year."""
    return f"JB{year}{serial:05d}"


def _placed(data: TipData) -> TipData:
    """The township and sector of a report about an enterprise default to the enterprise's."""
    enterprise = data.enterprise
    if enterprise is None:
        return data
    township = data.township or enterprise.township
    sector = data.sector or enterprise.sectors.order_by("order", "pk").first()
    return TipData(
        **{**{f.name: getattr(data, f.name) for f in fields(TipData)}, "township": township, "sector": sector}
    )


def check_tip_data(data: TipData, *, today: dt.date | None = None) -> None:
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if data.received_on > today:
        add("received_on", _("受理日期不能晚于今天。"))
    elif data.received_on < EARLIEST:
        add("received_on", _("受理日期不能早于 %(year)s 年。") % {"year": EARLIEST.year})
    if data.channel not in TipChannel.values:
        add("channel", _("请选择举报渠道。"))
    if not data.content.strip():
        add("content", _("请填写举报内容。"))
    if data.township is None:
        add("township", _("请选择所属街道（或填写被举报单位）。"))
    elif not data.township.is_township:
        add("township", _("所属街道应为街道/乡镇。"))
    elif data.enterprise is not None and not data.enterprise.jurisdiction.path.startswith(data.township.path):
        add("enterprise", _("被举报单位不在所选街道/乡镇。"))
    if errors:
        raise ValidationError(errors)


def _lock(tip: Tip) -> Tip:
    return Tip.objects.select_for_update().get(pk=tip.pk)


def _save(tip: Tip, user: User, reason: str) -> None:
    tip._history_user = user
    tip._change_reason = reason
    tip.save()


@transaction.atomic
def tip_create(*, user: User, data: TipData) -> Tip:
    """登记举报 (已受理), numbered in the district's yearly series."""
    if not perms.can_record_tip(user):
        raise PermissionDenied(_("只有区安委办/应急局可以登记举报。"))
    data = _placed(data)
    check_tip_data(data)
    district = OrgUnit.objects.get(pk=int(data.township.path.strip("/").split("/")[0]))
    year = data.received_on.year
    tip = Tip(
        number=tip_number_text(year, number_next(series=SERIES, org_unit=district, year=year)),
        received_on=data.received_on,
        channel=data.channel,
        content=data.content.strip(),
        township=data.township,
        enterprise=data.enterprise,
        sector=data.sector,
        address=data.address.strip(),
        reporter_name=data.reporter_name.strip(),
        reporter_phone=data.reporter_phone.strip(),
        created_by=user,
    )
    _save(tip, user, _("登记"))
    # The township it lies with checks it: told once (the key), after the commit, never the reporter.
    notification_create(
        key=f"tip-received:{tip.pk}",
        kind="tip_received",
        title=_("新举报待核查：%(number)s") % {"number": tip.number},
        body=tip.content[:200],
        url=tip.get_absolute_url(),
        org_unit=tip.township,
    )
    return tip


@transaction.atomic
def tip_update(*, user: User, tip: Tip, data: TipData) -> Tip:
    """修改举报信息 (the district office): the facts as recorded; the number and the state stay."""
    tip = _lock(tip)
    perms.action_require(user, tip, perms.EDIT)
    data = _placed(data)
    check_tip_data(data)
    for name in ("received_on", "channel", "township", "enterprise", "sector"):
        setattr(tip, name, getattr(data, name))
    for name in ("content", "address", "reporter_name", "reporter_phone"):
        setattr(tip, name, getattr(data, name).strip())
    _save(tip, user, _("修改"))
    return tip


@transaction.atomic
def tip_check_start(*, user: User, tip: Tip) -> Tip:
    """开始核查: 已受理 → 核查中."""
    tip = _lock(tip)
    perms.action_require(user, tip, perms.CHECK)
    tip.state = TipState.CHECKING
    _save(tip, user, _("开始核查"))
    return tip


@transaction.atomic
def tip_conclude(*, user: User, tip: Tip, substantiated: bool, checked_on: dt.date, result: str) -> Tip:
    """核查结论: 属实 or 不属实, with the date and what was found."""
    tip = _lock(tip)
    perms.action_require(user, tip, perms.CONCLUDE)
    errors: dict[str, list[str]] = {}
    if not (result or "").strip():
        errors["result"] = [_("请填写核查结果。")]
    if checked_on > timezone.localdate():
        errors["checked_on"] = [_("核查日期不能晚于今天。")]
    elif checked_on < tip.received_on:
        errors["checked_on"] = [_("核查日期不能早于受理日期。")]
    if errors:
        raise ValidationError(errors)
    tip.state = TipState.SUBSTANTIATED if substantiated else TipState.UNSUBSTANTIATED
    tip.checked_on = checked_on
    tip.result = result.strip()
    _save(tip, user, tip.get_state_display())
    return tip


@transaction.atomic
def tip_reward(*, user: User, tip: Tip, amount: Decimal, paid_on: dt.date) -> Tip:
    """发放举报奖励 (the district office), for a substantiated report, once."""
    tip = _lock(tip)
    perms.action_require(user, tip, perms.REWARD)
    errors: dict[str, list[str]] = {}
    if amount is None or not (Decimal("0") < amount <= REWARD_MAX):
        errors["amount"] = [_("奖励金额应大于0（元）。")]
    if paid_on > timezone.localdate():
        errors["paid_on"] = [_("发放日期不能晚于今天。")]
    elif tip.checked_on and paid_on < tip.checked_on:
        errors["paid_on"] = [_("发放日期不能早于核查日期。")]
    if errors:
        raise ValidationError(errors)
    tip.reward_amount = amount
    tip.reward_paid_on = paid_on
    _save(tip, user, _("发放奖励"))
    return tip


@transaction.atomic
def tip_create_hazard(
    *,
    user: User,
    tip: Tip,
    deadline: dt.date,
    level: str = HazardLevel.GENERAL,
    description: str = "",
    responsible_unit: OrgUnit | None = None,
    responsible_person: str = "",
    measures: str = "",
    funds: Decimal | None = None,
    contingency_plan: str = "",
) -> Hazard:
    """登记为隐患: a substantiated report about an enterprise becomes a hazard (来源：群众举报) through the
    ledger's own constructor, found on the day it was checked; the report then points at it."""
    tip = _lock(tip)
    perms.action_require(user, tip, perms.HAZARD)
    hazard = hazard_create(
        user=user,
        data=HazardData(
            enterprise=tip.enterprise,
            source=HazardSource.TIP_OFF,
            description=(description or "").strip() or tip.result or tip.content,
            found_on=tip.checked_on or tip.received_on,
            deadline=deadline,
            responsible_unit=responsible_unit or default_responsible_unit(tip.enterprise),
            level=level,
            responsible_person=responsible_person,
            measures=measures,
            funds=funds,
            contingency_plan=contingency_plan,
        ),
    )
    tip.hazard = hazard
    _save(tip, user, _("登记为隐患 %(number)s") % {"number": hazard.number})
    return hazard
