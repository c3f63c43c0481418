"""Writes with rules for organisations, users and the enterprise registry.

One function per use case: keyword-only, in a transaction, the acting user passed in and written
to the history row.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from core.errors import STALE_STATE
from core.history import history_bulk_create
from core.locks import transaction_lock

from .authentication import token_expired
from .choices import JURISDICTION_KINDS, OrgKind
from .models import Enterprise, Notification, NumberSequence, OrgUnit, RiskGrade, Sector, User
from .scoping import restrict, scope_for
from .selectors import notifications_for
from .tasks import queue_deliveries_on_commit
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
    try:
        with transaction.atomic():  # a savepoint: the refusal below leaves the caller's transaction usable
            enterprise.save()
    except IntegrityError:
        # Registered by someone else between full_clean()'s check and this save (two people at once).
        if Enterprise.objects.filter(uscc=enterprise.uscc).exclude(pk=enterprise.pk).exists():
            raise ValidationError({"uscc": _("该统一社会信用代码已登记。")}) from None
        raise
    enterprise.sectors.set(data.sectors)
    return enterprise


@transaction.atomic
def enterprise_create(*, user: User, data: EnterpriseData) -> Enterprise:
    """登记生产经营单位. The new unit must sit inside the user's own scope."""
    _check_write_scope(user=user, data=data)
    return _apply(Enterprise(), data, user=user)


@transaction.atomic
def enterprise_update(
    *, user: User, enterprise: Enterprise, data: EnterpriseData, expected_version: int
) -> Enterprise:
    """修改生产经营单位. Both the old and the new placing must be in the user's scope.

    `expected_version` is the version the user's page or client loaded (乐观锁): if someone saved the
    unit since, the save is refused (code "stale_state": the API answers 409) rather than silently
    overwriting their change. Every save adds one to the version.
    """
    locked = restrict(Enterprise.objects.select_for_update(), user, "change").filter(pk=enterprise.pk).first()
    if locked is None:
        raise PermissionDenied(_("该单位不在您的管辖范围内。"))
    if locked.version != expected_version:
        raise ValidationError(_("该单位已被他人修改，请刷新后再改。"), code=STALE_STATE)
    _check_write_scope(user=user, data=data)
    locked.version += 1
    return _apply(locked, data, user=user)


@transaction.atomic
def enterprise_upsert_many(*, user: User, rows: Iterable[EnterpriseData]) -> tuple[int, int]:
    """Import: create the new codes, update the known ones. All or nothing; returns (created, updated).

    A ledger has thousands of rows, so this works in bulk: one statement per step rather than per row,
    and one history record per changed enterprise (with its sectors) instead of the several that
    save() plus sectors.set() would leave. Rows whose code exists but whose facts are unchanged count
    as updated but are not rewritten, so a repeated import leaves no empty history behind.
    """
    rows = list(rows)
    if scope_for(user, "change").nothing:
        raise PermissionDenied(_("您没有修改生产经营单位的权限。"))
    codes = [normalize_uscc(r.uscc) for r in rows]
    repeated = sorted(code for code, n in Counter(codes).items() if n > 1)
    if repeated:
        raise ValidationError(_("统一社会信用代码重复：{codes}").format(codes="、".join(repeated)))
    # Imports of this ledger take turns: a second run of the same file finds the first one's rows
    # (and updates them) instead of inserting them again.
    transaction_lock("accounts.enterprise_upsert_many")
    # Locked in one order, so two writers of overlapping rows wait for each other instead of deadlocking.
    locked = Enterprise.objects.select_for_update().filter(uscc__in=codes).order_by("pk")
    existing = {e.uscc: e for e in locked}
    writable = set(
        restrict(Enterprise.objects.filter(uscc__in=codes), user, "change").values_list("uscc", flat=True)
    )

    to_create: list[tuple[Enterprise, list[Sector]]] = []
    to_update: list[tuple[Enterprise, list[Sector]]] = []
    current_sectors = _sector_ids_by_enterprise([e.pk for e in existing.values()])
    for code, data in zip(codes, rows, strict=True):
        data.uscc = code
        try:
            _check_write_scope(user=user, data=data)
            if code in existing and code not in writable:
                raise ValidationError(
                    _("统一社会信用代码 {code} 已由其他单位登记，您无权修改。").format(code=code)
                )
            enterprise = existing.get(code) or Enterprise()
            changed = _assign(enterprise, data)
            _validate_without_queries(enterprise, data)
        except ValidationError as exc:
            # Name the row: in a list of thousands the bare reason would not say which one.
            raise ValidationError([f"{code}：{m}" for m in exc.messages]) from exc
        enterprise._history_user = user
        if enterprise.pk is None:
            to_create.append((enterprise, data.sectors))
        elif changed or current_sectors.get(enterprise.pk, set()) != {s.pk for s in data.sectors}:
            to_update.append((enterprise, data.sectors))

    now = timezone.now()
    Enterprise.objects.bulk_create([e for e, _s in to_create], batch_size=_BATCH)
    for enterprise, _s in to_update:
        enterprise.updated = now  # auto_now is save()'s doing; this path does not call save()
        enterprise.version += 1  # a save like any other: pages and clients that loaded the old one are stale
    _update_rows([e for e, _s in to_update], [*_SCALAR_FIELDS, "updated", "version"])
    through = _replace_sectors(to_create + to_update, replace_ids=[e.pk for e, _s in to_update])
    # One history record per written enterprise (its user is the instance's _history_user), with
    # its sectors as simple_history's m2m snapshot.
    for objs, is_update in (([e for e, _s in to_create], False), ([e for e, _s in to_update], True)):
        ids = {e.pk for e in objs}
        links = [link for link in through if link.enterprise_id in ids]
        history_bulk_create(Enterprise, objs, when=now, update=is_update, m2m_field="sectors", links=links)
    return len(to_create), len(codes) - len(to_create)


_BATCH = 500


def _assign(enterprise: Enterprise, data: EnterpriseData) -> bool:
    """Copy the data's fields onto the instance; True when any value differs from what was there."""
    changed = enterprise.pk is None
    for name in _SCALAR_FIELDS:
        value = getattr(data, name)
        if getattr(enterprise, Enterprise._meta.get_field(name).attname) != getattr(value, "pk", value):
            changed = True
        setattr(enterprise, name, value)
    return changed


def _update_rows(objs: list[Enterprise], names: list[str]) -> None:
    """Write `names` of every object back, one prepared UPDATE sent for all rows at once.

    Not bulk_update(): it builds a CASE expression per field per row in Python, which for 3000 rows
    took about 20 s; this takes well under one (psycopg pipelines executemany).
    """
    if not objs:
        return
    fields = [Enterprise._meta.get_field(name) for name in names]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
    sql = f"UPDATE {quote(Enterprise._meta.db_table)} SET {assignments} WHERE {quote(Enterprise._meta.pk.column)} = %s"
    params = [
        [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields] + [obj.pk] for obj in objs
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _validate_without_queries(enterprise: Enterprise, data: EnterpriseData) -> None:
    """full_clean() minus its per-row queries: field rules here, uniqueness and ranges by the database."""
    if not data.sectors:
        raise ValidationError({"sectors": _("请至少选择一个行业领域。")})
    if data.jurisdiction.kind not in JURISDICTION_KINDS:
        raise ValidationError({"jurisdiction": _("属地应为街道/乡镇或其下的社区/村。")})
    if data.supervising_department is not None and data.supervising_department.kind != OrgKind.DEPARTMENT:
        raise ValidationError({"supervising_department": _("监管部门应为安委会成员单位。")})
    enterprise.clean_fields(exclude=["jurisdiction", "supervising_department", "risk_grade"])


def _sector_ids_by_enterprise(enterprise_ids: list[int]) -> dict[int, set[int]]:
    result: dict[int, set[int]] = {}
    pairs = Enterprise.sectors.through.objects.filter(enterprise_id__in=enterprise_ids)
    for enterprise_id, sector_id in pairs.values_list("enterprise_id", "sector_id"):
        result.setdefault(enterprise_id, set()).add(sector_id)
    return result


def _replace_sectors(items: list[tuple[Enterprise, list[Sector]]], *, replace_ids: list[int]) -> list:
    """Set every enterprise's sectors in two statements; returns the new through rows (with ids)."""
    through_model = Enterprise.sectors.through
    through_model.objects.filter(enterprise_id__in=replace_ids).delete()
    links = [
        through_model(enterprise_id=enterprise.pk, sector_id=sector.pk)
        for enterprise, sectors in items
        for sector in {s.pk: s for s in sectors}.values()
    ]
    return through_model.objects.bulk_create(links, batch_size=_BATCH)


def number_next(*, series: str, org_unit: OrgUnit, year: int) -> int:
    """The next number in a series for a unit and year. Call inside the transaction that uses it."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("number_next() must run inside the transaction that stores the number")
    NumberSequence.objects.get_or_create(series=series, org_unit=org_unit, year=year)
    # The UPDATE takes the row lock; a second caller waits here until the first commits or rolls back.
    NumberSequence.objects.filter(series=series, org_unit=org_unit, year=year).update(last=F("last") + 1)
    return NumberSequence.objects.get(series=series, org_unit=org_unit, year=year).last


def number_block(*, series: str, org_unit: OrgUnit, year: int, count: int) -> range:
    """`count` consecutive numbers at once, for imports: the same lock and no-gap rule as number_next()."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("number_block() must run inside the transaction that stores the numbers")
    if count < 1:
        return range(0)
    NumberSequence.objects.get_or_create(series=series, org_unit=org_unit, year=year)
    NumberSequence.objects.filter(series=series, org_unit=org_unit, year=year).update(last=F("last") + count)
    last = NumberSequence.objects.get(series=series, org_unit=org_unit, year=year).last
    return range(last - count + 1, last + 1)


# ---------------------------------------------------------------- notifications
# ---------------------------------------------------------------- notifications


def notification_create(
    *,
    key: str,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    org_unit: OrgUnit | None = None,
    role: str = "",
    user: User | None = None,
) -> Notification:
    """站内通知 to a unit, a role or one user (whoever matches any of them sees it in the bell), and its
    sending beyond the app (e-mail, group robots) queued for after the caller's commit.

    Idempotent by `key`: the same key twice is one notification, told once. Call it inside the
    transaction of the action it reports, so a rolled-back action tells nobody."""
    note = Notification(
        key=key, kind=kind, title=title, body=body, url=url, org_unit=org_unit, role=role, user=user
    )
    notifications_create([note])
    return Notification.objects.get(key=key)


def notifications_create(notes: Iterable[Notification]) -> list[int]:
    """Many notifications at once (the nightly sweep): the keys not written yet are inserted in one
    statement, each queued for delivery after the commit. Returns the new notifications' ids."""
    fresh: dict[str, Notification] = {}
    for note in notes:
        if note.org_unit_id is None and not note.role and note.user_id is None:
            raise ValueError("a notification needs a recipient: org_unit, role or user")
        note.title = note.title[: Notification._meta.get_field("title").max_length]
        fresh.setdefault(note.key, note)
    if not fresh:
        return []
    known = set(Notification.objects.filter(key__in=list(fresh)).values_list("key", flat=True))
    new = [note for key, note in fresh.items() if key not in known]
    if not new:
        return []
    # ignore_conflicts: a concurrent writer of the same key wins quietly; the task is idempotent anyway.
    Notification.objects.bulk_create(new, ignore_conflicts=True, batch_size=500)
    ids = list(Notification.objects.filter(key__in=[n.key for n in new]).values_list("pk", flat=True))
    queue_deliveries_on_commit(ids)
    return ids


def notification_mark_read(*, user: User, notification) -> None:
    """已读: only a notification addressed to the user (itself, its unit or its role)."""
    if not notifications_for(user=user).filter(pk=notification.pk).exists():
        raise PermissionDenied(_("该通知不是发给您的。"))
    notification.read_by.add(user)


def notification_mark_all_read(*, user: User) -> int:
    """全部已读: one statement for all of the user's unread notifications; returns how many."""
    unread = list(notifications_for(user=user).exclude(read_by=user).values_list("pk", flat=True))
    through = Notification.read_by.through
    through.objects.bulk_create(
        [through(notification_id=pk, user_id=user.pk) for pk in unread], ignore_conflicts=True
    )
    return len(unread)


# ---------------------------------------------------------------- API tokens


@transaction.atomic
def token_issue(*, user: User) -> Token:
    """The user's API token: the current one while it is younger than TOKEN_TTL_HOURS, else a new one
    (the expired key stops working at once)."""
    token = Token.objects.select_for_update().filter(user=user).first()
    if token is not None and token_expired(token):
        token.delete()
        token = None
    return token or Token.objects.create(user=user)


def token_revoke(*, user: User, key: str | None = None) -> int:
    """Logout: delete the token `key` of this user, or all of the user's tokens; returns how many."""
    tokens = Token.objects.filter(user=user)
    if key is not None:
        tokens = tokens.filter(key=key)
    return tokens.delete()[0]
