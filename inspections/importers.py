"""Excel import of the inspection ledger (检查台账), registered as "inspections" from InspectionsConfig.ready().

Parsing only: the bulk write, with the rules every action meets, is services.action_import_many.

One row per visited enterprise; rows sharing a 检查行动编号 form one action, so they must agree on
everything that belongs to the action (date, kind, unit, team, leader). As for every ledger, every
row is checked first and every problem reported (row, column, reason); with any problem nothing is
imported, otherwise services.action_import_many writes the whole file in one transaction.

Decisions the office should know (the README repeats them):
- 检查人员 names are matched to active accounts, the 检查单位's own people first. A name two accounts
  share there is an error (write that person's login name instead); a name no account has is an
  outside person and counts like an outside expert (外聘专家), so 人次 stays right.
- 执法证: an action dated from INSPECTION_CERT_RULE_FROM (the day the office starts working in the
  system) needs two members holding a valid 执法证, as one entered by hand; an older enforcement
  action whose team cannot be verified (a past year's ledger naming people without accounts) is
  imported and flagged 执法证未核验 (services.imported_team_unverified, one rule for both).
- 四不两直 is a flag (是否四不两直), not a kind; a 检查类型 of 四不两直, as older ledgers write it, is
  read as 日常检查 with the flag.
- An action number the 检查单位 already has was imported before: only its enterprises not yet
  recorded are added (counted as updated); a re-import of the same file adds nothing. Rows with a
  blank 检查行动编号 are each their own action, numbered by the system, and a second import of them
  would count them twice.
- 专项行动 links the action to a campaign (campaigns.Campaign) by name: among the campaigns of that
  name, the one running on the 检查日期 (a yearly 安全生产月 may repeat its name), else the only one
  of that name. An unknown or ambiguous name is an error on its row; the date must fall within the
  campaign. It belongs to the action, so the rows of one action must agree on it. A row's 备注 goes
  onto the record of that visit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.importers import LedgerImporter
from accounts.models import Enterprise, OrgUnit, User
from accounts.scoping import restrict, scope_for
from accounts.validators import normalize_uscc, uscc_problem
from campaigns.models import Campaign
from campaigns.selectors import campaign_match, campaigns_by_name
from campaigns.services import campaign_date_error
from core.imports import RowErrors, cell_bool, cell_date, cell_text

from .choices import ORGANIZER_KINDS
from .models import InspectionAction, InspectionKind
from .selectors import plan_organizers
from .services import ImportedAction, action_import_many, imported_team_unverified, split_names

# Column names are the file format, not interface text: they stay Chinese whatever the language.
ACTION_NO = "检查行动编号"
DATE = "检查日期"
USCC = "统一社会信用代码"
KIND = "检查类型"
UNANNOUNCED = "是否四不两直"
ORGANIZER = "检查单位"
TEAM = "检查人员"
LEADER_LED = "是否领导带队"
LEADER = "带队领导"
CAMPAIGN = "专项行动"
NOTE = "备注"

HEADERS = [ACTION_NO, DATE, USCC, KIND, UNANNOUNCED, ORGANIZER, TEAM, LEADER_LED, LEADER, CAMPAIGN, NOTE]
# What belongs to the action: every row of one action must give it as the action's first row does.
ACTION_COLUMNS = [DATE, KIND, UNANNOUNCED, ORGANIZER, TEAM, LEADER_LED, LEADER, CAMPAIGN]
# Older ledgers write 四不两直 as the kind: it is 日常检查 with the flag (see migration 0005).
UNANNOUNCED_KIND_NAME, UNANNOUNCED_AS_KIND_CODE = "四不两直", "routine"

_NUMBER_MAX = InspectionAction._meta.get_field("number").max_length
_LEADER_MAX = InspectionAction._meta.get_field("leader_name").max_length
_EXPERTS_MAX = InspectionAction._meta.get_field("experts").max_length
_AMBIGUOUS = object()


@dataclass
class _Row:
    """One checked row: a visit, with the action it belongs to."""

    row: int
    number: str
    date: dt.date
    enterprise: Enterprise
    kind: InspectionKind
    is_unannounced: bool
    organizer: OrgUnit
    members: list[User]
    experts: list[str]
    is_leader_led: bool
    leader_name: str
    campaign: Campaign | None
    note: str


@dataclass
class _Group:
    """What the first row of an action gave, for comparing the action's later rows with it."""

    first_row: int
    signature: dict[str, object]
    enterprises: dict[int, int] = field(default_factory=dict)  # enterprise id → row


@dataclass
class _Existing:
    """An action imported before (its organiser already has the number), as the file would give it."""

    action: InspectionAction
    member_ids: frozenset[int]
    experts: frozenset[str]


@dataclass
class _Lookups:
    """Everything the rows may name, loaded once: the whole file resolves in a handful of queries."""

    today: dt.date
    sees_everything: bool
    kinds: dict[str, InspectionKind]
    routine: InspectionKind | None  # what a 检查类型 of 四不两直 is read as
    organizers: dict[str, OrgUnit | None]  # by name and short name; None: two units share it
    writable_organizers: set[int]
    enterprises: dict[str, Enterprise]  # only those the user may change: the others stay unknown
    people: dict[str, list[User]]  # active accounts by 姓名
    logins: dict[str, User]  # … and by login name, to tell namesakes apart
    existing: dict[tuple[int, str], _Existing]
    campaigns: dict[str, list[Campaign]] = field(default_factory=dict)  # by exact name
    groups: dict[str, _Group] = field(default_factory=dict)

    def person(self, name: str, organizer: OrgUnit | None) -> User | object | None:
        """The account a team name means: the 检查单位's own people first, then anyone; _AMBIGUOUS when
        two accounts fit equally; None for someone without an account (an outside person)."""
        candidates = self.people.get(name, [])
        if organizer is not None:
            own = [
                u for u in candidates if u.org_unit is not None and u.org_unit.path.startswith(organizer.path)
            ]
            candidates = own or candidates
        if len(candidates) > 1:
            return _AMBIGUOUS
        return candidates[0] if candidates else self.logins.get(name)


class InspectionImporter(LedgerImporter):
    label = gettext_lazy("检查台账")
    sheet_title = "检查行动"
    template_filename = "检查行动导入模板.xlsx"
    list_url_name = "inspections:action_list"
    notes = [
        gettext_lazy(
            "每行一家被检查单位；检查行动编号相同的行合为一次检查行动，这些行的检查日期、检查类型、检查单位、检查人员、"
            "是否领导带队、带队领导须一致。检查行动编号为空的行各自成为一次检查行动，由系统编号。"
        ),
        format_lazy(
            gettext_lazy(
                "检查人员填姓名，多人以“、”分隔；与系统账号匹配（优先检查单位本单位人员），重名时请改填登录账号；"
                "系统中没有账号的人员按外聘专家计入出动人次。执法检查须有两名以上持有效执法证的人员；"
                "检查日期早于系统启用日（{date}）的历史台账，检查人员无法核验的，照样导入并标记“执法证未核验”。"
            ),
            date=settings.INSPECTION_CERT_RULE_FROM.isoformat(),
        ),
        gettext_lazy(
            "是否四不两直填“是”或“否”（可不填，视为否），任何检查类型均可；检查类型填“四不两直”的按日常检查导入并标记四不两直。"
        ),
        gettext_lazy("检查行动编号已导入过的，只补录其中尚未记录的单位，重复导入同一文件不会重复计数。"),
        gettext_lazy(
            "专项行动填系统中专项行动的名称（可不填），检查日期须在该专项行动期间；同名的按检查日期所在的专项行动匹配。"
            "同一检查行动的各行须一致。各行的备注记入该单位的检查记录。"
        ),
        gettext_lazy("系统先校验全部行，有任何错误则不导入任何数据，并按行、列列出全部错误。"),
    ]
    headers = HEADERS
    required = [DATE, USCC, KIND, ORGANIZER, TEAM]
    column_widths: ClassVar[dict[str, float]] = {
        ACTION_NO: 24,
        DATE: 12,
        USCC: 22,
        KIND: 12,
        UNANNOUNCED: 12,
        ORGANIZER: 16,
        TEAM: 24,
        LEADER: 12,
        CAMPAIGN: 20,
        NOTE: 30,
    }
    # A code that cannot be valid, so an example row left in the file is reported, not imported.
    example: ClassVar[dict[str, object]] = {
        ACTION_NO: "示例：应急检〔2026〕1号",
        DATE: dt.date(2026, 3, 10),
        USCC: "91330102MA2XXXXXX0",
        KIND: "专项检查",
        UNANNOUNCED: "否",
        ORGANIZER: "区应急管理局",
        TEAM: "张三、李四",
        LEADER_LED: "否",
        LEADER: "",
        CAMPAIGN: "有限空间作业专项整治",
        NOTE: "",
    }

    def prepare(
        self, *, user: User, rows: list[tuple[int, dict[str, object]]], present: set[str]
    ) -> _Lookups:
        codes = {normalize_uscc(cell_text(values.get(USCC))) for _row, values in rows} - {""}
        names = {name for _row, values in rows for name in split_names(cell_text(values.get(TEAM)))}
        numbers = {cell_text(values.get(ACTION_NO)) for _row, values in rows} - {""}
        campaign_names = {cell_text(values.get(CAMPAIGN)) for _row, values in rows} - {""}

        organizers: dict[str, OrgUnit | None] = {}
        for unit in OrgUnit.objects.filter(kind__in=ORGANIZER_KINDS, is_active=True):
            for key in {unit.name, unit.short_name} - {""}:
                organizers[key] = None if key in organizers and organizers[key] != unit else unit
        people: dict[str, list[User]] = {}
        logins: dict[str, User] = {}
        accounts = User.objects.filter(is_active=True).filter(Q(name__in=names) | Q(username__in=names))
        for person in accounts.select_related("org_unit"):
            if person.name in names:
                people.setdefault(person.name, []).append(person)
            if person.username in names:
                logins[person.username] = person
        return _Lookups(
            today=timezone.localdate(),
            sees_everything=scope_for(user, "change").everything,
            kinds={k.name: k for k in InspectionKind.objects.filter(is_active=True)},
            routine=InspectionKind.objects.filter(code=UNANNOUNCED_AS_KIND_CODE, is_active=True).first(),
            organizers=organizers,
            writable_organizers=set(plan_organizers(user=user).values_list("pk", flat=True)),
            enterprises={
                e.uscc: e for e in restrict(Enterprise.objects.filter(uscc__in=codes), user, "change")
            },
            people=people,
            logins=logins,
            existing=_existing_actions(numbers),
            campaigns=campaigns_by_name(campaign_names) if campaign_names else {},
        )

    def parse_row(
        self, *, row: int, values: dict[str, object], context: _Lookups, errors: RowErrors
    ) -> _Row | None:
        ctx = context
        number = cell_text(values.get(ACTION_NO))
        if len(number) > _NUMBER_MAX:
            errors.add(ACTION_NO, _("不能超过{n}个字符").format(n=_NUMBER_MAX))
        date = _date(values, ctx, errors)
        enterprise = _enterprise(values, ctx, errors)
        kind, unannounced = _kind(values, ctx, errors)
        organizer = _organizer(values, ctx, errors)
        names = list(dict.fromkeys(split_names(cell_text(values.get(TEAM)))))
        team = _team(names, organizer, ctx, errors)
        leader_led, leader = _leader(values, errors)
        campaign = _campaign(values, date, ctx, errors)

        # A value this row could not read is reported on its own; None keeps it out of the comparison.
        signature = {
            DATE: date,
            KIND: kind.pk if kind else None,
            UNANNOUNCED: unannounced,
            ORGANIZER: organizer.pk if organizer else None,
            TEAM: frozenset(names) or None,
            LEADER_LED: leader_led,
            LEADER: leader,
            CAMPAIGN: None if campaign is _AMBIGUOUS else (campaign.pk if campaign else 0),
        }
        is_first = _check_group(number, row, signature, enterprise, ctx, errors)
        # The action's own checks are made once, on its first row, when the row could be read.
        if is_first and None not in (date, kind, unannounced, organizer, team, leader_led):
            facts = (date, kind, unannounced, organizer, team, leader_led, leader, campaign)
            _check_action(number, facts, ctx, errors)
        if errors.count:
            return None
        members, experts = team
        return _Row(
            row=row,
            number=number,
            date=date,
            enterprise=enterprise,
            kind=kind,
            is_unannounced=unannounced,
            organizer=organizer,
            members=members,
            experts=experts,
            is_leader_led=leader_led,
            leader_name=leader,
            campaign=campaign,
            note=cell_text(values.get(NOTE)),
        )

    def save(self, *, user: User, items: list[_Row], context: _Lookups) -> tuple[int, int]:
        groups: dict[str, list[_Row]] = {}
        for item in items:
            groups.setdefault(item.number or f"#{item.row}", []).append(item)
        return action_import_many(user=user, actions=[_imported(rows) for rows in groups.values()])


def _check_group(
    number: str,
    row: int,
    signature: dict[str, object],
    enterprise: Enterprise | None,
    ctx: _Lookups,
    errors: RowErrors,
) -> bool:
    """Hold a row to the first row of its action; True when it is that first row (or an action alone)."""
    if not number:
        return True
    group = ctx.groups.get(number)
    first = group is None
    if group is None:
        group = ctx.groups[number] = _Group(first_row=row, signature=signature)
    for column in [] if first else ACTION_COLUMNS:
        mine, theirs = signature[column], group.signature[column]
        if mine is not None and theirs is not None and mine != theirs:
            errors.add(
                column, _("同一检查行动编号的各行应一致，本行与第{row}行不同").format(row=group.first_row)
            )
    if enterprise is not None:
        if enterprise.pk in group.enterprises:
            errors.add(
                USCC,
                _("同一检查行动中该单位重复（第{row}行已填写）").format(row=group.enterprises[enterprise.pk]),
            )
        else:
            group.enterprises[enterprise.pk] = row
    return first


def _existing_actions(numbers: set[str]) -> dict[tuple[int, str], _Existing]:
    if not numbers:
        return {}
    found = InspectionAction.objects.filter(number__in=numbers).prefetch_related("members").order_by("-pk")
    return {
        (a.organizer_id, a.number): _Existing(
            action=a,
            member_ids=frozenset(m.pk for m in a.members.all()),
            experts=frozenset(split_names(a.experts)),
        )
        for a in found
    }


def _date(values: dict[str, object], ctx: _Lookups, errors: RowErrors) -> dt.date | None:
    if values.get(DATE) is None:
        errors.add(DATE, _("不能为空"))
        return None
    try:
        date = cell_date(values[DATE])
    except ValueError:
        errors.add(DATE, _("应为日期，如 2026-03-10"))
        return None
    if date > ctx.today:
        errors.add(DATE, _("不能晚于今天"))
        return None
    return date


def _enterprise(values: dict[str, object], ctx: _Lookups, errors: RowErrors) -> Enterprise | None:
    code = normalize_uscc(cell_text(values.get(USCC)))
    if not code:
        errors.add(USCC, _("不能为空"))
    elif problem := uscc_problem(code):
        errors.add(USCC, problem)
    elif code not in ctx.enterprises:
        # Only enterprises in the user's scope were loaded: whether an outside one exists stays unsaid.
        if ctx.sees_everything:
            errors.add(USCC, _("未找到该统一社会信用代码的生产经营单位，请先登记"))
        else:
            errors.add(USCC, _("未找到该单位，或该单位不在您的管辖范围内"))
    return ctx.enterprises.get(code)


def _kind(
    values: dict[str, object], ctx: _Lookups, errors: RowErrors
) -> tuple[InspectionKind | None, bool | None]:
    """The kind and the 四不两直 flag (None: unreadable); a kind of 四不两直 is 日常检查 with the flag."""
    flag: bool | None = False
    if values.get(UNANNOUNCED) is not None and cell_text(values.get(UNANNOUNCED)):
        try:
            flag = cell_bool(values[UNANNOUNCED])
        except ValueError:
            errors.add(UNANNOUNCED, _("应填写“是”或“否”"))
            flag = None
    text = cell_text(values.get(KIND))
    if text == UNANNOUNCED_KIND_NAME and text not in ctx.kinds and ctx.routine is not None:
        return ctx.routine, None if flag is None else True
    if not text:
        errors.add(KIND, _("不能为空"))
    elif text not in ctx.kinds:
        errors.add(
            KIND,
            _("未找到检查类型「{value}」，可填：{options}").format(value=text, options="、".join(ctx.kinds)),
        )
    return ctx.kinds.get(text), flag


def _organizer(values: dict[str, object], ctx: _Lookups, errors: RowErrors) -> OrgUnit | None:
    text = cell_text(values.get(ORGANIZER))
    if not text:
        errors.add(ORGANIZER, _("不能为空"))
        return None
    if text not in ctx.organizers:
        errors.add(ORGANIZER, _("未找到检查单位「{value}」（应为区、部门或街道/乡镇）").format(value=text))
        return None
    unit = ctx.organizers[text]
    if unit is None:
        errors.add(ORGANIZER, _("「{value}」对应多个单位，请填写全称").format(value=text))
    elif unit.pk not in ctx.writable_organizers:
        errors.add(ORGANIZER, _("您不能录入「{value}」的检查").format(value=text))
        return None
    return unit


def _team(
    names: list[str], organizer: OrgUnit | None, ctx: _Lookups, errors: RowErrors
) -> tuple[list[User], list[str]] | None:
    """The accounts the names mean and the outside persons; None when a name is ambiguous."""
    if not names:
        errors.add(TEAM, _("不能为空"))
        return None
    members: list[User] = []
    outsiders: list[str] = []
    ambiguous = []
    for name in names:
        found = ctx.person(name, organizer)
        if found is _AMBIGUOUS:
            ambiguous.append(name)
        elif found is None:
            outsiders.append(name)
        elif found not in members:
            members.append(found)
    if ambiguous:
        errors.add(
            TEAM,
            _("「{names}」对应多名同名用户，无法确定是谁，请改填其登录账号").format(
                names="、".join(ambiguous)
            ),
        )
        return None
    if len("、".join(outsiders)) > _EXPERTS_MAX:
        errors.add(
            TEAM, _("无系统账号的人员（计为外聘专家）姓名合计不能超过{n}个字符").format(n=_EXPERTS_MAX)
        )
        return None
    return members, outsiders


def _leader(values: dict[str, object], errors: RowErrors) -> tuple[bool | None, str]:
    leader = cell_text(values.get(LEADER))
    led: bool | None = False
    if values.get(LEADER_LED) is not None:
        try:
            led = cell_bool(values[LEADER_LED])
        except ValueError:
            errors.add(LEADER_LED, _("应填写“是”或“否”"))
            led = None
    if len(leader) > _LEADER_MAX:
        errors.add(LEADER, _("不能超过{n}个字符").format(n=_LEADER_MAX))
    if led and not leader:
        errors.add(LEADER, _("领导带队的检查须填写带队领导"))
    elif led is False and leader:
        errors.add(LEADER, _("未领导带队时不应填写带队领导；如为领导带队，请将“是否领导带队”填为“是”"))
    return led, leader


def _campaign(values: dict[str, object], date: dt.date | None, ctx: _Lookups, errors: RowErrors):
    """The campaign the 专项行动 column names (None when blank); _AMBIGUOUS after an error."""
    text = cell_text(values.get(CAMPAIGN))
    if not text:
        return None
    campaign, problem = campaign_match(ctx.campaigns.get(text, []), date)
    if problem == "unknown":
        errors.add(CAMPAIGN, _("未找到专项行动「{value}」，请先在系统中新建，或核对名称").format(value=text))
        return _AMBIGUOUS
    if problem:
        errors.add(
            CAMPAIGN,
            _("有多个名为「{value}」的专项行动，检查日期无法确定是哪一个").format(value=text),
        )
        return _AMBIGUOUS
    if date is not None and (message := campaign_date_error(campaign, date)):
        errors.add(CAMPAIGN, message)
        return _AMBIGUOUS
    return campaign


def _check_action(number: str, facts: tuple, ctx: _Lookups, errors: RowErrors) -> None:
    """An action imported before must be the same action; a new one needs its certified team (from
    INSPECTION_CERT_RULE_FROM on; an older one without is flagged 执法证未核验 when saved)."""
    date, kind, unannounced, organizer, team, leader_led, leader, campaign = facts
    members, outsiders = team
    old = ctx.existing.get((organizer.pk, number)) if number else None
    if old is None:
        try:
            imported_team_unverified(kind=kind, members=members, on=date)
        except ValidationError as exc:
            errors.add(TEAM, " ".join(exc.messages))
        return
    action = old.action
    differs = {
        DATE: action.date != date,
        KIND: action.kind_id != kind.pk,
        UNANNOUNCED: action.is_unannounced != unannounced,
        TEAM: (old.member_ids, old.experts) != (frozenset(m.pk for m in members), frozenset(outsiders)),
        LEADER_LED: action.is_leader_led != leader_led,
        LEADER: action.is_leader_led and action.leader_name != leader,
        CAMPAIGN: campaign is not _AMBIGUOUS and action.campaign_id != (campaign.pk if campaign else None),
    }
    for column in (c for c, different in differs.items() if different):
        errors.add(
            column,
            _(
                "检查行动“{number}”已导入过，本行的{column}与系统中的不一致；如需修改，请在系统中编辑该检查行动"
            ).format(number=number, column=column),
        )


def _imported(rows: list[_Row]) -> ImportedAction:
    first = rows[0]
    return ImportedAction(
        number=first.number,
        date=first.date,
        organizer=first.organizer,
        kind=first.kind,
        is_unannounced=first.is_unannounced,
        members=first.members,
        experts=first.experts,
        is_leader_led=first.is_leader_led,
        leader_name=first.leader_name,
        campaign=first.campaign,
        visits=[(r.enterprise, r.note) for r in rows],
    )
