"""hazards metrics (隐患排查治理): see reports/registry.py. The queries are hazards/selectors_metrics.py."""

from hazards import selectors_metrics as sel

from ..registry import Batch, Metric, register, window_call

SCOPE_TEXT = (
    "统计范围：街道/乡镇统计隐患所属单位位于其辖区（含下属社区/村）的隐患；部门统计其监管行业领域的隐患，"
    "以及以其为监管部门或跟踪责任单位的隐患。"
)

# Every hazard figure of a roll-up in one scan (hazards.major_overdue_unlisted too), and
# inspections.leader_led_hazards from the leader-led actions down.
HAZARDS = Batch("hazards", sel.hazard_batch)
LEADER_LED_HAZARDS = Batch("leader_led_hazards", sel.leader_led_batch)


register(
    Metric(
        key="hazards.found",
        label="发现隐患",
        unit="个",
        definition="统计期内发现（按发现日期）的隐患数，不含已作废的隐患。" + SCOPE_TEXT,
        value=window_call(sel.hazards_found),
        batch=HAZARDS,
        field="found",
        records=window_call(sel.hazards_found_records),
        order=10,
    )
)
register(
    Metric(
        key="hazards.rectified",
        label="已整改隐患",
        unit="个",
        definition="统计期内发现的隐患中，在统计期最后一天或之前已销号（按销号日期）的隐患数，不含已作废的隐患；"
        "期后才销号的不计入。" + SCOPE_TEXT,
        value=window_call(sel.hazards_rectified),
        batch=HAZARDS,
        field="rectified",
        records=window_call(sel.hazards_rectified_records),
        order=20,
    )
)
register(
    Metric(
        key="hazards.rectification_rate",
        label="隐患整改率",
        unit="%",
        definition="已整改隐患数 ÷ 发现隐患数 × 100%，保留一位小数；统计期内未发现隐患时不计算（显示“—”）。"
        + SCOPE_TEXT,
        value=window_call(sel.hazards_rectification_rate),
        batch=HAZARDS,
        field="rectification_rate",
        kind="rate",
        order=30,
    )
)
register(
    Metric(
        key="hazards.major",
        label="重大隐患",
        unit="个",
        definition="统计期内发现（按发现日期）的重大隐患数，不含已作废的隐患。" + SCOPE_TEXT,
        value=window_call(sel.hazards_major),
        batch=HAZARDS,
        field="major",
        records=window_call(sel.hazards_major_records),
        order=40,
    )
)
register(
    Metric(
        key="hazards.major_rectified",
        label="重大隐患已整改",
        unit="个",
        definition="统计期内发现的重大隐患中，在统计期最后一天或之前已销号（按销号日期）的隐患数，不含已作废的隐患。"
        + SCOPE_TEXT,
        value=window_call(sel.hazards_major_rectified),
        batch=HAZARDS,
        field="major_rectified",
        records=window_call(sel.hazards_major_rectified_records),
        order=50,
    )
)
register(
    Metric(
        key="hazards.listed",
        label="挂牌督办隐患",
        unit="个",
        definition="统计期内发现的隐患中，在统计期最后一天或之前被挂牌督办（区级、市级或省级，含此后已摘牌的）的隐患数，"
        "不含已作废的隐患。" + SCOPE_TEXT,
        value=window_call(sel.hazards_listed),
        batch=HAZARDS,
        field="listed",
        records=window_call(sel.hazards_listed_records),
        order=60,
    )
)
register(
    Metric(
        key="hazards.overdue",
        label="逾期未整改隐患",
        unit="个",
        definition="截至统计期最后一天（统计期尚未结束的，截至今天）：在该日或之前发现、整改期限早于该日、"
        "且到该日仍未销号的隐患数（存量，不限发现年份），不含已作废的隐患；整改期限以现行期限（含已批准的延期）为准。"
        + SCOPE_TEXT,
        value=window_call(sel.hazards_overdue),
        batch=HAZARDS,
        field="overdue",
        records=window_call(sel.hazards_overdue_records),
        order=70,
    )
)
