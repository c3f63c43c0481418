"""Exporting enterprises to Excel, in the import format (an export re-imports as is)."""

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from accounts import selectors
from accounts.choices import EnterpriseScale, EnterpriseStatus
from accounts.excel import enterprise_export, unit_cell
from accounts.importers import ENTERPRISE_EXPORT_HEADERS, ENTERPRISE_HEADERS
from accounts.models import Enterprise, RiskGrade
from core.imports import get_importer
from tests.factories import EnterpriseFactory

pytestmark = pytest.mark.django_db

FIELDS = [
    "uscc",
    "name",
    "jurisdiction_id",
    "supervising_department_id",
    "risk_grade_id",
    "scale",
    "status",
    "address",
    "longitude",
    "latitude",
    "contact_person",
    "contact_phone",
    "is_fire_key_unit",
    "has_major_hazard_source",
]


def sheet_rows(content: bytes) -> list[list]:
    ws = load_workbook(io.BytesIO(content)).active
    return [[cell.value for cell in row] for row in ws.iter_rows()]


def snapshot() -> dict[str, tuple]:
    result = {}
    for e in Enterprise.objects.prefetch_related("sectors"):
        values = tuple(getattr(e, f) for f in FIELDS)
        result[e.uscc] = (*values, frozenset(s.pk for s in e.sectors.all()))
    return result


@pytest.fixture
def full_enterprise(district, sectors) -> Enterprise:
    return EnterpriseFactory(
        name="东城化工有限公司",
        jurisdiction=district.community_a,
        sectors=[sectors["hazchem"], sectors["fire"]],
        supervising_department=district.dept_emergency,
        risk_grade=RiskGrade.objects.get(code="red"),
        scale=EnterpriseScale.ABOVE,
        status=EnterpriseStatus.SUSPENDED,
        address="化工路8号",
        contact_person="王五",
        contact_phone="0571-88888888",
        longitude=Decimal("120.123456"),
        latitude=Decimal("30.654321"),
        is_fire_key_unit=True,
        has_major_hazard_source=True,
    )


def test_export_writes_the_import_headers_then_the_export_only_ones(officer, full_enterprise, enterprise_b):
    rows = sheet_rows(enterprise_export(queryset=selectors.enterprise_list(user=officer)))

    assert rows[0] == ENTERPRISE_EXPORT_HEADERS
    assert rows[0][: len(ENTERPRISE_HEADERS)] == ENTERPRISE_HEADERS
    by_code = {row[0]: row for row in rows[1:]}
    assert by_code[full_enterprise.uscc] == [
        full_enterprise.uscc,
        "东城化工有限公司",
        "危险化学品、消防",
        "东城街道/东城社区",
        "区应急管理局",
        "重大风险（红）",
        "规上",
        "化工路8号",
        "王五",
        "0571-88888888",
        120.123456,
        30.654321,
        "停产",
        "是",
        "是",
    ]
    assert by_code[enterprise_b.uscc][3] == "西山镇"
    assert by_code[enterprise_b.uscc][4:7] == [None, None, None]
    assert by_code[enterprise_b.uscc][-3:] == ["在营", "否", "否"]


def test_export_holds_only_what_the_queryset_holds(township_a_user, enterprise_a, enterprise_b):
    rows = sheet_rows(enterprise_export(queryset=selectors.enterprise_list(user=township_a_user)))

    assert [row[0] for row in rows[1:]] == [enterprise_a.uscc]


def test_export_of_a_filtered_queryset(officer, enterprise_a, enterprise_b):
    queryset = selectors.enterprise_list(user=officer).filter(name__contains="西山")

    rows = sheet_rows(enterprise_export(queryset=queryset))

    assert [row[0] for row in rows[1:]] == [enterprise_b.uscc]


def test_export_reads_rows_in_constant_queries(officer, district, sectors, django_assert_num_queries):
    for i in range(30):
        EnterpriseFactory(jurisdiction=district.community_a if i % 2 else district.township_b)
    queryset = selectors.enterprise_list(user=officer)

    with django_assert_num_queries(2):  # the rows, then their sectors
        content = enterprise_export(queryset=queryset)

    assert len(sheet_rows(content)) == 31


def test_export_then_reimport_round_trip_keeps_the_data(officer, full_enterprise, enterprise_a, enterprise_b):
    before = snapshot()
    content = enterprise_export(queryset=selectors.enterprise_list(user=officer))

    # Into the same database: every code is known, nothing changes.
    same = get_importer("enterprises").run(user=officer, file=content)
    assert (same.created, same.updated) == (0, 3)
    assert snapshot() == before

    # Into an empty registry: the same enterprises come back, flags and status included.
    Enterprise.history.all().delete()
    Enterprise.objects.all().delete()
    fresh = get_importer("enterprises").run(user=officer, file=content)
    assert fresh.ok, fresh.errors
    assert fresh.created == 3
    assert snapshot() == before


def test_export_keeps_formula_like_names_as_text(officer, district, sectors):
    EnterpriseFactory(name='=HYPERLINK("http://x","点我")', jurisdiction=district.township_a)

    ws = load_workbook(io.BytesIO(enterprise_export(queryset=Enterprise.objects.all()))).active

    assert ws["B2"].data_type == "s"
    assert ws["B2"].value.startswith("'=HYPERLINK")  # OWASP: a leading quote, taken off on re-import


def test_unit_cell_writes_a_community_under_its_township(district):
    assert unit_cell(district.community_a) == "东城街道/东城社区"
    assert unit_cell(district.township_b) == "西山镇"
