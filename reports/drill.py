"""The drill-down table: which columns the list behind a figure shows, per kind of record.

A metric's `records(window)` answers with a queryset of one model (hazards, inspection actions or
records, enterprises, cases, penalties, accidents, activities …); this table says, per model, what a
row shows and what to fetch with it so the page needs a fixed number of queries per page of rows. A
model missing here still lists, by its name and link.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Model, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from accounts.scoping import restrict
from core.numbers import DASH, count_text, decimal_text


@dataclass(frozen=True)
class Column:
    label: str
    path: str  # attribute path with "." ("enterprise.name"); "get_state_display" for choices
    kind: str = "text"  # text | date | number | money | number_link (the first column is the link)


@dataclass(frozen=True)
class Layout:
    columns: tuple[Column, ...]
    select_related: tuple[str, ...] = ()
    # URL name taking the row's pk (or the pk at `link_pk`) when the model has no get_absolute_url.
    url_name: str = ""
    link_pk: str = "pk"


# Keyed by "app_label.ModelName" so reports never imports the models only to name them.
LAYOUTS: dict[str, Layout] = {
    "hazards.Hazard": Layout(
        (
            Column(_("隐患编号"), "number"),
            Column(_("生产经营单位"), "enterprise.name"),
            Column(_("所属街道"), "township.name"),
            Column(_("隐患等级"), "get_level_display"),
            Column(_("发现日期"), "found_on", "date"),
            Column(_("整改期限"), "deadline", "date"),
            Column(_("整改状态"), "get_state_display"),
            Column(_("销号日期"), "closed_on", "date"),
        ),
        select_related=("enterprise", "township"),
    ),
    "hazards.Accident": Layout(
        (
            Column(_("事故编号"), "number"),
            Column(_("发生日期"), "occurred_on", "date"),
            Column(_("所属街道"), "township.name"),
            Column(_("生产经营单位"), "enterprise.name"),
            Column(_("事故类别"), "category.name"),
            Column(_("死亡人数"), "deaths", "number"),
            Column(_("受伤人数"), "injuries", "number"),
        ),
        select_related=("township", "enterprise", "category"),
    ),
    "inspections.InspectionAction": Layout(
        (
            Column(_("编号"), "number"),
            Column(_("检查日期"), "date", "date"),
            Column(_("检查单位"), "organizer.name"),
            Column(_("检查类型"), "kind.name"),
            Column(_("检查人数"), "person_count", "number"),
            Column(_("带队领导"), "leader_name"),
        ),
        select_related=("organizer", "kind"),
        url_name="inspections:action_detail",
    ),
    "inspections.InspectionRecord": Layout(
        (
            Column(_("检查记录编号"), "number"),
            Column(_("检查日期"), "action.date", "date"),
            Column(_("生产经营单位"), "enterprise.name"),
            Column(_("检查单位"), "action.organizer.name"),
        ),
        select_related=("action", "action__organizer", "enterprise"),
        url_name="inspections:record_detail",
    ),
    "accounts.Enterprise": Layout(
        (
            Column(_("单位名称"), "name"),
            Column(_("统一社会信用代码"), "uscc"),
            Column(_("属地"), "jurisdiction.name"),
            Column(_("监管部门"), "supervising_department.name"),
        ),
        select_related=("jurisdiction", "supervising_department"),
    ),
    "enforcement.Case": Layout(
        (
            Column(_("案件编号"), "number"),
            Column(_("生产经营单位"), "enterprise.name"),
            Column(_("案由"), "cause"),
            Column(_("办案单位"), "handling_unit.name"),
            Column(_("立案日期"), "opened_on", "date"),
            Column(_("处罚决定日期"), "decided_on", "date"),
            Column(_("办理期限"), "deadline", "date"),
            Column(_("案件状态"), "get_state_display"),
        ),
        select_related=("enterprise", "handling_unit"),
    ),
    "enforcement.Penalty": Layout(
        (
            Column(_("案件编号"), "case.number"),
            Column(_("生产经营单位"), "case.enterprise.name"),
            Column(_("处罚对象"), "get_target_display"),
            Column(_("被处罚人"), "person_name"),
            Column(_("处罚决定日期"), "case.decided_on", "date"),
            Column(_("金额（元）"), "amount", "money"),
        ),
        select_related=("case", "case__enterprise"),
        url_name="enforcement:case_detail",
        link_pk="case_id",
    ),
    "enforcement.Measure": Layout(
        (
            Column(_("案件编号"), "case.number"),
            Column(_("生产经营单位"), "case.enterprise.name"),
            Column(_("措施"), "get_kind_display"),
            Column(_("开始日期"), "start_on", "date"),
            Column(_("截止/解除日期"), "end_on", "date"),
        ),
        select_related=("case", "case__enterprise"),
        url_name="enforcement:case_detail",
        link_pk="case_id",
    ),
    "campaigns.Activity": Layout(
        (
            Column(_("日期"), "date", "date"),
            Column(_("活动类型"), "type.name"),
            Column(_("主题"), "theme"),
            Column(_("组织单位"), "organiser.name"),
            Column(_("场次"), "sessions", "number"),
            Column(_("参与人次"), "participants", "number"),
        ),
        select_related=("type", "organiser"),
    ),
    "accounts.OrgUnit": Layout((Column(_("单位"), "name"), Column(_("类型"), "get_kind_display"))),
    "campaigns.ActivityQuantity": Layout(
        (
            Column(_("日期"), "activity.date", "date"),
            Column(_("活动类型"), "activity.type.name"),
            Column(_("主题"), "activity.theme"),
            Column(_("组织单位"), "activity.organiser.name"),
            Column(_("数量单位"), "unit.name"),
            Column(_("数量"), "amount", "number"),
        ),
        select_related=("activity", "activity__type", "activity__organiser", "unit"),
        url_name="campaigns:activity_detail",
        link_pk="activity_id",
    ),
}

FALLBACK = Layout((Column(_("记录"), "__str__"),))

# The longest date range the drill page lists (a campaign runs at most a few years).
MAX_RANGE_DAYS = 3 * 366


@dataclass(frozen=True)
class DateRange:
    """Dates the drill page lists records for when they are no period: a campaign report's days
    (`?start=2026-03-01&end=2026-06-30`). Shaped like a Period where the page reads one."""

    start: dt.date
    end: dt.date

    @property
    def label(self) -> str:
        return _("%(start)s至%(end)s") % {
            "start": self.start.strftime("%Y-%m-%d"),
            "end": self.end.strftime("%Y-%m-%d"),
        }


def date_range(params) -> DateRange | None:
    """`start` and `end` (ISO dates) from the query string; None when neither is given. ValueError
    with a Chinese message when they cannot be read, are reversed or span more than three years."""
    start_text, end_text = (params.get("start") or "").strip(), (params.get("end") or "").strip()
    if not start_text and not end_text:
        return None
    try:
        start, end = dt.date.fromisoformat(start_text), dt.date.fromisoformat(end_text)
    except ValueError as exc:
        raise ValueError(_("起止日期须写成 2026-03-01 的格式。")) from exc
    if end < start:
        raise ValueError(_("截止日期早于起始日期。"))
    if (end - start).days > MAX_RANGE_DAYS:
        raise ValueError(_("起止日期相隔不能超过三年。"))
    return DateRange(start, end)


def in_user_scope(queryset: QuerySet, user) -> QuerySet:
    """The records further restricted to what `user` may see (accounts.scoping). Rows of a model with no
    scoping rule of its own (a penalty, an activity's quantity) are reached only through their case or
    activity, which the metric has already filtered to the statistics scope the user was allowed."""
    if hasattr(queryset.model, "scope_fields"):
        return restrict(queryset, user)
    return queryset


def layout_for(model: type[Model]) -> Layout:
    return LAYOUTS.get(model._meta.label, FALLBACK)


def prepared(queryset: QuerySet, layout: Layout) -> QuerySet:
    """The rows with what their columns show fetched alongside, in a stable order."""
    if layout.select_related:
        queryset = queryset.select_related(*layout.select_related)
    if not queryset.ordered:
        queryset = queryset.order_by("-pk")
    return queryset


def _resolve(obj, path: str):
    value = obj
    for part in path.split("."):
        if value is None:
            return None
        value = getattr(value, part)
        if isinstance(value, Callable) and not isinstance(value, Model):
            value = value()
    return value


def cell_text(value, kind: str) -> str:
    if value is None or value == "":
        return DASH
    if kind == "date" and isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d")
    if kind == "money" and isinstance(value, Decimal | int):
        return decimal_text(value)  # the column is headed 元: the exact amount, not 万元
    if kind == "number" and isinstance(value, Decimal | int):
        return count_text(value)
    return str(value)


def record_url(obj: Model, layout: Layout) -> str:
    if layout.url_name:
        try:
            return reverse(layout.url_name, args=[_resolve(obj, layout.link_pk)])
        except NoReverseMatch:
            return ""
    getter = getattr(obj, "get_absolute_url", None)
    return getter() if getter is not None else ""


def rows(objects, layout: Layout) -> list[dict]:
    """[{url, cells: [{text, kind}]}] for the page's objects."""
    return [
        {
            "url": record_url(obj, layout),
            "cells": [
                {"text": cell_text(_resolve(obj, c.path), c.kind), "kind": c.kind} for c in layout.columns
            ],
        }
        for obj in objects
    ]
