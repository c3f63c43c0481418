"""enforcement metrics: see reports/registry.py. The queries are enforcement/selectors_metrics.py."""

from django.utils.translation import gettext as _

from enforcement import selectors_metrics as sel
from enforcement.choices import MeasureKind

from ..registry import Batch, Metric, register, window_call

SCOPE_RULE = _(
    "街道/乡镇统计案件当事单位属地（立案时登记）在其辖区内的案件，部门统计本单位作为办案单位办理的案件"
    "（不含其监管行业领域内由其他单位办理的案件）。"
)

CASES = Batch("cases", sel.case_batch)
FINES = Batch("fines", sel.fine_batch)

register(
    Metric(
        key="enforcement.cases",
        label=_("立案"),
        unit="起",
        definition=_("立案日期在统计期内（含首末两日）的案件数，不论案件此后的状态（含不予处罚、移送）。")
        + SCOPE_RULE,
        value=window_call(sel.cases),
        batch=CASES,
        field="cases",
        records=window_call(sel.cases_records),
        order=10,
    )
)
register(
    Metric(
        key="enforcement.fines_total",
        label=_("罚款金额"),
        unit="元",
        definition=_(
            "处罚决定日期在统计期内（含首末两日）的行政处罚决定中的罚款金额（元）：对单位的罚款与对个人的罚款（一案双罚）合计，"
            "没收违法所得不计；按决定日期计入期间，上年立案、本年决定的案件罚款计入本年。"
        )
        + SCOPE_RULE,
        value=window_call(sel.fines_total),
        batch=FINES,
        field="fines_total",
        records=window_call(sel.fines_total_records),
        kind="money",
        order=20,
    )
)

# key, label, kind of measure, what also counts as that measure, order.
MEASURES = (
    ("enforcement.suspended", _("停产整顿"), MeasureKind.SUSPENSION, _("或处罚决定含责令停产停业整顿"), 30),
    ("enforcement.sealed", _("临时查封"), MeasureKind.SEAL, "", 40),
    ("enforcement.three_stops", _("责令三停"), MeasureKind.THREE_STOPS, "", 50),
    ("enforcement.closed_down", _("关闭取缔"), MeasureKind.CLOSURE, _("或处罚决定含关闭"), 60),
)

for key, label, kind, also, order in MEASURES:
    register(
        Metric(
            key=key,
            label=label,
            unit="家",
            definition=_(
                "立案日期在统计期内（含首末两日）的案件中，登记了“%(label)s”措施%(also)s的不同生产经营单位数，"
                "同一单位有多个案件或多项措施的计1家。"
            )
            % {"label": label, "also": also}
            + SCOPE_RULE,
            value=window_call(sel.measure_enterprises, kind=kind),
            batch=CASES,
            field=str(kind),
            records=window_call(sel.measure_enterprises_records, kind=kind),
            order=order,
        )
    )
