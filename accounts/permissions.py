"""API permission: signed in, and leaders read only. Which records is the scoping rule's job."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from .scoping import can_write, scope_for


class RolePermission(BasePermission):
    message = "您没有执行该操作的权限。"

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        return request.method in SAFE_METHODS or can_write(user)


# ---------------------------------------------------------------- 安全责任: who may write what


def can_write_responsibility(user) -> bool:
    """录入职责清单、工作清单、责任书: everyone who writes records (a leader only reads)."""
    return can_write(user)


def can_act_for_unit(user, unit) -> bool:
    """May `user` write in the name of `unit`? The district office for any unit; a township for itself
    and its communities; a department for itself."""
    scope = scope_for(user, "change")
    if scope.nothing or unit is None:
        return False
    if scope.everything:
        return True
    if scope.subtree_path is not None and unit.path.startswith(scope.subtree_path):
        return True
    return scope.department_id is not None and scope.department_id == unit.pk


def can_change_duty_list(user, duty_list) -> bool:
    return can_act_for_unit(user, duty_list.unit)


def can_change_work_list(user, work_list) -> bool:
    """The unit the work list belongs to updates it (its items and their progress)."""
    return can_act_for_unit(user, work_list.unit)
