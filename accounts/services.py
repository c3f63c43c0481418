"""Writes with rules for organisations, users and the enterprise registry.

One function per use case: keyword-only, in a transaction, the acting user passed in and written
to the history row.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import Enterprise, OrgUnit, RiskGrade, Sector, User
from .scoping import restrict, scope_for
from .validators import normalize_uscc


@dataclass
class EnterpriseData:
    """The editable facts of an enterprise, as a form, the API or an import row gives them."""

    uscc: str
    name: str
    jurisdiction: OrgUnit
    sectors: list[Sector]
    supervising_department: OrgUnit | None = None
    risk_grade: RiskGrade | None = None
    scale: str = ""
    status: str = "operating"
    address: str = ""
    longitude: Decimal | None = None
    latitude: Decimal | None = None
    contact_person: str = ""
    contact_phone: str = ""
    is_fire_key_unit: bool = False
    has_major_hazard_source: bool = False


_SCALAR_FIELDS = (
    "uscc",
    "name",
    "jurisdiction",
    "supervising_department",
    "risk_grade",
    "scale",
    "status",
    "address",
    "longitude",
    "latitude",
    "contact_person",
    "contact_phone",
    "is_fire_key_unit",
    "has_major_hazard_source",
)


def _check_write_scope(*, user: User, data: EnterpriseData) -> None:
    scope = scope_for(user, "change")
    if scope.nothing:
        raise PermissionDenied(_("您没有修改生产经营单位的权限。"))
    if not scope.admits(
        jurisdiction=data.jurisdiction,
        sector_ids={s.pk for s in data.sectors},
        department_id=data.supervising_department.pk if data.supervising_department else None,
    ):
        raise ValidationError(_("该单位的属地或行业领域不在您的管辖范围内。"))


def _apply(enterprise: Enterprise, data: EnterpriseData, *, user: User) -> Enterprise:
    data.uscc = normalize_uscc(data.uscc)
    for name in _SCALAR_FIELDS:
        setattr(enterprise, name, getattr(data, name))
    if not data.sectors:
        raise ValidationError({"sectors": _("请至少选择一个行业领域。")})
    enterprise._history_user = user
    enterprise.full_clean(exclude=["sectors"])
    enterprise.save()
    enterprise.sectors.set(data.sectors)
    return enterprise


@transaction.atomic
def enterprise_create(*, user: User, data: EnterpriseData) -> Enterprise:
    """登记生产经营单位. The new unit must sit inside the user's own scope."""
    _check_write_scope(user=user, data=data)
    return _apply(Enterprise(), data, user=user)


@transaction.atomic
def enterprise_update(*, user: User, enterprise: Enterprise, data: EnterpriseData) -> Enterprise:
    """修改生产经营单位. Both the old and the new placing must be in the user's scope."""
    locked = restrict(Enterprise.objects.select_for_update(), user, "change").filter(pk=enterprise.pk).first()
    if locked is None:
        raise PermissionDenied(_("该单位不在您的管辖范围内。"))
    _check_write_scope(user=user, data=data)
    return _apply(locked, data, user=user)


@transaction.atomic
def enterprise_upsert_many(*, user: User, rows: Iterable[EnterpriseData]) -> tuple[int, int]:
    """Import: create the new codes, update the known ones. All or nothing; returns (created, updated)."""
    rows = list(rows)
    codes = [normalize_uscc(r.uscc) for r in rows]
    existing = {e.uscc: e for e in Enterprise.objects.select_for_update().filter(uscc__in=codes)}
    writable = set(
        restrict(Enterprise.objects.filter(uscc__in=codes), user, "change").values_list("uscc", flat=True)
    )
    created = updated = 0
    for code, data in zip(codes, rows, strict=True):
        _check_write_scope(user=user, data=data)
        if code in existing and code not in writable:
            raise ValidationError(
                _("统一社会信用代码 {code} 已由其他单位登记，您无权修改。").format(code=code)
            )
        current = existing.get(code)
        if current is None:
            _apply(Enterprise(), data, user=user)
            created += 1
        else:
            _apply(current, data, user=user)
            updated += 1
    return created, updated
