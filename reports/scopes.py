"""Report scopes: the whole district, a township (街道/乡镇/管理处) or a department (安委会成员单位).

A township counts the records placed in its subtree, a department what its scoping rule gives it — the
same `accounts.scoping.unit_scope` that decides what the unit's own staff see, so a township's figure
and the list its staff open always agree. The code that travels in URLs, the API and the command line
is "district" or the unit's id; a name is accepted where a person types it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from accounts.choices import TOWNSHIP_KINDS, OrgKind
from accounts.models import OrgUnit, User
from accounts.scoping import Scope, scope_for, unit_scope

DISTRICT = "district"


@dataclass(frozen=True)
class StatsScope:
    unit: OrgUnit | None = None  # None: the whole district

    @property
    def is_district(self) -> bool:
        return self.unit is None

    @property
    def code(self) -> str:
        return DISTRICT if self.unit is None else str(self.unit.pk)

    @property
    def unit_id(self) -> int | None:
        return None if self.unit is None else self.unit.pk

    @property
    def name(self) -> str:
        if self.unit is not None:
            return self.unit.name
        root = OrgUnit.objects.filter(kind=OrgKind.DISTRICT).order_by("path").only("name").first()
        return root.name if root else _("全区")

    @cached_property
    def scope(self) -> Scope:
        """The record filter (worked out once: a department's sectors take a query): `scope.q(Model)` keeps the records this scope counts."""
        return Scope(everything=True) if self.unit is None or self.unit.is_district else unit_scope(self.unit)

    def as_dict(self) -> dict:
        return {"code": self.code, "name": self.name}

    def __hash__(self) -> int:
        return hash(self.code)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, StatsScope) and self.code == other.code


WHOLE_DISTRICT = StatsScope()


def scope_units() -> QuerySet[OrgUnit]:
    """The units figures are rolled up for besides the district: active townships and departments."""
    return OrgUnit.objects.filter(
        Q(kind__in=TOWNSHIP_KINDS) | Q(kind=OrgKind.DEPARTMENT), is_active=True
    ).order_by("kind", "order", "name")


def townships() -> QuerySet[OrgUnit]:
    return OrgUnit.objects.filter(kind__in=TOWNSHIP_KINDS, is_active=True).order_by("order", "name")


def rollup_scopes() -> list[StatsScope]:
    """The district, every township and every department: what the nightly roll-up computes."""
    return [WHOLE_DISTRICT, *(StatsScope(unit) for unit in scope_units())]


def scope_parse(code: str | None) -> StatsScope:
    """ "district" (or empty), a unit id, or a unit's name/short name. ValueError with a Chinese message."""
    text = (code or "").strip()
    if text in ("", DISTRICT, _("全区")):
        return WHOLE_DISTRICT
    units = OrgUnit.objects.all()
    unit = units.filter(pk=int(text)).first() if text.isdigit() else None
    if unit is None:
        matches = list(units.filter(Q(name=text) | Q(short_name=text))[:2])
        unit = matches[0] if len(matches) == 1 else None
    if unit is None:
        raise ValueError(_("统计范围“%(code)s”不存在：请写 district、单位编号或单位名称。") % {"code": text})
    return WHOLE_DISTRICT if unit.is_district else StatsScope(unit)


def scope_allowed(user: User, stats_scope: StatsScope) -> bool:
    """May `user` see the figures of `stats_scope`? District-wide users: every scope. A township's staff
    and leaders: their township and the units under it. A department: its own figures."""
    scope = scope_for(user)
    if scope.everything:
        return True
    if stats_scope.unit is None:
        return False
    if scope.department_id is not None:
        return stats_scope.unit.pk == scope.department_id
    return scope.subtree_path is not None and stats_scope.unit.path.startswith(scope.subtree_path)


def scope_default(user: User) -> StatsScope | None:
    """The scope a user's dashboard opens on: the district for district-wide users, else their unit."""
    scope = scope_for(user)
    if scope.everything:
        return WHOLE_DISTRICT
    if scope.nothing or user.org_unit is None:
        return None
    return StatsScope(user.org_unit)


def scopes_for_user(user: User) -> list[StatsScope]:
    """The scopes the scope picker offers `user`, district first."""
    scope = scope_for(user)
    if scope.everything:
        return rollup_scopes()
    default = scope_default(user)
    return [default] if default is not None else []
