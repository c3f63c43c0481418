"""Who is told when a hazard moves: the one place the hazard notifications are worded and addressed.

Each is called inside the transition's transaction (a rolled-back action tells nobody) and writes
through accounts.services.notification_create (idempotent by key; e-mail and group robots are queued
after the commit). The ball's court decides the recipient:

- 登记 (registered), 复查不通过 (returned), 销号 (closed) → the responsible unit (跟踪责任单位);
- 申请复查 (submitted) → the verifiers: the district office (role 区安委办/应急局) and the supervising
  department when it is not the unit that did the work — never the unit that asks;
- 延期 decided → the unit of the person who asked (or that person, without a unit);
- 逾期 → overdue.py, by the same function.
"""

from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.services import notification_create

from ..choices import ExtensionStatus, HazardLevel
from ..models import DeadlineExtension, Hazard


def _title(hazard: Hazard, what: str) -> str:
    major = _("【重大】") if hazard.level == HazardLevel.MAJOR else ""
    return f"{major}{what}：{hazard.number} {hazard.enterprise.name}"


def _url(hazard: Hazard) -> str:
    return reverse("hazards:hazard_detail", args=[hazard.pk])


def _about(hazard: Hazard) -> str:
    return Truncator(hazard.description).chars(80)


def _latest_event_pk(hazard: Hazard) -> int:
    """The transition just written: a hazard can be submitted, returned or closed more than once, and
    each time is news once."""
    return hazard.events.order_by("-pk").values_list("pk", flat=True).first() or 0


def hazard_registered(hazard: Hazard) -> None:
    notification_create(
        key=f"hazard-registered:{hazard.pk}",
        kind="hazard_registered",
        title=_title(hazard, _("新登记隐患")),
        body=_("隐患：%(about)s。整改期限 %(deadline)s。请督促单位整改，记录整改情况后申请复查。")
        % {"about": _about(hazard), "deadline": hazard.deadline.isoformat()},
        url=_url(hazard),
        org_unit=hazard.responsible_unit,
    )


def hazard_submitted(hazard: Hazard) -> None:
    event = _latest_event_pk(hazard)
    title = _title(hazard, _("待复查"))
    body = _("%(unit)s 已整改完成并申请复查。请到现场复查：合格则销号，不合格则退回整改。") % {
        "unit": hazard.responsible_unit.name
    }
    notification_create(
        key=f"hazard-submitted:{hazard.pk}:{event}:district",
        kind="hazard_submitted",
        title=title,
        body=body,
        url=_url(hazard),
        role=Role.OFFICER,
    )
    department = hazard.supervising_department
    if department is not None and department.pk != hazard.responsible_unit_id:
        notification_create(
            key=f"hazard-submitted:{hazard.pk}:{event}:department",
            kind="hazard_submitted",
            title=title,
            body=body,
            url=_url(hazard),
            org_unit=department,
        )


def hazard_verified(hazard: Hazard, *, passed: bool, note: str) -> None:
    event = _latest_event_pk(hazard)
    if passed:
        key, kind, what = f"hazard-closed:{hazard.pk}:{event}", "hazard_closed", _("隐患已销号")
        body = _("复查合格，隐患已于 %(day)s 销号，无需再处理。") % {"day": hazard.closed_on.isoformat()}
    else:
        key, kind, what = f"hazard-returned:{hazard.pk}:{event}", "hazard_returned", _("复查未通过")
        body = _("复查意见：%(note)s。请继续整改，完成后再次申请复查（整改期限 %(deadline)s）。") % {
            "note": note,
            "deadline": hazard.deadline.isoformat(),
        }
    notification_create(
        key=key,
        kind=kind,
        title=_title(hazard, what),
        body=body,
        url=_url(hazard),
        org_unit=hazard.responsible_unit,
    )


def extension_decided(extension: DeadlineExtension) -> None:
    hazard = extension.hazard
    asker = extension.requested_by
    if extension.status == ExtensionStatus.PENDING:
        return  # nothing decided yet
    if extension.status == ExtensionStatus.APPROVED:
        what = _("延期申请已批准")
        body = _("整改期限已延至 %(deadline)s，请在新期限前完成整改并申请复查。") % {
            "deadline": extension.new_deadline.isoformat()
        }
    else:
        what = _("延期申请被驳回")
        body = _("驳回理由：%(note)s。整改期限仍为 %(deadline)s，请按期整改。") % {
            "note": extension.decision_note,
            "deadline": hazard.deadline.isoformat(),
        }
    recipient = {"org_unit": asker.org_unit} if asker.org_unit_id else {"user": asker}
    notification_create(
        key=f"extension-decided:{extension.pk}",
        kind="extension_decided",
        title=_title(hazard, what),
        body=body,
        url=_url(hazard),
        **recipient,
    )
