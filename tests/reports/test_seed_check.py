"""Seed check (issue 14): records equal to seed 001's figures, loaded through the models, build the annual
summary whose PDF text (pdftotext) holds 001's sentences exactly:

    全区共发生生产安全事故2起、死亡2人，与去年同期相比，均下降60%
    建立隐患台账3832个，完成整治3730个，整改率97.3%
    开展执法检查1315次，出动执法人员7216人次
    检查生产经营单位4053家，立案调查2454起，行政处罚143.35万余元

The records are valid rows that every metric's definition counts (reports/metrics/*.py and the selectors
behind them), written with bulk_create — no per-row services, so the ~20 000 rows take seconds. Then the
wording edges of the accident sentence (rose and fell, 持平, last year 0, none this year) through the real
template and a real build.
"""

import datetime as dt
import re
import shutil
import subprocess
from decimal import Decimal

import pytest

from accounts.choices import EnterpriseScale, OrgKind
from accounts.models import Enterprise, Sector
from enforcement.choices import CaseProcedure, CaseState, PenaltyKind, PenaltyTarget
from enforcement.models import Case, Penalty
from hazards.choices import HazardSource, HazardState
from hazards.models import Accident, AccidentCategory, Hazard
from inspections.choices import ActionStatus
from inspections.models import InspectionAction, InspectionKind, InspectionRecord
from reports.models import ReportKind
from reports.pdf import content_pdf
from reports.periods import Period
from reports.scopes import StatsScope
from reports.services_summaries import report_create
from reports.summaries import report_content
from tests.factories import make_uscc

pytestmark = pytest.mark.django_db

YEAR = 2023  # 001 is the district's summary of 2023
IN_YEAR = dt.date(YEAR, 6, 15)
YEAR_BEFORE = dt.date(YEAR - 1, 6, 15)

SEED_SENTENCES = [
    "全区共发生生产安全事故2起、死亡2人，与去年同期相比，均下降60%",
    "建立隐患台账3832个，完成整治3730个，整改率97.3%",
    "开展执法检查1315次，出动执法人员7216人次",
    "检查生产经营单位4053家，立案调查2454起，行政处罚143.35万余元",
]


# ---------------------------------------------------------------- loading 001's records


def day_of_year(i: int) -> dt.date:
    """Spread rows over the year (1 January … 30 December)."""
    return dt.date(YEAR, 1, 1) + dt.timedelta(days=i % 364)


def load_enterprises(district, n: int) -> list[Enterprise]:
    towns = [district.township_a, district.community_a, district.township_b, district.community_b]
    return Enterprise.objects.bulk_create(
        Enterprise(
            uscc=make_uscc(900_000 + i),
            name=f"种子企业{i:04d}有限公司",
            jurisdiction=towns[i % len(towns)],
            scale=EnterpriseScale.MICRO,
            address="",
            contact_person="",
            contact_phone="",
        )
        for i in range(n)
    )


def load_inspections(officer, district, firms, *, actions: int, person_times: int) -> None:
    """`actions` completed actions in the year visiting every firm once (4053 records over 1315 actions),
    with team sizes adding up to `person_times`."""
    kind = InspectionKind.objects.order_by("pk").first()
    base, extra = divmod(person_times, actions)
    rows = InspectionAction.objects.bulk_create(
        InspectionAction(
            number=f"JC{YEAR}{i:05d}",
            date=day_of_year(i),
            organizer=district.dept_emergency,
            kind=kind,
            experts="",
            person_count=base + (1 if i < extra else 0),
            leader_name="",
            leader_level="",
            status=ActionStatus.DONE,
            note="",
            created_by=officer,
        )
        for i in range(actions)
    )
    InspectionRecord.objects.bulk_create(
        InspectionRecord(
            action=rows[i % actions], enterprise=firm, number=f"JL{YEAR}{i:05d}", findings="", note=""
        )
        for i, firm in enumerate(firms)
    )


def load_hazards(officer, firms, *, found: int, closed: int) -> None:
    def hazard(i: int) -> Hazard:
        firm = firms[i % len(firms)]
        found_on = day_of_year(i)
        done = i < closed
        return Hazard(
            number=f"YH{YEAR}{i:05d}",
            enterprise=firm,
            jurisdiction=firm.jurisdiction,
            township=firm.jurisdiction.parent
            if firm.jurisdiction.kind == OrgKind.COMMUNITY
            else firm.jurisdiction,
            source=HazardSource.SELF_REPORT,
            description="消防通道堵塞",
            found_on=found_on,
            deadline=min(found_on + dt.timedelta(days=15), dt.date(YEAR, 12, 31)),
            responsible_unit=firm.jurisdiction,
            created_by=officer,
            state=HazardState.CLOSED if done else HazardState.RECTIFYING,
            closed_on=min(found_on + dt.timedelta(days=5), dt.date(YEAR, 12, 31)) if done else None,
        )

    Hazard.objects.bulk_create(hazard(i) for i in range(found))


def load_cases(officer, district, firms, *, opened: int, fines: Decimal) -> None:
    """`opened` cases in the year; the first 1000 decided with a fine of 1433 元, plus one 512 元 fine on
    a person (一案双罚): 1433512 元 in all."""
    decided = 1000
    each = (fines - 512) / decided
    assert each == 1433
    cases = Case.objects.bulk_create(
        Case(
            number=f"LA{YEAR}{i:05d}",
            enterprise=firms[i % len(firms)],
            jurisdiction=firms[i % len(firms)].jurisdiction,
            township=district.township_a if i % 2 == 0 else district.township_b,
            handling_unit=district.dept_emergency,
            procedure=CaseProcedure.GENERAL,
            cause="未按规定开展隐患排查",
            opened_on=day_of_year(i),
            decided_on=day_of_year(i) if i < decided else None,
            state=CaseState.DECIDED if i < decided else CaseState.INVESTIGATING,
            created_by=officer,
        )
        for i in range(opened)
    )
    penalties = [
        Penalty(case=case, target=PenaltyTarget.UNIT, kind=PenaltyKind.FINE, amount=each)
        for case in cases[:decided]
    ]
    penalties.append(
        Penalty(case=cases[0], target=PenaltyTarget.PERSON, kind=PenaltyKind.FINE, amount=Decimal(512))
    )
    Penalty.objects.bulk_create(penalties)


def load_accidents(officer, district, *, on: dt.date, count: int, deaths: list[int], tag: str) -> None:
    sector = Sector.objects.order_by("pk").first()
    category = AccidentCategory.objects.order_by("pk").first()
    Accident.objects.bulk_create(
        Accident(
            number=f"SG{tag}{i:03d}",
            occurred_on=on,
            township=district.township_a,
            sector=sector,
            category=category,
            is_production_safety=True,
            deaths=deaths[i],
            summary="道路运输车辆碰撞",
            created_by=officer,
        )
        for i in range(count)
    )


def annual(officer, year: int = YEAR):
    report = report_create(
        kind=ReportKind.ANNUAL, period=Period(year, "year"), stats_scope=StatsScope(), user=officer
    )
    report.refresh_from_db()  # report_create builds a fresh copy of the row
    return report


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True)
    return normalise(out.stdout.decode())


def normalise(text: str) -> str:
    """pdftotext breaks lines and may put spaces between CJK glyphs; page numbers "— 1 —" sit at the
    foot: drop all whitespace and the full-width ％ the seeds also write."""
    return re.sub(r"\s+", "", text).replace("％", "%")


# ---------------------------------------------------------------- the check


@pytest.fixture
def seed_001(district, officer):
    firms = load_enterprises(district, 4053)
    load_inspections(officer, district, firms, actions=1315, person_times=7216)
    load_hazards(officer, firms, found=3832, closed=3730)
    load_cases(officer, district, firms, opened=2454, fines=Decimal(1433512))
    load_accidents(officer, district, on=IN_YEAR, count=2, deaths=[1, 1], tag="a")
    load_accidents(officer, district, on=YEAR_BEFORE, count=5, deaths=[1, 1, 1, 1, 1], tag="b")


def test_the_records_count_as_001_says(seed_001, officer):
    figures = annual(officer).figures["district"]
    expected = {
        "accidents.count": (2, 5),
        "accidents.deaths": (2, 5),
        "hazards.found": (3832, 0),
        "hazards.rectified": (3730, 0),
        "inspections.actions": (1315, 0),
        "inspections.person_times": (7216, 0),
        "inspections.units": (4053, 0),
        "enforcement.cases": (2454, 0),
    }
    for key, (value, previous) in expected.items():
        assert (figures[key]["value"], figures[key]["previous"]) == (value, previous), key
    assert Decimal(str(figures["enforcement.fines_total"]["value"])) == Decimal("1433512")


def test_the_annual_summary_writes_001s_sentences_exactly(seed_001, officer, tmp_path):
    report = annual(officer)
    content = report_content(report)
    text = normalise("".join(s["figure_text"] for s in content["sections"]))
    for sentence in SEED_SENTENCES:
        assert sentence in text, sentence
    assert not [s["figure_error"] for s in content["sections"] if s["figure_error"]]

    if shutil.which("pdftotext") is None:  # pragma: no cover - poppler-utils is in the dev image
        pytest.skip("pdftotext (poppler-utils) 未安装")
    printed = pdf_text(content_pdf(content), tmp_path)
    for sentence in SEED_SENTENCES:
        assert sentence in printed, sentence


# ---------------------------------------------------------------- the wording edges, through a build


@pytest.mark.parametrize(
    "now, before, sentence",
    [
        # one rose, one fell
        ([0, 0, 1], [2, 1], "全区共发生生产安全事故3起、死亡1人，与去年同期相比，分别上升50%、下降66.67%"),
        # equal → 持平
        ([1, 1], [1, 1], "全区共发生生产安全事故2起、死亡2人，与去年同期相比，均持平"),
        # last year none
        ([0, 1], [], "全区共发生生产安全事故2起、死亡1人，去年同期未发生生产安全事故"),
        # none this year, some the year before
        ([], [1, 0, 2], "全区未发生生产安全事故，去年同期发生3起、死亡3人"),
        # none either year
        ([], [], "全区未发生生产安全事故。"),
    ],
    ids=["rose-and-fell", "equal", "none-last-year", "none-this-year", "none-either-year"],
)
def test_the_accident_sentence_of_the_built_summary_at_each_edge(district, officer, now, before, sentence):
    load_accidents(officer, district, on=IN_YEAR, count=len(now), deaths=now, tag="n")
    load_accidents(officer, district, on=YEAR_BEFORE, count=len(before), deaths=before, tag="p")
    overview = annual(officer).sections.get(key="overview")
    assert not overview.figure_error
    assert overview.figure_text.startswith(sentence)
