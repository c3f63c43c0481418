"""Who may do what with the statistics."""

from accounts.choices import Role
from accounts.models import User

RECOMPUTERS = frozenset({Role.OFFICER, Role.ADMIN})


def can_recompute(user: User) -> bool:
    """重新计算: the district office (区安委办/应急局 officers) and administrators; leaders, townships and
    departments read the figures."""
    return bool(getattr(user, "is_authenticated", False)) and (user.is_superuser or user.role in RECOMPUTERS)
