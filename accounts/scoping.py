"""The one scoping rule: which records a user may see and change.

- 系统管理员 and 区安委办/应急局 officers: everything, read and write.
- 领导: read only; the whole district, or the subtree of their unit when it is not the district.
- 街镇人员: records whose jurisdiction lies in their unit's subtree.
- 部门人员: records in the sectors their department supervises, or that name the department
  as supervising department.

A model takes part by declaring `scope_fields = ScopeFields(...)`: the lookups from the record to
its jurisdiction OrgUnit, its sector(s) and its supervising department. Every list, detail, export,
API endpoint and dashboard filters through `restrict()`; a record outside it answers 404.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from django.core.exceptions import ValidationError
from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.http import Http404

from .choices import Role

if TYPE_CHECKING:
    from .models import User

Action = Literal["view", "change"]


@dataclass(frozen=True)
class ScopeFields:
    """Lookups from a record to the organisation: e.g. "enterprise__jurisdiction"."""

    # One lookup, or several when a record belongs to more than one place (a responsibility letter: the
    # unit that issued it, the unit that signed it, or the enterprise that signed it).
    jurisdiction: str | tuple[str, ...] | None = None
    sectors: str | None = None
    # One lookup, or several when more than one unit field may name the department (a hazard's
    # supervising department and the unit following it).
    department: str | tuple[str, ...] | None = None

    @property
    def jurisdictions(self) -> tuple[str, ...]:
        if self.jurisdiction is None:
            return ()
        return (self.jurisdiction,) if isinstance(self.jurisdiction, str) else self.jurisdiction

    @property
    def departments(self) -> tuple[str, ...]:
        if self.department is None:
            return ()
        return (self.department,) if isinstance(self.department, str) else self.department


@dataclass(frozen=True)
class Scope:
    """What one user may reach. `everything` short-cuts the filters for district-wide roles."""

    everything: bool = False
    subtree_path: str | None = None
    sector_ids: frozenset[int] = field(default_factory=frozenset)
    department_id: int | None = None

    @property
    def nothing(self) -> bool:
        return not self.everything and self.subtree_path is None and self.department_id is None

    def q(self, model: type[Model]) -> Q:
        """A filter on `model` that keeps exactly the records in this scope."""
        if self.everything:
            return Q()
        fields: ScopeFields = model.scope_fields
        condition = Q(pk__in=[])
        if self.subtree_path is not None:
            for lookup in fields.jurisdictions:
                condition |= Q(**{f"{lookup}__path__startswith": self.subtree_path})
        if self.department_id is not None:
            if fields.sectors and self.sector_ids:
                # A subquery, not a join: a record with two matching sectors must still appear once. EXISTS
                # per record, not `pk IN (…)`: inside this OR, Postgres cannot hash an IN list larger than
                # work_mem (a city's 1.2M hazards in the supervised sectors) and rescans it for every row —
                # a department's ledger page never came back; EXISTS is two index lookups a row (issue 15).
                in_sectors = model._base_manager.filter(
                    pk=OuterRef("pk"), **{f"{fields.sectors}__in": self.sector_ids}
                )
                condition |= Q(Exists(in_sectors))
            for lookup in fields.departments:
                condition |= Q(**{f"{lookup}_id": self.department_id})
        return condition

    def admits(self, *, jurisdiction=None, sector_ids=(), department_id: int | None = None) -> bool:
        """Would a record placed like this be in scope? For checking a record before it is saved."""
        if self.everything:
            return True
        in_subtree = (
            self.subtree_path is not None
            and jurisdiction is not None
            and jurisdiction.path.startswith(self.subtree_path)
        )
        in_department = self.department_id is not None and (
            bool(set(sector_ids) & self.sector_ids) or department_id == self.department_id
        )
        return in_subtree or in_department

    def admits_unit(self, unit) -> bool:
        """May this user place records in `unit` (pick it as a jurisdiction)?"""
        if self.everything:
            return True
        return self.subtree_path is not None and unit.path.startswith(self.subtree_path)


NO_SCOPE = Scope()


def scope_for(user: User, action: Action = "view") -> Scope:
    """The scope of `user` for `action`. Cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return NO_SCOPE
    cache = user.__dict__.setdefault("_scope_cache", {})
    if action in cache:
        return cache[action]

    role = user.role
    if role == Role.LEADER and action != "view":
        scope = NO_SCOPE
    elif role in (Role.ADMIN, Role.OFFICER) or user.is_superuser:
        # District-wide whatever their unit: the unit is not read (one query less on every API call).
        scope = Scope(everything=True)
    elif role == Role.LEADER:
        unit = user.org_unit
        scope = Scope(everything=True) if unit is None or unit.is_district else _unit_scope(unit)
    elif user.org_unit is None:
        scope = NO_SCOPE
    else:
        scope = _unit_scope(user.org_unit)
    cache[action] = scope
    return scope


def unit_scope(unit) -> Scope:
    """What a unit itself covers (not a user of it): the whole district for the district, a township's
    subtree, a department's sectors. For work done in a unit's name, e.g. the pool of a 双随机 draw."""
    return Scope(everything=True) if unit.is_district else _unit_scope(unit)


def _unit_scope(unit) -> Scope:
    if unit.is_department:
        # Supervising 工贸 covers its sub-sectors (冶金, 机械 …) too. The Sector model is reached through
        # the relation: models imports this module (ScopeFields), so this one does not import models.
        supervised = unit.supervised_sectors.values("pk")
        sector_ids = frozenset(
            unit.supervised_sectors.model.objects.filter(
                Q(pk__in=supervised) | Q(parent__in=supervised)
            ).values_list("pk", flat=True)
        )
        return Scope(sector_ids=sector_ids, department_id=unit.pk)
    return Scope(subtree_path=unit.path)


def restrict(queryset: QuerySet, user: User, action: Action = "view") -> QuerySet:
    """`queryset` narrowed to what `user` may `action`. The one door every read goes through."""
    scope = scope_for(user, action)
    if scope.nothing:
        return queryset.none()
    if scope.everything:
        return queryset
    return queryset.filter(scope.q(queryset.model))


def get_object_in_scope(queryset: QuerySet, user: User, action: Action = "view", **lookup):
    """The one record matching `lookup` within the user's scope, or 404 — never 403 with content."""
    try:
        return restrict(queryset, user, action).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError, ValidationError) as exc:
        # A hand-typed id that is no id at all ("abc" in an API path) finds nothing, as in DRF.
        raise Http404 from exc


def can_write(user: User) -> bool:
    return not scope_for(user, "change").nothing
