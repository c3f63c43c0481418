"""Tagging inspections and hazards to a campaign: 录入检查 step 1, the inspection import's 专项行动
column (matched by name; an unknown name is an error on its row and nothing is imported), the hazard
form, and the list filters the campaign page links to. (The API: test_campaign_api.py.)"""

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from core.imports import get_importer
from enforcement.choices import CaseProcedure
from enforcement.models import Case
from enforcement.services import CaseData, case_open
from hazards.choices import HazardSource
from hazards.models import Hazard
from hazards.services import HazardData, hazard_create
from inspections.importers import HEADERS
from inspections.models import InspectionAction, InspectionKind, InspectionRecord
from inspections.services import action_create, draft_start
from tests.campaigns.campaign_world import make_campaign

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = TODAY - dt.timedelta(days=20)


@pytest.fixture
def campaign(officer, district):
    return make_campaign(
        officer,
        district.dept_emergency,
        name="有限空间作业专项整治",
        start=TODAY - dt.timedelta(days=30),
        end=TODAY + dt.timedelta(days=30),
    )


@pytest.fixture
def covert(db):
    return InspectionKind.objects.get(code="covert")


# ---------------------------------------------------------------- 录入检查


def step_url(draft, n: int) -> str:
    return reverse("inspections:draft_step", args=[draft.pk, n])


def basics(kind, organizer, members, **extra) -> dict:
    return {
        "date": TODAY.isoformat(),
        "kind": kind.pk,
        "organizer": organizer.pk,
        "members": [m.pk for m in members],
        "goto": "2",
        **extra,
    }


def test_entry_step_one_tags_the_inspection(client, officer, covert, enterprise_a, campaign):
    client.force_login(officer)
    draft = draft_start(user=officer)
    page = client.get(step_url(draft, 1))
    assert campaign in page.context["form"].fields["campaign"].queryset
    response = client.post(
        step_url(draft, 1), basics(covert, officer.org_unit, [officer], campaign=campaign.pk)
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.data["basics"]["campaign"] == campaign.pk  # the draft keeps it
    client.post(step_url(draft, 2), {"add": enterprise_a.pk})
    client.post(step_url(draft, 4), {"submit": "1"})
    action = InspectionAction.objects.get()
    assert action.campaign == campaign


def test_entry_refuses_a_date_outside_the_campaign(client, officer, covert, district):
    old = make_campaign(
        officer,
        district.dept_emergency,
        name="去年安全生产月",
        kind="safety-month",
        start=TODAY - dt.timedelta(days=200),
        end=TODAY - dt.timedelta(days=170),
    )
    client.force_login(officer)
    draft = draft_start(user=officer)
    response = client.post(step_url(draft, 1), basics(covert, officer.org_unit, [officer], campaign=old.pk))
    assert response.status_code == 200
    assert "不在专项行动“去年安全生产月”期间" in str(response.context["form"].errors["campaign"])


# ---------------------------------------------------------------- the inspection import


def ledger(rows: list[dict]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(HEADERS)
    for row in rows:
        ws.append([row.get(h) for h in HEADERS])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def row(enterprise, **overrides) -> dict:
    values = {
        "检查行动编号": "应急检〔2026〕301号",
        "检查日期": DAY,
        "统一社会信用代码": enterprise.uscc,
        "检查类型": "暗访",
        "检查单位": "区应急管理局",
        "检查人员": "王检查",
        "专项行动": "有限空间作业专项整治",
    }
    values.update(overrides)
    return values


def run(user, rows):
    return get_importer("inspections").run(user=user, file=ledger(rows))


def test_import_links_the_named_campaign(officer, enterprise_a, enterprise_b, campaign):
    result = run(
        officer, [row(enterprise_a), row(enterprise_b), row(enterprise_a, 检查行动编号=None, 专项行动=None)]
    )
    assert result.ok, result.errors
    tagged = InspectionAction.objects.get(number="应急检〔2026〕301号")
    assert tagged.campaign == campaign and tagged.note == ""
    assert InspectionAction.objects.exclude(pk=tagged.pk).get().campaign is None


def test_import_matches_a_repeated_name_by_the_inspection_date(officer, district, enterprise_a):
    this_year = make_campaign(
        officer,
        district.dept_emergency,
        name="安全生产月",
        kind="safety-month",
        start=DAY - dt.timedelta(days=5),
        end=DAY + dt.timedelta(days=5),
    )
    make_campaign(
        officer,
        district.dept_emergency,
        name="安全生产月",
        kind="safety-month",
        start=DAY - dt.timedelta(days=370),
        end=DAY - dt.timedelta(days=340),
    )
    result = run(officer, [row(enterprise_a, 专项行动="安全生产月")])
    assert result.ok, result.errors
    assert InspectionAction.objects.get().campaign == this_year


def test_import_unknown_name_is_an_error_naming_the_row_and_nothing_is_imported(
    officer, enterprise_a, campaign
):
    result = run(
        officer,
        [
            row(enterprise_a, 检查行动编号=None),
            row(enterprise_a, 检查行动编号=None, 专项行动="危化品专项整治"),
            row(enterprise_a, 检查行动编号=None, 检查日期=TODAY - dt.timedelta(days=60)),
        ],
    )
    assert not result.ok
    errors = {(e.row, e.column): e.message for e in result.errors}
    assert set(errors) == {(3, "专项行动"), (4, "专项行动")}
    assert "未找到专项行动「危化品专项整治」" in errors[(3, "专项行动")]
    assert "不在专项行动“有限空间作业专项整治”期间" in errors[(4, "专项行动")]
    assert not InspectionAction.objects.exists() and not InspectionRecord.objects.exists()


def test_import_rows_of_one_action_must_agree_on_the_campaign(officer, enterprise_a, enterprise_b, campaign):
    result = run(officer, [row(enterprise_a), row(enterprise_b, 专项行动=None)])
    assert [(e.row, e.column) for e in result.errors] == [(3, "专项行动")]
    assert not InspectionAction.objects.exists()


# ---------------------------------------------------------------- hazards and the list filters


def test_hazard_form_tags_a_hazard_and_the_lists_filter_by_campaign(
    client, officer, district, covert, enterprise_a, campaign
):
    tagged = action_create(
        user=officer,
        date=TODAY,
        organizer=district.dept_emergency,
        kind=covert,
        members=[officer],
        enterprises=[enterprise_a],
        campaign=campaign,
    )
    action_create(
        user=officer,
        date=TODAY,
        organizer=district.dept_emergency,
        kind=covert,
        members=[officer],
        enterprises=[enterprise_a],
    )
    client.force_login(officer)
    response = client.post(
        reverse("hazards:hazard_create"),
        {
            "enterprise": enterprise_a.pk,
            "source": HazardSource.SELF_REPORT,
            "level": "general",
            "description": "有限空间未设警示标志",
            "found_on": TODAY.isoformat(),
            "deadline": (TODAY + dt.timedelta(days=15)).isoformat(),
            "campaign": campaign.pk,
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    hazard = Hazard.objects.get()
    assert hazard.campaign == campaign
    hazard_create(
        user=officer,
        data=HazardData(
            enterprise=enterprise_a,
            source=HazardSource.SELF_REPORT,
            description="未标记的隐患",
            found_on=TODAY,
            deadline=TODAY + dt.timedelta(days=5),
            responsible_unit=enterprise_a.township,
        ),
    )
    actions = client.get(reverse("inspections:action_list"), {"campaign": campaign.pk})
    assert [a.pk for a in actions.context["page_obj"].object_list] == [tagged.pk]
    hazards = client.get(reverse("hazards:hazard_list"), {"campaign": campaign.pk})
    assert [h.pk for h in hazards.context["hazards"]] == [hazard.pk]
    assert hazards.context["figures"]["found"] == 1


def test_hazard_edit_moves_it_to_another_campaign_within_its_date(
    client, officer, district, enterprise_a, campaign
):
    hazard = hazard_create(
        user=officer,
        data=HazardData(
            enterprise=enterprise_a,
            source=HazardSource.SELF_REPORT,
            description="配电箱未接地",
            found_on=TODAY - dt.timedelta(days=100),
            deadline=TODAY + dt.timedelta(days=5),
            responsible_unit=enterprise_a.township,
        ),
    )
    client.force_login(officer)
    edit = reverse("hazards:hazard_edit", args=[hazard.pk])
    form = client.get(edit).context["form"]
    data = {f"edit-{k}": ("" if v is None else getattr(v, "pk", v)) for k, v in form.initial.items()}
    response = client.post(edit, {**data, "edit-campaign": campaign.pk})
    assert response.status_code == 200  # found 100 days ago: outside the campaign
    assert "不在专项行动" in str(response.context["form"].errors["campaign"])
    assert Hazard.objects.get(pk=hazard.pk).campaign is None


def test_case_list_filters_by_campaign(client, officer, district, enterprise_a, campaign):
    fields = {
        "enterprise": enterprise_a,
        "handling_unit": district.dept_emergency,
        "procedure": CaseProcedure.GENERAL,
        "cause": "未按规定开展隐患排查",
        "opened_on": TODAY,
    }
    tagged = case_open(user=officer, data=CaseData(**fields))
    Case.objects.filter(pk=tagged.pk).update(campaign=campaign)
    case_open(user=officer, data=CaseData(**fields))
    client.force_login(officer)
    response = client.get(reverse("enforcement:case_list"), {"campaign": campaign.pk})
    assert response.status_code == 200
    assert tagged.number in response.content.decode()
    api = client.get("/api/v1/cases/", {"campaign": campaign.pk}).json()
    assert [c["id"] for c in api["results"]] == [tagged.pk]
