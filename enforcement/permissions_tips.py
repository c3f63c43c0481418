"""Who may do what to a whistle-blower report (举报), and what they may do to it now.

- 登记/修改 a report, pay its reward, and see who reported it (姓名、电话): the district office only —
  举报人信息保密. Everyone else who sees a report sees it without the reporter, in every page,
  export and API answer.
- 核查 (start checking, conclude 属实/不属实): the district office, or the township or department
  the report lies with (its change scope).
- A substantiated report may become a hazard (whoever may record hazards for its enterprise) or a
  case (whoever may open cases).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.models import User
from accounts.scoping import restrict

from .choices_tips import TipState
from .models import Tip
from .permissions import can_open

DISTRICT_ROLES = (Role.ADMIN, Role.OFFICER)
STALE_STATE = "stale_state"

EDIT = "edit"
CHECK = "check"
CONCLUDE = "conclude"
REWARD = "reward"
HAZARD = "hazard"
CASE = "case"


def is_district_office(user: User) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and (
        user.is_superuser or user.role in DISTRICT_ROLES
    )


def can_see_reporter(user: User) -> bool:
    """举报人信息保密: the reporter's name and phone are for the district office's eyes only."""
    return is_district_office(user)


def can_record_tip(user: User) -> bool:
    """登记举报: reports reach the district office (12350, letters, visits) and are recorded there."""
    return is_district_office(user)


def can_check_tip(user: User, tip: Tip) -> bool:
    """核查: the district office, or the township/department the report lies with."""
    if is_district_office(user):
        return True
    if user.role not in (Role.TOWNSHIP, Role.DEPARTMENT):
        return False
    return restrict(Tip.objects.filter(pk=tip.pk), user, "change").exists()


# (who may, the states it applies in, what the report has become when it no longer does)
def _rules(user: User, tip: Tip) -> dict[str, tuple[bool, bool]]:
    substantiated = tip.state == TipState.SUBSTANTIATED
    return {
        EDIT: (is_district_office(user), True),
        CHECK: (can_check_tip(user, tip), tip.state == TipState.RECEIVED),
        CONCLUDE: (can_check_tip(user, tip), tip.state in (TipState.RECEIVED, TipState.CHECKING)),
        REWARD: (is_district_office(user), substantiated and tip.reward_paid_on is None),
        HAZARD: (
            user.role != Role.LEADER and can_check_tip(user, tip),
            substantiated and tip.enterprise_id is not None and tip.hazard_id is None,
        ),
        CASE: (can_open(user), substantiated and tip.enterprise_id is not None),
    }


def tip_allowed_actions(user: User, tip: Tip) -> frozenset[str]:
    """The actions the tip page offers this user now."""
    return frozenset(name for name, (who, now) in _rules(user, tip).items() if who and now)


def permission_require(user: User, tip: Tip, action: str) -> None:
    """403 for a role that may never take `action` on this report."""
    who, _now = _rules(user, tip)[action]
    if not who:
        raise PermissionDenied(_("您没有办理该举报的权限。"))


def action_require(user: User, tip: Tip, action: str) -> None:
    """Under the row lock: the role (403), then the state (stale_state: someone acted first)."""
    who, now = _rules(user, tip)[action]
    if not who:
        raise PermissionDenied(_("您没有办理该举报的权限。"))
    if not now:
        raise ValidationError(
            _("该举报当前为“%(state)s”，不能办理此项。") % {"state": tip.get_state_display()},
            code=STALE_STATE,
        )
