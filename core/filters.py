"""Filters every list shares: a yes/no filter that refuses what is neither, an id filter, and the API's
filter backend.

A filter value that means nothing (`?overdue=null`, `?action=abc`) is refused, never dropped: a list
that ignored it would show more than was asked for. The API answers 400 with the messages in Chinese
(DRF's DjangoFilterBackend raises on an invalid filter form); the pages show the error on the form and
list nothing (core.lists.filtered).
"""

from copy import deepcopy

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.rest_framework import FilterSet as RestFilterSet

from .widgets import fast_widgets

TRUE_VALUES = {"true", "1"}
FALSE_VALUES = {"false", "0"}


def yes_no_widget() -> forms.Select:
    return forms.Select(choices=[("", _("全部")), ("true", _("是")), ("false", _("否"))])


class YesNoField(forms.NullBooleanField):
    """是/否/全部: true or 1, false or 0, empty for all; anything else is an error, not "all"."""

    default_error_messages = {
        "invalid": _("“%(value)s”不是有效的是否值，请填写 true 或 false（留空表示全部）。"),
    }

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", yes_no_widget())
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if value is None or isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text == "":
            return None
        if text in TRUE_VALUES:
            return True
        if text in FALSE_VALUES:
            return False
        raise ValidationError(self.error_messages["invalid"], code="invalid", params={"value": value})

    def has_changed(self, initial, data) -> bool:
        try:
            return super().has_changed(initial, data)
        except ValidationError:  # a value that is neither did change something: it is shown as an error
            return True


class YesNoFilter(django_filters.BooleanFilter):
    field_class = YesNoField


class IdField(forms.IntegerField):
    default_error_messages = {"invalid": _("请填写一个整数 id。")}


class IdFilter(django_filters.NumberFilter):
    """A related record by its id, without looking it up: an id outside the user's scope and one that
    does not exist both match nothing, so the answer tells neither apart."""

    field_class = IdField


class PinnedIdField(IdField):
    """An id the list was opened with from another page (an enterprise page's 查看全部), kept in a hidden
    field. It is not a filter set in the bar, so it leaves the bar folded on a phone; the page says
    what it pins (partials/filter_enterprise.html)."""

    widget = forms.HiddenInput

    def has_changed(self, initial, data) -> bool:
        return False


class PinnedIdFilter(IdFilter):
    field_class = PinnedIdField


_DEFAULTS = deepcopy(RestFilterSet.FILTER_DEFAULTS)
_DEFAULTS[models.BooleanField] = {"filter_class": YesNoFilter}


class ListFilterSet(django_filters.FilterSet):
    """The base of the list pages' filter bars: their selects and inputs are written out in Python
    (core.widgets), not one template per option and box."""

    @property
    def form(self):
        if not hasattr(self, "_form"):
            fast_widgets(super().form)
        return self._form


class FilterSet(RestFilterSet):
    """The base of the filtersets DRF builds from a view's `filterset_fields`."""

    FILTER_DEFAULTS = _DEFAULTS


# Query parameters that never name a filter: the page number and DRF's ?format=.
NOT_FILTERS = frozenset({"page", "format"})


class FilterBackend(DjangoFilterBackend):
    """REST_FRAMEWORK's filter backend: an invalid filter answers 400 (raise_exception, DRF's default),
    and filters built from `filterset_fields` refuse a yes/no value that is neither."""

    filterset_base = FilterSet
    raise_exception = True

    def filter_queryset(self, request, queryset, view):
        # A call that names no filter (the next page of the whole list, the commonest call) builds no filter
        # set: django-filter deep-copies every filter of the set for each call — 3 ms of the hazard API's
        # 13 at city scale — only for each to leave the list as it is (issue 15).
        if NOT_FILTERS.issuperset(request.query_params):
            return queryset
        return super().filter_queryset(request, queryset, view)
