"""Who may do what with inspections: every yes/no question, asked the same way by the views (to show a
button or answer 403), the forms and the services (to refuse).

One convention: `can_<verb>(user[, obj])` returns a bool and never queries more than it must. The
lists of what a user may choose from (plan_organizers, team_candidates …) are querysets and live in
selectors.
"""

from accounts.models import OrgUnit, User
from accounts.scoping import restrict, scope_for

from . import selectors
from .choices import ORGANIZER_KINDS, ActionStatus
from .models import InspectionAction, InspectionPlan, InspectionRecord


def can_enter(user: User) -> bool:
    """录入检查, 双随机抽取 and 检查计划 are for the roles that write in some scope; the leader's is read-only."""
    return not scope_for(user, "change").nothing


def can_organize(user: User, organizer: OrgUnit) -> bool:
    """May the user act in the name of `organizer`: enter its inspections, make its plans and draws?
    (The same rule as selectors.plan_organizers, which lists the units.)

    A department's scope is its sectors, not a subtree, so admits_unit alone would refuse it its own
    unit; it organises for itself.
    """
    scope = scope_for(user, "change")
    return organizer.kind in ORGANIZER_KINDS and (
        scope.admits_unit(organizer)
        or (scope.department_id is not None and scope.department_id == organizer.pk)
    )


def can_draw(user: User, organizer: OrgUnit) -> bool:
    """双随机抽取 in the name of `organizer`: an active unit the user organises for."""
    return organizer.is_active and can_organize(user, organizer)


def can_create_plan(user: User) -> bool:
    """Is there any unit the user may make a plan for? (Leaders and users without a unit: no.)"""
    return selectors.plan_organizers(user=user).exists()


def can_target(user: User, township: OrgUnit) -> bool:
    """May a plan line of the user's target this 街道/乡镇? One in the user's write scope (a department's
    is all of them): the same rule as selectors.plan_townships, which lists them."""
    scope = scope_for(user, "change")
    return scope.everything or scope.department_id is not None or scope.admits_unit(township)


def can_change_plan(user: User, plan: InspectionPlan) -> bool:
    """修改检查计划: who may organise for the plan's unit."""
    return can_organize(user, plan.organizer)


def can_complete(user: User, action: InspectionAction) -> bool:
    """完成计划检查 (开始录入 on a 双随机 pick): a planned action, by someone who may act for its organiser."""
    return action.status == ActionStatus.PLANNED and can_enter(user) and can_organize(user, action.organizer)


def can_change_record(user: User, record: InspectionRecord) -> bool:
    """A record is the organising unit's document: seeing its enterprise is not enough to rewrite it."""
    in_scope = restrict(InspectionRecord.objects.filter(pk=record.pk), user, "change").exists()
    return in_scope and can_organize(user, record.action.organizer)
