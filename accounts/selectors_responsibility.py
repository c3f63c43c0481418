"""安全责任 reads, all through the scoping rule, and the figures the reports use (one query each).

- 职责清单 and 工作清单 are their unit's: a township sees its own and its communities', a department
  its own, the district office and leaders all of them.
- A 责任书 is seen by the scope of its issuer, of the unit that signed it, and of the enterprise that
  signed it (a township sees the letters its firms signed, whoever issued them).
"""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Case, CharField, Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, When
from django.http import Http404
from django.utils import timezone

from .choices import TOWNSHIP_KINDS, EnterpriseStatus, OrgKind, WorkStatus
from .models import (
    DutyItem,
    DutyList,
    Enterprise,
    LetterKind,
    OrgUnit,
    ResponsibilityLetter,
    User,
    WorkItem,
    WorkList,
)
from .scoping import Action, get_object_in_scope, restrict, scope_for


def duty_list_list(*, user: User) -> QuerySet[DutyList]:
    return (
        restrict(DutyList.objects.all(), user)
        .select_related("unit", "holder_user")
        .annotate(item_count=Count("items"))
        .order_by("unit__path", "title", "pk")
    )


def duty_list_get(*, user: User, pk: int, action: Action = "view") -> DutyList:
    return get_object_in_scope(DutyList.objects.select_related("unit", "holder_user"), user, action, pk=pk)


def duty_items(*, duty_list: DutyList) -> list[DutyItem]:
    return list(duty_list.items.all())


def duty_item_get(*, user: User, pk: int) -> DutyItem:
    """One item of a duty list in the user's scope (404 otherwise)."""
    lists = restrict(DutyList.objects.all(), user)
    try:
        return DutyItem.objects.select_related("duty_list__unit").get(pk=pk, duty_list__in=lists)
    except (DutyItem.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def work_list_list(*, user: User) -> QuerySet[WorkList]:
    return (
        restrict(WorkList.objects.all(), user)
        .select_related("unit")
        .annotate(
            item_count=Count("items"),
            done_count=Count("items", filter=Q(items__status=WorkStatus.DONE)),
        )
        .order_by("-year", "unit__path", "pk")
    )


def work_list_get(*, user: User, pk: int, action: Action = "view") -> WorkList:
    return get_object_in_scope(WorkList.objects.select_related("unit"), user, action, pk=pk)


def work_items(*, work_list: WorkList) -> list[WorkItem]:
    return list(work_list.items.select_related("lead_unit", "progress_by"))


def work_item_get(*, user: User, pk: int) -> WorkItem:
    """One task of a work list in the user's scope (404 otherwise)."""
    lists = restrict(WorkList.objects.all(), user)
    try:
        return WorkItem.objects.select_related("work_list__unit", "lead_unit").get(pk=pk, work_list__in=lists)
    except (WorkItem.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def letter_list(*, user: User) -> QuerySet[ResponsibilityLetter]:
    return restrict(ResponsibilityLetter.objects.all(), user).select_related(
        "kind", "issuer", "signer_unit", "signer_enterprise__jurisdiction__parent"
    )


def letter_get(*, user: User, pk: int) -> ResponsibilityLetter:
    return get_object_in_scope(
        ResponsibilityLetter.objects.select_related(
            "kind", "issuer", "signer_unit", "signer_enterprise__jurisdiction__parent", "created_by"
        ),
        user,
        "view",
        pk=pk,
    )


def letter_kinds_active() -> QuerySet[LetterKind]:
    return LetterKind.objects.filter(is_active=True)


def units_for_user(*, user: User) -> QuerySet[OrgUnit]:
    """Units the user may write in the name of (owner of a list, issuer of a letter), in tree order."""
    scope = scope_for(user, "change")
    units = OrgUnit.objects.filter(is_active=True).exclude(kind=OrgKind.COMMITTEE).order_by("path")
    if scope.nothing:
        return units.none()
    if scope.everything:
        return units
    condition = Q(pk__in=[])
    if scope.subtree_path is not None:
        condition |= Q(path__startswith=scope.subtree_path)
    if scope.department_id is not None:
        condition |= Q(pk=scope.department_id)
    return units.filter(condition)


def signer_units() -> QuerySet[OrgUnit]:
    """Units that may sign a letter (a township, a community, a department …), in tree order."""
    return OrgUnit.objects.filter(is_active=True).order_by("path")


# ---------------------------------------------------------------- figures for the reports


def _rate(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def letter_coverage(*, user: User, year: int) -> dict:
    """签订覆盖率: for each township, its operating enterprises (in the user's scope) and how many of
    them signed a letter of `year` — one query for every township; plus the total.

    {"rows": [{"township_id", "township", "enterprises", "signed", "rate"}], "total": {...}};
    `rate` is a Decimal percentage with one place (92.3), None for a township without enterprises.
    """
    firms = restrict(Enterprise.objects.filter(status=EnterpriseStatus.OPERATING), user)
    signed = ResponsibilityLetter.objects.filter(signer_enterprise=OuterRef("pk"), year=year)
    own = Q(jurisdiction__kind__in=TOWNSHIP_KINDS)
    rows = (
        firms.annotate(
            t_id=Case(
                When(own, then=F("jurisdiction_id")),
                default=F("jurisdiction__parent_id"),
                output_field=IntegerField(),
            ),
            t_name=Case(
                When(own, then=F("jurisdiction__name")),
                default=F("jurisdiction__parent__name"),
                output_field=CharField(),
            ),
            t_path=Case(
                When(own, then=F("jurisdiction__path")),
                default=F("jurisdiction__parent__path"),
                output_field=CharField(),
            ),
        )
        .values("t_id", "t_name", "t_path")
        .annotate(
            enterprises=Count("pk", distinct=True),
            signed=Count("pk", distinct=True, filter=Q(Exists(signed))),
        )
        .order_by("t_path")
    )
    result = [
        {
            "township_id": r["t_id"],
            "township": r["t_name"],
            "enterprises": r["enterprises"],
            "signed": r["signed"],
            "rate": _rate(r["signed"], r["enterprises"]),
        }
        for r in rows
    ]
    total_enterprises = sum(r["enterprises"] for r in result)
    total_signed = sum(r["signed"] for r in result)
    return {
        "year": year,
        "rows": result,
        "total": {
            "enterprises": total_enterprises,
            "signed": total_signed,
            "rate": _rate(total_signed, total_enterprises),
        },
    }


def letters_by_kind(*, user: User, date_from: dt.date, date_to: dt.date) -> list[dict]:
    """签订责任书 by kind in a period (signed_on), in the user's scope, one query:
    [{"kind_id", "kind", "letters", "enterprises", "units"}] — 与*家燃气企业签订安全生产责任状,
    消防安全承诺书*份."""
    rows = (
        restrict(ResponsibilityLetter.objects.filter(signed_on__range=(date_from, date_to)), user)
        .values("kind_id", "kind__name", "kind__order")
        .annotate(
            letters=Count("pk", distinct=True),
            enterprises=Count("signer_enterprise", distinct=True),
            units=Count("signer_unit", distinct=True),
        )
        .order_by("kind__order", "kind_id")
    )
    return [
        {
            "kind_id": r["kind_id"],
            "kind": r["kind__name"],
            "letters": r["letters"],
            "enterprises": r["enterprises"],
            "units": r["units"],
        }
        for r in rows
    ]


def work_progress(*, user: User, year: int) -> dict:
    """工作清单 progress of a year in the user's scope, one query: tasks, done, in progress, not started,
    and overdue (past due and not done)."""
    today = timezone.localdate()
    items = WorkItem.objects.filter(work_list__in=restrict(WorkList.objects.filter(year=year), user))
    return items.aggregate(
        tasks=Count("pk"),
        done=Count("pk", filter=Q(status=WorkStatus.DONE)),
        in_progress=Count("pk", filter=Q(status=WorkStatus.IN_PROGRESS)),
        not_started=Count("pk", filter=Q(status=WorkStatus.NOT_STARTED)),
        overdue=Count("pk", filter=Q(due_on__lt=today) & ~Q(status=WorkStatus.DONE)),
    )
