"""四不两直 is a flag any inspection may carry, not a kind: set on the entry form, through the API and by
import (a 是否四不两直 column; a 检查类型 of 四不两直 reads as 日常检查 with the flag), filtered on the list
and the API, exported, and counted in the figures. The data migration turned the old kind into the flag
and stopped offering it."""

import datetime as dt
import importlib
import io

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from core.imports import get_importer
from inspections.importers import HEADERS
from inspections.models import InspectionAction, InspectionDraft, InspectionKind
from inspections.selectors import inspection_figures
from tests.factories import EnterpriseFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = TODAY - dt.timedelta(days=3)
ACTIONS = "/api/v1/inspection-actions/"
migration = importlib.import_module("inspections.migrations.0005_unannounced_kind_to_flag")


def kind(code: str) -> InspectionKind:
    return InspectionKind.objects.get(code=code)


def xlsx(rows: list[dict]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(HEADERS)
    for row in rows:
        ws.append([row.get(h) for h in HEADERS])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def ledger_row(enterprise, number: str, **overrides) -> dict:
    return {
        "检查行动编号": number,
        "检查日期": DAY,
        "统一社会信用代码": enterprise.uscc,
        "检查类型": "日常检查",
        "检查单位": "区应急管理局",
        "检查人员": "王检查、李执法",
        **overrides,
    }


def run(user, rows):
    return get_importer("inspections").run(user=user, file=xlsx(rows))


# ---------------------------------------------------------------- the migration


def test_the_old_kind_is_no_longer_offered():
    old = kind("unannounced")
    assert not old.is_active  # kept (plans and history name it), not deleted


def test_the_migration_turns_the_old_kind_into_routine_with_the_flag(officer, team, enterprise_a):
    old = kind("unannounced")
    InspectionKind.objects.filter(pk=old.pk).update(is_active=True)  # as before the migration
    before = InspectionAction.objects.create(
        date=DAY, organizer=officer.org_unit, kind=old, created_by=officer, number="旧四不两直1号"
    )
    special = InspectionAction.objects.create(
        date=DAY, organizer=officer.org_unit, kind=kind("special"), created_by=officer, number="专项1号"
    )
    draft = InspectionDraft.objects.create(owner=officer, data={"basics": {"kind": old.pk, "note": "半途"}})

    migration.kind_to_flag(apps, None)

    before.refresh_from_db()
    special.refresh_from_db()
    draft.refresh_from_db()
    assert (before.kind.code, before.is_unannounced) == ("routine", True)
    assert (special.kind.code, special.is_unannounced) == ("special", False)
    assert draft.data["basics"] == {"kind": kind("routine").pk, "is_unannounced": True, "note": "半途"}
    assert not kind("unannounced").is_active


# ---------------------------------------------------------------- entry, API, import


def test_the_entry_form_sets_the_flag_on_any_kind(client, officer, team, enterprise_a):
    client.force_login(officer)
    draft = InspectionDraft.objects.create(
        owner=officer, data={"basics": {"date": TODAY.isoformat(), "organizer": officer.org_unit_id}}
    )
    step1 = reverse("inspections:draft_step", args=[draft.pk, 1])
    page = client.get(step1)
    offered = {k.pk for k in page.context["form"].fields["kind"].queryset}
    assert kind("special").pk in offered and kind("unannounced").pk not in offered
    assert 'name="is_unannounced"' in page.content.decode()

    basics = {
        "date": TODAY.isoformat(),
        "kind": kind("special").pk,
        "organizer": officer.org_unit_id,
        "members": [m.pk for m in team],
        "is_unannounced": "on",
        "goto": "2",
    }
    assert client.post(step1, basics).status_code == 302
    step2 = reverse("inspections:draft_step", args=[draft.pk, 2])
    client.post(step2, {"add": enterprise_a.pk})
    client.post(step2, {"goto": "4"})
    confirm = client.get(reverse("inspections:draft_step", args=[draft.pk, 4]))
    assert 'id="confirm-unannounced"' in confirm.content.decode()
    client.post(reverse("inspections:draft_step", args=[draft.pk, 4]), {"submit": "1"})

    action = InspectionAction.objects.get()
    assert (action.kind.code, action.is_unannounced) == ("special", True)
    detail = client.get(reverse("inspections:action_detail", args=[action.pk])).content.decode()
    assert "四不两直" in detail


def test_the_api_takes_and_gives_the_flag_and_no_longer_the_kind(api, officer, team, enterprise_a):
    api.force_authenticate(officer)
    body = {
        "date": DAY.isoformat(),
        "kind": "joint",
        "members": [m.pk for m in team],
        "is_unannounced": True,
        "records": [{"enterprise": enterprise_a.pk}],
    }
    created = api.post(ACTIONS, body, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["is_unannounced"] is True and created.json()["kind"]["code"] == "joint"

    refused = api.post(ACTIONS, {**body, "kind": "unannounced"}, format="json")
    assert refused.status_code == 400 and "kind" in refused.json()


def test_import_reads_the_column_and_the_old_kind_name(officer, team, enterprise_a):
    result = run(
        officer,
        [
            ledger_row(enterprise_a, "应急检〔1〕号", 检查类型="专项检查", 是否四不两直="是"),
            ledger_row(enterprise_a, "应急检〔2〕号", 检查类型="四不两直"),  # as many ledgers write it
            ledger_row(enterprise_a, "应急检〔3〕号"),  # the column left empty: 否
        ],
    )

    assert result.ok, result.errors
    got = {a.number: (a.kind.code, a.is_unannounced) for a in InspectionAction.objects.select_related("kind")}
    assert got == {
        "应急检〔1〕号": ("special", True),
        "应急检〔2〕号": ("routine", True),
        "应急检〔3〕号": ("routine", False),
    }


def test_import_reports_a_bad_flag_and_a_reimport_that_changes_it(officer, team, enterprise_a, firm_b):
    bad = run(officer, [ledger_row(enterprise_a, "应急检〔1〕号", 是否四不两直="也许")])
    assert not bad.ok
    assert {(e.row, e.column) for e in bad.errors} == {(2, "是否四不两直")}

    assert run(officer, [ledger_row(enterprise_a, "应急检〔1〕号", 是否四不两直="否")]).ok
    changed = run(officer, [ledger_row(firm_b, "应急检〔1〕号", 是否四不两直="是")])
    assert not changed.ok and {e.column for e in changed.errors} == {"是否四不两直"}
    assert not InspectionAction.objects.get().is_unannounced


@pytest.fixture
def firm_b(district, sectors):
    return EnterpriseFactory(
        name="东城二厂", jurisdiction=district.township_a, sectors=[sectors["machinery"]]
    )


# ---------------------------------------------------------------- list, export, figures


@pytest.fixture
def two_actions(inspect, officer, team, enterprise_a):
    flagged = inspect(
        officer, officer.org_unit, team, [enterprise_a], kind=kind("special"), is_unannounced=True
    )
    plain = inspect(officer, officer.org_unit, team, [enterprise_a])
    return flagged, plain


def test_the_list_and_the_api_filter_by_the_flag(client, api, officer, township_b_user, two_actions):
    flagged, plain = two_actions
    client.force_login(officer)
    page = client.get(reverse("inspections:action_list"), {"is_unannounced": "true"})
    assert [a.pk for a in page.context["actions"]] == [flagged.pk]
    page = client.get(reverse("inspections:action_list"), {"is_unannounced": "false"})
    assert [a.pk for a in page.context["actions"]] == [plain.pk]

    api.force_authenticate(officer)
    listed = api.get(ACTIONS, {"is_unannounced": "true"}).json()["results"]
    assert [(a["id"], a["is_unannounced"]) for a in listed] == [(flagged.pk, True)]
    api.force_authenticate(township_b_user)  # nothing of theirs: the filter reveals nothing
    assert api.get(ACTIONS, {"is_unannounced": "true"}).json()["count"] == 0


def test_the_export_has_the_column(client, officer, two_actions):
    flagged, plain = two_actions
    client.force_login(officer)
    response = client.get(reverse("inspections:action_export"))
    rows = list(load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True))
    column = rows[0].index("是否四不两直")
    assert {(r[0], r[column]) for r in rows[1:]} == {(flagged.number, "是"), (plain.number, "否")}


def test_figures_count_the_flag(officer, township_b_user, two_actions):
    start, end = TODAY.replace(month=1, day=1), TODAY
    figures = inspection_figures(user=officer, start=start, end=end)
    assert (figures["actions"], figures["unannounced"]) == (2, 1)
    assert inspection_figures(user=township_b_user, start=start, end=end)["unannounced"] == 0
