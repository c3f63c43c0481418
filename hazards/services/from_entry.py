"""From finding to hazard: when an inspection entered on the phone form (录入检查) is submitted, every
不符合 item becomes a hazard unless the officer unticked it on the confirm step.

inspections may not name hazards, so this is plugged in from hazards.apps: the confirm step draws the
per-item lines (views.entry_confirm_panel, fields named "hz-<enterprise>-<item>-…"), the entry keeps
what they hold in its draft, and `hazards_from_entry` runs inside the entry's submit transaction
(inspections.hooks). A refused line refuses the whole submit: nothing is written, the draft stays,
and the messages come back beside the line's fields. An unticked item can still be registered later
from the record page (登记为隐患), as for records entered without this step.
"""

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from accounts.models import User
from inspections.choices import CheckResultValue
from inspections.models import InspectionAction, InspectionRecord, RecordPhoto

from ..choices import HazardLevel, HazardSource
from ..permissions import can_create
from .create import (
    HazardData,
    check_hazard_data,
    default_deadline,
    default_responsible_unit,
    finding_description,
    hazard_create,
)

ENTRY_PREFIX = "hz"
FIVE = ("responsible_person", "measures", "funds", "contingency_plan")


def entry_key(enterprise_id: int, item_id: int) -> str:
    """The name stem of one 不符合 line's fields on the confirm step."""
    return f"{ENTRY_PREFIX}-{enterprise_id}-{item_id}"


@dataclass(frozen=True)
class EntryChoice:
    """One 不符合 line of the confirm step, as last sent (or its defaults): text as typed, so a form
    drawn again after an error shows exactly what the user wrote."""

    key: str
    register: bool
    level: str
    deadline: str
    responsible_person: str = ""
    measures: str = ""
    funds: str = ""
    contingency_plan: str = ""

    @property
    def is_major(self) -> bool:
        return self.level == HazardLevel.MAJOR


def entry_choice(saved: Mapping[str, str], key: str, found_on: dt.date) -> EntryChoice:
    """The line `key` from the fields kept in the draft; a line never sent yet is ticked, 一般, with
    the default deadline. A line sent without its tick (the "shown" marker alone) was unticked."""
    level = saved.get(f"{key}-level") or HazardLevel.GENERAL
    if level not in HazardLevel.values:
        level = HazardLevel.GENERAL
    shown = f"{key}-shown" in saved
    return EntryChoice(
        key=key,
        register=(f"{key}-on" in saved) if shown else True,
        level=level,
        deadline=saved.get(f"{key}-deadline") or default_deadline(level, found_on).isoformat(),
        **{name: (saved.get(f"{key}-{name}") or "").strip() for name in FIVE},
    )


def _parsed(choice: EntryChoice, errors: dict[str, list[str]]) -> tuple[dt.date | None, Decimal | None]:
    deadline = funds = None
    try:
        deadline = dt.date.fromisoformat(choice.deadline)
    except ValueError:
        errors.setdefault(f"{choice.key}-deadline", []).append(_("请填写有效的整改期限。"))
    if choice.funds:
        try:
            funds = Decimal(choice.funds.replace(",", ""))
            if not funds.is_finite() or funds.as_tuple().exponent < -2 or abs(funds) >= 10**10:
                raise InvalidOperation
        except InvalidOperation:
            errors.setdefault(f"{choice.key}-funds", []).append(
                _("整改资金请填写数字（万元），最多两位小数。")
            )
            funds = None
    return deadline, funds


def _photo_copies(photos: list[RecordPhoto]) -> list[ContentFile]:
    """The visit's 现场照片 as new files for the hazard (the record keeps its own)."""
    copies = []
    for photo in photos:
        try:
            with photo.image.open("rb") as fh:
                copies.append(ContentFile(fh.read(), name=photo.image.name.rsplit("/", 1)[-1]))
        except FileNotFoundError:
            continue
    return copies


def hazards_from_entry(*, user: User, action: InspectionAction, data: Mapping[str, str]) -> list:
    """Each 不符合 result of the submitted action becomes a hazard (检查发现) unless unticked: the chosen
    level and deadline, 五落实 for 重大, the written finding as description, linked to its record and
    check item, carrying the visit's on-site photos. Every line is checked before any is written."""
    if not can_create(user):
        return []
    errors: dict[str, list[str]] = {}
    planned: list[tuple[HazardData, list[RecordPhoto]]] = []
    records = action.records.select_related("enterprise__jurisdiction__parent")
    for record in records.prefetch_related("photos", "results__item").order_by("pk"):
        planned.extend(_record_lines(user, action, record, data, errors))
    if errors:
        raise ValidationError(errors)
    return [
        hazard_create(user=user, data=replace(hazard, photos=_photo_copies(photos)))
        for hazard, photos in planned
    ]


def _record_lines(user, action, record: InspectionRecord, data, errors) -> list:
    results = [r for r in record.results.all() if r.result == CheckResultValue.NONCOMPLIANT]
    results.sort(key=lambda r: (r.item.order, r.item.code, r.pk))
    photos = list(record.photos.all())
    lines = []
    for result in results:
        choice = entry_choice(data, entry_key(record.enterprise_id, result.item_id), action.date)
        if not choice.register:
            continue
        line_errors: dict[str, list[str]] = {}
        deadline, funds = _parsed(choice, line_errors)
        hazard = HazardData(
            enterprise=record.enterprise,
            source=HazardSource.INSPECTION,
            description=finding_description(
                title=result.item.title, note=result.note, findings=record.findings, sole=len(results) == 1
            ),
            found_on=action.date,
            deadline=deadline or action.date,
            responsible_unit=default_responsible_unit(record.enterprise),
            level=choice.level,
            responsible_person=choice.responsible_person,
            measures=choice.measures,
            funds=funds,
            contingency_plan=choice.contingency_plan,
            inspection_record=record,
            check_result=result,
        )
        try:
            check_hazard_data(user=user, data=hazard)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                if field == "funds" and f"{choice.key}-funds" in line_errors:
                    continue  # not a number: said once
                line_errors.setdefault(f"{choice.key}-{field}", []).extend(messages)
        if line_errors:
            errors.update(line_errors)
        else:
            lines.append((hazard, photos))
    return lines
