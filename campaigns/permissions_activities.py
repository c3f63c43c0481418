"""Who may record and change activities (宣传/培训/演练/会议).

An activity is its organising unit's record. The district office records for any unit; a township
records its own activities (and its communities'), a department its own — DESIGN: “townships record
local publicity, drills and meetings”. A leader reads only. Outside the scope the record does not
exist (404, by the selectors) before any of these is asked.
"""

from accounts.choices import Role
from accounts.models import OrgUnit, User
from accounts.scoping import can_write, restrict, scope_for

from .models import Activity


def can_record(user: User) -> bool:
    """登记活动 (form, API, import): whoever writes records in some scope — never a leader."""
    return user.role != Role.LEADER and can_write(user)


def can_organise_for(user: User, unit: OrgUnit) -> bool:
    """May this user record an activity in `unit`'s name? The district office: any unit; a township:
    itself and its communities/villages; a department: itself."""
    if not can_record(user):
        return False
    return scope_for(user, "change").admits(jurisdiction=unit, department_id=unit.pk)


def can_change(user: User, activity: Activity) -> bool:
    """修改、删除, add or remove evidence: the district office, or the organising unit (its township)."""
    if not can_record(user):
        return False
    return restrict(Activity.objects.filter(pk=activity.pk), user, "change").exists()
