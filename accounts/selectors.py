"""Scoped reads for organisations, users and enterprises. Views and the API read through these."""

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404

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
    """Who changed what and when, newest first, with the fields that changed on each save."""
    records = list(enterprise.history.select_related("history_user").order_by("-history_date", "-history_id"))
    labels = {f.name: f.verbose_name for f in Enterprise._meta.fields}
    timeline = []
    for i, current in enumerate(records):
        previous = records[i + 1] if i + 1 < len(records) else None
        changes = []
        if previous is not None:
            delta = current.diff_against(previous, excluded_fields=["updated", "created", "version"])
            changes = [
                {"field": labels.get(c.field, c.field), "old": c.old, "new": c.new} for c in delta.changes
            ]
        timeline.append({"record": current, "changes": changes})
    return timeline


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
