"""事故: recording, scoping (township A sees its own, B's answer 404; a department its sectors), the
figures with year-over-year change against hand-computed numbers, the import (errors → nothing
imported; a clean file), the export and the API."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from core.imports import get_importer
from hazards import selectors_accidents as sel
from hazards.choices import AccidentGrade
from hazards.importers_accidents import ACCIDENT_HEADERS
from hazards.models import Accident, AccidentCategory
from hazards.services import AccidentData, accident_create, accident_update
from tests.factories import xlsx

pytestmark = pytest.mark.django_db
API = "/api/v1/accidents/"


def cat(code: str) -> AccidentCategory:
    return AccidentCategory.objects.get(code=code)


def record(
    user,
    township,
    sector,
    on,
    *,
    deaths=0,
    injuries=0,
    loss=None,
    production=True,
    category="fall",
    enterprise=None,
    summary="脚手架上坠落",
):
    return accident_create(
        user=user,
        data=AccidentData(
            occurred_on=on,
            township=township,
            sector=sector,
            category=cat(category),
            summary=summary,
            is_production_safety=production,
            deaths=deaths,
            injuries=injuries,
            direct_loss=loss,
            enterprise=enterprise,
        ),
    )


@pytest.fixture
def two_townships(officer, district, sectors):
    """One accident in township A (machinery), one in township B (construction)."""
    a = record(
        officer,
        district.township_a,
        sectors["machinery"],
        dt.date(2025, 3, 1),
        deaths=1,
        summary="东城冲床伤手",
    )
    b = record(
        officer,
        district.township_b,
        sectors["construction"],
        dt.date(2025, 3, 2),
        deaths=1,
        summary="西山脚手架坍塌",
    )
    return a, b


# ---------------------------------------------------------------- the code table


def test_categories_are_seeded_with_gb6441_types_and_road_and_natural(sectors):
    names = set(AccidentCategory.objects.values_list("name", flat=True))
    assert {
        "物体打击",
        "车辆伤害",
        "机械伤害",
        "起重伤害",
        "触电",
        "淹溺",
        "灼烫",
        "火灾",
        "高处坠落",
        "坍塌",
        "冒顶片帮",
        "透水",
        "放炮",
        "火药爆炸",
        "瓦斯爆炸",
        "锅炉爆炸",
        "容器爆炸",
        "其他爆炸",
        "中毒和窒息",
        "其他伤害",
        "道路交通",
        "自然灾害",
    } <= names


# ---------------------------------------------------------------- recording and who may


def test_officer_records_an_accident_numbered_in_the_district_series(officer, district, sectors):
    first = record(officer, district.township_a, sectors["machinery"], dt.date(2025, 5, 1))
    second = record(officer, district.township_b, sectors["construction"], dt.date(2025, 6, 1))
    assert (first.number, second.number) == ("SG202500001", "SG202500002")
    assert first.history.count() == 1 and first.history.first().history_user == officer


def test_township_and_leader_may_not_record(township_a_user, leader, district, sectors):
    for user in (township_a_user, leader):
        with pytest.raises(PermissionDenied):
            record(user, district.township_a, sectors["machinery"], dt.date(2025, 5, 1))


def test_department_records_only_its_sectors(department_user, district, sectors):
    ok = record(department_user, district.township_a, sectors["construction"], dt.date(2025, 5, 1))
    assert ok.pk
    with pytest.raises(ValidationError) as exc:
        record(department_user, district.township_a, sectors["machinery"], dt.date(2025, 5, 1))
    assert "sector" in exc.value.message_dict


def test_rules_are_reported_by_field(officer, district, sectors, enterprise_b):
    with pytest.raises(ValidationError) as exc:
        accident_create(
            user=officer,
            data=AccidentData(
                occurred_on=dt.date.today() + dt.timedelta(days=3),
                township=district.community_a,  # a community, not a township
                sector=sectors["machinery"],
                category=cat("fall"),
                summary=" ",
                direct_loss=Decimal("-1"),
                enterprise=enterprise_b,
            ),
        )
    errors = exc.value.message_dict
    assert errors["occurred_on"] == ["发生日期不能晚于今天。"]
    assert errors["township"] == ["所属街道应为街道/乡镇。"]
    assert errors["summary"] == ["请填写简要经过。"]
    assert "direct_loss" in errors


def test_enterprise_must_lie_in_the_township(officer, district, sectors, enterprise_b):
    with pytest.raises(ValidationError) as exc:
        record(
            officer,
            district.township_a,
            sectors["construction"],
            dt.date(2025, 5, 1),
            enterprise=enterprise_b,
        )
    assert exc.value.message_dict["enterprise"] == ["所选单位不在该街道/乡镇。"]


def test_update_keeps_the_number_and_writes_history(officer, district, sectors):
    accident = record(officer, district.township_a, sectors["machinery"], dt.date(2025, 5, 1), deaths=1)
    data = AccidentData(
        occurred_on=accident.occurred_on,
        township=accident.township,
        sector=accident.sector,
        category=accident.category,
        summary="伤者经抢救无效死亡",
        deaths=2,
        injuries=0,
        grade=AccidentGrade.GENERAL,
    )
    accident_update(user=officer, accident=accident, data=data)
    accident.refresh_from_db()
    assert (accident.number, accident.deaths) == ("SG202500001", 2)
    assert accident.history.count() == 2


# ---------------------------------------------------------------- scoping


def test_township_sees_its_own_accidents_and_gets_404_for_the_other(client, township_a_user, two_townships):
    a, b = two_townships
    client.force_login(township_a_user)
    page = client.get(reverse("hazards:accident_list"))
    assert a.number in page.content.decode() and b.number not in page.content.decode()
    assert client.get(reverse("hazards:accident_detail", args=[a.pk])).status_code == 200
    assert client.get(reverse("hazards:accident_detail", args=[b.pk])).status_code == 404
    assert client.get(reverse("hazards:accident_edit", args=[b.pk])).status_code == 404
    assert client.get(reverse("hazards:accident_edit", args=[a.pk])).status_code == 403  # reads only


def test_department_sees_the_accidents_of_its_sectors(client, department_user, two_townships):
    a, b = two_townships  # 住建 supervises construction: B's scaffold collapse, not A's press
    client.force_login(department_user)
    assert client.get(reverse("hazards:accident_detail", args=[b.pk])).status_code == 200
    assert client.get(reverse("hazards:accident_detail", args=[a.pk])).status_code == 404
    ids = {row["id"] for row in client.get(API).json()["results"]}
    assert ids == {b.pk}


def test_api_lists_only_the_scope_and_answers_404_outside(api, township_a_user, two_townships):
    a, b = two_townships
    api.force_authenticate(township_a_user)
    assert {row["id"] for row in api.get(API).json()["results"]} == {a.pk}
    assert api.get(f"{API}{b.pk}/").status_code == 404
    assert api.post(API, {}, format="json").status_code == 403


def test_export_holds_only_the_townships_rows(client, township_a_user, two_townships):
    a, b = two_townships
    client.force_login(township_a_user)
    response = client.get(reverse("hazards:accident_export"))
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    numbers = [row[1] for row in book.active.iter_rows(min_row=2, values_only=True)]
    assert numbers == [a.number]


# ---------------------------------------------------------------- figures and 同比


@pytest.fixture
def two_years(officer, district, sectors):
    """Last year's first half: 5 production-safety accidents, 5 deaths, 4 injured, 30.25万元. This
    year's: 2 accidents, 2 deaths, 1 injured, 12.1万元 — plus records that must not count."""
    A, B = district.township_a, district.township_b
    road, build = sectors["road-traffic"], sectors["construction"]
    for on, deaths, injuries, loss, town in [
        (dt.date(2024, 1, 5), 1, 0, Decimal("10.00"), A),
        (dt.date(2024, 2, 9), 1, 2, Decimal("5.25"), A),
        (dt.date(2024, 3, 9), 1, 1, None, B),
        (dt.date(2024, 4, 9), 1, 1, Decimal("15.00"), B),
        (dt.date(2024, 6, 30), 1, 0, None, B),
    ]:
        record(officer, town, road, on, deaths=deaths, injuries=injuries, loss=loss, category="road-traffic")
    record(
        officer,
        A,
        road,
        dt.date(2025, 2, 1),
        deaths=1,
        injuries=1,
        loss=Decimal("12.10"),
        category="road-traffic",
    )
    record(officer, B, build, dt.date(2025, 6, 30), deaths=1, category="collapse")
    # Not counted: not a production-safety accident; outside the period (this year and last); 2023.
    record(officer, A, road, dt.date(2025, 3, 1), deaths=3, production=False, category="road-traffic")
    record(officer, A, road, dt.date(2025, 7, 1), deaths=1, category="road-traffic")
    record(officer, A, road, dt.date(2024, 7, 1), deaths=1, category="road-traffic")
    record(officer, A, road, dt.date(2023, 3, 1), deaths=1, category="road-traffic")


H1 = {"date_from": dt.date(2025, 1, 1), "date_to": dt.date(2025, 6, 30)}


def test_figures_of_a_period_are_exact_in_one_query(officer, two_years, django_assert_num_queries):
    with django_assert_num_queries(1):
        figures = sel.accident_figures(user=officer, **H1)
    assert figures == {"count": 2, "deaths": 2, "injuries": 1, "direct_loss": Decimal("12.10")}
    everything = sel.accident_figures(user=officer, production_safety=False, **H1)
    assert (everything["count"], everything["deaths"]) == (3, 5)


def test_year_over_year_against_the_same_period_last_year(officer, two_years, django_assert_num_queries):
    with django_assert_num_queries(1):
        yoy = sel.accident_figures_yoy(user=officer, **H1)
    assert (yoy["previous_from"], yoy["previous_to"]) == (dt.date(2024, 1, 1), dt.date(2024, 6, 30))
    assert yoy["previous"] == {"count": 5, "deaths": 5, "injuries": 4, "direct_loss": Decimal("30.25")}
    assert yoy["current"]["count"] == 2
    assert yoy["change"]["count"].text == "同比下降60%"
    assert yoy["change"]["deaths"].rate == Decimal("60.00")
    assert yoy["change"]["injuries"].text == "同比下降75%"
    assert yoy["change"]["direct_loss"].text == "同比下降60%"  # 12.10 / 30.25 = 0.4
    assert yoy["text"] == "同比均下降60%"


def test_year_over_year_is_scoped_to_the_township(township_a_user, two_years):
    yoy = sel.accident_figures_yoy(user=township_a_user, **H1)
    # A: last year 2 accidents (2 deaths, 2 injured, 15.25); this year 1 (1 death, 1 injured, 12.10).
    assert yoy["previous"] == {"count": 2, "deaths": 2, "injuries": 2, "direct_loss": Decimal("15.25")}
    assert yoy["current"] == {"count": 1, "deaths": 1, "injuries": 1, "direct_loss": Decimal("12.10")}
    assert yoy["text"] == "同比均下降50%"


def test_figures_by_category_and_by_sector(officer, two_years, django_assert_num_queries):
    with django_assert_num_queries(1):
        rows = sel.accidents_by(user=officer, by="category", **H1)
    assert [(r["name"], r["count"], r["deaths"]) for r in rows] == [("坍塌", 1, 1), ("道路交通", 1, 1)]
    by_sector = sel.accidents_by(user=officer, by="sector", **H1)
    assert {r["name"]: r["direct_loss"] for r in by_sector} == {
        "建筑施工": Decimal("0"),
        "道路交通": Decimal("12.10"),
    }


@pytest.mark.parametrize(
    "current, previous, text",
    [
        (2, 5, "同比下降60%"),
        (254, 355, "同比下降28.45%"),
        (5, 4, "同比上升25%"),
        (3, 3, "同比持平"),
        (0, 0, "同比持平"),
        (2, 0, "去年同期为0"),
        (Decimal("19.5"), Decimal("13"), "同比上升50%"),
    ],
)
def test_change_is_worded_as_the_documents_word_it(current, previous, text):
    assert sel.Change(current, previous).text == text


def test_joint_text_says_each_when_they_differ():
    assert sel.joint_text(sel.Change(2, 5), sel.Change(2, 4)) == "同比分别下降60%、50%"
    assert sel.joint_text(sel.Change(1, 1), sel.Change(0, 0)) == "同比均持平"


def test_same_period_last_year_handles_leap_days():
    assert sel.same_period_last_year(dt.date(2024, 2, 1), dt.date(2024, 2, 29)) == (
        dt.date(2023, 2, 1),
        dt.date(2023, 2, 28),
    )
    assert sel.same_period_last_year(dt.date(2025, 1, 1), dt.date(2025, 2, 28)) == (
        dt.date(2024, 1, 1),
        dt.date(2024, 2, 29),
    )


def test_money_in_wan_as_the_seeds_write_it():
    assert sel.wan_text(Decimal("143.35")) == "143.35万元"
    assert sel.wan_text(Decimal("19.50")) == "19.5万元"
    assert sel.wan_text(Decimal("5.00")) == "5万元"
    assert sel.wan_text(None) == "—"


def test_api_figures(api, officer, two_years):
    api.force_authenticate(officer)
    body = api.get(f"{API}figures/", {"date_from": "2025-01-01", "date_to": "2025-06-30"}).json()
    assert body["current"]["count"] == 2 and body["previous"]["deaths"] == 5
    assert body["change"]["count"]["text"] == "同比下降60%" and body["text"] == "同比均下降60%"
    assert api.get(f"{API}figures/", {"date_from": "2025-07-01", "date_to": "2025-01-01"}).status_code == 400


def test_list_page_shows_the_yoy_and_stays_within_a_query_ceiling(
    client, officer, two_years, django_assert_max_num_queries
):
    client.force_login(officer)
    with django_assert_max_num_queries(14):
        page = client.get(
            reverse("hazards:accident_list"), {"date_from": "2025-01-01", "date_to": "2025-06-30"}
        )
    html = page.content.decode()
    assert "同比均下降60%" in html and "12.1万元" in html


def test_api_list_query_ceiling(api, officer, two_years, django_assert_max_num_queries):
    api.force_authenticate(officer)
    with django_assert_max_num_queries(8):
        assert api.get(API).status_code == 200


# ---------------------------------------------------------------- browser forms


def test_officer_records_through_the_form(client, officer, district, sectors, enterprise_a):
    client.force_login(officer)
    response = client.post(
        reverse("hazards:accident_create"),
        {
            "occurred_on": "2025-05-01",
            "township": district.township_a.pk,
            "uscc": enterprise_a.uscc,
            "sector": sectors["machinery"].pk,
            "category": cat("machinery").pk,
            "is_production_safety": "true",
            "grade": "general",
            "deaths": 0,
            "injuries": 1,
            "direct_loss": "3.5",
            "summary": "手被冲床压伤",
        },
    )
    accident = Accident.objects.get()
    assert response.status_code == 302 and response.url == accident.get_absolute_url()
    assert accident.enterprise == enterprise_a and accident.direct_loss == Decimal("3.50")


def test_form_shows_the_services_refusal_on_the_field(client, officer, district, sectors, enterprise_b):
    client.force_login(officer)
    response = client.post(
        reverse("hazards:accident_create"),
        {
            "occurred_on": "2025-05-01",
            "township": district.township_a.pk,
            "uscc": enterprise_b.uscc,
            "sector": sectors["construction"].pk,
            "category": cat("fall").pk,
            "is_production_safety": "true",
            "grade": "general",
            "deaths": 0,
            "injuries": 0,
            "summary": "坠落",
        },
    )
    assert response.status_code == 200 and "所选单位不在该街道/乡镇。" in response.content.decode()
    assert not Accident.objects.exists()


# ---------------------------------------------------------------- import


def row(**overrides) -> dict:
    values = {
        "发生日期": "2025-04-01",
        "行业领域": "建筑施工",
        "事故类别": "高处坠落",
        "是否生产安全事故": "是",
        "死亡人数": 1,
        "受伤人数": 0,
        "直接经济损失（万元）": 120.5,
        "事故等级": "一般",
        "所属街道": "东城街道",
        "统一社会信用代码": "",
        "简要经过": "工人在脚手架作业时坠落",
    }
    values.update(overrides)
    return values


def test_import_with_errors_imports_nothing_and_names_row_and_column(officer, district, enterprise_b):
    content = xlsx(
        ACCIDENT_HEADERS,
        [
            row(),
            row(发生日期="2025/13/40", 事故类别="天灾", 所属街道="南湖街道"),  # row 3
            row(
                死亡人数=-1, 是否生产安全事故="也许", 事故等级="严重", 统一社会信用代码=enterprise_b.uscc
            ),  # row 4
            row(**{"直接经济损失（万元）": "十万", "简要经过": ""}),  # row 5
        ],
    )
    result = get_importer("accidents").run(user=officer, file=io.BytesIO(content))
    got = {(e.row, e.column): e.message for e in result.errors}
    assert got[(3, "发生日期")] == "日期格式不正确，应如 2026-03-01"
    assert got[(3, "事故类别")] == "未知的事故类别「天灾」"
    assert got[(3, "所属街道")] == "未知的街道/乡镇「南湖街道」"
    assert got[(4, "死亡人数")] == "应为不小于0的整数"
    assert got[(4, "是否生产安全事故")] == "应为“是”或“否”"
    assert got[(4, "事故等级")].startswith("应为以下之一：一般、较大")
    assert got[(4, "统一社会信用代码")] == "该单位不在所属街道「东城街道」"
    assert got[(5, "直接经济损失（万元）")] == "应为数字（万元）"
    assert got[(5, "简要经过")] == "不能为空"
    assert not any(e.row == 2 for e in result.errors)
    assert not Accident.objects.exists()


def test_import_refuses_a_file_missing_a_column(officer, district):
    headers = [h for h in ACCIDENT_HEADERS if h != "所属街道"]
    result = get_importer("accidents").run(user=officer, file=io.BytesIO(xlsx(headers, [row()])))
    assert [str(e) for e in result.errors] == ["第1行 [所属街道] 缺少必填列「所属街道」"]


def test_a_valid_import_records_every_row(officer, district, enterprise_a, tmp_path):
    path = tmp_path / "事故.xlsx"
    path.write_bytes(
        xlsx(
            ACCIDENT_HEADERS,
            [
                row(),
                row(
                    发生日期="2024-08-09",
                    行业领域="机械",
                    事故类别="机械伤害",
                    是否生产安全事故="否",
                    死亡人数=0,
                    受伤人数=2,
                    统一社会信用代码=enterprise_a.uscc,
                    所属街道="东城街道",
                    **{"直接经济损失（万元）": None},
                ),
            ],
        )
    )
    call_command("import_ledger", "accidents", str(path), "--user", officer.username, stdout=io.StringIO())
    rows = list(
        Accident.objects.order_by("occurred_on").values_list(
            "number", "deaths", "injuries", "is_production_safety", "direct_loss", "enterprise_id"
        )
    )
    assert rows == [
        ("SG202400001", 0, 2, False, None, enterprise_a.pk),
        ("SG202500001", 1, 0, True, Decimal("120.50"), None),
    ]
    assert Accident.history.count() == 2


def test_township_may_not_import(township_a_user, district):
    result = get_importer("accidents").run(
        user=township_a_user, file=io.BytesIO(xlsx(ACCIDENT_HEADERS, [row()]))
    )
    assert [e.message for e in result.errors] == ["您没有导入权限"]


def test_detail_page_query_ceiling_and_no_case_button_for_township(
    client, officer, township_a_user, two_townships, django_assert_max_num_queries
):
    a, _b = two_townships
    client.force_login(officer)
    with django_assert_max_num_queries(14):
        assert client.get(a.get_absolute_url()).status_code == 200
    client.force_login(township_a_user)
    html = client.get(a.get_absolute_url()).content.decode()
    assert "accident-edit-link" not in html and "accident-case-open" not in html


def test_department_import_refuses_rows_outside_its_sectors(department_user, district):
    content = xlsx(ACCIDENT_HEADERS, [row(), row(行业领域="机械", 事故类别="机械伤害")])
    result = get_importer("accidents").run(user=department_user, file=io.BytesIO(content))
    assert [(e.row, e.column, e.message) for e in result.errors] == [
        (3, "行业领域", "不在您监管的行业领域，不能导入")
    ]
    assert not Accident.objects.exists()


def test_admin_edits_the_category_table_and_only_reads_accidents(client, admin_user, officer, two_townships):
    client.force_login(admin_user)
    assert client.get(reverse("admin:hazards_accidentcategory_add")).status_code == 200
    a, _b = two_townships
    assert client.get(reverse("admin:hazards_accident_change", args=[a.pk])).status_code == 200
    assert client.get(reverse("admin:hazards_accident_add")).status_code == 403


def test_enterprise_page_lists_its_accidents(client, officer, district, sectors, enterprise_a):
    accident = record(
        officer, district.township_a, sectors["machinery"], dt.date(2025, 5, 1), enterprise=enterprise_a
    )
    client.force_login(officer)
    html = client.get(reverse("accounts:enterprise_detail", args=[enterprise_a.pk])).content.decode()
    assert "enterprise-accidents" in html and accident.number in html


def test_api_records_and_corrects_an_accident(api, department_user, district, sectors, enterprise_b):
    api.force_authenticate(department_user)
    body = {
        "occurred_on": "2025-05-01",
        "township": district.township_b.pk,
        "enterprise": enterprise_b.pk,
        "sector": sectors["construction"].pk,
        "category": cat("collapse").pk,
        "deaths": 1,
        "direct_loss": "88.80",
        "summary": "基坑坍塌",
    }
    created = api.post(API, body, format="json")
    assert created.status_code == 201, created.json()
    data = created.json()
    assert (data["number"], data["enterprise"]["id"], data["direct_loss"]) == (
        "SG202500001",
        enterprise_b.pk,
        "88.80",
    )
    patched = api.patch(f"{API}{data['id']}/", {"deaths": 2}, format="json")
    assert (
        patched.status_code == 200
        and patched.json()["deaths"] == 2
        and patched.json()["summary"] == "基坑坍塌"
    )
    # Outside its sectors: refused by field.
    wrong = api.post(
        API, {**body, "sector": sectors["machinery"].pk, "category": cat("machinery").pk}, format="json"
    )
    assert wrong.status_code == 400 and "sector" in wrong.json()


def test_api_leader_reads_but_may_not_write(api, leader, two_townships):
    a, _b = two_townships
    api.force_authenticate(leader)
    assert api.get(f"{API}{a.pk}/").status_code == 200
    assert api.patch(f"{API}{a.pk}/", {"deaths": 0}, format="json").status_code == 403
