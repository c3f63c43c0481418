"""Who may do what to a case, and what they may do to it now: the one place these rules are written.

Seeing a case is the scoping rule (the handling unit, the township the enterprise lies in, the
district office, leaders). Changing one is narrower: the district office (officers, administrators)
and the department that handles the case — a township follows the cases of its enterprises but does
not handle them, a leader reads.

As for hazards, two questions are kept apart:
- may this user take this action on this case at all (role and unit)? No → PermissionDenied (403);
- does the case allow it now (its state, its procedure)? No → a ValidationError with code
  "stale_state": someone else acted first (or the step does not exist on this path), so the page says
  what the case has become and the API answers 409.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.choices import OrgKind, Role
from accounts.models import OrgUnit, User

from .choices import ACTIVE_STATES, UNDECIDED_STATES, CaseProcedure, CaseState, ExtensionStatus
from .models import Case

DISTRICT_ROLES = (Role.ADMIN, Role.OFFICER)
STALE_STATE = "stale_state"

INVESTIGATE = "investigate"
NOTIFY = "notify"
HEARING = "hearing"
DECIDE = "decide"
EXECUTE = "execute"
CLOSE = "close"
NO_PENALTY = "no_penalty"
TRANSFER = "transfer"
EDIT = "edit"
MEASURE = "measure"
EXTEND = "extend"
EXTENSION_DECIDE = "extension_decide"


# ---------------------------------------------------------------- who


def can_act_for_district(user: User) -> bool:
    """区安委办/应急局 officers and administrators."""
    return bool(getattr(user, "is_authenticated", False)) and (
        user.is_superuser or user.role in DISTRICT_ROLES
    )


def can_open(user: User) -> bool:
    """立案: the district office, or an enforcement department (for its own unit)."""
    if can_act_for_district(user):
        return True
    return getattr(user, "role", None) == Role.DEPARTMENT and user.org_unit_id is not None


def handling_units_for(user: User) -> QuerySet[OrgUnit]:
    """The units this user may open or move a case for: any district or department unit for the district
    office; their own department for a department user; nothing for anyone else."""
    units = OrgUnit.objects.filter(kind__in=[OrgKind.DISTRICT, OrgKind.DEPARTMENT], is_active=True)
    if can_act_for_district(user):
        return units
    if can_open(user):
        return units.filter(pk=user.org_unit_id)
    return units.none()


def can_use_unit(user: User, unit: OrgUnit) -> bool:
    if unit.kind not in (OrgKind.DISTRICT, OrgKind.DEPARTMENT):
        return False
    if can_act_for_district(user):
        return True
    return can_open(user) and unit.pk == user.org_unit_id


def can_handle(user: User, case: Case) -> bool:
    """Work on the case: the district office, or a user of the handling department."""
    if can_act_for_district(user):
        return True
    return (
        getattr(user, "role", None) == Role.DEPARTMENT
        and user.org_unit_id is not None
        and case.handling_unit_id == user.org_unit_id
    )


def _district(user: User, case: Case) -> bool:
    return can_act_for_district(user)


def has_pending_extension(case: Case) -> bool:
    return case.extensions.filter(status=ExtensionStatus.PENDING).exists()


# ---------------------------------------------------------------- what, and when


@dataclass(frozen=True)
class _Rule:
    who: Callable[[User, Case], bool]
    refusal: Promise  # the 403 message
    states: tuple[str, ...]  # the states the action is possible in
    doing: Promise  # for "该案件当前为…，不能{doing}"
    # A reason the case itself stands in the way (its procedure), reported as stale before its state is.
    blocked: Callable[[Case], str | None] = lambda case: None
    # The page offers the action only when this also holds.
    offered: Callable[[Case, bool], bool] = lambda case, pending: True


def _general_only(case: Case) -> str | None:
    if case.procedure != CaseProcedure.GENERAL:
        return _("简易程序案件没有此步骤：立案后可直接作出处罚决定。")
    return None


def _hearing_requested(case: Case) -> str | None:
    if (reason := _general_only(case)) is not None:
        return reason
    if not case.hearing_requested:
        return _("当事人未要求听证。")
    return None


def _decide_path(case: Case) -> str | None:
    """一般程序 decides after 告知 (or 听证); 简易程序 straight from 立案."""
    allowed = (
        (CaseState.OPEN,)
        if case.procedure == CaseProcedure.SIMPLE
        else (CaseState.NOTIFIED, CaseState.HEARING)
    )
    if (
        case.state in UNDECIDED_STATES
        and case.state not in allowed
        and case.procedure == CaseProcedure.GENERAL
    ):
        return _("一般程序案件须先经调查取证、告知当事人后方可作出处罚决定。")
    if case.state == CaseState.NOTIFIED and case.hearing_requested:
        return _("当事人要求听证，须先举行听证后方可作出处罚决定。")
    return None


def _close_path(case: Case) -> str | None:
    if case.procedure == CaseProcedure.GENERAL and case.state == CaseState.DECIDED:
        return _("一般程序案件须先执行处罚决定，方可结案。")
    return None


def _extendable(case: Case) -> str | None:
    if (reason := _general_only(case)) is not None:
        return reason
    if case.deadline is None:
        return _("该案件没有办案期限。")
    return None


_DECIDE_FROM = (CaseState.OPEN, CaseState.NOTIFIED, CaseState.HEARING)

RULES: dict[str, _Rule] = {
    INVESTIGATE: _Rule(
        can_handle,
        gettext_lazy("只有办案单位或区安委办/应急局可以办理该案件。"),
        (CaseState.OPEN,),
        gettext_lazy("开始调查取证"),
        blocked=_general_only,
    ),
    NOTIFY: _Rule(
        can_handle,
        gettext_lazy("只有办案单位或区安委办/应急局可以办理该案件。"),
        (CaseState.INVESTIGATING,),
        gettext_lazy("告知当事人"),
        blocked=_general_only,
    ),
    HEARING: _Rule(
        can_handle,
        gettext_lazy("只有办案单位或区安委办/应急局可以办理该案件。"),
        (CaseState.NOTIFIED,),
        gettext_lazy("记录听证"),
        blocked=_hearing_requested,
    ),
    DECIDE: _Rule(
        can_handle,
        gettext_lazy("只有办案单位或区安委办/应急局可以作出处罚决定。"),
        _DECIDE_FROM,
        gettext_lazy("作出处罚决定"),
        blocked=_decide_path,
    ),
    EXECUTE: _Rule(
        can_handle,
        gettext_lazy("只有办案单位或区安委办/应急局可以办理该案件。"),
        (CaseState.DECIDED,),
        gettext_lazy("登记执行"),
    ),
    CLOSE: _Rule(
        can_handle,
        gettext_lazy("只有办案单位或区安委办/应急局可以结案。"),
        (CaseState.DECIDED, CaseState.EXECUTING),
        gettext_lazy("结案"),
        blocked=_close_path,
    ),
    NO_PENALTY: _Rule(
        can_handle,
        gettext_lazy("只有办案单位或区安委办/应急局可以作出不予处罚决定。"),
        UNDECIDED_STATES,
        gettext_lazy("作出不予处罚决定"),
    ),
    TRANSFER: _Rule(
        can_handle,
        gettext_lazy("只有办案单位或区安委办/应急局可以移送案件。"),
        UNDECIDED_STATES,
        gettext_lazy("移送"),
    ),
    EDIT: _Rule(
        can_handle,
        gettext_lazy("您不能修改该案件。"),
        ACTIVE_STATES,
        gettext_lazy("修改案件信息"),
    ),
    MEASURE: _Rule(
        can_handle,
        gettext_lazy("只有办案单位或区安委办/应急局可以登记措施。"),
        ACTIVE_STATES,
        gettext_lazy("登记措施"),
    ),
    EXTEND: _Rule(
        can_handle,
        gettext_lazy("只有办案单位或区安委办/应急局可以申请延长办案期限。"),
        UNDECIDED_STATES,
        gettext_lazy("申请延长办案期限"),
        blocked=_extendable,
        offered=lambda case, pending: not pending,
    ),
    EXTENSION_DECIDE: _Rule(
        _district,
        gettext_lazy("只有区安委办/应急局可以审批延长办案期限。"),
        UNDECIDED_STATES,
        gettext_lazy("审批延期申请"),
        offered=lambda case, pending: pending,
    ),
}


def _stale(case: Case, rule: _Rule) -> str | None:
    if case.state in rule.states and (reason := rule.blocked(case)) is not None:
        return reason
    if case.state not in rule.states:
        return _("该案件当前为“%(state)s”，不能%(doing)s。可能已有其他人处理，请刷新页面后再试。") % {
            "state": case.get_state_display(),
            "doing": rule.doing,
        }
    return None


def permission_require(user: User, case: Case, action: str) -> None:
    rule = RULES[action]
    if not rule.who(user, case):
        raise PermissionDenied(str(rule.refusal))


def action_require(user: User, case: Case, action: str) -> None:
    """What a service asks under its lock: may this user `action` this case (else 403), and does the
    case's state allow it (else a stale-state ValidationError)?"""
    permission_require(user, case, action)
    if (stale := _stale(case, RULES[action])) is not None:
        raise ValidationError(stale, code=STALE_STATE)


def case_allowed_actions(user: User, case: Case, *, pending: bool | None = None) -> frozenset[str]:
    """The actions this user may take on this case now: what the case page offers. No query unless
    `pending` (an extension waiting for a decision) is not given and the case could be extended."""
    if not can_handle(user, case):
        return frozenset()
    allowed = set()
    for action, rule in RULES.items():
        if _stale(case, rule) is not None or not rule.who(user, case):
            continue
        if action in (EXTEND, EXTENSION_DECIDE):
            if pending is None:
                pending = has_pending_extension(case)
            if not rule.offered(case, pending):
                continue
        allowed.add(action)
    return frozenset(allowed)
