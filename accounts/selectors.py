"""Scoped reads for organisations, users and enterprises. Views and the API read through these."""

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from simple_history.models import ModelChange

from .choices import JURISDICTION_KINDS, TOWNSHIP_KINDS, EnterpriseStatus, OrgKind, Role
from .models import Enterprise, Notification, OrgUnit, RiskGrade, Sector, User
from .scoping import get_object_in_scope, restrict, scope_for


def enterprise_list(*, user: User, action: str = "view") -> QuerySet[Enterprise]:
    """Enterprises the user may see, with what a list row shows fetched up front (no N+1)."""
    return (
        restrict(Enterprise.objects.all(), user, action)
        .select_related("jurisdiction__parent", "supervising_department", "risk_grade")
        .prefetch_related("sectors")
    )


def enterprise_get(*, user: User, pk: int, action: str = "view") -> Enterprise:
    return get_object_in_scope(enterprise_list(user=user), user, action, pk=pk)


def enterprise_or_none(*, user: User, pk: int | None) -> Enterprise | None:
    """The enterprise a list is filtered by (?enterprise=…), to say whose records it shows; None when
    there is no such filter or the enterprise is outside the user's scope (the list is then empty)."""
    if pk is None:
        return None
    return restrict(Enterprise.objects.filter(pk=pk), user).only("pk", "name").first()


def enterprise_can_change(*, user: User, pk: int) -> bool:
    """May the user edit this enterprise (it is in their change scope, not just their view scope)?"""
    return restrict(Enterprise.objects.filter(pk=pk), user, "change").exists()


def enterprise_grade_counts(*, user: User) -> list[dict]:
    """Operating enterprises in scope by risk grade (工贸企业总数…其中红区*家…), one query."""
    counts = dict(
        restrict(Enterprise.objects.filter(status=EnterpriseStatus.OPERATING), user)
        .values("risk_grade")
        .annotate(n=Count("pk"))
        .values_list("risk_grade", "n")
    )
    rows = [{"grade": g, "count": counts.get(g.pk, 0)} for g in RiskGrade.objects.all()]
    rows.append({"grade": None, "count": counts.get(None, 0)})
    return rows


def township_enterprise_counts(*, user: User) -> list[dict]:
    """Enterprises per 街道/乡镇 within the user's scope: one query over the path prefix."""
    townships = list(townships_visible(user=user))
    visible = restrict(Enterprise.objects.all(), user)
    by_path = {}
    for path, n in (
        visible.values("jurisdiction__path").annotate(n=Count("pk")).values_list("jurisdiction__path", "n")
    ):
        by_path[path] = n
    result = []
    for t in townships:
        total = sum(n for path, n in by_path.items() if path.startswith(t.path))
        result.append({"township": t, "count": total})
    return result


def townships_visible(*, user: User) -> QuerySet[OrgUnit]:
    """街道/乡镇 the user may filter by or place records in."""
    qs = OrgUnit.objects.filter(kind__in=TOWNSHIP_KINDS, is_active=True).order_by("order", "name")
    scope = scope_for(user)
    if scope.everything or scope.department_id is not None:
        return qs
    if scope.subtree_path is None:
        return qs.none()
    return qs.filter(Q(path__startswith=scope.subtree_path) | Q(pk__in=_ancestor_ids(scope.subtree_path)))


def jurisdictions_writable(*, user: User) -> QuerySet[OrgUnit]:
    """Units the user may choose as an enterprise's 属地 (a township or its communities)."""
    qs = OrgUnit.objects.filter(kind__in=JURISDICTION_KINDS, is_active=True).select_related("parent")
    scope = scope_for(user, "change")
    if scope.everything or scope.department_id is not None:
        return qs if not scope.nothing else qs.none()
    if scope.subtree_path is None:
        return qs.none()
    return qs.filter(path__startswith=scope.subtree_path)


def departments() -> QuerySet[OrgUnit]:
    return OrgUnit.objects.filter(kind=OrgKind.DEPARTMENT, is_active=True)


def sectors_active() -> QuerySet[Sector]:
    return Sector.objects.filter(is_active=True)


def orgunit_tree() -> QuerySet[OrgUnit]:
    """The organisation tree in depth-first order. Reference data: every signed-in user may read it."""
    return (
        OrgUnit.objects.annotate(
            user_count=Count("users", distinct=True), sector_count=Count("supervised_sectors", distinct=True)
        )
        .prefetch_related("supervised_sectors")
        .order_by("path")
    )


def _ancestor_ids(path: str) -> list[int]:
    return [int(p) for p in path.strip("/").split("/") if p]


def enterprise_history(*, enterprise: Enterprise) -> list:
    """Who changed what and when, newest first, with the fields that changed on each save (a save and
    the sectors set with it are one entry).

    A changed 属地, 监管部门, 风险等级 or 行业领域 reads as names, not ids; the names are looked up in a
    few queries for the whole history.
    """
    records = _history_records(enterprise)
    labels = {f.name: f.verbose_name for f in Enterprise._meta.get_fields() if hasattr(f, "verbose_name")}
    # The sectors of every saved version in one query: diffing them one save at a time is two each.
    through = Enterprise.history.model._meta.get_field("historicalenterprise_sectors").related_model
    sectors_of: dict[int, list[int]] = {}
    for history_id, sector_id in through.objects.filter(history__in=[r.pk for r in records]).values_list(
        "history_id", "sector_id"
    ):
        sectors_of.setdefault(history_id, []).append(sector_id)
    deltas = []
    saves = _saves(records)
    for i, save in enumerate(saves):
        current = save[-1]
        previous = saves[i + 1][-1] if i + 1 < len(saves) else None
        changes = []
        if previous is not None:
            excluded = ["updated", "created", "version", "sectors"]
            changes = list(current.diff_against(previous, excluded_fields=excluded).changes)
            old, new = sorted(sectors_of.get(previous.pk, [])), sorted(sectors_of.get(current.pk, []))
            if old != new:
                changes.append(ModelChange("sectors", old, new))
        deltas.append((save[0], changes))
    name_of = _history_names(records, [c for _record, changes in deltas for c in changes])
    return [
        {
            "record": record,
            "changes": [
                {
                    "field": labels.get(c.field, c.field),
                    "old": name_of(c.field, c.old),
                    "new": name_of(c.field, c.new),
                }
                for c in changes
            ],
        }
        for record, changes in deltas
    ]


SAVE_SECONDS = 5


def _saves(records: list) -> list[list]:
    """The history records grouped by the save that wrote them, newest save first, each group oldest
    first: one save writes the row and then its sectors (a record for each step), and the user meant
    one change."""
    saves: list[list] = []
    for record in reversed(records):
        last = saves[-1] if saves else None
        if (
            last is not None
            and record.history_type != "+"
            and record.history_user_id == last[0].history_user_id
            and (record.history_date - last[0].history_date).total_seconds() < SAVE_SECONDS
        ):
            last.append(record)
        else:
            saves.append([record])
    saves.reverse()
    return saves


def enterprise_grade_history(*, enterprise: Enterprise) -> list[dict]:
    """风险等级变更, newest first: each save that set or changed the grade, with who did it.

    [{"date", "user", "old": RiskGrade | None, "new": RiskGrade | None, "registered"}]; read from the
    history the registry keeps (every save, import and edit writes one): no table of its own.
    """
    records = _history_records(enterprise)
    grades = {g.pk: g for g in RiskGrade.objects.all()}
    changes = []
    previous_id = None
    for record in reversed(records):  # oldest first, to see each change against the save before it
        if record.risk_grade_id != previous_id:
            changes.append(
                {
                    "date": record.history_date,
                    "user": record.history_user,
                    "old": grades.get(previous_id),
                    "new": grades.get(record.risk_grade_id),
                    "registered": record.history_type == "+",
                }
            )
        previous_id = record.risk_grade_id
    changes.reverse()
    return changes


def _history_records(enterprise: Enterprise) -> list:
    return list(enterprise.history.select_related("history_user").order_by("-history_date", "-history_id"))


def _history_names(records: list, changes: list):
    """name_of(field, value): the name of a unit, grade or list of sectors a history change holds."""
    unit_fields = ("jurisdiction", "supervising_department")
    unit_ids = {getattr(r, f"{f}_id") for r in records for f in unit_fields} - {None}
    units = dict(OrgUnit.objects.filter(pk__in=unit_ids).values_list("pk", "name")) if unit_ids else {}
    fields = {c.field for c in changes}
    grades = dict(RiskGrade.objects.values_list("pk", "label")) if "risk_grade" in fields else {}
    sectors = dict(Sector.objects.values_list("pk", "name")) if "sectors" in fields else {}
    choices = {f.name: dict(f.flatchoices) for f in Enterprise._meta.fields if f.choices}

    def name_of(field: str, value):
        if field in unit_fields:
            return units.get(value, value)
        if field == "risk_grade":
            return grades.get(value, value)
        if field == "sectors" and isinstance(value, list):
            return "、".join(sectors.get(pk, str(pk)) for pk in value)
        if isinstance(value, bool):
            return _("是") if value else _("否")
        return choices.get(field, {}).get(value, value)

    return name_of


def admin_overview() -> dict:
    """Counts for the administrator's home page."""
    return {
        "user_count": User.objects.filter(is_active=True).count(),
        "users_by_role": User.objects.filter(is_active=True)
        .values("role")
        .annotate(n=Count("pk"))
        .order_by("role"),
        "orgunit_count": OrgUnit.objects.count(),
        "township_count": OrgUnit.objects.filter(kind__in=TOWNSHIP_KINDS).count(),
        "department_count": OrgUnit.objects.filter(kind=OrgKind.DEPARTMENT).count(),
        "sector_count": Sector.objects.count(),
        "role_labels": dict(Role.choices),
    }


def orgunit_list() -> QuerySet[OrgUnit]:
    return OrgUnit.objects.prefetch_related("supervised_sectors").order_by("path")


# ---------------------------------------------------------------- notifications


def notifications_for(*, user: User):
    """Notifications addressed to the user: to itself, to its unit, or to its role."""
    addressed = Q(user=user)
    if user.org_unit_id is not None:
        addressed |= Q(org_unit_id=user.org_unit_id)
    if user.role:
        addressed |= Q(role=user.role)
    return Notification.objects.filter(addressed)


def notification_list(*, user: User, unread_only: bool = False):
    """The user's notifications, newest first, each with `is_read` for this user (one query per page)."""

    read = Notification.read_by.through.objects.filter(notification_id=OuterRef("pk"), user_id=user.pk)
    notifications = notifications_for(user=user).annotate(is_read=Exists(read))
    return notifications.filter(is_read=False) if unread_only else notifications


def notification_unread_count(*, user: User) -> int:
    return notifications_for(user=user).exclude(read_by=user).count()


def notification_get(*, user: User, pk: int):
    """One of the user's notifications; 404 for anyone else's."""
    return get_object_or_404(notifications_for(user=user), pk=pk)
