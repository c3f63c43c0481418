"""inspections metrics: see reports/registry.py. The queries are inspections/selectors_metrics.py and,
for the hazards found on leader-led inspections, hazards/selectors_leader_metrics.py."""

from django.utils.translation import gettext as _

from hazards import selectors_leader_metrics as leader_hazards
from inspections import selectors_metrics as sel

from ..registry import Batch, Metric, register, window_call
from .hazards import LEADER_LED_HAZARDS

# What every inspection figure counts, said once for the definitions.
ACTIONS_RULE = _(
    "检查日期在统计期内（含首末两日）、状态为“已完成”的检查行动，计划中（含双随机抽取生成的计划检查）和草稿不计。"
    "街道/乡镇统计检查了其辖区（含下属社区、村）内至少一家生产经营单位的行动，部门统计检查了至少一家其监管行业领域"
    "内或由其监管的单位的行动，不看组织检查的单位；同一次联合检查到两个街道的，在两个街道各计、全区只计一次，"
    "故各街道之和可以大于全区。全区统计所有已完成的检查行动（每次行动至少检查一家单位）。"
)
VISITS_RULE = _(
    "上述检查行动的检查记录，每检查一家单位一次为1家次；记录被更正的只计最新版本；"
    "街道/乡镇、部门只计其范围内单位的记录，联合检查中其他街道的单位不计。"
)

ACTIONS = Batch("inspection_actions", sel.action_batch)
VISITS = Batch("inspection_visits", sel.visit_batch)
PLANS = Batch("inspection_plans", sel.plan_batch)  # inspections.plan_completion_rate (evaluation.py)

register(
    Metric(
        key="inspections.actions",
        label=_("检查行动"),
        unit="次",
        definition=_("检查行动次数：") + ACTIONS_RULE,
        value=window_call(sel.actions),
        batch=ACTIONS,
        field="actions",
        records=window_call(sel.action_records),
        order=10,
    )
)
register(
    Metric(
        key="inspections.person_times",
        label=_("出动检查人员"),
        unit="人次",
        definition=_(
            "“检查行动”所计行动的出动人数之和（检查人员与外聘专家合计）；联合检查在每个所计街道均计其全部出动人数。"
        )
        + ACTIONS_RULE,
        value=window_call(sel.person_times),
        batch=ACTIONS,
        field="person_times",
        records=window_call(sel.person_times_records),
        kind="sum",
        order=20,
    )
)
register(
    Metric(
        key="inspections.unit_visits",
        label=_("检查生产经营单位(家次)"),
        unit="家次",
        definition=_("检查生产经营单位家次：") + VISITS_RULE + ACTIONS_RULE,
        value=window_call(sel.unit_visits),
        batch=VISITS,
        field="unit_visits",
        records=window_call(sel.visit_records),
        order=30,
    )
)
register(
    Metric(
        key="inspections.units",
        label=_("检查生产经营单位(家)"),
        unit="家",
        definition=_("“检查生产经营单位(家次)”所计检查记录涉及的不同生产经营单位数，同一单位检查多次计1家。")
        + VISITS_RULE
        + ACTIONS_RULE,
        value=window_call(sel.units),
        batch=VISITS,
        field="units",
        records=window_call(sel.units_records),
        order=40,
    )
)
register(
    Metric(
        key="inspections.leader_led",
        label=_("领导带队检查"),
        unit="次",
        definition=_("“检查行动”所计行动中标记为领导带队（填写带队领导）的次数。") + ACTIONS_RULE,
        value=window_call(sel.leader_led),
        batch=ACTIONS,
        field="leader_led",
        records=window_call(sel.leader_led_records),
        order=50,
    )
)
register(
    Metric(
        key="inspections.leader_led_hazards",
        label=_("领导带队检查发现隐患"),
        unit="个",
        definition=_(
            "发现日期在统计期内（含首末两日）、未作废的隐患中，登记在领导带队且已完成的检查行动的检查记录上的个数"
            "（是同期“发现隐患”的一部分）。范围与其他隐患统计相同，按隐患本身划分：街道/乡镇统计属地在其辖区内的隐患，"
            "部门统计其监管行业领域内、由其监管或由其负责整改的隐患。"
        ),
        value=window_call(leader_hazards.leader_led_hazards),
        batch=LEADER_LED_HAZARDS,
        field="leader_led",
        records=window_call(leader_hazards.leader_led_hazards_records),
        order=60,
    )
)
