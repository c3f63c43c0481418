"""The hazard ledger in and out of Excel: the office's export layout (scoped, filtered, constant queries)
and the import — every error by row and column with nothing imported, all or nothing, the command."""

import datetime as dt
import io
import os
import subprocess
import sys
from decimal import Decimal
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from core.imports import get_importer
from core.models import ImportJob
from hazards import selectors, services
from hazards.choices import EventKind, HazardLevel, HazardSource, HazardState, ListingLevel
from hazards.excel import EXPORT_HEADERS, hazard_export
from hazards.importers import HAZARD_EXTRA_HEADERS, HAZARD_HEADERS
from hazards.models import Hazard
from inspections.models import InspectionAction, InspectionKind, InspectionRecord
from tests.factories import EnterpriseFactory, make_uscc
from tests.hazards.conftest import hazard_data

pytestmark = pytest.mark.django_db

FOUND_DAYS_AGO = 12  # every row is found on the same day, so generated numbers share one year's series


def today() -> dt.date:
    # Not a module constant: a run that crosses midnight (Asia/Shanghai) must not see two "todays".
    return timezone.localdate()


def found_year() -> int:
    return days(-FOUND_DAYS_AGO).year


ALL_HEADERS = [*HAZARD_HEADERS, *HAZARD_EXTRA_HEADERS]


def days(n: int) -> dt.date:
    return today() + dt.timedelta(days=n)


def sheet(content: bytes) -> list[list]:
    ws = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    return [list(row) for row in ws.iter_rows(values_only=True)]


def xlsx(rows: list[dict], headers: list[str] | None = None) -> bytes:
    headers = headers or ALL_HEADERS
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for row in rows:
        ws.append([row.get(h) for h in headers])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def good_row(enterprise, **overrides) -> dict:
    row = {
        "隐患编号": None,
        "发现日期": days(-FOUND_DAYS_AGO),
        "统一社会信用代码": enterprise.uscc,
        "隐患来源": "企业自查",
        "隐患等级": "一般",
        "隐患描述": "配电箱未接地",
        "整改期限": days(20),
        "整改措施": "重新接地",
        "整改责任人": "张三",
        "整改状态": "待整改",
        "挂牌督办级别": "无",
    }
    row.update(overrides)
    return row


def major_row(enterprise, **overrides) -> dict:
    return good_row(enterprise, 隐患等级="重大", 整改措施="停用并更换", 整改责任人="王厂长", **overrides)


def run(user, content: bytes, **kwargs):
    return get_importer("hazards").run(user=user, file=content, **kwargs)


def errors_at(result) -> dict[tuple[int, str], str]:
    return {(e.row, e.column): e.message for e in result.errors}


@pytest.fixture
def action_a(officer, district, enterprise_a):
    """An inspection action (with its number) that visited enterprise A only."""
    action = InspectionAction.objects.create(
        number="区应急管理局检〔2026〕7号",
        date=days(-12),
        organizer=district.dept_emergency,
        kind=InspectionKind.objects.get(code="supervision"),
        created_by=officer,
    )
    InspectionRecord.objects.create(action=action, enterprise=enterprise_a)
    return action


# ---------------------------------------------------------------- export


def test_export_writes_the_office_layout(client, officer, enterprise_a, district):
    general = services.hazard_create(user=officer, data=hazard_data(enterprise_a, measures="重新接地"))
    major = services.hazard_create(user=officer, data=hazard_data(enterprise_a, level=HazardLevel.MAJOR))
    services.listing_create(
        user=officer,
        hazard=major,
        level=ListingLevel.DISTRICT,
        listed_on=today(),
        leader="李区长",
        document="",
    )
    client.force_login(officer)

    response = client.get(reverse("hazards:hazard_export"))

    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    rows = sheet(response.content)
    assert rows[0] == EXPORT_HEADERS
    by_number = {row[1]: row for row in rows[1:]}
    assert [row[0] for row in rows[1:]] == [1, 2]
    row = dict(zip(EXPORT_HEADERS, by_number[general.number], strict=True))
    assert row["单位名称"] == "东城机械厂" and row["统一社会信用代码"] == enterprise_a.uscc
    assert row["所属街道"] == "东城街道" and row["行业领域"] == "机械"
    assert (row["隐患来源"], row["隐患等级"], row["整改状态"]) == ("企业自查", "一般", "待整改")
    assert row["隐患描述"] == "配电箱未接地" and row["整改措施"] == "重新接地"
    assert row["发现日期"].date() == general.found_on and row["整改期限"].date() == general.deadline
    assert row["销号日期"] is None and row["挂牌督办级别"] == "无"
    major_row_ = dict(zip(EXPORT_HEADERS, by_number[major.number], strict=True))
    assert (major_row_["隐患等级"], major_row_["挂牌督办级别"], major_row_["整改责任人"]) == (
        "重大",
        "区级",
        "王厂长",
    )


def test_export_is_scoped_and_follows_the_list_filters(client, township_a_user, hazard_a, hazard_b, officer):
    client.force_login(township_a_user)
    numbers = [row[1] for row in sheet(client.get(reverse("hazards:hazard_export")).content)[1:]]
    assert numbers == [hazard_a.number]  # township B's hazard is not in A's export

    # A filter naming township B (outside A's scope) matches nothing rather than being dropped.
    url = reverse("hazards:hazard_export") + f"?township={hazard_b.township_id}"
    assert sheet(client.get(url).content)[1:] == []

    client.force_login(officer)
    url = reverse("hazards:hazard_export") + f"?township={hazard_b.township_id}"
    assert [row[1] for row in sheet(client.get(url).content)[1:]] == [hazard_b.number]
    url = reverse("hazards:hazard_export") + "?level=major"
    assert sheet(client.get(url).content)[1:] == []


def test_export_needs_a_login(client):
    response = client.get(reverse("hazards:hazard_export"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_export_queries_do_not_grow_with_the_rows(officer, enterprise_a, enterprise_b):
    services.hazard_create(user=officer, data=hazard_data(enterprise_a))

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            hazard_export(selectors.hazard_list(user=officer))
        return len(captured)

    few = queries()
    for enterprise in (enterprise_a, enterprise_b) * 4:
        services.hazard_create(user=officer, data=hazard_data(enterprise))
    assert queries() == few <= 3


# ---------------------------------------------------------------- import: a good file


def test_good_file_imports_with_numbers_places_timeline_and_history(
    officer, enterprise_a, district, action_a
):
    content = xlsx(
        [
            good_row(enterprise_a),
            major_row(
                enterprise_a,
                隐患编号="DC-2023-001",
                整改状态="已销号",
                销号日期=days(-2),
                挂牌督办级别="区级",
                挂牌日期=days(-9),
                督办领导="李区长",
                督办文号="区安委办〔2026〕3号",
                **{"整改资金（万元）": 12.5, "应急预案": "现场处置方案", "隐患类别": "用电安全"},
            ),
            good_row(
                enterprise_a,
                检查行动编号=action_a.number,
                隐患来源="检查发现",
                整改状态="整改中",
                发现日期=days(-12),
                整改期限=days(-1),
            ),
            major_row(enterprise_a, 整改状态="待复查"),
        ]
    )

    result = run(officer, content)

    assert result.ok, result.errors
    assert (result.created, result.updated) == (4, 0)
    year = found_year()
    generated = sorted(Hazard.objects.exclude(number="DC-2023-001").values_list("number", flat=True))
    assert generated == [f"YH{year}00001", f"YH{year}00002", f"YH{year}00003"]

    first = Hazard.objects.get(number=f"YH{year}00001")
    assert (first.township, first.jurisdiction) == (district.township_a, district.community_a)
    assert first.responsible_unit == district.township_a  # 属地管理
    assert set(first.sectors.values_list("code", flat=True)) == {"machinery"}
    assert (first.state, first.source, first.created_by) == (
        HazardState.OPEN,
        HazardSource.SELF_REPORT,
        officer,
    )
    assert [e.kind for e in first.events.all()] == [EventKind.CREATED]

    closed = Hazard.objects.get(number="DC-2023-001")
    assert (closed.state, closed.closed_on, closed.level) == (HazardState.CLOSED, days(-2), HazardLevel.MAJOR)
    assert (closed.listing_level, closed.listed_on, closed.listing_leader) == ("district", days(-9), "李区长")
    assert closed.funds == Decimal("12.50") and closed.contingency_plan == "现场处置方案"
    assert closed.category.name == "用电安全"
    assert [(e.kind, e.from_state, e.to_state) for e in closed.events.all()] == [
        (EventKind.CREATED, "", ""),
        (EventKind.TRANSITION, HazardState.OPEN, HazardState.CLOSED),
        (EventKind.LISTED, "", ""),
    ]
    assert "五落实待补充" not in closed.events.first().note

    linked = Hazard.objects.get(inspection_record__isnull=False)
    assert linked.inspection_record == action_a.records.get()
    assert linked.state == HazardState.RECTIFYING
    assert linked.is_overdue and linked.overdue_since == today()  # deadline was yesterday

    incomplete = Hazard.objects.get(state=HazardState.VERIFYING)
    assert "五落实待补充：整改资金、应急预案" in incomplete.events.get(kind=EventKind.CREATED).note

    assert Hazard.history.filter(history_user=officer, history_type="+").count() == 4
    assert first.history.get().sectors.count() == 1


def test_given_number_of_the_system_form_moves_the_series_on(officer, enterprise_a):
    year = found_year()
    result = run(officer, xlsx([good_row(enterprise_a, 隐患编号=f"YH{year}00007"), good_row(enterprise_a)]))

    assert result.ok, result.errors
    assert set(Hazard.objects.values_list("number", flat=True)) == {f"YH{year}00007", f"YH{year}00008"}
    later = services.hazard_create(
        user=officer, data=hazard_data(enterprise_a, found_days_ago=FOUND_DAYS_AGO)
    )
    assert later.number == f"YH{year}00009"


def test_dry_run_checks_and_writes_nothing(officer, enterprise_a):
    result = run(officer, xlsx([good_row(enterprise_a)]), dry_run=True)
    assert result.ok and result.created == 1
    assert not Hazard.objects.exists()


def test_progress_is_reported_while_checking_and_saving(officer, enterprise_a):
    seen = []
    run(officer, xlsx([good_row(enterprise_a)] * 3), progress=lambda *step: seen.append(step))
    assert seen == [("validating", 0, 3), ("saving", 0, 3), ("saving", 3, 3)]


# ---------------------------------------------------------------- import: errors, nothing imported


def test_every_error_is_reported_by_row_and_column_and_nothing_is_imported(
    officer, township_a_user, enterprise_a, enterprise_b, hazard_a, action_a
):
    other = EnterpriseFactory(jurisdiction=enterprise_a.jurisdiction)  # not visited by action_a
    rows = [
        good_row(enterprise_a),  # row 2: fine, but nothing may be imported
        good_row(enterprise_a, 统一社会信用代码=make_uscc()),  # 3: not registered
        good_row(enterprise_b),  # 4: township B's enterprise
        good_row(enterprise_a, 发现日期="2026-13-45", 整改期限=None),  # 5
        good_row(enterprise_a, 发现日期=days(1), 整改期限=days(5)),  # 6: found tomorrow
        good_row(enterprise_a, 整改期限=days(-13)),  # 7: deadline before found
        good_row(enterprise_a, 隐患来源="上级交办", 隐患等级="较大", 整改状态="作废"),  # 8
        good_row(enterprise_a, 整改状态="已销号"),  # 9: no 销号日期
        good_row(enterprise_a, 销号日期=days(-1)),  # 10: 销号日期 while 待整改
        good_row(enterprise_a, 挂牌督办级别="区级", 挂牌日期=days(-1)),  # 11: 一般 listed
        major_row(enterprise_a, 挂牌督办级别="市级"),  # 12: listed without date
        good_row(enterprise_a, 隐患等级="重大", 整改措施="", 整改责任人=None),  # 13: 五落实
        good_row(enterprise_a, 检查行动编号="不存在的编号", 隐患来源="检查发现"),  # 14
        good_row(other, 检查行动编号=action_a.number, 隐患来源="检查发现"),  # 15: no record for it
        good_row(enterprise_a, 检查行动编号=action_a.number),  # 16: source must be 检查发现
        good_row(enterprise_a, 隐患编号=hazard_a.number),  # 17: number exists
        good_row(enterprise_a, 隐患编号="DC-1"),  # 18
        good_row(enterprise_a, 隐患编号="DC-1"),  # 19: repeated in the file
        good_row(enterprise_a, **{"整改资金（万元）": "十万", "隐患类别": "天气"}),  # 20
        good_row(enterprise_a, 隐患描述=None),  # 21
    ]

    result = run(township_a_user, xlsx(rows))

    found = errors_at(result)
    expected = {
        (3, "统一社会信用代码"): "未找到该统一社会信用代码的生产经营单位，请先登记该单位",
        (4, "统一社会信用代码"): "该单位不在您的管辖范围内",
        (5, "发现日期"): "日期格式不正确，应如 2026-03-01",
        (5, "整改期限"): "不能为空",
        (6, "发现日期"): "不能晚于今天",
        (7, "整改期限"): "整改期限不能早于发现日期",
        (8, "隐患来源"): "应为以下之一：检查发现、企业自查、专家查隐患、线上巡查、群众举报、其他",
        (8, "隐患等级"): "应为以下之一：一般、重大",
        (8, "整改状态"): "应为以下之一：待整改、整改中、待复查、已销号",
        (9, "销号日期"): "整改状态为“已销号”时须填写销号日期",
        (10, "销号日期"): "只有“已销号”的隐患填写销号日期",
        (11, "挂牌督办级别"): "只有重大隐患可以挂牌督办",
        (12, "挂牌日期"): "挂牌督办须填写挂牌日期",
        (13, "整改措施"): "重大隐患须填写整改措施（五落实）",
        (13, "整改责任人"): "重大隐患须填写整改责任人（五落实）",
        (14, "检查行动编号"): "未找到检查行动「不存在的编号」",
        (15, "检查行动编号"): f"检查行动「{action_a.number}」中没有该单位的检查记录",
        (16, "隐患来源"): "填写了检查行动编号时，隐患来源应为“检查发现”",
        (17, "隐患编号"): "隐患编号已存在",
        (19, "隐患编号"): "与第18行的隐患编号重复",
        (20, "整改资金（万元）"): "应为数字（万元）",
        (21, "隐患描述"): "不能为空",
    }
    assert found == {**expected, (20, "隐患类别"): found.get((20, "隐患类别"))}
    assert found[(20, "隐患类别")].startswith("应为以下之一：基础管理")
    assert Hazard.objects.count() == 1  # only the fixture's hazard_a
    assert str(result.errors[0]).startswith("第3行 [统一社会信用代码]")


def test_missing_required_columns_are_reported_on_the_header_row(officer, enterprise_a):
    result = run(
        officer, xlsx([good_row(enterprise_a)], headers=["隐患编号", "统一社会信用代码", "隐患描述"])
    )
    assert {(e.row, e.column) for e in result.errors} == {
        (1, h) for h in ("发现日期", "隐患来源", "隐患等级", "整改期限", "整改状态")
    }
    assert not Hazard.objects.exists()


def test_reimporting_the_same_numbers_is_refused(officer, enterprise_a):
    content = xlsx([good_row(enterprise_a, 隐患编号="DC-1"), good_row(enterprise_a, 隐患编号="DC-2")])
    assert run(officer, content).ok

    again = run(officer, content)

    assert errors_at(again) == {(2, "隐患编号"): "隐患编号已存在", (3, "隐患编号"): "隐患编号已存在"}
    assert Hazard.objects.count() == 2


def test_leader_cannot_import(client, leader, enterprise_a):
    result = run(leader, xlsx([good_row(enterprise_a)]))
    assert [e.message for e in result.errors] == ["您没有导入权限"]
    client.force_login(leader)
    assert client.get(reverse("core:import_upload", args=["hazards"])).status_code == 403
    assert not Hazard.objects.exists()


def test_template_has_the_headers_and_its_example_row_is_not_imported(client, officer, district):
    client.force_login(officer)
    response = client.get(reverse("core:import_template", args=["hazards"]))
    rows = sheet(response.content)
    assert rows[0] == HAZARD_HEADERS
    result = run(officer, response.content)
    assert not result.ok and (2, "统一社会信用代码") in errors_at(result)


# ---------------------------------------------------------------- manage.py import_ledger hazards


def test_command_imports_and_reports_errors(admin_user, enterprise_a, tmp_path):
    good = tmp_path / "good.xlsx"
    good.write_bytes(xlsx([good_row(enterprise_a), good_row(enterprise_a)]))
    out = io.StringIO()
    call_command("import_ledger", "hazards", str(good), stdout=out)
    assert out.getvalue().strip() == "新增 2 条，更新 0 条"
    assert Hazard.history.filter(history_user=admin_user).count() == 2

    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx([good_row(enterprise_a), good_row(enterprise_a, 整改状态="已销号")]))
    err = io.StringIO()
    with pytest.raises(CommandError, match="发现 1 处错误，未导入任何数据"):
        call_command("import_ledger", "hazards", str(bad), stderr=err)
    assert err.getvalue().strip() == "第3行 [销号日期] 整改状态为“已销号”时须填写销号日期"
    assert Hazard.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_command_exit_code(sectors, admin_user, enterprise_a, tmp_path):
    """The real command line, in its own process on the test database: 0 on success, 1 on any error."""
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx([good_row(enterprise_a, 隐患等级="一般", 挂牌督办级别="区级", 挂牌日期=today())]))
    good = tmp_path / "good.xlsx"
    good.write_bytes(xlsx([good_row(enterprise_a)]))

    def command(path) -> subprocess.CompletedProcess:
        db = connection.settings_dict
        login = quote(db["USER"]) + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
        url = f"postgres://{login}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        env = {**os.environ, "DATABASE_URL": url, "TESTING": "true"}
        return subprocess.run(
            [sys.executable, "manage.py", "import_ledger", "hazards", str(path)],
            cwd=settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    failed = command(bad)
    assert failed.returncode == 1, failed.stderr
    assert "第2行 [挂牌督办级别] 只有重大隐患可以挂牌督办" in failed.stderr
    assert not Hazard.objects.exists()
    done = command(good)
    assert done.returncode == 0, done.stderr
    assert "新增 1 条" in done.stdout and Hazard.objects.count() == 1


# ---------------------------------------------------------------- the upload page and its job (inline)


def upload(content: bytes, name="台账.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def test_upload_runs_the_job_and_shows_the_counts(
    client, township_a_user, township_b_user, enterprise_a, django_capture_on_commit_callbacks
):
    client.force_login(township_a_user)
    assert client.get(reverse("core:import_upload", args=["hazards"])).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("core:import_upload", args=["hazards"]), {"file": upload(xlsx([good_row(enterprise_a)]))}
        )

    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("core:import_job", args=[job.pk])
    assert (job.kind, job.user, job.status, job.created_rows, job.filename) == (
        "hazards",
        township_a_user,
        ImportJob.Status.DONE,
        1,
        "台账.xlsx",
    )
    assert (job.total, job.done, job.percent) == (1, 1, 100) and job.finished is not None
    page = client.get(response["Location"])
    assert "导入完成：新增 1 条" in page.content.decode()
    status = client.get(reverse("core:import_job_status", args=[job.pk])).json()
    assert status["finished"] and status["status"] == "done" and status["created"] == 1

    # Another user's job does not exist for them, whatever their role.
    client.force_login(township_b_user)
    assert client.get(response["Location"]).status_code == 404
    assert client.get(reverse("core:import_job_status", args=[job.pk])).status_code == 404
    assert client.get(reverse("core:import_job_errors", args=[job.pk])).status_code == 404


def test_upload_with_errors_shows_them_by_row_and_column(
    client, officer, enterprise_a, django_capture_on_commit_callbacks
):
    client.force_login(officer)
    content = xlsx(
        [
            good_row(enterprise_a),
            good_row(enterprise_a, 隐患等级="一般", 挂牌督办级别="省级", 挂牌日期=today()),
        ]
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("core:import_upload", args=["hazards"]), {"file": upload(content)})

    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED
    assert job.errors == [{"row": 3, "column": "挂牌督办级别", "message": "只有重大隐患可以挂牌督办"}]
    html = client.get(response["Location"]).content.decode()
    assert "共 1 处错误，未导入任何数据" in html and "第3行" in html and "只有重大隐患可以挂牌督办" in html
    assert not Hazard.objects.exists()
    errors = sheet(client.get(reverse("core:import_job_errors", args=[job.pk])).content)
    assert errors == [["行号", "列", "原因"], [3, "挂牌督办级别", "只有重大隐患可以挂牌督办"]]


def test_upload_refuses_what_is_not_xlsx(client, officer, district):
    client.force_login(officer)
    response = client.post(
        reverse("core:import_upload", args=["hazards"]), {"file": upload(b"a,b", name="台账.csv")}
    )
    assert response.status_code == 200 and "请上传 .xlsx 格式的 Excel 文件" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_a_file_that_is_not_a_workbook_fails_the_job_with_a_message(
    client, officer, district, django_capture_on_commit_callbacks
):
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("core:import_upload", args=["hazards"]), {"file": upload(b"not a zip")})
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED
    assert job.errors == [{"row": 0, "column": "", "message": "文件无法读取，请上传 .xlsx 格式的Excel文件"}]


def test_list_page_has_the_excel_buttons(client, officer, leader, district):
    client.force_login(officer)
    html = client.get(reverse("hazards:hazard_list") + "?level=major").content.decode()
    assert reverse("hazards:hazard_export") + "?level=major" in html
    assert reverse("core:import_upload", args=["hazards"]) in html
    client.force_login(leader)
    html = client.get(reverse("hazards:hazard_list")).content.decode()
    assert (
        reverse("hazards:hazard_export") in html
        and reverse("core:import_upload", args=["hazards"]) not in html
    )


# ---------------------------------------------------------------- odd files


def xlsx_rows(rows: list[list]) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_import_of_odd_files_reports_and_imports_nothing(officer, district):
    importer = get_importer("hazards")
    cases = {
        "not a workbook": b"PK\x03\x04 not really a zip",
        "no header row": xlsx_rows([]),
        "headers only on the second row": xlsx_rows([[], HAZARD_HEADERS, ["x"] * len(HAZARD_HEADERS)]),
        "10 000 blank rows": xlsx_rows([HAZARD_HEADERS] + [[None] * len(HAZARD_HEADERS)] * 10_000),
    }
    for case, content in cases.items():
        result = importer.run(user=officer, file=content)
        assert result.errors, case
        assert all(str(e.message) for e in result.errors), case
    assert not Hazard.objects.exists()


def test_upload_of_an_empty_or_missing_file_is_a_form_error(client, officer, district):
    client.force_login(officer)
    url = reverse("core:import_upload", args=["hazards"])
    assert client.post(url, {}).status_code == 200
    assert client.post(url, {"file": SimpleUploadedFile("a.xlsx", b"")}).status_code == 200
    assert not ImportJob.objects.exists()
