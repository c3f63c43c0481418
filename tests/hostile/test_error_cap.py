"""A garbage file does not make a 10 MB error page: the importer keeps the first 1,000 errors and
counts the rest; the job, its page, its status feed and errors.xlsx show the list plus the count."""

import io
import re
import time

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from accounts.importers import ENTERPRISE_HEADERS
from accounts.models import Enterprise
from core.imports import MAX_ERRORS, get_importer
from core.models import ImportJob
from tests.factories import xlsx_upload

from . import files

# The probe's file had 10,000 rows (78,954 errors); 2,000 rows show the same in a fifth of the time.
ROWS = 2_000


def garbage(path, rows: int = ROWS):
    """Every column wrong in every row: a bad code, an unknown place, sector, grade, scale, coordinates."""

    def chunks():
        yield files.text_row(1, ENTERPRISE_HEADERS)
        for start in range(2, rows + 2, 2_000):
            yield b"".join(
                files.text_row(
                    n,
                    [
                        "X" * 5,
                        "",
                        "无此行业",
                        "无此街道",
                        "无此部门",
                        "紫",
                        "巨型",
                        "",
                        "",
                        "",
                        "东经",
                        "北纬",
                    ],
                )
                for n in range(start, min(rows + 2, start + 2_000))
            )

    return files.workbook(path, chunks())


@pytest.mark.django_db
def test_the_importer_keeps_the_first_thousand_errors_and_counts_the_rest(officer, district, tmp_path):
    start = time.perf_counter()
    result = get_importer("enterprises").run(user=officer, file=garbage(tmp_path / "g.xlsx"))
    seconds = time.perf_counter() - start

    assert MAX_ERRORS == 1_000
    assert len(result.errors) == MAX_ERRORS
    assert result.errors_hidden > 10_000  # ~8 per row: counted exactly, not kept
    assert result.error_count == MAX_ERRORS + result.errors_hidden
    assert [e.row for e in result.errors[:3]] == [2, 2, 2]  # the first rows' errors, in order
    assert not result.ok
    assert Enterprise.objects.count() == 0
    assert seconds < 60


@pytest.mark.django_db(transaction=True)
def test_the_job_page_status_and_error_list_show_the_capped_list_and_the_count(
    client, officer, district, tmp_path
):
    upload = xlsx_upload(garbage(tmp_path / "g.xlsx", 1_000).read_bytes())
    client.force_login(officer)

    client.post(reverse("core:import_upload", args=["enterprises"]), {"file": upload})  # runs inline

    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED
    assert len(job.errors) == MAX_ERRORS
    hidden = job.errors_hidden
    assert hidden > 5_000
    page = client.get(reverse("core:import_job", args=[job.pk]))
    text = page.content.decode()
    assert f"共 {MAX_ERRORS + hidden} 处错误" in text
    assert f"另有 {hidden} 处错误未列出" in text
    assert len(page.content) < 1_000_000
    status = client.get(reverse("core:import_job_status", args=[job.pk])).json()
    assert status["error_count"] == MAX_ERRORS + hidden
    sheet = load_workbook(
        io.BytesIO(client.get(reverse("core:import_job_errors", args=[job.pk])).content)
    ).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 1 + MAX_ERRORS + 1
    assert rows[-1][2] == f"另有 {hidden} 处错误未列出，请先改正以上错误后重新导入"
    assert Enterprise.objects.count() == 0


@pytest.mark.django_db
def test_a_file_with_few_errors_lists_them_all(officer, district, tmp_path):
    result = get_importer("enterprises").run(user=officer, file=garbage(tmp_path / "g.xlsx", 3))

    assert result.errors_hidden == 0
    assert len(result.errors) == result.error_count > 3


@pytest.mark.django_db
def test_the_command_prints_the_capped_list_and_counts_every_error(officer, district, tmp_path):
    stderr = io.StringIO()

    with pytest.raises(CommandError) as info:
        call_command(
            "import_ledger", "enterprises", str(garbage(tmp_path / "g.xlsx")), user="officer", stderr=stderr
        )

    lines = stderr.getvalue().splitlines()
    total = int(re.search(r"发现 (\d+) 处错误", str(info.value)).group(1))
    assert len(lines) == MAX_ERRORS + 1
    assert lines[-1] == f"另有 {total - MAX_ERRORS} 处错误未列出，请先改正以上错误后重新导入"
    assert Enterprise.objects.count() == 0
