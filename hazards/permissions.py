"""Who may do what to a hazard, and what they may do to it now: the one place these rules are written.

Two questions, kept apart because they are answered differently:
- may this user take this action on this hazard at all (role and scope)? No → PermissionDenied (403);
- does the hazard allow it now (its state)? No → a ValidationError with code "stale_state": someone
  else acted first, so the page says what the hazard has become and the API answers 409.

`hazard_allowed_actions` answers both at once for the hazard page; each service transition asks
`action_require` under its row lock. Action names are the hazard page's panel names.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.choices import Role
from accounts.models import User
from accounts.scoping import can_write, restrict

from .choices import ACTIVE_STATES, ExtensionStatus, HazardState
from .models import Accident, Hazard

DISTRICT_ROLES = (Role.ADMIN, Role.OFFICER)
STALE_STATE = "stale_state"

RECTIFY = "rectify"
SUBMIT = "submit"
EXTEND = "extend"
VERIFY = "verify"
DECIDE = "decide"
LISTING = "listing"
DELIST = "delist"
REOPEN = "reopen"
VOID = "void"
EDIT = "edit"


# ---------------------------------------------------------------- who


def can_act_for_district(user: User) -> bool:
    """安委办/应急局 officers and administrators: the district office."""
    return user.is_superuser or user.role in DISTRICT_ROLES


def can_create(user: User) -> bool:
    """登记隐患 (by hand, from a check result, by API or by import): whoever may write records in
    some scope — never a leader, who reads."""
    return user.role != Role.LEADER and can_write(user)


def can_follow(user: User, hazard: Hazard) -> bool:
    """Log rectifications, submit, ask for more time: the district office or a unit with write scope."""
    if user.role == Role.LEADER:
        return False
    return restrict(Hazard.objects.filter(pk=hazard.pk), user, "change").exists()


def can_verify(user: User, hazard: Hazard) -> bool:
    """复查: the district office, or a supervising department in scope — never the township that
    logged the rectification, so nobody signs off their own work."""
    if can_act_for_district(user):
        return True
    if user.role != Role.DEPARTMENT or hazard.responsible_unit_id == user.org_unit_id:
        return False  # a department following the hazard itself does not verify its own work
    return can_follow(user, hazard)


def can_verify_any(user: User) -> bool:
    """Who has a 待复查 queue: the district office and the supervising departments."""
    return can_act_for_district(user) or user.role == Role.DEPARTMENT


def _district(user: User, hazard: Hazard) -> bool:
    return can_act_for_district(user)


def can_edit(user: User, hazard: Hazard) -> bool:
    """修改隐患信息 (details and 五落实): the district office, whatever the state but void; the unit
    following the hazard (跟踪责任单位, in its scope) while it is still open — a closed record is
    corrected by the district office."""
    if can_act_for_district(user):
        return True
    if hazard.state not in ACTIVE_STATES:
        return False
    if user.role == Role.DEPARTMENT and hazard.responsible_unit_id != user.org_unit_id:
        return False  # a supervising department verifies a township's hazard; it does not rewrite it
    return can_follow(user, hazard)


# ---------------------------------------------------------------- what, and when


def has_pending_extension(hazard: Hazard) -> bool:
    """One request for more time at a time: a second waits until the first is decided."""
    return hazard.extensions.filter(status=ExtensionStatus.PENDING).exists()


def _not_listed(hazard: Hazard) -> str | None:
    return None if hazard.is_listed else _("该隐患未挂牌督办。")


@dataclass(frozen=True)
class _Rule:
    who: Callable[[User, Hazard], bool]
    refusal: Promise  # the 403 message
    states: tuple[str, ...]  # the states the action is possible in
    doing: Promise  # for "该隐患当前为…，不能{doing}"
    # A reason the hazard itself stands in the way, reported as stale before its state is.
    blocked: Callable[[Hazard], str | None] = lambda hazard: None
    # The page offers the action only when this also holds; the service reports these as input errors.
    offered: Callable[[Hazard, bool], bool] = lambda hazard, pending: True


_ALL = tuple(HazardState.values)
_NOT_VOID = tuple(s for s in HazardState.values if s != HazardState.VOID)

RULES: dict[str, _Rule] = {
    RECTIFY: _Rule(
        can_follow,
        gettext_lazy("您不能为该隐患记录整改情况。"),
        (HazardState.OPEN, HazardState.RECTIFYING),
        gettext_lazy("记录整改情况"),
    ),
    SUBMIT: _Rule(
        can_follow,
        gettext_lazy("您不能为该隐患申请复查。"),
        (HazardState.RECTIFYING,),
        gettext_lazy("申请复查"),
    ),
    EXTEND: _Rule(
        can_follow,
        gettext_lazy("您不能为该隐患申请延期。"),
        ACTIVE_STATES,
        gettext_lazy("申请延期"),
        offered=lambda hazard, pending: not pending,
    ),
    VERIFY: _Rule(
        can_verify,
        gettext_lazy("只有区安委办/应急局或监管部门可以复查销号。"),
        (HazardState.VERIFYING,),
        gettext_lazy("复查"),
    ),
    # Whether the one request is still pending is the extension's own state (services.extension_decide).
    DECIDE: _Rule(
        _district,
        gettext_lazy("只有区安委办/应急局可以审批延期申请。"),
        _ALL,
        gettext_lazy("审批延期申请"),
        offered=lambda hazard, pending: pending,
    ),
    LISTING: _Rule(
        _district,
        gettext_lazy("只有区安委办/应急局可以挂牌督办。"),
        ACTIVE_STATES,
        gettext_lazy("挂牌督办"),
        offered=lambda hazard, pending: hazard.is_major and not hazard.is_listed,
    ),
    DELIST: _Rule(
        _district,
        gettext_lazy("只有区安委办/应急局可以摘牌。"),
        (HazardState.CLOSED, HazardState.VOID),
        gettext_lazy("摘牌（须先复查销号）"),
        blocked=_not_listed,
    ),
    REOPEN: _Rule(
        _district,
        gettext_lazy("只有区安委办/应急局可以重新打开已销号的隐患。"),
        (HazardState.CLOSED,),
        gettext_lazy("重新打开"),
    ),
    VOID: _Rule(
        _district, gettext_lazy("只有区安委办/应急局可以作废隐患。"), _NOT_VOID, gettext_lazy("作废")
    ),
    EDIT: _Rule(
        can_edit,
        gettext_lazy("您不能修改该隐患的信息。"),
        _NOT_VOID,
        gettext_lazy("修改隐患信息"),
    ),
}


def _stale(hazard: Hazard, rule: _Rule) -> str | None:
    if (reason := rule.blocked(hazard)) is not None:
        return reason
    if hazard.state not in rule.states:
        return _("该隐患当前为“%(state)s”，不能%(doing)s。可能已有其他人处理，请刷新页面后再试。") % {
            "state": hazard.get_state_display(),
            "doing": rule.doing,
        }
    return None


def permission_require(user: User, hazard: Hazard, action: str) -> None:
    """PermissionDenied, with the action's own words, when this user may never `action` this hazard."""
    rule = RULES[action]
    if not rule.who(user, hazard):
        raise PermissionDenied(str(rule.refusal))


def action_require(user: User, hazard: Hazard, action: str) -> None:
    """What a service asks under its lock: may this user `action` this hazard (else 403), and does the
    hazard's state allow it (else a stale-state ValidationError)?"""
    permission_require(user, hazard, action)
    if (stale := _stale(hazard, RULES[action])) is not None:
        raise ValidationError(stale, code=STALE_STATE)


def hazard_allowed_actions(user: User, hazard: Hazard, *, pending: bool | None = None) -> frozenset[str]:
    """The actions this user may take on this hazard now: what the hazard page offers.

    `pending` (whether an extension request waits for a decision) may be passed by a caller that
    already knows it; otherwise it is looked up.
    """
    if pending is None:
        pending = has_pending_extension(hazard)
    allowed = set()
    answers: dict[Callable, bool] = {}  # each "who" asked once: can_follow is a query
    for action, rule in RULES.items():
        if _stale(hazard, rule) is not None or not rule.offered(hazard, pending):
            continue
        if rule.who not in answers:
            answers[rule.who] = rule.who(user, hazard)
        if answers[rule.who]:
            allowed.add(action)
    return frozenset(allowed)


# ---------------------------------------------------------------- 事故 (accidents)


def can_record_accident(user: User) -> bool:
    """登记事故: the district office, or a department for the sectors it supervises. Townships read
    their own accidents (by 所属街道); leaders read."""
    return can_act_for_district(user) or (user.role == Role.DEPARTMENT and can_write(user))


def can_change_accident(user: User, accident: Accident) -> bool:
    """修改事故信息: who may record it, and has it in their change scope (a department: its sectors)."""
    if not can_record_accident(user):
        return False
    return (
        can_act_for_district(user)
        or restrict(Accident.objects.filter(pk=accident.pk), user, "change").exists()
    )
