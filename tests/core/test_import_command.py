"""manage.py import_ledger: the upload page's importer from the command line, for any registered kind
(the enterprise ledger here, as the district's first load uses it)."""

import io

import pytest
from django.core.management import CommandError, call_command

from accounts.choices import Role
from accounts.models import Enterprise, User
from tests.core.probe import PROBE
from tests.factories import UserFactory, enterprise_xlsx, make_uscc, xlsx

pytestmark = pytest.mark.django_db


def write_xlsx(path, rows: list[dict]):
    path.write_bytes(enterprise_xlsx(rows))
    return path


def row(**overrides) -> dict:
    values = {
        "统一社会信用代码": make_uscc(),
        "单位名称": "东城五金店",
        "行业领域": "机械",
        "所属街道": "东城街道",
    }
    values.update(overrides)
    return values


def run_command(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_ledger", *[str(a) for a in args], stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_imports_as_the_first_admin_and_prints_the_counts(admin_user, enterprise_a, tmp_path):
    path = write_xlsx(tmp_path / "ledger.xlsx", [row(), row(), row(统一社会信用代码=enterprise_a.uscc)])

    out, err = run_command("enterprises", path)

    assert out.strip() == "新增 2 条，更新 1 条"
    assert err == ""
    assert Enterprise.objects.count() == 3
    assert Enterprise.history.filter(history_user=admin_user).count() == 3


def test_errors_go_to_stderr_and_exit_non_zero(admin_user, district, tmp_path):
    path = write_xlsx(tmp_path / "ledger.xlsx", [row(), row(所属街道="南湖街道"), row(行业领域="")])
    err = io.StringIO()

    with pytest.raises(CommandError, match="发现 2 处错误"):
        call_command("import_ledger", "enterprises", str(path), stderr=err)

    lines = err.getvalue().splitlines()
    assert lines[0].startswith("第3行 [所属街道] ")
    assert lines[1] == "第4行 [行业领域] 不能为空"
    assert Enterprise.objects.count() == 0


def test_runs_as_the_named_user_within_their_scope(township_a_user, admin_user, tmp_path):
    path = write_xlsx(tmp_path / "ledger.xlsx", [row(所属街道="西山镇")])
    err = io.StringIO()

    with pytest.raises(CommandError):
        call_command("import_ledger", "enterprises", str(path), "--user", "township_a", stderr=err)

    assert "第2行 [所属街道] 「西山镇」不在您的管辖范围内" in err.getvalue()


def test_dry_run_saves_nothing(admin_user, tmp_path):
    path = write_xlsx(tmp_path / "ledger.xlsx", [row()])

    out, _err = run_command("enterprises", path, "--dry-run")

    assert "新增 1 条，更新 0 条" in out
    assert "试运行" in out
    assert Enterprise.objects.count() == 0


def test_unknown_kind_lists_the_known_ones(admin_user, tmp_path):
    path = write_xlsx(tmp_path / "ledger.xlsx", [row()])

    with pytest.raises(CommandError, match=r"未知的台账类型「hazard」.*enterprises（生产经营单位）"):
        run_command("hazard", path)


def test_missing_file_is_a_clear_error(admin_user, tmp_path):
    with pytest.raises(CommandError, match="文件不存在"):
        run_command("enterprises", tmp_path / "nope.xlsx")


def test_non_excel_file_is_reported_not_raised(admin_user, tmp_path):
    path = tmp_path / "ledger.xlsx"
    path.write_text("统一社会信用代码,单位名称\n", encoding="utf-8")
    err = io.StringIO()

    with pytest.raises(CommandError):
        call_command("import_ledger", "enterprises", str(path), stderr=err)

    assert err.getvalue().strip() == "文件无法读取，请上传 .xlsx 格式的Excel文件"


def test_without_an_admin_the_user_must_be_named(officer, tmp_path):
    path = write_xlsx(tmp_path / "ledger.xlsx", [row()])

    with pytest.raises(CommandError, match="--user"):
        run_command("enterprises", path)
    with pytest.raises(CommandError, match="没有启用的用户「ghost」"):
        run_command("enterprises", path, "--user", "ghost")

    out, _err = run_command("enterprises", path, "--user", "officer")
    assert out.strip() == "新增 1 条，更新 0 条"


def test_leader_named_as_user_is_refused(leader, tmp_path):
    path = write_xlsx(tmp_path / "ledger.xlsx", [row()])
    err = io.StringIO()

    with pytest.raises(CommandError):
        call_command("import_ledger", "enterprises", str(path), "--user", "leader", stderr=err)

    assert "您没有导入权限" in err.getvalue()
    assert not User.objects.get(username="leader").is_superuser


def test_the_default_acting_user_is_the_first_active_superuser_not_an_admin_role(district, tmp_path):
    UserFactory(username="admin_role_only", role=Role.ADMIN, org_unit=district.district)
    UserFactory(username="retired", role=Role.OFFICER, is_superuser=True, is_active=False)
    superuser = UserFactory(
        username="root", role=Role.OFFICER, org_unit=district.dept_emergency, is_superuser=True
    )
    UserFactory(username="root2", role=Role.ADMIN, org_unit=district.district, is_superuser=True)
    path = write_xlsx(tmp_path / "ledger.xlsx", [row()])

    out, _err = run_command("enterprises", path)

    assert out.strip() == "新增 1 条，更新 0 条"
    assert Enterprise.history.get().history_user == superuser


def test_an_admin_role_without_superuser_is_no_default(district, tmp_path):
    UserFactory(username="admin_role_only", role=Role.ADMIN, org_unit=district.district)
    path = write_xlsx(tmp_path / "ledger.xlsx", [row()])

    with pytest.raises(CommandError, match="没有启用的管理员账号，请用 --user 指定导入人"):
        run_command("enterprises", path)


def test_an_inactive_user_cannot_be_named(officer, tmp_path):
    User.objects.filter(pk=officer.pk).update(is_active=False)
    path = write_xlsx(tmp_path / "ledger.xlsx", [row()])

    with pytest.raises(CommandError, match="没有启用的用户「officer」"):
        run_command("enterprises", path, "--user", "officer")


def test_any_registered_kind_is_imported_by_the_same_command(probe, officer, tmp_path):
    path = tmp_path / "probe.xlsx"
    path.write_bytes(xlsx(["名称"], [["甲"], ["乙"], ["丙"]]))

    out, _err = run_command(PROBE, path, "--user", "officer")

    assert out.strip() == "新增 3 条，更新 0 条"
    assert len(probe.seen) == 1
