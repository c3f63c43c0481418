"""A past year's inspection ledger comes in: the team as the ledger writes it (names without accounts kept
as names, counted in 人次), the 执法证 rule from INSPECTION_CERT_RULE_FROM on, older enforcement
inspections that cannot be verified imported and flagged 执法证未核验, counted in every figure, and the
hazards of that ledger pointing at those inspections import after them."""

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from core.imports import get_importer
from hazards.importers import HAZARD_HEADERS
from hazards.models import Hazard
from inspections.importers import HEADERS
from inspections.models import InspectionAction, InspectionKind
from inspections.selectors import inspection_figures
from inspections.services import action_create
from tests.campaigns.campaign_world import make_campaign
from tests.factories import EnterpriseFactory, UserFactory

pytestmark = pytest.mark.django_db

YEAR_2023 = (dt.date(2023, 1, 1), dt.date(2023, 12, 31))
CERT_MESSAGE = "执法检查的检查组须至少有两名持有效执法证的人员。"


def xlsx(headers: list[str], rows: list[dict]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for row in rows:
        ws.append([row.get(h) for h in headers])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def ledger_row(enterprise, number: str, day: dt.date, kind: str, **overrides) -> dict:
    return {
        "检查行动编号": number,
        "检查日期": day,
        "统一社会信用代码": enterprise.uscc,
        "检查类型": kind,
        "检查单位": "区应急管理局",
        "检查人员": "张三、李四",
        "是否领导带队": "否",
        **overrides,
    }


def import_inspections(user, rows: list[dict]):
    return get_importer("inspections").run(user=user, file=xlsx(HEADERS, rows))


@pytest.fixture
def firm(district, sectors):
    return EnterpriseFactory(
        name="东城化工厂", jurisdiction=district.township_a, sectors=[sectors["hazchem"]]
    )


@pytest.fixture
def safety_month_2023(officer, district):
    return make_campaign(
        officer,
        district.dept_emergency,
        name="安全生产月",
        kind="safety-month",
        start=dt.date(2023, 6, 1),
        end=dt.date(2023, 6, 30),
    )


@pytest.fixture
def ledger_2023(enterprise_a, firm, safety_month_2023) -> list[dict]:
    """The office's 2023 Excel ledger: four enforcement kinds, the team written as 张三、李四, who have
    no accounts (they left before the system came)."""
    return [
        ledger_row(enterprise_a, "应急检〔2023〕1号", dt.date(2023, 3, 6), "日常检查"),
        ledger_row(firm, "应急检〔2023〕1号", dt.date(2023, 3, 6), "日常检查"),
        ledger_row(firm, "应急检〔2023〕2号", dt.date(2023, 6, 12), "专项检查", 专项行动="安全生产月"),
        ledger_row(
            enterprise_a, "应急检〔2023〕3号", dt.date(2023, 9, 20), "联合检查", 检查人员="张三、李四、王五"
        ),
        ledger_row(enterprise_a, "应急检〔2023〕4号", dt.date(2023, 10, 9), "复查"),
    ]


def test_a_2023_ledger_by_people_without_accounts_imports_flagged_and_counts_in_every_figure(
    officer, enterprise_a, firm, ledger_2023
):
    result = import_inspections(officer, ledger_2023)

    assert result.ok, result.errors
    assert (result.created, result.updated) == (5, 0)
    actions = {a.number: a for a in InspectionAction.objects.all()}
    assert set(actions) == {f"应急检〔2023〕{n}号" for n in (1, 2, 3, 4)}
    assert {a.kind.name for a in actions.values()} == {"日常检查", "专项检查", "联合检查", "复查"}
    assert all(a.kind.is_enforcement and a.cert_unverified for a in actions.values())
    # The team as the ledger wrote it: kept as names, counted in 人次.
    first = actions["应急检〔2023〕1号"]
    assert not first.members.exists() and first.experts == "张三、李四" and first.person_count == 2
    assert actions["应急检〔2023〕3号"].person_count == 3
    assert first.records.count() == 2

    # Counted like any other inspection: 4 次, 9 人次, 5 家次, 2 家.
    assert inspection_figures(user=officer, start=YEAR_2023[0], end=YEAR_2023[1]) == {
        "actions": 4,
        "person_times": 9,
        "leader_led": 0,
        "unannounced": 0,
        "unit_visits": 5,
        "units": 2,
    }


def test_the_hazards_of_that_ledger_import_after_it_linked_to_its_records(
    officer, enterprise_a, firm, ledger_2023
):
    assert import_inspections(officer, ledger_2023).ok
    hazard_rows = [
        {
            "发现日期": dt.date(2023, 3, 6),
            "统一社会信用代码": firm.uscc,
            "检查行动编号": "应急检〔2023〕1号",
            "隐患来源": "检查发现",
            "隐患等级": "一般",
            "隐患描述": "储罐区可燃气体报警仪未定期检测",
            "整改期限": dt.date(2023, 3, 20),
            "整改措施": "送检并建立检测台账",
            "整改责任人": "赵厂长",
            "整改状态": "已销号",
            "销号日期": dt.date(2023, 3, 25),
            "挂牌督办级别": "无",
        },
        {
            "发现日期": dt.date(2023, 10, 9),
            "统一社会信用代码": enterprise_a.uscc,
            "检查行动编号": "应急检〔2023〕4号",
            "隐患来源": "检查发现",
            "隐患等级": "一般",
            "隐患描述": "车间配电箱未接地",
            "整改期限": dt.date(2023, 10, 30),
            "整改措施": "重新接地",
            "整改责任人": "钱主任",
            "整改状态": "已销号",
            "销号日期": dt.date(2023, 10, 28),
            "挂牌督办级别": "无",
        },
    ]

    result = get_importer("hazards").run(user=officer, file=xlsx(HAZARD_HEADERS, hazard_rows))

    assert result.ok, result.errors
    assert result.created == 2
    on_firm = Hazard.objects.get(enterprise=firm)
    assert on_firm.inspection_record.action.number == "应急检〔2023〕1号"
    assert on_firm.inspection_record.enterprise == firm
    assert Hazard.objects.get(enterprise=enterprise_a).inspection_record.action.number == "应急检〔2023〕4号"


def test_from_the_configured_date_on_an_imported_inspection_needs_its_certified_team(
    settings, officer, enterprise_a, firm
):
    settings.INSPECTION_CERT_RULE_FROM = dt.date(2023, 7, 1)
    rows = [
        ledger_row(enterprise_a, "应急检〔2023〕5号", dt.date(2023, 6, 30), "日常检查"),
        ledger_row(firm, "应急检〔2023〕6号", dt.date(2023, 7, 1), "日常检查"),
    ]

    result = import_inspections(officer, rows)

    assert not result.ok
    assert {(e.row, e.column) for e in result.errors} == {(3, "检查人员")}
    assert CERT_MESSAGE in result.errors[0].message
    assert not InspectionAction.objects.exists()  # nothing imported while any row is wrong

    result = import_inspections(officer, rows[:1])
    assert result.ok, result.errors
    assert InspectionAction.objects.get().cert_unverified


def test_an_inspection_entered_in_the_system_always_needs_its_certified_team(settings, officer, enterprise_a):
    """The cut-over date is for imported ledgers only: an inspection entered now, even one dated in
    2023, meets the rule."""
    settings.INSPECTION_CERT_RULE_FROM = dt.date(2026, 1, 1)
    uncertified = [UserFactory(org_unit=officer.org_unit), UserFactory(org_unit=officer.org_unit)]
    with pytest.raises(ValidationError, match=CERT_MESSAGE):
        action_create(
            user=officer,
            date=dt.date(2023, 5, 4),
            organizer=officer.org_unit,
            kind=InspectionKind.objects.get(code="routine"),
            members=uncertified,
            enterprises=[enterprise_a],
        )
    assert not InspectionAction.objects.exists()


def test_a_past_team_that_can_be_verified_is_not_flagged_nor_is_a_non_enforcement_kind(
    district, officer, enterprise_a, firm
):
    for i, name in enumerate(["王检查", "李执法"]):
        UserFactory(
            name=name,
            org_unit=district.dept_emergency,
            enforcement_cert_no=f"湘执{i}",
            enforcement_cert_expiry=dt.date(2024, 12, 31),
        )
    rows = [
        ledger_row(
            enterprise_a, "应急检〔2023〕7号", dt.date(2023, 4, 3), "日常检查", 检查人员="王检查、李执法"
        ),
        ledger_row(firm, "应急检〔2023〕8号", dt.date(2023, 4, 4), "暗访"),  # not an enforcement kind
        # One certified account and one name: the team cannot be verified.
        ledger_row(firm, "应急检〔2023〕9号", dt.date(2023, 4, 5), "日常检查", 检查人员="王检查、张三"),
    ]

    result = import_inspections(officer, rows)

    assert result.ok, result.errors
    flags = dict(InspectionAction.objects.values_list("number", "cert_unverified"))
    assert flags == {"应急检〔2023〕7号": False, "应急检〔2023〕8号": False, "应急检〔2023〕9号": True}
    assert InspectionAction.objects.get(number="应急检〔2023〕9号").person_count == 2


def test_the_list_counts_and_filters_the_unverified_and_the_export_says_so(
    client, api, officer, township_b_user, enterprise_a, firm, ledger_2023
):
    assert import_inspections(officer, ledger_2023).ok
    client.force_login(officer)

    page = client.get(reverse("inspections:action_list")).content.decode()
    assert "其中执法证未核验 4 次" in page
    only = client.get(reverse("inspections:action_list"), {"cert_unverified": "true"}).content.decode()
    assert "共 4 次" in only
    none = client.get(reverse("inspections:action_list"), {"cert_unverified": "false"}).content.decode()
    assert "共 0 次" in none and "其中执法证未核验" not in none

    export = client.get(reverse("inspections:action_export"))
    rows = list(load_workbook(io.BytesIO(export.content)).worksheets[0].iter_rows(values_only=True))
    column = rows[0].index("执法证未核验")
    assert {r[column] for r in rows[1:]} == {"是"}

    api.force_authenticate(officer)
    listed = api.get("/api/v1/inspection-actions/", {"cert_unverified": "true"}).json()
    assert listed["count"] == 4 and all(a["cert_unverified"] for a in listed["results"])
    assert api.get("/api/v1/inspection-actions/", {"cert_unverified": "false"}).json()["count"] == 0
    # An outsider (township B: none of these firms is theirs) sees none of them, flag or not.
    api.force_authenticate(township_b_user)
    assert api.get("/api/v1/inspection-actions/", {"cert_unverified": "true"}).json()["count"] == 0


def test_a_township_user_cannot_import_a_past_ledger_in_the_offices_name(
    township_a_user, enterprise_a, ledger_2023
):
    result = import_inspections(township_a_user, ledger_2023[:1])

    assert not result.ok
    assert "检查单位" in {e.column for e in result.errors}
    assert not InspectionAction.objects.exists()
