"""Who may do what with the monthly evaluation (月度评估): the district office (区安委办/应急局 officers) and
administrators compute, score, publish and follow up, and configure the indicators; everyone else reads
the published rankings (and the detail of their own unit's row)."""

from accounts.choices import Role
from accounts.models import User

MANAGERS = frozenset({Role.OFFICER, Role.ADMIN})


def can_manage(user: User) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and (user.is_superuser or user.role in MANAGERS)
