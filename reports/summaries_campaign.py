"""The campaign report's table (专项行动目标完成表): the campaign's phases and its progress against its targets.

Registered as the `campaign_targets` table (summaries.register_table, from ReportsConfig.ready()), so a
section of the campaign template with 统计表 = 专项行动目标完成表 shows, in one table:

- each phase (CampaignPhase) with its dates and whether it has ended, is under way or is still to come;
- each target (CampaignTarget) with what the records TAGGED with the campaign (and its sub-plans)
  achieved and the completion rate — `campaigns.selectors.campaign_progress`, the same figures the
  campaign's own page shows;
- the other tagged work the apps count for a campaign (检查行动, 排查隐患, 立案 … without a target),
  from `campaigns.selectors.campaign_figures`.

The figures are those of the report's scope, not of whoever builds it: a township's campaign report
counts the records its own staff see, the district's report the whole district's. The sentences of the
campaign template, by contrast, count every record of the campaign's days (reports.registry metrics),
tagged or not — the table is where the campaign's own tally is.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.models import User
from campaigns.choices import CampaignState
from campaigns.measures import measures
from campaigns.models import Campaign
from campaigns.selectors import campaign_figures, campaign_progress
from core.numbers import DASH, count_text, rate_text

from .models import Report, SectionTable
from .summaries import Coverage, register_table, report_stats_scope

PHASE_STATES = {
    CampaignState.ENDED: _("已结束"),
    CampaignState.ACTIVE: _("进行中"),
    CampaignState.UPCOMING: _("未开始"),
}


def scope_reader(report: Report) -> User:
    """A reader (never saved) who sees exactly the report's scope: the campaign measures count through
    each app's `restrict(queryset, user)`. A leader's view is the district's for the district and the
    unit's own (a township's subtree, a department's sectors) for a unit — the report's StatsScope."""
    unit = report_stats_scope(report).unit
    return User(username="report-scope-reader", role=Role.LEADER, org_unit=unit, is_active=True)


def _day(day: dt.date) -> str:
    return _("%(m)s月%(d)s日") % {"m": day.month, "d": day.day}


def _span(start: dt.date, end: dt.date) -> str:
    if start.year == end.year:
        return _("%(y)s年%(start)s至%(end)s") % {"y": start.year, "start": _day(start), "end": _day(end)}
    return _("%(y1)s年%(start)s至%(y2)s年%(end)s") % {
        "y1": start.year,
        "start": _day(start),
        "y2": end.year,
        "end": _day(end),
    }


def campaign_targets_table(
    report: Report, coverage: Coverage, *, today: dt.date | None = None
) -> dict | None:
    """The table dict (summaries' shape: kind, caption, columns, rows, keys) for a campaign report; None
    for a report without a campaign."""
    if not report.campaign_id:
        return None
    campaign: Campaign = report.campaign
    today = today or timezone.localdate()
    reader = scope_reader(report)
    rows: list[list[str]] = []

    for number, phase in enumerate(campaign.phases.order_by("start_on", "pk"), start=1):
        rows.append(
            [
                _("第%(n)s阶段：%(name)s") % {"n": number, "name": phase.name},
                _span(phase.start_on, phase.end_on),
                PHASE_STATES[phase.state_on(today)],
                DASH,
            ]
        )

    targeted: set[str] = set()
    for progress in campaign_progress(user=reader, campaign=campaign):
        targeted.add(str(progress.target.metric))
        label = progress.label
        if progress.target.sector_id:
            label = _("%(label)s（%(sector)s）") % {"label": label, "sector": progress.target.sector.name}
        rows.append(
            [
                label,
                count_text(progress.target.target, progress.unit),
                count_text(progress.done, progress.unit),
                rate_text(progress.percent),
            ]
        )

    others = [m for m in measures() if m.key not in targeted]
    if others:
        tallies = campaign_figures(user=reader, campaign_ids=[campaign.pk], keys=[m.key for m in others]).get(
            campaign.pk, {}
        )
        for measure in others:
            rows.append(
                [
                    str(measure.label),
                    DASH,
                    count_text(tallies.get(measure.key, measure.zero), measure.unit),
                    DASH,
                ]
            )

    return {
        "kind": SectionTable.CAMPAIGN_TARGETS,
        "caption": _("%(name)s阶段安排和目标完成情况") % {"name": campaign.name},
        "columns": [_("项目"), _("时间或目标"), _("进展"), _("完成率")],
        "rows": rows,
        "keys": [],
        "as_of": coverage.end.isoformat(),
    }


register_table(SectionTable.CAMPAIGN_TARGETS, campaign_targets_table)
