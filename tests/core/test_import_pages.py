"""The import pages every ledger kind shares (core.views): upload, template download, the job page,
its status feed and its error list; without permission, with it, and as someone else."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from core import views
from core.models import ImportJob
from tests.core.probe import PROBE
from tests.factories import xlsx, xlsx_upload

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload_url(kind: str = PROBE) -> str:
    return reverse("core:import_upload", args=[kind])


def post(client, content: bytes, django_capture_on_commit_callbacks, *, name: str = "名单.xlsx"):
    """Upload as the browser does; under eager Celery the job runs when the request commits."""
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(upload_url(), {"file": xlsx_upload(content, name=name)})


def finished_job(user, *, errors=(), created=0, updated=0) -> ImportJob:
    status = ImportJob.Status.FAILED if errors else ImportJob.Status.DONE
    return ImportJob.objects.create(
        kind=PROBE,
        user=user,
        filename="名单.xlsx",
        status=status,
        errors=list(errors),
        created_rows=created,
        updated_rows=updated,
        total=3,
        done=3,
    )


def error(row: int, column: str = "名称", message: str = "不能为空") -> dict:
    return {"row": row, "column": column, "message": message}


# ---------------------------------------------------------------- upload


def test_upload_page_shows_the_importers_columns_notes_and_template_link(client, probe, officer):
    client.force_login(officer)

    response = client.get(upload_url())

    assert response.status_code == 200
    body = response.content.decode()
    assert "导入探针" in body
    assert "探针台账的说明" in body
    assert "<code>名称</code>" in body
    assert reverse("core:import_template", args=[PROBE]) in body
    assert reverse("accounts:enterprise_list") in body  # "back" goes to the importer's list


def test_upload_starts_a_job_and_redirects_to_its_page(
    client, probe, officer, django_capture_on_commit_callbacks
):
    client.force_login(officer)

    response = post(client, xlsx(["名称"], [["甲"], ["乙"]]), django_capture_on_commit_callbacks)

    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("core:import_job", args=[job.pk])
    assert (job.kind, job.user, job.filename, job.status, job.created_rows) == (
        PROBE,
        officer,
        "名单.xlsx",
        "done",
        2,
    )
    assert job.file.name.startswith("imports/") and "名单" not in job.file.name


@pytest.mark.parametrize(
    ("name", "message"),
    [("名单.csv", "请上传 .xlsx 格式的 Excel 文件。"), ("名单.XLS", "请上传 .xlsx 格式的 Excel 文件。")],
)
def test_upload_of_another_format_is_a_form_error_and_no_job(client, probe, officer, name, message):
    client.force_login(officer)

    response = client.post(upload_url(), {"file": xlsx_upload(b"a,b\n", name=name)})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ImportJob.objects.exists()


def test_upload_over_the_size_limit_is_a_form_error_and_no_job(client, probe, officer, settings):
    settings.IMPORT_MAX_BYTES = 1024 * 1024
    client.force_login(officer)

    response = client.post(upload_url(), {"file": xlsx_upload(b"x" * (1024 * 1024 + 1))})

    assert "文件过大（上限 1 MB）。" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_upload_without_a_file_is_a_form_error(client, probe, officer):
    client.force_login(officer)

    response = client.post(upload_url(), {})

    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert not ImportJob.objects.exists()


def test_upload_page_answers_only_get_and_post(client, probe, officer):
    client.force_login(officer)

    assert client.put(upload_url()).status_code == 405


# ---------------------------------------------------------------- template


def test_template_downloads_as_xlsx_with_the_importers_headers_and_file_name(client, probe, township_a_user):
    client.force_login(township_a_user)

    response = client.get(reverse("core:import_template", args=[PROBE]))

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"] == (
        "attachment; filename*=UTF-8''%E6%8E%A2%E9%92%88%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF.xlsx"
    )
    ws = load_workbook(io.BytesIO(response.content)).active
    assert [[c.value for c in row] for row in ws.iter_rows()] == [["名称"], ["示例名称"]]


# ---------------------------------------------------------------- the job page


def test_job_page_of_a_done_import_shows_the_counts_and_the_way_to_the_list(client, probe, officer):
    job = finished_job(officer, created=2, updated=1)
    client.force_login(officer)

    body = client.get(reverse("core:import_job", args=[job.pk])).content.decode()

    assert "导入完成：新增 2 条，更新 1 条。" in body
    assert "查看探针" in body and reverse("accounts:enterprise_list") in body
    assert reverse("core:import_upload", args=[PROBE]) in body  # "import another file"
    assert "import_progress.js" not in body


def test_job_page_of_a_failed_import_lists_every_error_by_row_and_column(client, probe, officer):
    job = finished_job(officer, errors=[error(0, "", "文件中没有数据行"), error(3), error(5, "编号", "重复")])
    client.force_login(officer)

    response = client.get(reverse("core:import_job", args=[job.pk]))

    body = response.content.decode()
    assert "共 3 处错误，未导入任何数据" in body
    assert reverse("core:import_job_errors", args=[job.pk]) in body
    rows = [
        [cell.strip() for cell in row.split("</td><td")]
        for row in body.split("<tbody>", 1)[1].split("</tbody>", 1)[0].split("<tr>")[1:]
    ]
    assert len(rows) == 3
    assert "—" in rows[0][0] and "第3行" in rows[1][0] and "第5行" in rows[2][0]
    assert "编号" in rows[2][1] and "重复" in rows[2][2]


def test_job_page_shows_the_first_errors_and_says_how_many_more_are_in_the_download(client, probe, officer):
    job = finished_job(officer, errors=[error(n) for n in range(2, views.ERRORS_SHOWN + 12)])
    client.force_login(officer)

    response = client.get(reverse("core:import_job", args=[job.pk]))

    assert len(response.context["errors"]) == views.ERRORS_SHOWN
    assert response.context["errors_hidden"] == 10
    assert "另有 10 处错误未在此列出，请下载错误清单查看。" in response.content.decode()


def test_job_page_of_a_running_import_shows_the_bar_and_polls_its_status(client, probe, officer):
    job = ImportJob.objects.create(
        kind=PROBE, user=officer, filename="名单.xlsx", status="saving", done=50, total=100
    )
    client.force_login(officer)

    body = client.get(reverse("core:import_job", args=[job.pk])).content.decode()

    assert "import_progress.js" in body
    assert f'data-status-url="{reverse("core:import_job_status", args=[job.pk])}"' in body
    assert 'aria-valuenow="65"' in body and "50 / 100" in body


def test_status_feed_gives_the_bar_what_it_needs(client, probe, officer):
    job = ImportJob.objects.create(
        kind=PROBE, user=officer, filename="名单.xlsx", status="validating", done=50, total=100
    )
    client.force_login(officer)

    data = client.get(reverse("core:import_job_status", args=[job.pk])).json()

    assert data == {
        "status": "validating",
        "status_label": "校验中",
        "finished": False,
        "total": 100,
        "done": 50,
        "percent": 15,
        "created": 0,
        "updated": 0,
        "error_count": 0,
    }


def test_status_feed_of_a_finished_job(client, probe, officer):
    job = finished_job(officer, errors=[error(2), error(3)])
    client.force_login(officer)

    data = client.get(reverse("core:import_job_status", args=[job.pk])).json()

    assert (data["status"], data["finished"], data["percent"], data["error_count"]) == (
        "failed",
        True,
        100,
        2,
    )


def test_error_list_downloads_every_error_as_xlsx(client, probe, officer):
    errors = [error(0, "", "文件中没有数据行")] + [error(n) for n in range(2, views.ERRORS_SHOWN + 12)]
    job = finished_job(officer, errors=errors)
    client.force_login(officer)

    response = client.get(reverse("core:import_job_errors", args=[job.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert f"_{job.pk}.xlsx" in response["Content-Disposition"]
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows[0] == ["行号", "列", "原因"]
    assert rows[1] == [None, None, "文件中没有数据行"]  # the file as a whole: no row, no column
    assert rows[2] == [2, "名称", "不能为空"]
    assert len(rows) == 1 + len(errors)  # all of them, not only those the page shows


def test_the_whole_round_trip_for_a_failed_upload(client, probe, officer, django_capture_on_commit_callbacks):
    client.force_login(officer)

    response = post(client, xlsx(["编号"], [["1"]]), django_capture_on_commit_callbacks)

    page = client.get(response["Location"])
    assert "缺少必填列「名称」" in page.content.decode()
    job = ImportJob.objects.get()
    assert client.get(reverse("core:import_job_status", args=[job.pk])).json()["error_count"] == 1


# ---------------------------------------------------------------- who may


@pytest.mark.parametrize("persona", ["township_b_user", "leader", "admin_user"])
def test_another_users_job_is_404_whatever_their_role(client, probe, officer, request, persona):
    job = finished_job(officer, errors=[error(2)])
    client.force_login(request.getfixturevalue(persona))

    for name in ("core:import_job", "core:import_job_status", "core:import_job_errors"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404, name


def test_a_leader_may_not_upload_or_download_the_template(client, probe, leader):
    client.force_login(leader)

    assert client.get(upload_url()).status_code == 403
    assert client.get(reverse("core:import_template", args=[PROBE])).status_code == 403
    response = client.post(upload_url(), {"file": xlsx_upload(xlsx(["名称"], [["甲"]]))})
    assert response.status_code == 403
    assert not ImportJob.objects.exists()


def test_an_unknown_kind_is_404(client, officer):
    client.force_login(officer)

    assert client.get(upload_url("nonsense")).status_code == 404
    assert client.get(reverse("core:import_template", args=["nonsense"])).status_code == 404
    assert client.post(upload_url("nonsense"), {"file": xlsx_upload(xlsx(["名称"]))}).status_code == 404


def test_a_job_whose_kind_is_no_longer_registered_is_404_on_its_page(client, officer):
    job = ImportJob.objects.create(kind="retired-kind", user=officer, filename="x.xlsx", status="done")
    client.force_login(officer)

    assert client.get(reverse("core:import_job", args=[job.pk])).status_code == 404
    assert client.get(reverse("core:import_job_status", args=[job.pk])).status_code == 200


def test_signed_out_visitors_are_sent_to_the_login_page(client, probe, officer):
    job = finished_job(officer)
    urls = [
        upload_url(),
        reverse("core:import_template", args=[PROBE]),
        reverse("core:import_job", args=[job.pk]),
        reverse("core:import_job_status", args=[job.pk]),
        reverse("core:import_job_errors", args=[job.pk]),
    ]

    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url


def test_job_page_query_count_does_not_grow_with_errors(
    client, probe, officer, django_assert_max_num_queries
):
    client.force_login(officer)
    few = finished_job(officer, errors=[error(2)])
    many = finished_job(officer, errors=[error(n) for n in range(2, 400)])

    with django_assert_max_num_queries(10) as captured:
        client.get(reverse("core:import_job", args=[few.pk]))
    with django_assert_max_num_queries(len(captured.captured_queries)):
        client.get(reverse("core:import_job", args=[many.pk]))
