"""API permission: signed in, and leaders read only. Which records is the scoping rule's job."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from .scoping import can_write


class RolePermission(BasePermission):
    message = "您没有执行该操作的权限。"

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        return request.method in SAFE_METHODS or can_write(user)
