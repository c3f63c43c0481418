"""accidents metrics (事故): see reports/registry.py. The queries are hazards/selectors_metrics.py."""

from hazards import selectors_metrics as sel

from ..registry import Batch, Metric, register, window_call

SCOPE_TEXT = (
    "统计范围：街道/乡镇统计所属街道（事故发生地）为本街道/乡镇的事故，不论是否登记了生产经营单位；"
    "部门统计其监管行业领域的事故。"
)

ACCIDENTS = Batch("accidents", sel.accident_batch)


register(
    Metric(
        key="accidents.count",
        label="生产安全事故",
        unit="起",
        definition="统计期内发生（按发生日期）、认定为生产安全事故的事故起数；登记为非生产安全事故的"
        "（如非因生产经营活动的道路交通事故、自然灾害）不计入。" + SCOPE_TEXT,
        value=window_call(sel.accidents_count),
        batch=ACCIDENTS,
        field="count",
        records=window_call(sel.accidents_count_records),
        order=10,
    )
)
register(
    Metric(
        key="accidents.deaths",
        label="事故死亡人数",
        unit="人",
        definition="统计期内发生的生产安全事故（口径同“生产安全事故”）的死亡人数之和。" + SCOPE_TEXT,
        value=window_call(sel.accidents_deaths),
        batch=ACCIDENTS,
        field="deaths",
        records=window_call(sel.accidents_deaths_records),
        kind="sum",
        order=20,
    )
)
