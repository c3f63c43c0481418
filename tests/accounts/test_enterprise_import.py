"""Importing the enterprise ledger: every row checked, every error reported, all or nothing; in the
browser through the shared upload page and its background job."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from accounts.choices import EnterpriseStatus, OrgKind
from accounts.importers import ENTERPRISE_HEADERS, EnterpriseImporter
from accounts.models import Enterprise, OrgUnit
from core.imports import ImportResult, RowError, get_importer
from core.models import ImportJob
from tests.factories import EnterpriseFactory, make_uscc, xlsx_upload
from tests.factories import enterprise_row as good_row
from tests.factories import enterprise_xlsx as xlsx

pytestmark = pytest.mark.django_db


def run(user, content: bytes, **kwargs) -> ImportResult:
    return get_importer("enterprises").run(user=user, file=content, **kwargs)


def test_good_file_creates_enterprises_with_their_places_and_codes(officer, district, sectors):
    first = good_row()
    second = good_row(
        单位名称="西山建工",
        行业领域="建筑施工",
        所属街道="西山镇",
        监管部门="区住建局",
        风险等级="较大风险（橙）",
        单位规模="",
        经度=None,
        纬度=None,
    )

    result = run(officer, xlsx([first, second]))

    assert result.ok, result.errors
    assert (result.created, result.updated) == (2, 0)
    a = Enterprise.objects.get(uscc=first["统一社会信用代码"])
    assert a.jurisdiction == district.community_a
    assert set(a.sectors.all()) == {sectors["industry-trade"], sectors["machinery"]}
    assert a.supervising_department == district.dept_emergency
    assert a.risk_grade.code == "red"
    assert a.scale == "above"
    assert a.contact_phone == "13800000000"
    assert a.longitude == Decimal("120.123457")
    assert a.status == EnterpriseStatus.OPERATING
    b = Enterprise.objects.get(uscc=second["统一社会信用代码"])
    assert b.jurisdiction == district.township_b
    assert list(b.sectors.all()) == [sectors["construction"]]
    assert b.risk_grade.code == "orange"
    assert b.scale == ""
    assert b.longitude is None
    # One history record per enterprise, carrying its sectors and the importing user.
    record = a.history.get()
    assert record.history_user == officer
    assert {s.sector_id for s in record.sectors.all()} == {
        sectors["industry-trade"].pk,
        sectors["machinery"].pk,
    }


def test_reimport_of_the_same_code_updates_and_never_duplicates(officer, district, sectors):
    row = good_row()
    run(officer, xlsx([row]))
    code = row["统一社会信用代码"]

    result = run(
        officer, xlsx([good_row(统一社会信用代码=code.lower(), 单位名称="改名后的公司", 行业领域="消防")])
    )

    assert result.ok, result.errors
    assert (result.created, result.updated) == (0, 1)
    assert Enterprise.objects.count() == 1
    enterprise = Enterprise.objects.get(uscc=code)
    assert enterprise.name == "改名后的公司"
    assert list(enterprise.sectors.all()) == [sectors["fire"]]
    assert enterprise.history.count() == 2
    assert [s.sector_id for s in enterprise.history.first().sectors.all()] == [sectors["fire"].pk]


def test_unchanged_reimport_counts_as_updated_but_writes_no_history(officer, district):
    content = xlsx([good_row()])
    run(officer, content)

    result = run(officer, content)

    assert (result.created, result.updated) == (0, 1)
    assert Enterprise.history.count() == 1


def test_reimport_keeps_what_the_file_does_not_carry(officer, district, enterprise_a):
    Enterprise.objects.filter(pk=enterprise_a.pk).update(
        status=EnterpriseStatus.CLOSED, is_fire_key_unit=True, address="老地址", contact_person="李四"
    )
    headers = ["统一社会信用代码", "单位名称", "行业领域", "所属街道", "联系人"]
    row = {
        "统一社会信用代码": enterprise_a.uscc,
        "单位名称": "新名",
        "行业领域": "机械",
        "所属街道": "东城街道",
    }

    result = run(officer, xlsx([row], headers=headers))

    assert result.ok, result.errors
    enterprise_a.refresh_from_db()
    assert enterprise_a.name == "新名"
    assert enterprise_a.status == EnterpriseStatus.CLOSED  # no 经营状态 column: kept
    assert enterprise_a.is_fire_key_unit is True
    assert enterprise_a.address == "老地址"  # no 地址 column: kept
    assert enterprise_a.contact_person == ""  # 联系人 column present but blank: cleared


def test_missing_required_headers_are_each_reported_on_row_one(officer, district):
    headers = ["统一社会信用代码", "单位名称", "地址"]

    result = run(officer, xlsx([good_row()], headers=headers))

    assert result.errors == [
        RowError(1, "行业领域", "缺少必填列「行业领域」"),
        RowError(1, "所属街道", "缺少必填列「所属街道」"),
    ]
    assert Enterprise.objects.count() == 0


def test_bad_check_digit_names_row_and_column(officer, district):
    code = make_uscc()
    wrong = code[:17] + ("1" if code[17] != "1" else "2")

    result = run(officer, xlsx([good_row(), good_row(统一社会信用代码=wrong)]))

    assert result.errors == [RowError(3, "统一社会信用代码", "统一社会信用代码校验位错误")]
    assert Enterprise.objects.count() == 0


def test_unknown_township_community_and_sector_are_reported(officer, district):
    rows = [
        good_row(所属街道="南湖街道"),
        good_row(所属街道="东城街道/不存在社区"),
        good_row(所属街道="东城社区"),
        good_row(行业领域="工贸，养殖业；机械"),
    ]

    result = run(officer, xlsx(rows))

    assert [(e.row, e.column) for e in result.errors] == [
        (2, "所属街道"),
        (3, "所属街道"),
        (4, "所属街道"),
        (5, "行业领域"),
    ]
    assert "南湖街道" in result.errors[0].message
    assert "不存在社区" in result.errors[1].message
    assert "东城街道/东城社区" in result.errors[2].message  # the hint for a community given alone
    assert result.errors[3].message == "未找到行业领域：养殖业"


def test_every_error_of_every_row_is_collected(officer, district):
    rows = [
        good_row(统一社会信用代码="", 单位名称="", 风险等级="紫", 单位规模="大", 经度=200, 纬度="北纬30"),
        good_row(监管部门="区外星局"),
    ]

    result = run(officer, xlsx(rows))

    assert [(e.row, e.column) for e in result.errors] == [
        (2, "统一社会信用代码"),
        (2, "单位名称"),
        (2, "风险等级"),
        (2, "单位规模"),
        (2, "经度"),
        (2, "纬度"),
        (3, "监管部门"),
    ]


def test_duplicate_code_in_one_file_names_the_earlier_row(officer, district):
    row = good_row()
    rows = [row, good_row(), good_row(统一社会信用代码=" " + row["统一社会信用代码"].lower())]

    result = run(officer, xlsx(rows))

    assert result.errors == [RowError(4, "统一社会信用代码", "与第2行的统一社会信用代码重复")]
    assert Enterprise.objects.count() == 0


def test_one_bad_row_among_good_ones_imports_nothing(officer, district, enterprise_a):
    before = Enterprise.objects.count()
    rows = [good_row() for _ in range(5)] + [good_row(行业领域="不存在的行业")] + [good_row()]
    rows.append(good_row(统一社会信用代码=enterprise_a.uscc, 单位名称="不该被改"))

    result = run(officer, xlsx(rows))

    assert not result.ok
    assert [e.row for e in result.errors] == [7]
    assert Enterprise.objects.count() == before
    enterprise_a.refresh_from_db()
    assert enterprise_a.name == "东城机械厂"


def test_township_user_cannot_import_into_another_township(township_a_user, district):
    rows = [good_row(), good_row(所属街道="西山镇")]

    result = run(township_a_user, xlsx(rows))

    assert result.errors == [RowError(3, "所属街道", "「西山镇」不在您的管辖范围内")]
    assert Enterprise.objects.count() == 0


def test_township_user_imports_into_own_township(township_a_user, district):
    result = run(township_a_user, xlsx([good_row(), good_row(所属街道="东城街道")]))

    assert (result.created, result.updated) == (2, 0)


def test_code_held_outside_the_users_scope_is_refused_without_saying_where(township_a_user, enterprise_b):
    result = run(township_a_user, xlsx([good_row(统一社会信用代码=enterprise_b.uscc)]))

    assert result.errors == [
        RowError(2, "统一社会信用代码", "该统一社会信用代码已由其他单位登记，您无权修改")
    ]
    assert "西山" not in str(result.errors)
    enterprise_b.refresh_from_db()
    assert enterprise_b.name == "西山建筑公司"


def test_department_user_imports_in_its_sectors_only(department_user, district):
    ok = run(department_user, xlsx([good_row(行业领域="建筑施工", 所属街道="西山镇", 监管部门="")]))
    refused = run(department_user, xlsx([good_row(行业领域="消防", 监管部门="")]))

    assert ok.created == 1
    assert refused.errors == [RowError(2, "行业领域", "行业领域和监管部门均不在您的管辖范围内")]


def test_leader_is_refused(leader, district):
    result = run(leader, xlsx([good_row()]))

    assert result.errors == [RowError(0, "", "您没有导入权限")]
    assert Enterprise.objects.count() == 0


@pytest.mark.parametrize(
    "upload",
    [
        b"this is not a spreadsheet",
        b"PK\x03\x04 broken zip",
        SimpleUploadedFile("ledger.xlsx", "单位名称,统一社会信用代码\n".encode()),
    ],
)
def test_non_excel_upload_is_an_error_not_an_exception(officer, district, upload):
    result = get_importer("enterprises").run(user=officer, file=upload)

    assert result.errors == [RowError(0, "", "文件无法读取，请上传 .xlsx 格式的Excel文件")]


def test_header_only_file_says_there_is_no_data(officer, district):
    assert run(officer, xlsx([])).errors == [RowError(0, "", "文件中没有数据行")]


def test_extra_columns_shuffled_order_and_blank_rows_are_accepted(officer, district):
    headers = ["备注", " 所属街道 ", "单位名称", "序号", "行业领域", "统一社会信用代码"]
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    code = make_uscc()
    ws.append(["新登记", "东城街道", "  东城五金店  ", 1, "机械", code])
    ws.append([None, None, None, None, None, None])
    ws.append(["只有备注的行", None, None, None, None, None])
    second = make_uscc()
    ws.append([None, "西山镇/西山村", "西山小作坊", 3, "轻工", second])
    buffer = io.BytesIO()
    wb.save(buffer)

    result = run(officer, buffer.getvalue())

    assert result.ok, result.errors
    assert result.created == 2
    assert Enterprise.objects.get(uscc=code).name == "东城五金店"
    assert Enterprise.objects.get(uscc=second).jurisdiction == OrgUnit.objects.get(name="西山村")


def test_errors_carry_the_excel_row_number_across_blank_rows(officer, district):
    wb = Workbook()
    ws = wb.active
    ws.append(ENTERPRISE_HEADERS)
    ws.append([good_row()[h] for h in ENTERPRISE_HEADERS])
    ws.append([])
    ws.append([])
    ws.append([good_row(所属街道="南湖街道")[h] for h in ENTERPRISE_HEADERS])
    buffer = io.BytesIO()
    wb.save(buffer)

    assert [e.row for e in run(officer, buffer.getvalue()).errors] == [5]


def test_dry_run_reports_counts_and_saves_nothing(officer, district, enterprise_a):
    rows = [good_row(), good_row(统一社会信用代码=enterprise_a.uscc)]

    result = run(officer, xlsx(rows), dry_run=True)

    assert (result.created, result.updated) == (1, 1)
    assert Enterprise.objects.count() == 1
    assert Enterprise.history.filter(history_user=officer).count() == 0


def test_ambiguous_department_short_name_is_reported(officer, district):
    OrgUnit.objects.filter(pk=district.dept_emergency.pk).update(short_name="区局")
    OrgUnit.objects.filter(pk=district.dept_construction.pk).update(short_name="区局")

    result = run(officer, xlsx([good_row(监管部门="区局")]))

    assert [(e.column, "多个" in e.message) for e in result.errors] == [("监管部门", True)]


def test_department_found_by_short_name(officer, district):
    OrgUnit.objects.filter(pk=district.dept_emergency.pk).update(short_name="应急局")

    run(officer, xlsx([good_row(监管部门="应急局")]))

    assert Enterprise.objects.get().supervising_department == district.dept_emergency


def test_import_queries_do_not_grow_with_rows(officer, district, django_assert_max_num_queries):
    rows = [good_row(所属街道=("东城街道/东城社区", "西山镇", "西山镇/西山村")[i % 3]) for i in range(60)]
    content = xlsx(rows)

    with django_assert_max_num_queries(25):
        result = run(officer, content)

    assert result.created == 60


def test_template_has_the_headers_and_an_example_that_does_not_import(officer, district):
    importer = get_importer("enterprises")
    ws = load_workbook(io.BytesIO(importer.template())).active

    assert [c.value for c in ws[1]] == ENTERPRISE_HEADERS
    assert ws.max_row == 2
    assert ws.freeze_panes == "A2"
    assert ws["A1"].font.b
    result = importer.run(user=officer, file=importer.template())
    assert not result.ok
    assert {e.row for e in result.errors} == {2}


def test_community_under_wrong_township_is_not_matched(officer, district):
    other = OrgUnit.objects.create(name="东城社区", kind=OrgKind.COMMUNITY, parent=district.township_b)

    run(officer, xlsx([good_row(所属街道="西山镇/东城社区")]))

    assert Enterprise.objects.get().jurisdiction == other


def test_existing_enterprise_factory_codes_are_updated_by_officer(officer, district, sectors):
    enterprise = EnterpriseFactory(jurisdiction=district.township_b, sectors=[sectors["construction"]])

    result = run(officer, xlsx([good_row(统一社会信用代码=enterprise.uscc)]))

    assert (result.created, result.updated) == (0, 1)
    enterprise.refresh_from_db()
    assert enterprise.jurisdiction == district.community_a


def test_status_and_flags_columns_are_read_and_blank_status_keeps_the_old_one(
    officer, district, enterprise_a
):
    Enterprise.objects.filter(pk=enterprise_a.pk).update(status=EnterpriseStatus.CLOSED)
    headers = [*ENTERPRISE_HEADERS, "经营状态", "消防安全重点单位", "重大危险源"]
    new = good_row(经营状态="停产", 消防安全重点单位="是", 重大危险源="否")
    old = good_row(统一社会信用代码=enterprise_a.uscc, 经营状态=None, 消防安全重点单位="Y")
    wrong = good_row(经营状态="歇业", 重大危险源="有")

    assert [(e.row, e.column) for e in run(officer, xlsx([new, old, wrong], headers=headers)).errors] == [
        (4, "经营状态"),
        (4, "重大危险源"),
    ]
    result = run(officer, xlsx([new, old], headers=headers))

    assert (result.created, result.updated) == (1, 1)
    created = Enterprise.objects.get(uscc=new["统一社会信用代码"])
    assert (created.status, created.is_fire_key_unit, created.has_major_hazard_source) == (
        "suspended",
        True,
        False,
    )
    enterprise_a.refresh_from_db()
    assert (enterprise_a.status, enterprise_a.is_fire_key_unit) == (EnterpriseStatus.CLOSED, True)


def test_township_whose_name_holds_a_slash_is_matched_whole(officer, district):
    odd = OrgUnit.objects.create(name="港区/保税区管理处", kind=OrgKind.OFFICE, parent=district.district)

    result = run(officer, xlsx([good_row(所属街道="港区/保税区管理处")]))

    assert result.ok, result.errors
    assert Enterprise.objects.get().jurisdiction == odd


def test_whoever_may_write_enterprises_may_import_them(officer, township_a_user, department_user, leader):
    importer = get_importer("enterprises")

    assert isinstance(importer, EnterpriseImporter)
    assert [importer.allowed(u) for u in (officer, township_a_user, department_user, leader)] == [
        True,
        True,
        True,
        False,
    ]
    assert reverse(importer.list_url_name) == reverse("accounts:enterprise_list")


# ---------------------------------------------------------------- in the browser: the shared upload page


def post_ledger(client, content: bytes, django_capture_on_commit_callbacks):
    """Upload as the browser does; the job runs inline when the request's transaction commits."""
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("core:import_upload", args=["enterprises"]), {"file": xlsx_upload(content)}
        )
    job = ImportJob.objects.latest("pk")
    assert response.status_code == 302
    assert response["Location"] == reverse("core:import_job", args=[job.pk])
    return job


def test_enterprise_list_links_to_the_shared_import_page(client, officer, district):
    client.force_login(officer)

    body = client.get(reverse("accounts:enterprise_list")).content.decode()
    page = client.get(reverse("core:import_upload", args=["enterprises"]))

    assert reverse("core:import_upload", args=["enterprises"]) in body
    assert page.status_code == 200
    text = page.content.decode()
    assert "导入生产经营单位" in text
    assert reverse("core:import_template", args=["enterprises"]) in text
    assert all(h in text for h in ENTERPRISE_HEADERS)
    assert "空白单元格清空该项" in text  # the importer's notes


def test_good_ledger_uploaded_in_the_browser_is_imported_and_the_job_page_shows_the_counts(
    client, officer, district, enterprise_a, django_capture_on_commit_callbacks
):
    client.force_login(officer)
    rows = [good_row(), good_row(), good_row(统一社会信用代码=enterprise_a.uscc, 单位名称="东城机械厂")]

    job = post_ledger(client, xlsx(rows), django_capture_on_commit_callbacks)

    job.refresh_from_db()
    assert (job.kind, job.status, job.created_rows, job.updated_rows) == ("enterprises", "done", 2, 1)
    assert job.filename == "台账.xlsx"
    assert Enterprise.objects.count() == 3
    assert Enterprise.history.filter(history_user=officer).count() == 3  # the uploader, not the worker
    body = client.get(reverse("core:import_job", args=[job.pk])).content.decode()
    assert "导入完成：新增 2 条，更新 1 条。" in body
    assert reverse("accounts:enterprise_list") in body


def test_bad_ledger_uploaded_in_the_browser_shows_every_error_by_row_and_column_and_imports_nothing(
    client, officer, district, django_capture_on_commit_callbacks
):
    client.force_login(officer)
    rows = [good_row(), good_row(所属街道="南湖街道"), good_row(行业领域="")]

    job = post_ledger(client, xlsx(rows), django_capture_on_commit_callbacks)

    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert [(e["row"], e["column"]) for e in job.errors] == [(3, "所属街道"), (4, "行业领域")]
    assert not Enterprise.objects.exists()
    response = client.get(reverse("core:import_job", args=[job.pk]))
    body = response.content.decode()
    assert "共 2 处错误，未导入任何数据" in body
    assert "第3行" in body and "未找到街道/乡镇「南湖街道」" in body
    assert "第4行" in body and "不能为空" in body
    assert response.context["errors"] == job.errors


def test_township_user_uploading_another_townships_rows_sees_why_on_the_job_page(
    client, township_a_user, district, django_capture_on_commit_callbacks
):
    client.force_login(township_a_user)

    job = post_ledger(
        client, xlsx([good_row(), good_row(所属街道="西山镇")]), django_capture_on_commit_callbacks
    )

    job.refresh_from_db()
    assert job.errors == [{"row": 3, "column": "所属街道", "message": "「西山镇」不在您的管辖范围内"}]
    assert (
        "「西山镇」不在您的管辖范围内"
        in client.get(reverse("core:import_job", args=[job.pk])).content.decode()
    )
    assert not Enterprise.objects.exists()


def test_enterprise_template_downloads_from_the_shared_page(client, township_a_user, district):
    client.force_login(township_a_user)

    response = client.get(reverse("core:import_template", args=["enterprises"]))

    assert response.status_code == 200
    assert "%E7%94%9F%E4%BA%A7%E7%BB%8F%E8%90%A5%E5%8D%95%E4%BD%8D" in response["Content-Disposition"]
    ws = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in ws[1]] == ENTERPRISE_HEADERS


def test_leader_may_not_open_the_enterprise_import_page(client, leader, district):
    client.force_login(leader)

    assert client.get(reverse("core:import_upload", args=["enterprises"])).status_code == 403
    assert client.get(reverse("core:import_template", args=["enterprises"])).status_code == 403
    response = client.post(
        reverse("core:import_upload", args=["enterprises"]), {"file": xlsx_upload(xlsx([good_row()]))}
    )
    assert response.status_code == 403
    assert not ImportJob.objects.exists()
