"""安全责任: 职责清单, 工作清单 and signed 责任书 — the coverage figures against hand-computed numbers,
scoping (township B sees nothing of A's: 404), the wrong role (a leader reads only: 403), the content
check of the scanned file, progress rules, the API, and query ceilings on the pages."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from PIL import Image

from accounts.choices import DutyCategory, EnterpriseStatus, WorkStatus
from accounts.forms_responsibility import parse_duty_lines
from accounts.models import LetterKind, ResponsibilityLetter
from accounts.selectors_responsibility import letter_coverage, letters_by_kind, work_progress
from accounts.services_responsibility import (
    DutyItemData,
    duty_item_add,
    duty_list_create,
    letter_create,
    work_item_add,
    work_item_progress,
    work_list_create,
)
from tests.factories import EnterpriseFactory

TODAY = timezone.localdate()
YEAR = TODAY.year
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def kind(code: str = "target-responsibility") -> LetterKind:
    return LetterKind.objects.get(code=code)


def pdf(name: str = "责任书.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def png(name: str = "scan.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 30), "white").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def sign(
    user, issuer, *, enterprise=None, unit=None, year=YEAR, on=None, code="target-responsibility", file=None
):
    return letter_create(
        user=user,
        kind=kind(code),
        year=year,
        issuer=issuer,
        signer_enterprise=enterprise,
        signer_unit=unit,
        signed_on=on or TODAY,
        file=file,
    )


@pytest.fixture
def firms(district, sectors):
    """Township A: four operating firms (one in its community) and a closed one; township B: three."""
    machinery, construction = sectors["machinery"], sectors["construction"]
    a = [
        EnterpriseFactory(name=f"东城{n}厂", jurisdiction=district.township_a, sectors=[machinery])
        for n in range(3)
    ]
    a.append(
        EnterpriseFactory(name="东城社区建筑", jurisdiction=district.community_a, sectors=[construction])
    )
    closed = EnterpriseFactory(
        name="东城关闭厂",
        jurisdiction=district.township_a,
        sectors=[machinery],
        status=EnterpriseStatus.CLOSED,
    )
    b = [
        EnterpriseFactory(name=f"西山{n}公司", jurisdiction=district.township_b, sectors=[construction])
        for n in range(3)
    ]
    return {"a": a, "closed": closed, "b": b}


@pytest.fixture
def letters(firms, officer, district, township_a_user):
    """This year: three of A's four operating firms signed (one twice, one by A itself), the closed firm
    signed (not counted), the fourth only last year's; one of B's three signed. Plus a unit letter."""
    a, b = firms["a"], firms["b"]
    made = [
        sign(officer, district.dept_emergency, enterprise=a[0], on=dt.date(YEAR, 1, 10)),
        sign(officer, district.dept_emergency, enterprise=a[0], code="commitment", on=dt.date(YEAR, 2, 1)),
        sign(
            township_a_user, district.township_a, enterprise=a[1], code="commitment", on=dt.date(YEAR, 2, 3)
        ),
        sign(officer, district.dept_emergency, enterprise=a[3], on=dt.date(YEAR, 3, 1)),
        sign(officer, district.dept_emergency, enterprise=firms["closed"], on=dt.date(YEAR, 3, 2)),
        sign(officer, district.dept_emergency, enterprise=a[2], year=YEAR - 1, on=dt.date(YEAR - 1, 12, 20)),
        sign(
            officer,
            district.dept_emergency,
            enterprise=b[0],
            code="responsibility-pledge",
            on=dt.date(YEAR, 1, 5),
        ),
        sign(officer, district.district, unit=district.township_a, on=dt.date(YEAR, 1, 3)),
    ]
    return made


# ---------------------------------------------------------------- figures, hand-computed


def test_coverage_per_township_in_one_query(letters, officer, django_assert_num_queries):
    with django_assert_num_queries(1):
        figures = letter_coverage(user=officer, year=YEAR)
    rows = {r["township"]: r for r in figures["rows"]}
    assert set(rows) == {"东城街道", "西山镇"}
    assert (rows["东城街道"]["enterprises"], rows["东城街道"]["signed"]) == (4, 3)
    assert rows["东城街道"]["rate"] == Decimal("75.0")
    assert (rows["西山镇"]["enterprises"], rows["西山镇"]["signed"]) == (3, 1)
    assert rows["西山镇"]["rate"] == Decimal("33.3")
    assert figures["total"] == {"enterprises": 7, "signed": 4, "rate": Decimal("57.1")}
    last_year = letter_coverage(user=officer, year=YEAR - 1)["total"]
    assert (last_year["signed"], last_year["rate"]) == (1, Decimal("14.3"))


def test_coverage_is_scoped(letters, township_a_user, department_user, leader):
    mine = letter_coverage(user=township_a_user, year=YEAR)
    assert [r["township"] for r in mine["rows"]] == ["东城街道"] and mine["total"]["rate"] == Decimal("75.0")
    # 住建 sees the construction firms: one in A's community (signed), three in B (one signed).
    dept = {
        r["township"]: (r["enterprises"], r["signed"])
        for r in letter_coverage(user=department_user, year=YEAR)["rows"]
    }
    assert dept == {"东城街道": (1, 1), "西山镇": (3, 1)}
    assert letter_coverage(user=leader, year=YEAR)["total"]["signed"] == 4


def test_letters_by_kind_in_a_period_in_one_query(
    letters, officer, township_a_user, django_assert_num_queries
):
    period = {"date_from": dt.date(YEAR, 1, 1), "date_to": dt.date(YEAR, 12, 31)}
    with django_assert_num_queries(1):
        rows = letters_by_kind(user=officer, **period)
    got = {r["kind"]: (r["letters"], r["enterprises"], r["units"]) for r in rows}
    assert got == {
        "安全生产目标管理责任书": (4, 3, 1),  # a[0], a[3], closed; and township A
        "安全生产责任状": (1, 1, 0),
        "安全承诺书": (2, 2, 0),
    }
    january = letters_by_kind(user=officer, date_from=dt.date(YEAR, 1, 1), date_to=dt.date(YEAR, 1, 31))
    assert {r["kind"]: r["letters"] for r in january} == {"安全生产目标管理责任书": 2, "安全生产责任状": 1}
    # Township A: its firms' letters and the letter it signed itself; not B's 责任状.
    mine = {r["kind"]: r["letters"] for r in letters_by_kind(user=township_a_user, **period)}
    assert mine == {"安全生产目标管理责任书": 4, "安全承诺书": 2}


# ---------------------------------------------------------------- letters: rules and the file


def test_a_letter_needs_exactly_one_signer_and_sane_dates(officer, district, firms):
    with pytest.raises(ValidationError) as exc:
        sign(officer, district.district)
    assert "二选一" in str(exc.value.message_dict["signer_unit"])
    with pytest.raises(ValidationError) as exc:
        sign(officer, district.district, unit=district.township_a, enterprise=firms["a"][0])
    assert "signer_unit" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        sign(officer, district.district, unit=district.township_a, on=TODAY + dt.timedelta(days=1))
    assert exc.value.message_dict["signed_on"] == ["签订日期不能晚于今天。"]
    with pytest.raises(ValidationError) as exc:
        sign(officer, district.district, unit=district.district)
    assert "签订单位不能是发放单位本身。" in exc.value.message_dict["signer_unit"]


def test_township_issues_only_for_itself_and_to_firms_in_its_area(township_a_user, district, firms):
    with pytest.raises(ValidationError) as exc:
        sign(township_a_user, district.township_b, enterprise=firms["a"][0])
    assert "issuer" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        sign(township_a_user, district.township_a, enterprise=firms["b"][0])
    assert exc.value.message_dict["signer_enterprise"] == ["所选企业不在您的管辖范围内。"]
    letter = sign(township_a_user, district.township_a, unit=district.community_a)
    assert letter.signer_name == "东城社区"


def test_a_leader_registers_nothing(leader, district):
    with pytest.raises(PermissionDenied):
        sign(leader, district.district, unit=district.township_a)


def test_the_scan_is_checked_by_content(officer, district, firms, media):
    firm = firms["a"][0]
    fake = SimpleUploadedFile("责任书.pdf", b"MZ\x90\x00 this is an exe", content_type="application/pdf")
    with pytest.raises(ValidationError) as exc:
        sign(officer, district.dept_emergency, enterprise=firm, file=fake)
    assert "不是有效的 PDF 或图片文件" in exc.value.message_dict["file"][0]
    scripted = pdf(content=PDF.replace(b"/Catalog", b"/Catalog/OpenAction<</S/JavaScript/JS(app.alert(1))>>"))
    with pytest.raises(ValidationError) as exc:
        sign(officer, district.dept_emergency, enterprise=firm, file=scripted)
    assert "含有脚本或嵌入文件" in exc.value.message_dict["file"][0]
    cut = pdf(content=b"%PDF-1.4\n1 0 obj<<>>endobj\n")
    with pytest.raises(ValidationError) as exc:
        sign(officer, district.dept_emergency, enterprise=firm, file=cut)
    assert "不是完整的 PDF 文件" in exc.value.message_dict["file"][0]
    assert not ResponsibilityLetter.objects.exists()

    letter = sign(officer, district.dept_emergency, enterprise=firm, file=pdf("../../etc/passwd.pdf"))
    assert letter.file.name.startswith(f"letters/{YEAR}/") and letter.file.name.endswith(".pdf")
    assert letter.file_name == "passwd.pdf" and "passwd" not in letter.file.name
    photo = sign(officer, district.dept_emergency, enterprise=firm, file=png("x.pdf"))
    assert photo.file.name.endswith(".png")  # named by what it is, not by what it was called


def test_the_scan_is_served_through_the_scope(
    client, officer, township_a_user, township_b_user, district, firms, media
):
    letter = sign(officer, district.dept_emergency, enterprise=firms["a"][0], file=pdf())
    url = reverse("accounts:letter_file", args=[letter.pk])
    client.force_login(township_a_user)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF
    client.force_login(township_b_user)
    assert client.get(url).status_code == 404
    assert client.get(reverse("accounts:letter_detail", args=[letter.pk])).status_code == 404
    api_url = f"/api/v1/responsibility-letters/{letter.pk}/file/"
    assert client.get(api_url).status_code == 404


# ---------------------------------------------------------------- pages: scope, role, ceilings


def test_letter_pages_for_the_township_its_neighbour_and_the_leader(
    client, letters, township_a_user, township_b_user, leader, firms
):
    client.force_login(township_a_user)
    page = client.get(reverse("accounts:letter_list"))
    html = page.content.decode()
    assert page.status_code == 200
    assert firms["a"][0].name in html and "西山0公司" not in html
    mine = letters[0]  # issued by the district office, signed by A's firm: A sees it
    assert client.get(mine.get_absolute_url()).status_code == 200
    overview = client.get(reverse("accounts:responsibility")).content.decode()
    assert "75.0%" in overview and "西山镇" not in overview

    client.force_login(township_b_user)
    assert client.get(mine.get_absolute_url()).status_code == 404
    assert firms["a"][0].name not in client.get(reverse("accounts:letter_list")).content.decode()

    client.force_login(leader)
    assert client.get(reverse("accounts:letter_list")).status_code == 200
    assert client.get(reverse("accounts:letter_create")).status_code == 403
    assert client.post(reverse("accounts:letter_create"), {}).status_code == 403


def test_registering_a_letter_in_the_browser_with_its_scan(client, township_a_user, district, firms, media):
    client.force_login(township_a_user)
    firm = firms["a"][1]
    data = {
        "kind": kind("commitment").pk,
        "year": YEAR,
        "issuer": district.township_a.pk,
        "signer_uscc": firm.uscc.lower(),
        "signed_on": TODAY.isoformat(),
        "file": pdf(),
    }
    response = client.post(reverse("accounts:letter_create"), data)
    letter = ResponsibilityLetter.objects.get()
    assert response.status_code == 302 and response.url == letter.get_absolute_url()
    assert letter.signer_enterprise == firm and letter.created_by == township_a_user
    # Bad input: a Chinese error on the field, nothing saved, no 500.
    bad = dict(data, signer_uscc=firms["b"][0].uscc, file=pdf(), signed_on="2026-02-30")
    response = client.post(reverse("accounts:letter_create"), bad)
    form = response.context["form"]
    assert response.status_code == 200
    assert "不在您的管辖范围内" in form.errors["signer_uscc"][0] and "signed_on" in form.errors
    assert ResponsibilityLetter.objects.count() == 1


def test_letter_list_and_export_keep_a_query_ceiling(
    client, officer, district, firms, django_assert_max_num_queries
):
    for firm in firms["a"] + firms["b"]:
        sign(officer, district.dept_emergency, enterprise=firm)
    client.force_login(officer)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("accounts:letter_list")).status_code == 200
    with django_assert_max_num_queries(12):
        overview = client.get(reverse("accounts:responsibility"))
    assert overview.status_code == 200
    with django_assert_max_num_queries(10):
        response = client.get(reverse("accounts:letter_export") + "?signer=enterprise")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("年度", "类型", "名称", "发放单位", "签订方") and len(rows) == 8


# ---------------------------------------------------------------- 职责清单


def test_duty_lines_take_their_category_and_drop_numbering():
    items = parse_duty_lines("1、属地管理：负责辖区安全\n\n【综合监管】统筹协调\n二、抓好宣传")
    assert items == [
        DutyItemData(text="负责辖区安全", category=DutyCategory.TERRITORIAL),
        DutyItemData(text="统筹协调", category=DutyCategory.OVERALL),
        DutyItemData(text="抓好宣传", category=DutyCategory.OTHER),
    ]


def test_duty_lists_are_their_units(
    client, township_a_user, township_b_user, leader, district, django_assert_max_num_queries
):
    duty = duty_list_create(
        user=township_a_user,
        unit=district.township_a,
        title="东城街道党工委书记安全生产职责清单",
        holder_name="王五",
        holder_post="党工委书记",
        items=[DutyItemData("主持党工委会议研究安全生产", DutyCategory.LEADERSHIP)],
    )
    duty_item_add(
        user=township_a_user, duty_list=duty, text="督促落实隐患整改", category=DutyCategory.TERRITORIAL
    )
    assert [i.order for i in duty.items.all()] == [1, 2]
    with pytest.raises(ValidationError):
        duty_list_create(user=township_b_user, unit=district.township_a, title="越权")
    with pytest.raises(PermissionDenied):
        duty_item_add(user=township_b_user, duty_list=duty, text="越权")

    client.force_login(township_a_user)
    with django_assert_max_num_queries(10):
        page = client.get(duty.get_absolute_url())
    assert "党工委书记　王五" in page.content.decode() and "督促落实隐患整改" in page.content.decode()
    client.force_login(township_b_user)
    assert client.get(duty.get_absolute_url()).status_code == 404
    item = duty.items.first()
    assert client.post(reverse("accounts:duty_item_remove", args=[item.pk])).status_code == 404
    client.force_login(leader)
    assert client.get(duty.get_absolute_url()).status_code == 200
    response = client.post(
        reverse("accounts:duty_list_item_add", args=[duty.pk]), {"text": "x", "category": "other"}
    )
    assert response.status_code == 403


# ---------------------------------------------------------------- 工作清单


def test_work_list_progress_rules_and_figures(township_a_user, township_b_user, officer, district):
    work = work_list_create(user=township_a_user, unit=district.township_a, year=YEAR)
    assert work.title == f"东城街道{YEAR}年度安全生产工作清单"
    with pytest.raises(ValidationError):
        work_list_create(user=township_a_user, unit=district.township_a, year=YEAR)  # one per year
    t1 = work_item_add(
        user=township_a_user, work_list=work, task="开展安全生产月活动", due_on=dt.date(YEAR, 6, 30)
    )
    t2 = work_item_add(
        user=township_a_user, work_list=work, task="签订责任书", due_on=TODAY - dt.timedelta(days=1)
    )
    work_item_add(user=township_a_user, work_list=work, task="年终总结", lead_unit=district.community_a)

    done = work_item_progress(
        user=township_a_user, item=t1, status=WorkStatus.DONE, percent=40, note="已完成"
    )
    assert (done.status, done.percent, done.progress_by) == (WorkStatus.DONE, 100, township_a_user)
    going = work_item_progress(user=township_a_user, item=t2, status=WorkStatus.IN_PROGRESS, percent=60)
    assert going.percent == 60
    with pytest.raises(ValidationError) as exc:
        work_item_progress(user=township_a_user, item=t2, status=WorkStatus.IN_PROGRESS, percent=100)
    assert "已完成" in exc.value.message_dict["percent"][0]
    with pytest.raises(PermissionDenied):
        work_item_progress(user=township_b_user, item=t2, status=WorkStatus.DONE)

    figures = work_progress(user=officer, year=YEAR)
    assert figures == {"tasks": 3, "done": 1, "in_progress": 1, "not_started": 1, "overdue": 1}
    assert work_progress(user=township_b_user, year=YEAR)["tasks"] == 0


def test_work_list_pages(client, township_a_user, township_b_user, district, django_assert_max_num_queries):
    work = work_list_create(user=township_a_user, unit=district.township_a, year=YEAR)
    for n in range(5):
        work_item_add(user=township_a_user, work_list=work, task=f"任务{n}", lead_unit=district.community_a)
    item = work.items.first()
    client.force_login(township_a_user)
    with django_assert_max_num_queries(10):
        assert client.get(work.get_absolute_url()).status_code == 200
    url = reverse("accounts:work_item_progress", args=[item.pk])
    response = client.post(url, {"status": "in_progress", "percent": "150", "note": ""})
    assert response.status_code == 200 and "percent" in response.context["form"].errors
    response = client.post(url, {"status": "in_progress", "percent": "30", "note": "已部署"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.percent, item.progress_note) == (30, "已部署")
    export = client.get(reverse("accounts:work_list_export", args=[work.pk]))
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert rows[4][:3] == ("序号", "工作任务", "牵头单位") and rows[5][1] == "任务0" and rows[5][5] == 30
    client.force_login(township_b_user)
    assert client.get(work.get_absolute_url()).status_code == 404
    assert client.post(url, {"status": "done"}).status_code == 404


# ---------------------------------------------------------------- API


def test_api_letters_scoped_with_coverage(
    api, letters, township_a_user, township_b_user, leader, district, firms, media
):
    api.force_authenticate(township_a_user)
    listed = api.get("/api/v1/responsibility-letters/").json()
    assert listed["count"] == 7  # A firms: 5 this year (incl. the closed one), 1 last year; + A itself
    cover = api.get(f"/api/v1/responsibility-letters/coverage/?year={YEAR}").json()
    assert [r["township"] for r in cover["rows"]] == ["东城街道"] and cover["total"]["rate"] == "75.0"
    assert api.get("/api/v1/responsibility-letters/coverage/?year=abc").status_code == 400
    by_kind = api.get(f"/api/v1/responsibility-letters/by-kind/?date_from={YEAR}-01-01&date_to={YEAR}-12-31")
    assert by_kind.json()["date_from"] == f"{YEAR}-01-01"
    assert {r["kind"]: r["letters"] for r in by_kind.json()["rows"]} == {
        "安全生产目标管理责任书": 4,
        "安全承诺书": 2,
    }

    body = {
        "kind": kind("commitment").pk,
        "year": YEAR,
        "issuer": district.township_a.pk,
        "signer_enterprise": firms["a"][2].pk,
        "signed_on": TODAY.isoformat(),
        "file": pdf(),
    }
    created = api.post("/api/v1/responsibility-letters/", body, format="multipart")
    assert created.status_code == 201, created.content
    assert created.json()["file_url"].endswith(f"/api/v1/responsibility-letters/{created.json()['id']}/file/")
    outside = api.post(
        "/api/v1/responsibility-letters/",
        dict(body, signer_enterprise=firms["b"][0].pk, file=pdf()),
        format="multipart",
    )
    assert outside.status_code == 400 and "signer_enterprise" in outside.json()

    api.force_authenticate(township_b_user)
    assert api.get(f"/api/v1/responsibility-letters/{letters[0].pk}/").status_code == 404
    api.force_authenticate(leader)
    assert api.post("/api/v1/responsibility-letters/", {}, format="json").status_code == 403


def test_api_lists_and_progress(api, township_a_user, township_b_user, district):
    api.force_authenticate(township_a_user)
    duty = api.post(
        "/api/v1/responsibility-lists/",
        {
            "unit": district.township_a.pk,
            "title": "街道办主任职责清单",
            "holder_post": "主任",
            "holder_name": "赵六",
            "items": [{"category": "territorial", "text": "负责辖区安全生产"}],
        },
        format="json",
    )
    assert duty.status_code == 201, duty.content
    assert duty.json()["items"][0]["category"] == "territorial"
    work = api.post("/api/v1/work-lists/", {"unit": district.township_a.pk, "year": YEAR}, format="json")
    assert work.status_code == 201
    wid = work.json()["id"]
    added = api.post(
        f"/api/v1/work-lists/{wid}/items/", {"task": "开展演练", "due_on": f"{YEAR}-10-01"}, format="json"
    )
    assert added.status_code == 201
    item = added.json()["items"][0]["id"]
    done = api.post(f"/api/v1/work-lists/{wid}/progress/", {"item": item, "status": "done"}, format="json")
    assert done.status_code == 200 and done.json()["items"][0]["percent"] == 100
    wrong = api.post(f"/api/v1/work-lists/{wid}/progress/", {"item": 999999, "status": "done"}, format="json")
    assert wrong.status_code == 400 and "item" in wrong.json()
    elsewhere = api.post("/api/v1/work-lists/", {"unit": district.township_b.pk, "year": YEAR}, format="json")
    assert elsewhere.status_code == 400 and "unit" in elsewhere.json()

    api.force_authenticate(township_b_user)
    assert api.get(f"/api/v1/work-lists/{wid}/").status_code == 404
    assert (
        api.post(
            f"/api/v1/work-lists/{wid}/progress/", {"item": item, "status": "done"}, format="json"
        ).status_code
        == 404
    )
    assert api.get("/api/v1/responsibility-lists/").json()["count"] == 0


def test_the_enterprise_page_lists_the_letters_it_signed(client, letters, firms, township_a_user, leader):
    firm = firms["a"][0]
    client.force_login(township_a_user)
    html = client.get(reverse("accounts:enterprise_detail", args=[firm.pk])).content.decode()
    panel = html.split('id="enterprise-letters"', 1)[1]
    assert "共 2 份" in panel and "安全承诺书" in panel and "安全生产目标管理责任书" in panel
    assert f"signer_uscc={firm.uscc}" in panel  # 登记责任书 opens with the enterprise filled in
    form = client.get(reverse("accounts:letter_create") + f"?signer_uscc={firm.uscc}").context["form"]
    assert form["signer_uscc"].value() == firm.uscc
    client.force_login(leader)
    html = client.get(reverse("accounts:enterprise_detail", args=[firm.pk])).content.decode()
    assert "共 2 份" in html and "signer_uscc=" not in html  # a leader reads, registers nothing
