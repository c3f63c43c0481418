"""Importing the inspection ledger: rows of one 检查行动编号 form one action, every problem is reported by
row and column with nothing imported, and a second import of the same file adds nothing."""

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from accounts.choices import Role
from core.imports import ImportResult, get_importer
from core.models import ImportJob
from inspections.importers import HEADERS
from inspections.models import InspectionAction, InspectionKind, InspectionRecord
from inspections.services import ImportedAction, action_import_many
from tests.campaigns.campaign_world import make_campaign
from tests.factories import EnterpriseFactory, UserFactory, make_uscc

pytestmark = pytest.mark.django_db

DAY = timezone.localdate() - dt.timedelta(days=20)


@pytest.fixture
def firm(district, sectors):
    return EnterpriseFactory(
        name="东城化工厂", jurisdiction=district.township_a, sectors=[sectors["hazchem"]]
    )


def xlsx(rows: list[dict], headers: list[str] | None = None) -> bytes:
    headers = headers or HEADERS
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for row in rows:
        ws.append([row.get(h) for h in headers])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def row(enterprise, **overrides) -> dict:
    values = {
        "检查行动编号": "应急检〔2026〕101号",
        "检查日期": DAY,
        "统一社会信用代码": enterprise.uscc,
        "检查类型": "专项检查",
        "检查单位": "区应急管理局",
        "检查人员": "王检查、李执法",
        "是否领导带队": "否",
    }
    values.update(overrides)
    return values


def run(user, content: bytes, **kwargs) -> ImportResult:
    return get_importer("inspections").run(user=user, file=content, **kwargs)


def where(result: ImportResult) -> set[tuple[int, str]]:
    return {(e.row, e.column) for e in result.errors}


def message(result: ImportResult, row: int, column: str) -> str:
    return " ".join(e.message for e in result.errors if (e.row, e.column) == (row, column))


# ---------------------------------------------------------------- a good file


def test_rows_sharing_a_number_form_one_action_with_a_record_each(
    officer, team, enterprise_a, firm, district
):
    campaign = make_campaign(
        officer, district.dept_emergency, name="危化品专项整治", start=DAY, end=DAY + dt.timedelta(days=60)
    )
    content = xlsx(
        [
            row(
                enterprise_a,
                检查人员="王检查、李执法、张专家",
                备注="有限空间未审批",
                专项行动="危化品专项整治",
            ),
            row(firm, 检查人员="李执法，王检查；张专家", 专项行动="危化品专项整治"),
            row(enterprise_a, 检查行动编号=None, 检查类型="暗访", 检查人员="王检查", 专项行动=None),
        ]
    )

    result = run(officer, content)

    assert result.ok, result.errors
    assert (result.created, result.updated) == (3, 0)
    action = InspectionAction.objects.get(number="应急检〔2026〕101号")
    assert action.date == DAY and action.organizer.name == "区应急管理局"
    assert set(action.members.all()) == set(team)
    assert action.experts == "张专家"
    assert action.person_count == 3  # two inspectors and one outside person: 3 人次
    # 专项行动 links the action to the campaign (it no longer goes into 备注).
    assert action.campaign == campaign and action.note == ""
    records = list(action.records.order_by("pk"))
    assert [r.enterprise for r in records] == [enterprise_a, firm]
    assert records[0].note == "有限空间未审批"
    year = DAY.year
    assert [r.number for r in records] == [f"区应急管理局现检〔{year}〕1号", f"区应急管理局现检〔{year}〕2号"]
    # A blank 检查行动编号 is an action of its own, numbered by the system.
    single = InspectionAction.objects.exclude(pk=action.pk).get()
    assert single.number == f"区应急管理局检〔{year}〕1号"
    assert single.person_count == 1 and single.kind.name == "暗访"
    assert single.records.get().number == f"区应急管理局现检〔{year}〕3号"
    # History says who imported, as a form would.
    assert action.history.get().history_user == officer
    assert {h.user_id for h in action.history.get().members.all()} == {m.pk for m in team}
    assert InspectionRecord.history.filter(history_user=officer).count() == 3


def test_leader_led_rows_keep_the_leader(officer, team, enterprise_a):
    result = run(officer, xlsx([row(enterprise_a, 是否领导带队="是", 带队领导="陈区长")]))

    assert result.ok, result.errors
    action = InspectionAction.objects.get()
    assert action.is_leader_led and action.leader_name == "陈区长" and action.leader_level == ""


def test_reimporting_the_same_file_adds_nothing_and_a_new_row_is_added_to_its_action(
    officer, team, enterprise_a, firm
):
    first = xlsx([row(enterprise_a)])
    assert run(officer, first).created == 1

    again = run(officer, first)
    assert again.ok and (again.created, again.updated) == (0, 0)
    assert InspectionRecord.objects.count() == 1

    grown = run(officer, xlsx([row(enterprise_a), row(firm)]))
    assert grown.ok and (grown.created, grown.updated) == (0, 1)
    action = InspectionAction.objects.get()
    assert action.records.count() == 2 and action.person_count == 2
    assert action.records.get(enterprise=firm).number.endswith(f"现检〔{DAY.year}〕2号")


def test_a_reimport_that_changes_an_imported_action_is_refused(officer, team, enterprise_a, firm):
    run(officer, xlsx([row(enterprise_a)]))

    result = run(officer, xlsx([row(firm, 检查人员="王检查、李执法、赵六")]))

    assert where(result) == {(2, "检查人员")}
    assert "已导入过" in message(result, 2, "检查人员")
    assert InspectionRecord.objects.count() == 1


def test_a_name_is_matched_to_the_organisers_own_person_first(officer, team, district, enterprise_a):
    UserFactory(name="王检查", role=Role.TOWNSHIP, org_unit=district.township_a)

    result = run(officer, xlsx([row(enterprise_a)]))

    assert result.ok, result.errors
    assert set(InspectionAction.objects.get().members.all()) == set(team)


# ---------------------------------------------------------------- every problem, nothing imported


def test_every_problem_is_reported_by_row_and_column_and_nothing_is_imported(
    officer, team, enterprise_a, firm
):
    content = xlsx(
        [
            row(enterprise_a),  # 2: fine on its own
            row(firm, 检查行动编号="B-1", 检查日期="2026-13-45"),  # 3
            row(firm, 检查行动编号="B-2", 检查日期=timezone.localdate() + dt.timedelta(days=1)),  # 4
            row(firm, 检查行动编号="B-3", 统一社会信用代码=make_uscc()),  # 5: valid but not registered
            row(firm, 检查行动编号="B-4", 统一社会信用代码="91330102MA2XXXXXX0"),  # 6: not a valid code
            row(firm, 检查行动编号="B-5", 检查类型="随便看看"),  # 7
            row(firm, 检查行动编号="B-6", 是否领导带队="是"),  # 8: no leader named
            row(firm, 检查行动编号="B-7", 是否领导带队="也许"),  # 9
            row(firm, 检查行动编号="B-8", 检查单位="南湖街道"),  # 10
            row(firm, 检查日期=DAY - dt.timedelta(days=1)),  # 11: same number as row 2, other date
            row(enterprise_a, 检查人员="王检查"),  # 12: same number, other team, enterprise twice
        ]
    )

    result = run(officer, content)

    assert where(result) == {
        (3, "检查日期"),
        (4, "检查日期"),
        (5, "统一社会信用代码"),
        (6, "统一社会信用代码"),
        (7, "检查类型"),
        (8, "带队领导"),
        (9, "是否领导带队"),
        (10, "检查单位"),
        (11, "检查日期"),
        (12, "检查人员"),
        (12, "统一社会信用代码"),
    }
    assert "不能晚于今天" in message(result, 4, "检查日期")
    assert "未找到" in message(result, 5, "统一社会信用代码")
    assert "专项检查" in message(result, 7, "检查类型")  # the kinds one may write are listed
    assert "第2行" in message(result, 11, "检查日期")
    assert "重复" in message(result, 12, "统一社会信用代码")
    assert InspectionAction.objects.count() == 0 and InspectionRecord.objects.count() == 0


def test_township_user_cannot_import_visits_to_other_townships_enterprises(
    township_a_user, district, enterprise_a, enterprise_b
):
    rows = [
        row(enterprise_a, 检查单位="东城街道", 检查类型="暗访", 检查人员="东城巡查员"),
        row(enterprise_b, 检查单位="东城街道", 检查类型="暗访", 检查人员="东城巡查员"),
        row(enterprise_a, 检查行动编号="X-2", 检查类型="暗访", 检查人员="东城巡查员"),  # 区应急管理局's
    ]

    result = run(township_a_user, xlsx(rows))

    assert where(result) == {(3, "统一社会信用代码"), (4, "检查单位")}
    text = message(result, 3, "统一社会信用代码")
    assert "不在您的管辖范围内" in text and enterprise_b.name not in text
    assert InspectionAction.objects.count() == 0


def test_a_name_two_accounts_share_is_ambiguous(officer, team, district, enterprise_a):
    UserFactory(name="王检查", role=Role.OFFICER, org_unit=district.dept_emergency)

    result = run(officer, xlsx([row(enterprise_a)]))

    assert where(result) == {(2, "检查人员")}
    assert "王检查" in message(result, 2, "检查人员") and "登录账号" in message(result, 2, "检查人员")


def test_an_ambiguous_name_may_be_written_as_the_login_name(officer, team, district, enterprise_a):
    UserFactory(name="王检查", role=Role.OFFICER, org_unit=district.dept_emergency)

    result = run(officer, xlsx([row(enterprise_a, 检查人员=f"{team[0].username}、李执法")]))

    assert result.ok, result.errors
    assert set(InspectionAction.objects.get().members.all()) == set(team)


def test_an_enforcement_inspection_needs_two_certified_members_reported_on_its_first_row(
    officer, team, enterprise_a, firm
):
    team[1].enforcement_cert_expiry = DAY - dt.timedelta(days=1)
    team[1].save()

    result = run(officer, xlsx([row(enterprise_a), row(firm)]))

    assert where(result) == {(2, "检查人员")}
    assert "执法证" in message(result, 2, "检查人员")
    assert InspectionAction.objects.count() == 0


def test_missing_required_columns_are_reported_on_the_header_row(officer):
    result = run(officer, xlsx([{"检查日期": DAY}], headers=["检查日期", "备注"]))

    assert {(1, "统一社会信用代码"), (1, "检查类型"), (1, "检查单位"), (1, "检查人员")} <= where(result)


def test_the_template_example_row_is_reported_not_imported(officer, team):
    template = get_importer("inspections").template()
    assert [c.value for c in next(load_workbook(io.BytesIO(template)).active.iter_rows(max_row=1))] == HEADERS

    result = run(officer, template)

    assert (2, "统一社会信用代码") in where(result)
    assert InspectionAction.objects.count() == 0


def test_leader_may_not_import(leader, enterprise_a):
    result = run(leader, xlsx([row(enterprise_a)]))
    assert not result.ok and InspectionAction.objects.count() == 0


def test_checking_a_file_takes_the_same_queries_for_ten_rows_as_for_two(
    officer, team, district, sectors, django_assert_max_num_queries
):
    firms = EnterpriseFactory.create_batch(10, jurisdiction=district.township_a)
    bad = {"检查类型": "随便看看"}  # every row fails, so only the checking is measured
    with django_assert_max_num_queries(12) as two:
        run(officer, xlsx([row(f, **bad) for f in firms[:2]]))
    with django_assert_max_num_queries(len(two.captured_queries)):
        run(officer, xlsx([row(f, **bad) for f in firms]))


def test_importing_takes_the_same_queries_for_ten_actions_as_for_two(
    officer, team, district, sectors, django_assert_max_num_queries
):
    firms = EnterpriseFactory.create_batch(12, jurisdiction=district.township_a)
    with django_assert_max_num_queries(40) as two:
        assert run(officer, xlsx([row(f, 检查行动编号=f"Q-{i}") for i, f in enumerate(firms[:2])])).ok
    with django_assert_max_num_queries(len(two.captured_queries)):
        assert run(officer, xlsx([row(f, 检查行动编号=f"R-{i}") for i, f in enumerate(firms[2:])])).ok
    assert InspectionAction.objects.count() == 12


def test_the_service_itself_refuses_an_organiser_the_user_may_not_write_for(
    township_a_user, district, enterprise_a
):
    action = ImportedAction(
        date=DAY,
        organizer=district.dept_emergency,
        kind=InspectionKind.objects.get(code="covert"),
        members=[township_a_user],
        visits=[(enterprise_a, "")],
    )
    with pytest.raises(ValidationError):
        action_import_many(user=township_a_user, actions=[action])
    assert InspectionAction.objects.count() == 0


# ---------------------------------------------------------------- manage.py import_ledger


def test_command_imports_and_prints_the_counts(admin_user, team, enterprise_a, tmp_path):
    path = tmp_path / "inspections.xlsx"
    path.write_bytes(xlsx([row(enterprise_a)]))
    out = io.StringIO()

    call_command("import_ledger", "inspections", str(path), stdout=out)

    assert out.getvalue().strip() == "新增 1 条，更新 0 条"
    assert InspectionAction.objects.get().history.get().history_user == admin_user


def test_command_prints_every_error_and_exits_non_zero(admin_user, team, enterprise_a, tmp_path):
    path = tmp_path / "inspections.xlsx"
    path.write_bytes(
        xlsx([row(enterprise_a, 检查类型="随便看看"), row(enterprise_a, 检查行动编号="Z", 检查日期="昨天")])
    )
    err = io.StringIO()

    with pytest.raises(CommandError, match="发现 2 处错误"):
        call_command("import_ledger", "inspections", str(path), stderr=err)

    assert "第2行 [检查类型]" in err.getvalue() and "第3行 [检查日期]" in err.getvalue()
    assert InspectionAction.objects.count() == 0


# ---------------------------------------------------------------- the upload page (a background job)

UPLOAD_URL = reverse_lazy("core:import_upload", args=["inspections"])
TEMPLATE_URL = reverse_lazy("core:import_template", args=["inspections"])


def upload(client, content: bytes, capture):
    """Post the file; its job runs when the upload's transaction commits (inline, Celery being eager)
    and the page it lands on is the job's."""
    with capture(execute=True):
        response = client.post(UPLOAD_URL, {"file": SimpleUploadedFile("台账.xlsx", content)})
    assert response.status_code == 302
    return client.get(response["Location"])


def test_officer_imports_through_the_page(
    client, officer, team, enterprise_a, django_capture_on_commit_callbacks
):
    client.force_login(officer)
    assert client.get(UPLOAD_URL).status_code == 200

    response = upload(client, xlsx([row(enterprise_a)]), django_capture_on_commit_callbacks)

    job = ImportJob.objects.get()
    assert response.request["PATH_INFO"] == reverse("core:import_job", args=[job.pk])
    page = response.content.decode()
    assert "导入完成" in page and reverse("inspections:action_list") in page
    assert (job.created_rows, job.updated_rows) == (1, 0)
    assert InspectionAction.objects.count() == 1


def test_the_page_lists_errors_by_row_and_column_and_imports_nothing(
    client, officer, team, enterprise_a, django_capture_on_commit_callbacks
):
    client.force_login(officer)

    response = upload(
        client, xlsx([row(enterprise_a, 检查日期="2026-13-45")]), django_capture_on_commit_callbacks
    )

    page = response.content.decode()
    assert response.status_code == 200 and 'id="import-errors"' in page
    assert "未导入任何数据" in page and "第2行" in page and "检查日期" in page
    assert InspectionAction.objects.count() == 0


def test_template_download_is_an_xlsx_with_a_chinese_name(client, officer):
    client.force_login(officer)

    response = client.get(TEMPLATE_URL)

    assert response.status_code == 200
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    assert [
        c.value for c in next(load_workbook(io.BytesIO(response.content)).active.iter_rows(max_row=1))
    ] == HEADERS


def test_leader_gets_403_and_sees_no_import_button(client, leader):
    client.force_login(leader)

    assert client.get(UPLOAD_URL).status_code == 403
    assert client.get(TEMPLATE_URL).status_code == 403
    assert str(UPLOAD_URL) not in client.get(reverse("inspections:action_list")).content.decode()


def test_writers_see_the_import_button_on_the_action_list(client, township_a_user):
    client.force_login(township_a_user)
    assert str(UPLOAD_URL) in client.get(reverse("inspections:action_list")).content.decode()
