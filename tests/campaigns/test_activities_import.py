"""活动台账 import (kind "activities"): the issue's headers, all or nothing, errors by row and column
in Chinese, the command line, and the import page's template."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from campaigns.importers import ACTIVITY_HEADERS, ActivityImporter
from campaigns.models import Activity, ActivityQuantity
from core.imports import get_importer
from tests.factories import xlsx

pytestmark = pytest.mark.django_db

ISSUE_HEADERS = [
    "日期",
    "活动类型",
    "子类型",
    "主题",
    "组织单位",
    "场次",
    "参与人次",
    "横幅（条）",
    "宣传资料（份）",
    "展板（块）",
    "媒体报道（篇）",
    "备注",
]
DAY = dt.date.today() - dt.timedelta(days=5)


def row(**overrides) -> dict:
    values = {
        "日期": DAY.isoformat(),
        "活动类型": "宣传",
        "子类型": "安全生产月",
        "主题": "安全生产月咨询日",
        "组织单位": "东城街道",
        "场次": 2,
        "参与人次": 300,
        "横幅（条）": 20,
        "宣传资料（份）": 1500,
        "展板（块）": 10,
        "媒体报道（篇）": None,
        "备注": "",
    }
    values.update(overrides)
    return values


def run(user, rows, headers=ISSUE_HEADERS):
    return get_importer("activities").run(user=user, file=io.BytesIO(xlsx(headers, rows)))


def errors_at(result) -> dict[tuple[int, str], str]:
    return {(e.row, e.column): e.message for e in result.errors}


def test_the_template_has_the_issues_headers_exactly():
    assert ACTIVITY_HEADERS == ISSUE_HEADERS
    sheet = load_workbook(io.BytesIO(ActivityImporter().template())).active
    assert [c.value for c in next(sheet.iter_rows(max_row=1))] == ISSUE_HEADERS


def test_a_valid_file_imports_every_row_with_its_quantities(township_a_user, district):
    result = run(
        township_a_user,
        [
            row(),
            row(
                **{
                    "组织单位": "东城街道/东城社区",
                    "主题": "社区消防演练",
                    "活动类型": "演练",
                    "子类型": "消防疏散",
                    "场次": None,
                    "横幅（条）": None,
                    "宣传资料（份）": None,
                    "展板（块）": None,
                }
            ),
            row(
                **{"活动类型": "培训", "子类型": "主要负责人", "主题": "主要负责人培训", "媒体报道（篇）": 2}
            ),
        ],
    )
    assert result.ok, result.errors
    assert result.created == 3
    drill = Activity.objects.get(theme="社区消防演练")
    assert drill.organiser == district.community_a and drill.sessions == 1 and not drill.quantities.exists()
    amounts = {
        (q.activity.theme, q.unit.code): q.amount
        for q in ActivityQuantity.objects.select_related("activity", "unit")
    }
    assert amounts[("安全生产月咨询日", "banner")] == 20 and amounts[("主要负责人培训", "media")] == 2
    assert Activity.history.filter(history_user=township_a_user).count() == 3


def test_any_error_imports_nothing_and_names_the_row_and_column(township_a_user):
    result = run(
        township_a_user,
        [
            row(),
            row(**{"日期": "2026-13-45"}),
            row(**{"活动类型": "表彰"}),
            row(**{"子类型": "主要负责人"}),  # a training audience under 宣传
            row(**{"组织单位": "西山镇"}),  # township B: outside A's scope
            row(**{"横幅（条）": "二十", "参与人次": -3}),
            row(**{"主题": "", "组织单位": "不存在的街道"}),
            row(**{"日期": (dt.date.today() + dt.timedelta(days=3)).isoformat()}),
        ],
    )
    assert not result.ok and result.created == 0
    errors = errors_at(result)
    assert "日期格式不正确" in errors[(3, "日期")]
    assert "宣传、培训、演练、会议" in errors[(4, "活动类型")]
    assert "不是宣传的子类型" in errors[(5, "子类型")]
    assert "只能登记本单位" in errors[(6, "组织单位")]
    assert errors[(7, "横幅（条）")] == "应为整数"
    assert "之间的整数" in errors[(7, "参与人次")]
    assert errors[(8, "主题")] == "不能为空"
    assert "未找到单位" in errors[(8, "组织单位")]
    assert "不能晚于今天" in errors[(9, "日期")]
    assert not Activity.objects.exists()


def test_missing_required_column_is_reported_on_the_header_row(township_a_user):
    headers = [h for h in ISSUE_HEADERS if h != "组织单位"]
    result = run(township_a_user, [row()], headers=headers)
    assert (1, "组织单位") in errors_at(result)


def test_a_talk_row_needs_its_targets_and_reason(officer, district, enterprise_a):
    headers = [*ISSUE_HEADERS, "约谈对象", "约谈事由"]
    talk = {
        "活动类型": "会议",
        "子类型": "约谈",
        "组织单位": "示范区",
        "主题": "约谈会",
        "横幅（条）": None,
        "宣传资料（份）": None,
        "展板（块）": None,
    }
    result = run(officer, [row(**talk)], headers=headers)
    assert "约谈对象" in {c for _r, c in errors_at(result)}
    result = run(
        officer,
        [row(**talk, 约谈对象=f"东城街道、区住建局、{enterprise_a.uscc}", 约谈事由="隐患整改不力")],
        headers=headers,
    )
    assert result.ok, result.errors
    targets = Activity.objects.get().talk_targets.all()
    assert {(t.kind, t.org_unit_id or t.enterprise_id) for t in targets} == {
        ("township", district.township_a.pk),
        ("department", district.dept_construction.pk),
        ("enterprise", enterprise_a.pk),
    }


def test_leader_may_not_import(leader):
    result = run(leader, [row()])
    assert not result.ok and "导入权限" in result.errors[0].message


def test_the_export_imports_back(client, township_a_user, district):
    assert run(township_a_user, [row(), row(**{"主题": "第二场"})]).ok
    client.force_login(township_a_user)
    exported = client.get(reverse("campaigns:activity_export")).content
    Activity.objects.all().delete()
    result = get_importer("activities").run(user=township_a_user, file=io.BytesIO(exported))
    assert result.ok, result.errors
    assert Activity.objects.count() == 2


def test_command_imports_and_reports_errors(township_a_user, tmp_path):
    good = tmp_path / "good.xlsx"
    good.write_bytes(xlsx(ISSUE_HEADERS, [row(), row()]))
    out = io.StringIO()
    call_command("import_ledger", "activities", str(good), "--user", township_a_user.username, stdout=out)
    assert out.getvalue().strip() == "新增 2 条，更新 0 条"
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx(ISSUE_HEADERS, [row(**{"主题": "另一场"}), row(**{"活动类型": ""})]))
    err = io.StringIO()
    with pytest.raises(CommandError, match="发现 1 处错误，未导入任何数据"):
        call_command("import_ledger", "activities", str(bad), "--user", township_a_user.username, stderr=err)
    assert err.getvalue().strip() == "第3行 [活动类型] 不能为空"
    assert Activity.objects.count() == 2


def test_import_page_and_template_download(client, township_a_user, leader):
    client.force_login(township_a_user)
    assert client.get(reverse("core:import_upload", args=["activities"])).status_code == 200
    template = client.get(reverse("core:import_template", args=["activities"]))
    assert template.status_code == 200
    client.force_login(leader)
    assert client.get(reverse("core:import_upload", args=["activities"])).status_code == 403


def test_the_same_file_imported_twice_is_refused_the_second_time(township_a_user):
    assert run(township_a_user, [row(), row(**{"主题": "第二场"})]).ok
    again = run(township_a_user, [row(), row(**{"主题": "第三场"})])
    assert not again.ok and "已在台账中" in errors_at(again)[(2, "主题")]
    assert Activity.objects.count() == 2
