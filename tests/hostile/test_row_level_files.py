"""Hostile ledgers that open fine but hold rubbish: each ends as a row-level report (or one clear line)
in Chinese, never a crash, and nothing is imported. Then the bomb files end to end through the upload
page and its background job."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from accounts.importers import ENTERPRISE_HEADERS
from accounts.models import Enterprise
from core.imports import get_importer
from core.models import ImportJob
from hazards.importers import HAZARD_HEADERS
from hazards.models import Hazard
from tests.factories import enterprise_row, enterprise_xlsx, xlsx_upload

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def run(kind, user, content):
    return get_importer(kind).run(user=user, file=content)


def errors_at(result) -> dict[tuple[int, str], str]:
    return {(e.row, e.column): e.message for e in result.errors}


def workbook(headers, rows, *, merge: str | None = None) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for row in rows:
        ws.append([row.get(h) for h in headers] if isinstance(row, dict) else row)
    if merge:
        ws.merge_cells(merge)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_wrong_headers_name_every_missing_column(officer, district):
    result = run(
        "enterprises", officer, workbook(["名称", "地点", "单位名称", "单位名称"], [["甲", "乙", "丙", "丁"]])
    )

    assert errors_at(result) == {
        (1, "统一社会信用代码"): "缺少必填列「统一社会信用代码」",
        (1, "行业领域"): "缺少必填列「行业领域」",
        (1, "所属街道"): "缺少必填列「所属街道」",
        (1, "单位名称"): "表头「单位名称」出现了多次",
    }
    assert Enterprise.objects.count() == 0


def test_a_title_line_above_the_headers_is_reported_not_guessed(officer, district):
    content = workbook(
        ["东城街道生产经营单位名录（2026年）"], [ENTERPRISE_HEADERS, list(enterprise_row().values())]
    )

    result = run("enterprises", officer, content)

    assert (1, "统一社会信用代码") in errors_at(result)
    assert Enterprise.objects.count() == 0


def test_merged_cells_leave_the_rows_below_empty_and_say_so(officer, district):
    rows = [enterprise_row(), enterprise_row()]
    rows[1]["统一社会信用代码"] = None
    content = workbook(ENTERPRISE_HEADERS, rows, merge="A2:A3")

    result = run("enterprises", officer, content)

    assert errors_at(result)[(3, "统一社会信用代码")] == "不能为空"
    assert Enterprise.objects.count() == 0


def test_formulas_without_a_cached_value_are_empty_cells_not_a_crash(officer, district):
    """openpyxl (and many generators) write formulas with no cached result: read as empty."""
    row = enterprise_row(单位名称='=CONCAT("东城","机械")', 联系电话="=1/0")

    result = run("enterprises", officer, enterprise_xlsx([row]))

    assert errors_at(result) == {(2, "单位名称"): "不能为空"}
    assert Enterprise.objects.count() == 0


@pytest.mark.parametrize(
    "code, message",
    [
        ("91330102MA2B3C4D5X", "统一社会信用代码校验位错误"),
        ("12345", None),
        ("9133010!MA2B3C4D5", None),
        (91330102, None),
    ],
    ids=["check-digit", "short", "bad-character", "number"],
)
def test_bad_uscc_codes_are_row_errors(officer, district, code, message):
    result = run("enterprises", officer, enterprise_xlsx([enterprise_row(统一社会信用代码=code)]))

    errors = errors_at(result)
    assert list(errors) == [(2, "统一社会信用代码")]
    if message:
        assert errors[(2, "统一社会信用代码")] == message
    assert Enterprise.objects.count() == 0


def hazard_row(enterprise, **overrides) -> dict:
    row = {
        "发现日期": TODAY - dt.timedelta(days=3),
        "统一社会信用代码": enterprise.uscc,
        "隐患来源": "企业自查",
        "隐患等级": "一般",
        "隐患描述": "配电箱未接地",
        "整改期限": TODAY + dt.timedelta(days=20),
        "整改措施": "重新接地",
        "整改责任人": "张三",
        "整改状态": "待整改",
        "挂牌督办级别": "无",
    }
    row.update(overrides)
    return row


def test_dates_as_text_and_as_serial_numbers_are_read(officer, enterprise_a):
    found = TODAY - dt.timedelta(days=3)
    serial = (found - dt.date(1899, 12, 30)).days
    rows = [
        hazard_row(enterprise_a, 发现日期=f"{found.year}年{found.month}月{found.day}日"),
        hazard_row(enterprise_a, 发现日期=f"{found.year}/{found.month}/{found.day}"),
        hazard_row(enterprise_a, 发现日期=serial),
    ]

    result = run("hazards", officer, workbook(HAZARD_HEADERS, rows))

    assert result.ok, result.errors
    assert set(Hazard.objects.values_list("found_on", flat=True)) == {found}


def test_impossible_dates_are_row_errors(officer, enterprise_a):
    rows = [
        hazard_row(enterprise_a, 发现日期="昨天"),
        hazard_row(enterprise_a, 发现日期=TODAY + dt.timedelta(days=1)),
        hazard_row(enterprise_a, 发现日期=10**12),
        hazard_row(enterprise_a, 发现日期="2026-02-30"),
        hazard_row(enterprise_a, 整改期限=TODAY - dt.timedelta(days=30)),
        hazard_row(enterprise_a, 发现日期=-1),
        hazard_row(enterprise_a, 发现日期="1999-12-31"),
    ]

    result = run("hazards", officer, workbook(HAZARD_HEADERS, rows))

    errors = errors_at(result)
    assert errors[(3, "发现日期")] == "不能晚于今天"
    assert errors[(6, "整改期限")] == "整改期限不能早于发现日期"
    for row in (2, 4, 5, 7):
        assert (row, "发现日期") in errors, row
    assert errors[(8, "发现日期")] == "不能早于 2000 年"
    assert Hazard.objects.count() == 0


# ---------------------------------------------------------------- end to end through the job


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "name, message",
    [
        ("huge_shared_string", "文件解压后过大（单个部件超过 100 MB），请检查文件是否正确"),
        ("empty_rows", "文件压缩比异常（疑似压缩炸弹），请检查文件是否正确"),
        ("far_row", "工作表超过 200000 行（空行也计算在内），请删除多余的空行或分批导入"),
        ("renamed_script", "文件无法读取，请上传 .xlsx 格式的Excel文件"),
    ],
)
def test_a_hostile_upload_fails_its_job_with_one_clear_line(
    client, officer, district, hostile, name, message
):
    content = b"#!/bin/sh\necho pwned\n" if name == "renamed_script" else getattr(hostile, name).read_bytes()
    client.force_login(officer)

    response = client.post(
        reverse("core:import_upload", args=["enterprises"]), {"file": xlsx_upload(content)}
    )

    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert (job.status, job.errors) == (
        ImportJob.Status.FAILED,
        [{"row": 0, "column": "", "message": message}],
    )
    assert message in client.get(reverse("core:import_job", args=[job.pk])).content.decode()
    assert Enterprise.objects.count() == 0
