"""事故: recording an accident (by hand, by API or by import — one builder), correcting it, and the
Excel import's bulk write.

Who records: the district office, or a department for the sectors it supervises (permissions).
An accident counts in a township through its 所属街道; when an enterprise is named it must lie in
that township, so a figure by township never disagrees with the enterprise's place.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, fields
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Enterprise, OrgUnit, Sector, User
from accounts.scoping import scope_for
from accounts.services import number_block, number_next
from core.dates import EARLIEST
from core.history import history_bulk_create
from core.imports import report_saving
from core.locks import transaction_lock

from ..choices import AccidentGrade
from ..models import Accident, AccidentCategory
from ..permissions import can_change_accident, can_record_accident

SERIES = "accident"
_BATCH = 500
LOSS_MAX = Decimal("9999999999.99")


@dataclass(frozen=True)
class AccidentData:
    """What a person fills in when recording an accident."""

    occurred_on: dt.date
    township: OrgUnit
    sector: Sector
    category: AccidentCategory
    summary: str
    is_production_safety: bool = True
    grade: str = AccidentGrade.GENERAL
    deaths: int = 0
    injuries: int = 0
    direct_loss: Decimal | None = None
    occurred_at: dt.time | None = None
    enterprise: Enterprise | None = None


DATA_FIELDS = tuple(f.name for f in fields(AccidentData))


def accident_number_text(year: int, serial: int) -> str:
    """SG202600007: the system's own accident number, per district and year."""
    return f"SG{year}{serial:05d}"


def _district_id(township: OrgUnit) -> int:
    return int(township.path.strip("/").split("/")[0])


def check_accident_data(*, user: User, data: AccidentData, today: dt.date | None = None) -> None:
    """The rules of an accident record, raised together so a form shows every problem at once."""
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if data.occurred_on > today:
        add("occurred_on", _("发生日期不能晚于今天。"))
    elif data.occurred_on < EARLIEST:
        add("occurred_on", _("发生日期不能早于 %(year)s 年。") % {"year": EARLIEST.year})
    if not data.township.is_township:
        add("township", _("所属街道应为街道/乡镇。"))
    elif not data.township.is_active:
        add("township", _("该街道/乡镇已停用。"))
    if data.enterprise is not None and not data.enterprise.jurisdiction.path.startswith(data.township.path):
        add("enterprise", _("所选单位不在该街道/乡镇。"))
    if not data.category.is_active:
        add("category", _("该事故类别已停用。"))
    if data.grade not in AccidentGrade.values:
        add("grade", _("事故等级只能是一般、较大、重大或特别重大。"))
    if data.deaths < 0:
        add("deaths", _("死亡人数不能为负数。"))
    if data.injuries < 0:
        add("injuries", _("受伤人数不能为负数。"))
    if data.direct_loss is not None and not (0 <= data.direct_loss <= LOSS_MAX):
        add("direct_loss", _("直接经济损失应为不小于0的数字（万元）。"))
    if not data.summary.strip():
        add("summary", _("请填写简要经过。"))
    if data.township.is_township and not scope_for(user, "change").admits(
        jurisdiction=data.township, sector_ids=[data.sector.pk]
    ):
        add("sector", _("您只能登记本部门监管行业领域的事故。"))
    if errors:
        raise ValidationError(errors)


def _build(data: AccidentData, *, number: str, user: User) -> Accident:
    return Accident(
        number=number,
        occurred_on=data.occurred_on,
        occurred_at=data.occurred_at,
        township=data.township,
        enterprise=data.enterprise,
        sector=data.sector,
        category=data.category,
        is_production_safety=data.is_production_safety,
        grade=data.grade,
        deaths=data.deaths,
        injuries=data.injuries,
        direct_loss=data.direct_loss,
        summary=data.summary.strip(),
        created_by=user,
    )


@transaction.atomic
def accident_create(*, user: User, data: AccidentData) -> Accident:
    """登记事故: numbered in the district's yearly series (SG2026xxxxx)."""
    if not can_record_accident(user):
        raise PermissionDenied(_("只有区安委办/应急局或行业监管部门可以登记事故。"))
    check_accident_data(user=user, data=data)
    district = OrgUnit.objects.get(pk=_district_id(data.township))
    year = data.occurred_on.year
    number = accident_number_text(year, number_next(series=SERIES, org_unit=district, year=year))
    accident = _build(data, number=number, user=user)
    accident._history_user = user
    accident.save()
    return accident


@transaction.atomic
def accident_update(*, user: User, accident: Accident, data: AccidentData) -> Accident:
    """修改事故信息: the facts as now known (deaths can rise after the day, the loss is assessed
    later). The number stays; the history keeps every earlier version and who changed it."""
    accident = Accident.objects.select_for_update().get(pk=accident.pk)
    if not can_change_accident(user, accident):
        raise PermissionDenied(_("您不能修改该事故。"))
    check_accident_data(user=user, data=data)
    changed = []
    for name in DATA_FIELDS:
        value = getattr(data, name)
        if name == "summary":
            value = value.strip()
        if getattr(accident, name) != value:
            setattr(accident, name, value)
            changed.append(name)
    if changed:
        accident._history_user = user
        accident.save()
    return accident


@transaction.atomic
def accidents_import_many(*, user: User, rows: list[AccidentData]) -> int:
    """Write checked rows (hazards.importers_accidents) as new accidents, in bulk: numbered in blocks,
    one history record each. Returns how many."""
    if not can_record_accident(user):
        raise PermissionDenied(_("只有区安委办/应急局或行业监管部门可以导入事故。"))
    transaction_lock("hazards.accidents_import_many")
    wanted: dict[tuple[int, int], list[int]] = defaultdict(list)
    for index, data in enumerate(rows):
        wanted[(_district_id(data.township), data.occurred_on.year)].append(index)
    numbers = [""] * len(rows)
    districts = OrgUnit.objects.in_bulk({district for district, _year in wanted})
    for (district, year), indexes in wanted.items():
        serials = number_block(series=SERIES, org_unit=districts[district], year=year, count=len(indexes))
        for index, serial in zip(indexes, serials, strict=True):
            numbers[index] = accident_number_text(year, serial)
    accidents = [_build(data, number=numbers[i], user=user) for i, data in enumerate(rows)]
    Accident.objects.bulk_create(accidents, batch_size=_BATCH)
    history_bulk_create(Accident, accidents, user=user, when=timezone.now())
    report_saving(len(rows), len(rows))
    return len(rows)
