"""The demo's year of inspections reads like the district summaries: item results on most visits with
problems on some, campaigns (专项行动) around June, the Spring Festival and National Day, leader-led
inspections at 市级, 区级 and 街镇级, and numbers issued in date order without gaps."""

import datetime as dt
import random
import re
from collections import Counter, defaultdict

from django.core.management import call_command
from django.db.models import Count, Q
from django.utils import timezone

from accounts.models import NumberSequence
from demo import inspections as demo
from demo.outings import campaigns, visit_results
from demo.tables import load
from inspections.choices import ActionStatus, CheckResultValue, LeaderLevel
from inspections.models import CheckResult, InspectionAction, InspectionRecord

SERIAL = re.compile(r"〔\d{4}〕(\d+)号$")


def serial(number: str) -> int:
    return int(SERIAL.search(number).group(1))


def assert_gap_free_in_date_order(rows: list[tuple[int, str]], series: str) -> None:
    """rows: (organiser pk, number), in the order the office issued them."""
    by_unit: dict[int, list[int]] = defaultdict(list)
    for unit, number in rows:
        by_unit[unit].append(serial(number))
    for unit, serials in by_unit.items():
        assert serials == list(range(1, len(serials) + 1)), unit
        last = NumberSequence.objects.get(series=series, org_unit_id=unit).last
        assert last == len(serials), unit  # numbers the app issues next continue after the demo's


def test_demo_year_of_inspections_reads_like_the_summaries(db, monkeypatch, cheap_pdfs):
    # See the whole year, whatever today is: June and September must have happened.
    year_end = dt.date(timezone.localdate().year, 12, 31)
    monkeypatch.setattr(demo, "demo_today", lambda: year_end)
    call_command("seed_demo", "--seed", "11", "--enterprises", "300", verbosity=0)
    done = InspectionAction.objects.filter(status=ActionStatus.DONE)
    records = InspectionRecord.objects.filter(action__in=done)
    assert done.count() == 100
    # 四不两直 is a flag on 日常检查 in the demo, never the retired kind.
    assert done.filter(is_unannounced=True).exists()
    assert not done.filter(is_unannounced=True).exclude(kind__code="routine").exists()
    assert not done.filter(kind__code="unannounced").exists()

    # Item results on most visits, of the firm's own sectors; about one visit in ten has problems.
    counted = records.annotate(
        n=Count("results"), bad=Count("results", filter=Q(results__result=CheckResultValue.NONCOMPLIANT))
    )
    with_results = [r for r in counted if r.n]
    assert len(with_results) >= 0.8 * records.count()
    flagged = [r for r in with_results if r.bad]
    assert 0.04 <= len(flagged) / len(with_results) <= 0.18
    assert all(1 <= r.bad <= 2 and r.findings for r in flagged)
    assert not any(r.findings for r in with_results if not r.bad)
    for result in CheckResult.objects.filter(result=CheckResultValue.NONCOMPLIANT).select_related("record"):
        assert result.note and result.note in result.record.findings
    mismatched = CheckResult.objects.exclude(
        Q(item__sector__in=records.values("enterprise__sectors"))
        | Q(item__sector__in=records.values("enterprise__sectors__parent"))
    )
    assert not mismatched.exists()  # every item belongs to a sector of the visited firm (or its parent)
    assert Counter(CheckResult.objects.values_list("result", flat=True)).most_common(1)[0][0] == "compliant"

    # Leader-led at all three levels: a few 市级, more 区级, 街镇级 only on a township's own actions.
    levels = Counter(done.filter(is_leader_led=True).values_list("leader_level", flat=True))
    assert set(levels) == {LeaderLevel.CITY, LeaderLevel.DISTRICT, LeaderLevel.TOWNSHIP}
    assert 1 <= levels[LeaderLevel.CITY] < levels[LeaderLevel.DISTRICT]
    township_led = done.filter(leader_level=LeaderLevel.TOWNSHIP).select_related("organizer")
    assert all(a.organizer.kind in ("street", "town", "office") for a in township_led)
    assert all(a.leader_name.endswith("）") for a in done.filter(is_leader_led=True))
    assert not done.filter(is_leader_led=False).exclude(leader_name="", leader_level="").exists()

    # Campaigns: June (安全生产月 and the flood season) outdoes any ordinary month in 专项/联合检查.
    special = Counter(done.filter(kind__code__in=["special", "joint"]).values_list("date__month", flat=True))
    assert special[6] > 2 * max(special[m] for m in (4, 5, 10, 11))
    # … each tagged to its Campaign row (demo.campaigns), within the campaign's period.
    names = set(done.filter(campaign__isnull=False).values_list("campaign__name", flat=True))
    assert {"安全生产月集中执法检查", "国庆节前安全生产大检查"} <= names
    for campaign in campaigns(year_end.year):
        dates = done.filter(campaign__name=campaign.title).values_list("date", flat=True)
        assert dates and all(campaign.start <= d <= campaign.end for d in dates), campaign.title
    assert done.filter(campaign__isnull=False, date__month=6).count() > 10
    assert not done.filter(note__startswith="专项行动：").exists()
    weekends = done.filter(date__week_day__in=[1, 7]).count()  # Sunday, Saturday
    assert weekends <= 0.1 * done.count()

    # Numbers: unique, gap-free per organiser, issued in date order.
    actions = list(done.order_by("date", "pk").values_list("organizer_id", "number"))
    assert len({n for _, n in actions}) == len(actions)
    assert_gap_free_in_date_order(actions, "inspection")
    visits = list(
        records.order_by("action__date", "action_id", "pk").values_list("action__organizer_id", "number")
    )
    assert len({n for _, n in visits}) == len(visits)
    assert_gap_free_in_date_order(visits, "inspection-record")


def test_every_demo_check_item_has_findings_written_for_it():
    titles = [title for items in demo.check_items().values() for title in items]
    assert len(titles) == len(set(titles))
    assert not [t for t in titles if t not in load("inspections")["findings"]]


def test_a_visit_with_problems_names_them_in_its_findings():
    rng = random.Random(3)
    items = [(1, "疏散通道、安全出口是否畅通"), (2, "消防设施器材是否完好有效"), (3, "是否落实每日防火巡查")]
    outcomes = [visit_results(rng, items) for _ in range(2000)]
    flagged = [(rows, text) for rows, text in outcomes if text]
    assert 0.07 <= len(flagged) / len(outcomes) <= 0.13
    for rows, text in flagged:
        bad = [note for _, result, note in rows if result == CheckResultValue.NONCOMPLIANT]
        assert 1 <= len(bad) <= 2 and all(note in text for note in bad)
    assert visit_results(rng, []) == ([], "")


def test_campaigns_follow_the_calendar():
    by_title = {c.title: c for c in campaigns(2026)}
    spring = by_title["春节前安全生产大检查"]
    assert spring.end < dt.date(2026, 2, 17) and spring.start.month == 1  # 春节 2026 is 17 February
    assert by_title["安全生产月集中执法检查"].start == dt.date(2026, 6, 1)
    assert by_title["国庆节前安全生产大检查"].end == dt.date(2026, 9, 30)
    assert by_title["汛期安全专项检查"].start.month == 6 and by_title["汛期安全专项检查"].end.month == 8
