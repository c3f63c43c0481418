"""Metrics the monthly evaluation (月度评估) scores by that no other figure gave: 重大隐患逾期未挂牌,
检查计划完成率 and 活动按时报送率. Each is an ordinary registered metric (the dashboard, the statistics
workbook and the summaries may use it too); the queries and their exact definitions are in the owning
apps' selectors_evaluation.py."""

from campaigns import selectors_evaluation as activities_sel
from hazards import selectors_evaluation as hazards_sel
from inspections import selectors_evaluation as inspections_sel

from ..registry import Metric, register, window_call
from .activities import ACTIVITIES
from .hazards import HAZARDS
from .hazards import SCOPE_TEXT as HAZARD_SCOPE
from .inspections import PLANS

register(
    Metric(
        key="hazards.major_overdue_unlisted",
        label="重大隐患逾期未挂牌",
        unit="个",
        definition="截至统计期最后一天（统计期尚未结束的，截至今天）：在该日或之前发现、整改期限早于该日、到该日仍未销号，"
        "且到该日未被挂牌督办（区级、市级或省级）的重大隐患数（存量，不限发现年份），不含已作废的隐患；"
        "整改期限以现行期限（含已批准的延期）为准。" + HAZARD_SCOPE,
        value=window_call(hazards_sel.major_overdue_unlisted),
        batch=HAZARDS,
        field="major_overdue_unlisted",
        records=window_call(hazards_sel.major_overdue_unlisted_records),
        order=75,
    )
)
register(
    Metric(
        key="inspections.plan_completion_rate",
        label="检查计划完成率",
        unit="%",
        definition="统计范围内的单位（街道/乡镇含所属单位，部门为本部门）制定的、计划期间完全落在统计期内的检查计划"
        "（月度计划；统计期为整年时含年度计划）：各计划指标的已完成家次（不超过该指标的计划家次）之和 ÷ 计划家次之和 × 100%，"
        "保留一位小数；已完成家次按检查计划页面的口径（计划单位在计划期间内已完成的检查，符合该指标的检查类型、街镇和行业）。"
        "超额完成某一指标不能弥补其他指标，也不因多检查而加分；没有计划时不计算（显示“—”）。",
        value=window_call(inspections_sel.plan_completion_rate),
        batch=PLANS,
        field="plan_completion_rate",
        kind="rate",
        order=900,
    )
)
register(
    Metric(
        key="activities.on_time_rate",
        label="活动按时报送率",
        unit="%",
        definition=f"统计期内（按活动日期）开展的活动中，在活动结束后{activities_sel.REPORT_WITHIN_DAYS}日内（按登记时间，北京时间）登记入台账的活动所占比例，"
        "保留一位小数；没有活动时不计算（显示“—”）。范围按活动的组织单位：街道/乡镇统计本级及所辖社区（村）组织的，"
        "部门统计本部门组织的。",
        value=window_call(activities_sel.activities_on_time_rate),
        batch=ACTIVITIES,
        field="on_time_rate",
        kind="rate",
        order=100_000,  # after the ledger's quantity figures
    )
)
