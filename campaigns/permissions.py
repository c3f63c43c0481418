"""Who may do what to a campaign.

Campaigns are district-wide plans: everyone signed in reads them. The district office (安委办/应急局
officers and administrators) creates and changes any campaign; a department (安委会成员单位) creates
campaigns it leads and changes the ones it leads. Townships and leaders read.
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.models import User

from .models import Campaign

DISTRICT_ROLES = (Role.ADMIN, Role.OFFICER)


def is_district_office(user: User) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and (
        user.is_superuser or user.role in DISTRICT_ROLES
    )


def can_view(user: User, campaign: Campaign | None = None) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.is_active


def can_create(user: User) -> bool:
    """新建专项行动: the district office, or a department for a campaign it leads."""
    if is_district_office(user):
        return True
    return user.is_active and user.role == Role.DEPARTMENT and user.org_unit_id is not None


def can_change(user: User, campaign: Campaign) -> bool:
    """修改 (phases, targets, member units …): the district office, or the lead department's staff."""
    if is_district_office(user):
        return True
    return (
        user.is_active
        and user.role == Role.DEPARTMENT
        and user.org_unit_id is not None
        and user.org_unit_id == campaign.lead_department_id
    )


def can_delete(user: User, campaign: Campaign) -> bool:
    """删除: the district office only (and only while nothing is tagged to it; the service checks)."""
    return is_district_office(user)


def can_choose_lead(user: User) -> bool:
    """Whether the form offers a choice of lead department (the district office) or fixes it to the
    user's own department."""
    return is_district_office(user)


def require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(_("您没有修改该专项行动的权限。"))
