"""导入检查台账: the bulk write of an imported inspection ledger (parsed by inspections.importers).

Each new action is built and checked as one entered by hand (actions.action_build, check_action,
numbers_issue); only the writing differs: a statement per table for the whole file, not per row.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Enterprise, OrgUnit, User
from campaigns.models import Campaign
from core.history import history_bulk_create
from core.locks import transaction_lock

from .. import permissions
from ..choices import ActionStatus
from ..models import InspectionAction, InspectionKind, InspectionRecord
from .actions import (
    ACTION_MARK,
    RECORD_MARK,
    action_build,
    check_action,
    check_campaign,
    check_can_enter,
    check_enterprises_writable,
    check_visited,
    imported_team_unverified,
    numbers_issue,
)

_IMPORT_BATCH = 500
_Fresh = tuple[InspectionAction, Sequence[User], list[InspectionRecord]]


@dataclass(frozen=True)
class ImportedAction:
    """One action of an imported ledger: the office's own number (blank: the system issues one), the
    team as the names resolved (a name without an account is an outside person, in `experts`), and
    the visited enterprises, each with the 备注 of its row. 执法证 as imported_team_unverified says: an
    enforcement inspection before INSPECTION_CERT_RULE_FROM whose team cannot be verified is kept,
    flagged 执法证未核验."""

    date: dt.date
    organizer: OrgUnit
    kind: InspectionKind
    members: Sequence[User]
    visits: Sequence[tuple[Enterprise, str]]
    number: str = ""
    experts: Sequence[str] = ()
    is_leader_led: bool = False
    leader_name: str = ""
    note: str = ""
    is_unannounced: bool = False
    campaign: Campaign | None = None


@transaction.atomic
def action_import_many(*, user: User, actions: Sequence[ImportedAction]) -> tuple[int, int]:
    """导入检查台账, all or nothing; returns (visits in new actions, visits added to old ones).

    An action whose organiser already has its number was imported before: only the enterprises not
    yet visited on it are added, so importing the same file twice adds nothing. Everything is
    written in bulk (a statement per step, not per row), with the history rows save() would leave.
    """
    check_can_enter(user)
    check_enterprises_writable(user=user, enterprise_ids={e.pk for a in actions for e, _note in a.visits})
    for organizer in {a.organizer.pk: a.organizer for a in actions}.values():
        if not permissions.can_organize(user, organizer):
            raise ValidationError({"organizer": _("您不能以该单位的名义组织检查。")})
    # Imports take turns: a second run of the same file, waiting here, then finds the first one's actions
    # by their numbers and adds nothing, instead of making each action twice.
    transaction_lock("inspections.action_import_many")
    existing = _imported_before(actions)
    visited = set(
        InspectionRecord.objects.filter(action__in=list(existing.values())).values_list(
            "action_id", "enterprise_id"
        )
    )
    fresh: list[_Fresh] = []  # new actions with their teams and records
    added: list[InspectionRecord] = []  # visits added to actions imported before
    for item in actions:
        old = existing.get((item.organizer.pk, item.number)) if item.number else None
        if old is None:
            records = [InspectionRecord(enterprise=e, note=n) for e, n in item.visits]
            fresh.append((_imported_action(item, user=user), item.members, records))
        elif (old.date, old.kind_id) != (item.date, item.kind.pk):
            raise ValidationError(
                {"number": _("检查行动编号“%(number)s”已用于另一次检查。") % {"number": item.number}}
            )
        else:
            added += [
                InspectionRecord(action=old, enterprise=e, note=n)
                for e, n in item.visits
                if (old.pk, e.pk) not in visited
            ]
    _number_imported(fresh, added)
    _save_imported(fresh, added, user=user)
    return sum(len(records) for _a, _m, records in fresh), len(added)


def _imported_before(actions: Sequence[ImportedAction]) -> dict[tuple[int, str], InspectionAction]:
    """The file's numbers that their organisers already have, locked: (organiser id, number) → action."""
    numbers = {a.number for a in actions if a.number}
    found = (
        InspectionAction.objects.select_for_update(of=("self",))
        .filter(number__in=numbers)
        .select_related("organizer")
        .order_by("-pk")  # should a number repeat, the earliest action wins
    )
    return {(a.organizer_id, a.number): a for a in found}


def _imported_action(item: ImportedAction, *, user: User) -> InspectionAction:
    """A new action built and checked as action_create does, without its per-row queries."""
    check_visited([e.pk for e, _n in item.visits])
    check_action(
        user=user,
        organizer=item.organizer,
        kind=item.kind,
        members=item.members,
        on=item.date,
        leader_name=item.leader_name if item.is_leader_led else None,
        certificates=False,
    )
    check_campaign(item.campaign, item.date)
    unverified = imported_team_unverified(kind=item.kind, members=item.members, on=item.date)
    action = action_build(
        user=user,
        organizer=item.organizer,
        date=item.date,
        kind=item.kind,
        members=item.members,
        experts="、".join(dict.fromkeys(item.experts)),
        is_leader_led=item.is_leader_led,
        leader_name=item.leader_name,
        note=item.note,
        status=ActionStatus.DONE,
        is_unannounced=item.is_unannounced,
        campaign=item.campaign,
        cert_unverified=unverified,
    )
    action.number = item.number
    action.clean_fields(exclude=["organizer", "kind", "created_by", "campaign"])
    return action


def _number_imported(fresh: list[_Fresh], added: list[InspectionRecord]) -> None:
    """Issue the numbers the file lacks, in file order."""
    unnumbered = [a for a, _m, _r in fresh if not a.number]
    for action, number in zip(unnumbered, numbers_issue(ACTION_MARK, unnumbered), strict=True):
        action.number = number
    records = [(r, a) for a, _m, rs in fresh for r in rs]
    records += [(r, r.action) for r in added if r.action.status == ActionStatus.DONE]
    for (record, _a), number in zip(
        records, numbers_issue(RECORD_MARK, [a for _r, a in records]), strict=True
    ):
        record.number = number


def _save_imported(fresh: list[_Fresh], added: list[InspectionRecord], *, user: User) -> None:
    now = timezone.now()
    actions = InspectionAction.objects.bulk_create([a for a, _m, _r in fresh], batch_size=_IMPORT_BATCH)
    through = InspectionAction.members.through
    links = through.objects.bulk_create(
        [
            through(inspectionaction_id=action.pk, user_id=pk)
            for action, members, _r in fresh
            for pk in dict.fromkeys(m.pk for m in members)
        ],
        batch_size=_IMPORT_BATCH,
    )
    for action, _m, records in fresh:
        for record in records:
            record.action = action
    records = InspectionRecord.objects.bulk_create(
        [r for _a, _m, rs in fresh for r in rs] + added, batch_size=_IMPORT_BATCH
    )
    history_bulk_create(InspectionAction, actions, user=user, when=now, m2m_field="members", links=links)
    history_bulk_create(InspectionRecord, records, user=user, when=now)
