"""The case ledger in and out of Excel: the import (all or nothing, every error by row and column,
blank numbers generated, 办案单位 optional, the command) and the export of the filtered list."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from core.imports import get_importer
from enforcement import services
from enforcement.choices import (
    CaseEventKind,
    CaseProcedure,
    CaseSource,
    CaseState,
    MeasureKind,
    PenaltyTarget,
)
from enforcement.excel import EXPORT_HEADERS, case_export
from enforcement.importers import CASE_HEADERS, UNIT
from enforcement.models import Case, Measure, Penalty
from enforcement.selectors import case_list
from inspections.models import InspectionAction, InspectionKind, InspectionRecord
from tests.enforcement.conftest import open_case, to_decided

pytestmark = pytest.mark.django_db


def days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


def xlsx(rows: list[dict], headers: list[str] | None = None) -> bytes:
    headers = headers or [*CASE_HEADERS, UNIT]
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for row in rows:
        ws.append([row.get(h) for h in headers])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def sheet(content: bytes) -> list[list]:
    ws = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    return [list(row) for row in ws.iter_rows(values_only=True)]


def row(enterprise, **overrides) -> dict:
    values = {
        "案件编号": None,
        "立案日期": days(-40),
        "统一社会信用代码": enterprise.uscc,
        "程序类型": "一般程序",
        "案由": "未按规定开展安全生产教育培训",
        "罚款金额（元）": None,
        "个人罚款金额（元）": None,
        "处罚决定日期": None,
        "措施": None,
        "结案日期": None,
        "来源检查行动编号": None,
    }
    values.update(overrides)
    return values


def run(user, content: bytes, **kwargs):
    return get_importer("cases").run(user=user, file=content, **kwargs)


def errors_at(result) -> dict[tuple[int, str], str]:
    return {(e.row, e.column): e.message for e in result.errors}


@pytest.fixture
def action_a(officer, district, enterprise_a):
    action = InspectionAction.objects.create(
        number="区应急管理局检〔2026〕9号",
        date=days(-45),
        organizer=district.dept_emergency,
        kind=InspectionKind.objects.get(code="supervision"),
        created_by=officer,
    )
    record = InspectionRecord.objects.create(action=action, enterprise=enterprise_a)
    return action, record


def test_good_file_imports_states_penalties_measures_and_numbers(
    officer, enterprise_a, enterprise_b, district, action_a
):
    action, record = action_a
    content = xlsx(
        [
            row(enterprise_a, 来源检查行动编号=action.number),
            row(
                enterprise_b,
                案件编号="旧案〔2025〕3号",
                程序类型="简易程序",
                **{"罚款金额（元）": "1500.50", "个人罚款金额（元）": 800, "处罚决定日期": days(-30)},
                措施="临时查封、责令三停",
                结案日期=days(-20),
            ),
            row(
                enterprise_a,
                **{"罚款金额（元）": 20000, "处罚决定日期": days(-10)},
                措施="停产整顿",
                办案单位="区住建局",
            ),
        ]
    )
    result = run(officer, content)
    assert result.errors == [] and result.created == 3
    first, old, third = Case.objects.order_by("pk")
    year = days(-40).year
    assert first.number == f"示范区案〔{year}〕1号" and first.state == CaseState.OPEN
    assert first.source == CaseSource.INSPECTION and first.source_record == record
    assert first.handling_unit == district.district  # 办案单位 blank: the district office
    assert first.deadline == days(-40) + dt.timedelta(days=90)
    assert (
        old.number == "旧案〔2025〕3号"
        and old.state == CaseState.CLOSED
        and old.procedure == CaseProcedure.SIMPLE
    )
    assert sorted((p.target, p.amount) for p in old.penalties.all()) == [
        (PenaltyTarget.PERSON, Decimal("800.00")),
        (PenaltyTarget.UNIT, Decimal("1500.50")),
    ]
    assert sorted(old.measures.values_list("kind", flat=True)) == [MeasureKind.SEAL, MeasureKind.THREE_STOPS]
    assert third.state == CaseState.DECIDED and third.handling_unit == district.dept_construction
    assert third.number == f"区住建局案〔{year}〕1号"
    assert third.measures.get().start_on == days(-10)
    assert all(c.events.filter(kind=CaseEventKind.IMPORTED).exists() for c in (first, old, third))
    assert Case.history.filter(history_user=officer).count() == 3


def test_every_error_is_reported_by_row_and_column_and_nothing_is_imported(officer, enterprise_a, district):
    open_case(officer, enterprise_a, district.district)
    taken = Case.objects.get().number
    content = xlsx(
        [
            row(enterprise_a),  # fine
            row(enterprise_a, 案件编号=taken),
            row(enterprise_a, 统一社会信用代码="91330102MA2XXXXXX0", 程序类型="普通程序"),
            row(enterprise_a, 立案日期="昨天", 案由=""),
            row(enterprise_a, **{"罚款金额（元）": "12.345"}),  # and no decision date
            row(enterprise_a, 措施="停产整顿、罚站", 结案日期=days(-1)),
            row(enterprise_a, 办案单位="区财政局", 来源检查行动编号="不存在的行动"),
            row(enterprise_a, **{"处罚决定日期": days(-50)}),  # before 立案
        ]
    )
    result = run(officer, content)
    at = errors_at(result)
    assert at[(3, "案件编号")] == "案件编号已存在"
    assert "未找到该统一社会信用代码" in at[(4, "统一社会信用代码")]
    assert "简易程序、一般程序" in at[(4, "程序类型")]
    assert "日期格式不正确" in at[(5, "立案日期")]
    assert at[(5, "案由")] == "不能为空"
    assert "两位小数" in at[(6, "罚款金额（元）")]
    assert "罚站" in at[(7, "措施")]
    assert "处罚决定日期" in at[(7, "处罚决定日期")]
    assert "区财政局" in at[(8, "办案单位")]
    assert "不存在的行动" in at[(8, "来源检查行动编号")]
    assert "不能早于立案日期" in at[(9, "处罚决定日期")]
    assert not any(r == 2 for r, _c in at)
    assert Case.objects.count() == 1 and not Penalty.objects.exists()


def test_fine_needs_a_decision_date(officer, enterprise_a):
    result = run(officer, xlsx([row(enterprise_a, **{"个人罚款金额（元）": 100})]))
    assert errors_at(result) == {(2, "处罚决定日期"): "填写罚款金额时须填写处罚决定日期"}


def test_without_the_unit_column_cases_go_to_the_district(officer, enterprise_a, district):
    result = run(officer, xlsx([row(enterprise_a)], headers=CASE_HEADERS))
    assert result.errors == []
    assert Case.objects.get().handling_unit == district.district


def test_a_department_imports_its_own_cases_only(emergency_user, enterprise_a, district):
    result = run(emergency_user, xlsx([row(enterprise_a)]))  # blank unit = the district: not its own
    assert "您不能导入" in errors_at(result)[(2, "统一社会信用代码")]
    result = run(emergency_user, xlsx([row(enterprise_a, 办案单位="区应急管理局")]))
    assert result.errors == [] and Case.objects.get().handling_unit == district.dept_emergency


def test_township_and_leader_may_not_import(township_a_user, leader):
    importer = get_importer("cases")
    assert not importer.allowed(township_a_user) and not importer.allowed(leader)


def test_command_imports_and_reports_errors(admin_user, enterprise_a, tmp_path):
    good = tmp_path / "good.xlsx"
    good.write_bytes(xlsx([row(enterprise_a), row(enterprise_a)]))
    out = io.StringIO()
    call_command("import_ledger", "cases", str(good), stdout=out)
    assert out.getvalue().strip() == "新增 2 条，更新 0 条"
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx([row(enterprise_a), row(enterprise_a, 程序类型="")]))
    err = io.StringIO()
    with pytest.raises(CommandError, match="未导入任何数据"):
        call_command("import_ledger", "cases", str(bad), stderr=err)
    assert err.getvalue().strip() == "第3行 [程序类型] 不能为空"
    assert Case.objects.count() == 2


# ---------------------------------------------------------------- export


def test_export_writes_the_ledger_and_reads_back(officer, enterprise_a, enterprise_b, district):
    case = open_case(officer, enterprise_a, district.district)
    to_decided(case, officer)
    services.measure_add(user=officer, case=case, kind=MeasureKind.SEAL, start_on=days(0))
    open_case(officer, enterprise_b, district.dept_construction)
    content = case_export(case_list(user=officer).order_by("pk"))
    rows = sheet(content)
    assert rows[0] == EXPORT_HEADERS
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["案件编号"] == case.number and first["统一社会信用代码"] == enterprise_a.uscc
    assert Decimal(str(first["罚款金额（元）"])) == Decimal("20000.00")
    assert Decimal(str(first["个人罚款金额（元）"])) == Decimal("5000.50")
    assert first["措施"] == "临时查封" and first["案件状态"] == "决定" and first["办案单位"] == "示范区"
    # The export's own columns are ignored on the way back in; its numbers are taken already.
    result = run(officer, content)
    assert {(e.column, e.message) for e in result.errors} == {("案件编号", "案件编号已存在")}


def test_export_is_scoped_and_queries_do_not_grow(
    officer, township_a_user, enterprise_a, enterprise_b, district
):
    for _i in range(3):
        open_case(officer, enterprise_a, district.district)
    open_case(officer, enterprise_b, district.district)
    rows = sheet(case_export(case_list(user=township_a_user)))
    assert len(rows) == 1 + 3
    with CaptureQueriesContext(connection) as few:
        case_export(case_list(user=officer))
    for _i in range(5):
        c = open_case(officer, enterprise_b, district.district)
        to_decided(c, officer)
    with CaptureQueriesContext(connection) as many:
        case_export(case_list(user=officer))
    assert len(many) == len(few) <= 4
    assert Measure.objects.count() == 0


def test_a_given_number_of_the_system_form_moves_the_series_on(officer, enterprise_a, district):
    year = days(-40).year
    result = run(officer, xlsx([row(enterprise_a, 案件编号=f"示范区案〔{year}〕5号"), row(enterprise_a)]))
    assert result.errors == []
    assert sorted(Case.objects.values_list("number", flat=True)) == [
        f"示范区案〔{year}〕5号",
        f"示范区案〔{year}〕6号",
    ]
    later = open_case(officer, enterprise_a, district.district, opened_on=days(-40))
    assert later.number == f"示范区案〔{year}〕7号"
