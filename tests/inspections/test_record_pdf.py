"""现场检查记录 PDF: the official form with the enterprise, the number and the findings, Chinese fonts
embedded, A4; scoped like every other read."""

import datetime as dt
import re
import subprocess

import pytest
from django.urls import reverse

from inspections.choices import ActionStatus, CheckResultValue
from inspections.models import CheckItem, InspectionKind
from inspections.pdf import record_pdf
from inspections.selectors import record_list
from inspections.services import ResultData, VisitData, action_create

DAY = dt.date(2026, 3, 10)


@pytest.fixture
def items(sectors):
    return [
        CheckItem.objects.create(
            sector=sectors["industry-trade"], code="GM-01", title="有限空间作业是否审批并检测", order=1
        ),
        CheckItem.objects.create(
            sector=sectors["industry-trade"], code="GM-02", title="安全生产责任制是否健全", order=2
        ),
    ]


@pytest.fixture
def record(officer, team, enterprise_a, items):
    enterprise_a.address = "东城路8号"
    enterprise_a.contact_person = "赵厂长"
    enterprise_a.contact_phone = "13800001111"
    enterprise_a.save()
    visit = VisitData(
        results=[
            ResultData(items[0].pk, CheckResultValue.NONCOMPLIANT, "未审批即作业"),
            ResultData(items[1].pk, CheckResultValue.COMPLIANT),
        ],
        findings="有限空间作业未审批，责令立即整改。",
    )
    action = action_create(
        user=officer,
        date=DAY,
        organizer=officer.org_unit,
        kind=InspectionKind.objects.get(code="special"),
        members=team,
        enterprises=[enterprise_a],
        experts="张专家",
        visits={enterprise_a.pk: visit},
    )
    return action.records.get()


def poppler(tool: str, pdf: bytes, tmp_path, *args: str) -> str:
    path = tmp_path / "record.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        [f"/usr/bin/{tool}", *args, str(path), *(["-"] if tool == "pdftotext" else [])],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def flat(text: str) -> str:
    """pdftotext breaks long cells over lines; compare without the layout's whitespace."""
    return re.sub(r"\s+", "", text)


def test_pdf_text_holds_the_enterprise_the_number_and_the_noncompliant_item(record, tmp_path):
    text = flat(poppler("pdftotext", record_pdf(record), tmp_path, "-enc", "UTF-8"))

    assert record.number and flat(record.number) in text
    assert "现场检查记录" in text
    assert "东城机械厂" in text and record.enterprise.uscc in text
    assert "有限空间作业是否审批并检测" in text and "不符合" in text
    assert "王检查（执法证号：湘执0000）" in text and "张专家" in text
    assert "有限空间作业未审批，责令立即整改。" in text
    assert "检查人员（签名）" in text and "被检查单位负责人（签名）" in text
    assert "本记录一式两份" in text
    assert "第1页共1页" in text


def test_pdf_embeds_a_cjk_font_and_is_a4(record, tmp_path):
    pdf = record_pdf(record)

    fonts = poppler("pdffonts", pdf, tmp_path)
    assert "Noto" in fonts
    # Every font is embedded (the "emb" column): the record prints the same on any machine.
    rows = [line.split() for line in fonts.splitlines()[2:] if line.strip()]
    assert rows and all(row[-5] == "yes" for row in rows), fonts
    info = poppler("pdfinfo", pdf, tmp_path)
    size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info)
    assert size and abs(float(size[1]) - 595.28) < 1 and abs(float(size[2]) - 841.89) < 1, info


def test_rendering_reads_the_team_and_the_results_in_two_queries(record, officer, django_assert_num_queries):
    loaded = record_list(user=officer).get(pk=record.pk)
    with django_assert_num_queries(2):
        record_pdf(loaded)


def test_a_planned_inspection_prints_as_a_blank_form_pending_its_number(
    officer, team, enterprise_a, tmp_path
):
    action = action_create(
        user=officer,
        date=DAY,
        organizer=officer.org_unit,
        kind=InspectionKind.objects.get(code="random"),
        members=team,
        enterprises=[enterprise_a],
        status=ActionStatus.PLANNED,
    )
    record = action.records.get()
    assert record.number == ""

    text = flat(poppler("pdftotext", record_pdf(record), tmp_path, "-enc", "UTF-8"))

    assert "编号：（待编号）" in text and "东城机械厂" in text


def test_township_user_gets_the_pdf_of_their_own_enterprise_inline(client, township_a_user, record):
    client.force_login(township_a_user)

    response = client.get(reverse("inspections:record_pdf", args=[record.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    disposition = response["Content-Disposition"]
    assert disposition.startswith("inline; filename*=UTF-8''")
    assert "%E7%8E%B0%E5%9C%BA%E6%A3%80%E6%9F%A5%E8%AE%B0%E5%BD%95" in disposition  # 现场检查记录


def test_outsider_gets_404(client, township_b_user, department_user, record):
    for outsider in (township_b_user, department_user):
        client.force_login(outsider)
        assert client.get(reverse("inspections:record_pdf", args=[record.pk])).status_code == 404


def test_anonymous_is_sent_to_login(client, record):
    response = client.get(reverse("inspections:record_pdf", args=[record.pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_record_page_links_to_its_pdf(client, officer, record):
    client.force_login(officer)

    page = client.get(reverse("inspections:record_detail", args=[record.pk])).content.decode()

    assert reverse("inspections:record_pdf", args=[record.pk]) in page and "打印现场检查记录" in page
