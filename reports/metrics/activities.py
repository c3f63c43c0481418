"""Metrics of the activity ledger (campaigns): 宣传/培训/演练/会议 quantities, meetings by type, 约谈.

- `activities.<kind>.<quantity>`: for each activity kind (publicity, training, drill, meeting) the
  activities (`count`), their 场次 (`sessions`) and 参与人次 (`participants`), and each catalogue
  quantity by its code (`banner`, `leaflet`, `board`, `media` …). The catalogue is a code table, so
  this is a family: a unit the administrator adds appears without a code change.
- `meetings.<sub-type code>`: meetings of each 会议 sub-type (`party-standing`, `safety-committee`,
  `talk` …), a family too.
- `talks.<target kind>`: distinct townships, departments and enterprises talked to (约谈).

Every figure is placed by the activity's ORGANISING unit (Activity.scope_fields), not by where an
enterprise lies: the definitions say so. The queries live in campaigns/selectors_metrics.py.
"""

from collections.abc import Iterator

from django.utils.translation import gettext as _

from campaigns import selectors_metrics as q
from campaigns.choices_activities import KIND_COUNT_UNITS, TalkTargetKind

from ..registry import Batch, Metric, register, register_family, window_call

SCOPE_RULE = _(
    "范围按活动的组织单位：街道/乡镇统计本级及所辖社区（村）组织的，部门统计本部门组织的，全区统计全部"
    "（与被约谈对象、参与单位所在地无关）。"
)
DATES = _("按活动日期（跨多日的活动按开始日期）落在统计期间内的")

# A roll-up's activity figures in three queries, whatever the number of kinds, units and sub-types.
ACTIVITIES = Batch("activities", q.activity_batch)
QUANTITIES = Batch("activity_quantities", q.quantity_batch)
TALKS = Batch("talks", q.talk_batch)


def activity_metrics() -> Iterator[Metric]:
    """activities.<kind>.count / .sessions / .participants / .<quantity code>, for every kind and
    every catalogue unit (three queries: kinds and units)."""
    units = q.metric_quantity_units()
    for kind in q.metric_activity_types():
        code, name, base = kind.code, kind.name, kind.order * 1000
        yield Metric(
            key=f"activities.{code}.count",
            label=_("%(kind)s·活动") % {"kind": name},
            unit=_("项"),
            definition=_("%(dates)s%(kind)s类活动条数（每条活动记录计1项）。")
            % {"dates": DATES, "kind": name}
            + SCOPE_RULE,
            value=window_call(q.activity_count, kind=code),
            batch=ACTIVITIES,
            field=f"{code}.count",
            records=window_call(q.activity_count_records, kind=code),
            kind="count",
            order=base,
        )
        yield Metric(
            key=f"activities.{code}.sessions",
            label=_("%(kind)s·场次") % {"kind": name},
            unit=KIND_COUNT_UNITS.get(code, _("场")),
            definition=_("%(dates)s%(kind)s类活动的场次之和。") % {"dates": DATES, "kind": name} + SCOPE_RULE,
            value=window_call(q.activity_field_sum, kind=code, field="sessions"),
            batch=ACTIVITIES,
            field=f"{code}.sessions",
            records=window_call(q.activity_field_records, kind=code, field="sessions"),
            kind="sum",
            order=base + 1,
        )
        yield Metric(
            key=f"activities.{code}.participants",
            label=_("%(kind)s·参与人次") % {"kind": name},
            unit=_("人次"),
            definition=_("%(dates)s%(kind)s类活动的参与人次之和。") % {"dates": DATES, "kind": name}
            + SCOPE_RULE,
            value=window_call(q.activity_field_sum, kind=code, field="participants"),
            batch=ACTIVITIES,
            field=f"{code}.participants",
            records=window_call(q.activity_field_records, kind=code, field="participants"),
            kind="sum",
            order=base + 2,
        )
        for position, unit in enumerate(units, 10):
            yield Metric(
                key=f"activities.{code}.{unit.code}",
                label=_("%(kind)s·%(unit)s") % {"kind": name, "unit": unit.name},
                unit=unit.unit,
                definition=_("%(dates)s%(kind)s类活动登记的“%(unit)s”数量之和（数量单位目录中的%(code)s）。")
                % {"dates": DATES, "kind": name, "unit": unit.label, "code": unit.code}
                + SCOPE_RULE,
                value=window_call(q.activity_quantity_sum, kind=code, unit=unit.code),
                batch=QUANTITIES,
                field=f"{code}.{unit.code}",
                records=window_call(q.activity_quantity_records, kind=code, unit=unit.code),
                kind="sum",
                order=base + position,
            )


def meeting_metrics() -> Iterator[Metric]:
    """meetings.<sub-type code>: one per 会议 sub-type (one query)."""
    for subtype in q.metric_meeting_subtypes():
        yield Metric(
            key=f"meetings.{subtype.code}",
            label=subtype.name,
            unit=_("次"),
            definition=_(
                "按会议日期落在统计期间内的会议类活动中，子类型为“%(name)s”的会议条数（每条会议记录计1次，"
                "不论场次；未选子类型的会议不计入任何子类型）。"
            )
            % {"name": subtype.name}
            + SCOPE_RULE,
            value=window_call(q.meeting_count, subtype=subtype.code),
            batch=ACTIVITIES,
            field=f"meeting:{subtype.code}",
            records=window_call(q.meeting_records, subtype=subtype.code),
            kind="count",
            order=subtype.order,
        )


TALK_LABELS = {
    TalkTargetKind.TOWNSHIP: (_("约谈街道/乡镇"), _("个"), _("街道/乡镇")),
    TalkTargetKind.DEPARTMENT: (_("约谈部门"), _("个"), _("部门")),
    TalkTargetKind.ENTERPRISE: (_("约谈生产经营单位"), _("家"), _("生产经营单位")),
}


def talk_metrics() -> Iterator[Metric]:
    """talks.township / talks.department / talks.enterprise (fixed kinds: registered once)."""
    for order, (kind, (label, unit, what)) in enumerate(TALK_LABELS.items(), 1):
        yield Metric(
            key=f"talks.{kind.value}",
            label=label,
            unit=unit,
            definition=_(
                "按约谈日期落在统计期间内的约谈（约谈类会议）中被约谈的%(what)s数，同一对象被约谈多次计1%(unit)s。"
            )
            % {"what": what, "unit": unit}
            + SCOPE_RULE,
            value=window_call(q.talk_target_count, kind=kind.value),
            batch=TALKS,
            field=kind.value,
            records=window_call(q.talk_target_records, kind=kind.value),
            kind="count",
            order=order,
        )


for metric in talk_metrics():
    register(metric)
register_family("activities", activity_metrics)
register_family("meetings", meeting_metrics)
