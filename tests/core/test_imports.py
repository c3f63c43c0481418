"""The import framework's contract (core.imports): the registry, the rule every sheet importer keeps
(check every row, report every problem by row and column, with any problem import nothing) and the
cell helpers importers read their columns with."""

from datetime import date, datetime
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import IntegrityError
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import OrgUnit
from core import imports
from core.imports import (
    ImportResult,
    RowError,
    SheetImporter,
    UnknownLedgerKind,
    cell_bool,
    cell_date,
    cell_decimal,
    cell_text,
    get_importer,
    importer_kinds,
    register_importer,
    report_saving,
    split_names,
)
from tests.core.probe import PROBE, ProbeImporter
from tests.factories import xlsx

# ---------------------------------------------------------------- the registry


def test_registry_lists_enterprises_and_refuses_unknown_kinds():
    assert ("enterprises", "生产经营单位") in importer_kinds()
    importer = get_importer("enterprises")
    assert importer.required == ["统一社会信用代码", "单位名称", "行业领域", "所属街道"]
    with pytest.raises(UnknownLedgerKind, match="enterprises"):
        get_importer("nonsense")


def test_a_registered_kind_is_found_with_its_label_in_registration_order(registry):
    register_importer(PROBE, ProbeImporter())

    assert importer_kinds()[-1] == (PROBE, "探针")
    assert isinstance(get_importer(PROBE), ProbeImporter)


def test_an_unknown_kind_is_a_lookup_error_naming_the_known_ones(registry):
    register_importer(PROBE, ProbeImporter())

    with pytest.raises(LookupError, match=f"未知的台账类型「x」，可用的有：.*{PROBE}（探针）"):
        get_importer("x")


def test_registering_a_kind_again_with_the_same_class_is_a_no_op_and_with_another_an_error(registry):
    class Other(ProbeImporter):
        pass

    register_importer(PROBE, ProbeImporter())
    register_importer(PROBE, ProbeImporter())  # ready() may run twice

    with pytest.raises(ImproperlyConfigured, match=PROBE):
        register_importer(PROBE, Other())
    assert type(get_importer(PROBE)) is ProbeImporter


def test_every_registered_importer_supplies_what_the_pages_need():
    for kind, label in importer_kinds():
        importer = get_importer(kind)
        assert label and importer.template_filename.endswith(".xlsx"), kind
        assert reverse(importer.list_url_name), kind
        assert set(importer.required) <= set(importer.headers), kind
        assert all(str(line) for line in importer.notes), kind


# ---------------------------------------------------------------- RowError, ImportResult


def test_row_error_reads_like_the_office_writes_it():
    assert str(RowError(5, "所属街道", "未找到")) == "第5行 [所属街道] 未找到"
    assert str(RowError(0, "", "文件无法读取")) == "文件无法读取"


def test_a_result_is_ok_only_without_errors():
    assert ImportResult(created=3).ok
    assert not ImportResult(errors=[RowError(0, "", "x")]).ok


# ---------------------------------------------------------------- the SheetImporter contract


class Numbers(SheetImporter):
    """编号 must be a whole number, unique in the file; 名称 may be blank. Saves into `saved`."""

    label = "编号表"
    sheet_title = "编号"
    template_filename = "编号导入模板.xlsx"
    list_url_name = "home"
    headers = ["编号", "名称"]
    required = ["编号"]
    extra_headers = ["备注"]
    key_header = "编号"
    example = {"编号": 1, "名称": "示例"}
    column_widths = {"名称": 30}

    def __init__(self, *, allowed: bool = True, fail: Exception | None = None) -> None:
        self._allowed = allowed
        self.fail = fail
        self.saved: list = []
        self.prepared: list = []
        self.progress: list = []

    def allowed(self, user) -> bool:
        return self._allowed

    def prepare(self, *, user, rows, present):
        self.prepared.append((len(rows), present))
        return {"user": user}

    def parse_row(self, *, row, values, context, errors):
        try:
            number = int(cell_decimal(values["编号"]))
        except ValueError:
            errors.add("编号", "应为数字")
            number = None
        if number is not None and number < 0:
            errors.add("编号", "不能为负数")
        if values.get("名称") == "坏":
            errors.add("名称", "不可用")
        return (number, values.get("名称"))

    def row_key(self, values):
        return cell_text(values.get("编号")) or None

    def save(self, *, user, items, context):
        report_saving(len(items), len(items))
        self.saved.extend(items)
        if self.fail is not None:
            raise self.fail
        return len(items), 0


def run(importer, content, **kwargs):
    return importer.run(user=None, file=content, **kwargs)


@pytest.mark.django_db
def test_a_clean_file_reaches_save_once_with_every_row():
    importer = Numbers()

    result = run(importer, xlsx(["名称", "编号", "备注"], [["甲", 1, "x"], ["乙", 2, None]]))

    assert (result.ok, result.created, result.updated) == (True, 2, 0)
    assert importer.saved == [(1, "甲"), (2, "乙")]
    assert importer.prepared == [(2, {"名称", "编号", "备注"})]


def test_every_error_of_every_row_is_reported_and_nothing_saved():
    importer = Numbers()
    rows = [[1, "甲"], ["x", "坏"], [-3, None], [4, "丁"]]

    result = run(importer, xlsx(["编号", "名称"], rows))

    assert result.errors == [
        RowError(3, "编号", "应为数字"),
        RowError(3, "名称", "不可用"),
        RowError(4, "编号", "不能为负数"),
    ]
    assert importer.saved == []


def test_a_key_repeated_in_the_file_names_the_first_row():
    result = run(Numbers(), xlsx(["编号"], [[1], [2], [1]]))

    assert result.errors == [RowError(4, "编号", "与第2行的编号重复")]


def test_missing_and_repeated_headers_are_reported_on_row_one_before_any_row_is_read():
    importer = Numbers()

    missing = run(importer, xlsx(["名称"], [["甲"]]))
    repeated = run(importer, xlsx(["编号", "名称", "名称", "其他", "其他"], [[1, "甲", "乙", 0, 0]]))

    assert missing.errors == [RowError(1, "编号", "缺少必填列「编号」")]
    assert repeated.errors == [RowError(1, "名称", "表头「名称」出现了多次")]  # unknown columns may repeat
    assert importer.prepared == []


def test_a_header_only_file_says_there_is_no_data():
    assert run(Numbers(), xlsx(["编号"])).errors == [RowError(0, "", "文件中没有数据行")]


def test_an_unreadable_file_is_one_error_for_the_file_as_a_whole():
    assert run(Numbers(), b"not a workbook").errors == [
        RowError(0, "", "文件无法读取，请上传 .xlsx 格式的Excel文件")
    ]


def test_a_user_the_importer_does_not_allow_gets_nothing_read():
    importer = Numbers(allowed=False)

    result = run(importer, xlsx(["编号"], [[1]]))

    assert result.errors == [RowError(0, "", "您没有导入权限")]
    assert importer.prepared == []


@pytest.mark.django_db
def test_a_dry_run_goes_through_the_real_save_and_rolls_it_back():
    class Units(Numbers):
        def save(self, *, user, items, context):
            OrgUnit.objects.bulk_create(OrgUnit(name=f"单位{n}", kind="street") for n, _name in items)
            return len(items), 0

    result = run(Units(), xlsx(["编号"], [[1], [2]]), dry_run=True)

    assert (result.created, result.updated) == (2, 0)
    assert not OrgUnit.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("failure", "errors"),
    [
        (ValidationError(["甲已被他人登记", "乙已停用"]), ["甲已被他人登记", "乙已停用"]),
        (PermissionDenied("您的账号已被停用"), ["您的账号已被停用"]),
        (PermissionDenied(), ["您没有导入权限"]),
        (IntegrityError("duplicate key"), ["数据在导入期间被他人修改，请重新导入"]),
    ],
)
def test_a_refusal_while_saving_becomes_errors_of_the_file_and_nothing_is_kept(failure, errors):
    result = run(Numbers(fail=failure), xlsx(["编号"], [[1]]))

    assert result.errors == [RowError(0, "", m) for m in errors]
    assert (result.created, result.updated) == (0, 0)


@pytest.mark.django_db
def test_progress_reports_checking_then_saving_including_the_saves_own_steps(monkeypatch):
    monkeypatch.setattr(imports, "PROGRESS_EVERY", 2)
    seen = []

    run(Numbers(), xlsx(["编号"], [[i] for i in range(5)]), progress=lambda *step: seen.append(step))

    assert seen == [
        ("validating", 0, 5),
        ("validating", 2, 5),
        ("validating", 4, 5),
        ("saving", 0, 5),
        ("saving", 5, 5),  # report_saving() from inside save()
    ]


def test_report_saving_outside_an_import_does_nothing():
    report_saving(1, 2)  # no progress listener: no error


def test_the_template_has_the_headers_and_the_example_row():
    ws = load_workbook(BytesIO(Numbers().template())).active

    assert ws.title == "编号"
    assert [[c.value for c in row] for row in ws.iter_rows()] == [["编号", "名称"], [1, "示例"]]
    assert ws.column_dimensions["B"].width == 30


def test_an_importer_that_does_not_say_who_may_import_refuses_to_run():
    class Careless(SheetImporter):
        headers = required = ["编号"]

    with pytest.raises(NotImplementedError):
        Careless().run(user=None, file=xlsx(["编号"], [[1]]))


# ---------------------------------------------------------------- cell helpers


@pytest.mark.parametrize(
    ("value", "text"),
    [(None, ""), (13800000000.0, "13800000000"), (1.5, "1.5"), (42, "42"), ("  甲 ", "甲")],
)
def test_cell_text_turns_typed_digits_back_into_text(value, text):
    assert cell_text(value) == text


@pytest.mark.parametrize(
    ("value", "number"), [(3, Decimal(3)), (" 1.25 ", Decimal("1.25")), (0.5, Decimal("0.5"))]
)
def test_cell_decimal_reads_numbers_and_numeric_text(value, number):
    assert cell_decimal(value) == number


@pytest.mark.parametrize("value", [True, "北纬30", "", "NaN", "Infinity", None])
def test_cell_decimal_refuses_what_is_not_a_finite_number(value):
    with pytest.raises(ValueError):
        cell_decimal(value)


@pytest.mark.parametrize(
    "value",
    [
        datetime(2024, 5, 1, 9, 30),
        date(2024, 5, 1),
        45413,  # the serial number of a date typed into a General cell
        "2024-05-01",
        "2024/5/1",
        "2024.05.01",
        "2024年5月1日",
        "20240501",
    ],
)
def test_cell_date_reads_the_ways_a_date_is_written(value):
    assert cell_date(value) == date(2024, 5, 1)


@pytest.mark.parametrize("value", ["下周一", "2024-13-01", True, 0, None])
def test_cell_date_refuses_what_is_not_a_date(value):
    with pytest.raises(ValueError):
        cell_date(value)


@pytest.mark.parametrize(
    ("value", "flag"),
    [
        ("是", True),
        ("y", True),
        (1, True),
        ("√", True),
        ("否", False),
        ("FALSE", False),
        (0.0, False),
        (False, False),
    ],
)
def test_cell_bool_reads_yes_and_no(value, flag):
    assert cell_bool(value) is flag


def test_cell_bool_refuses_anything_else():
    with pytest.raises(ValueError):
        cell_bool("有")


def test_split_names_takes_every_separator_and_drops_blanks_and_repeats():
    assert split_names("工贸、机械，消防;工贸；  ,") == ["工贸", "机械", "消防"]
    assert split_names(None) == []
