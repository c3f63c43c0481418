"""{% badge %}: the status badges of DESIGN.md §3c, as the lists and detail pages draw them."""

import pytest
from django.template import Context, Template
from django.test.html import parse_html


def draw(source: str, **context) -> str:
    return Template("{% load badges %}" + source).render(Context(context)).strip()


@pytest.mark.parametrize(
    ("source", "context", "want"),
    [
        (
            '{% badge kind="state" value=h.state label=h.label %}',
            {"h": {"state": "open", "label": "待整改"}},
            '<span class="badge rounded-pill badge-state-open">待整改</span>',
        ),
        # No label: the Chinese word of the state.
        (
            '{% badge kind="state" value="verifying" %}',
            {},
            '<span class="badge rounded-pill badge-state-verifying">待复查</span>',
        ),
        ('{% badge kind="grade" value="red" %}', {}, '<span class="badge badge-grade-red">红</span>'),
        (
            '{% badge kind="enterprise" value="suspended" title="停产整顿" %}',
            {},
            '<span class="badge badge-enterprise-suspended" title="停产整顿">停产</span>',
        ),
        (
            '{% badge kind="overdue" %}',
            {},
            '<span class="badge badge-overdue"><i class="bi bi-alarm me-1" aria-hidden="true"></i>逾期</span>',
        ),
        (
            '{% badge kind="overdue" label=_("已超期") %}',
            {},
            '<span class="badge badge-overdue"><i class="bi bi-alarm me-1" aria-hidden="true"></i>已超期</span>',
        ),
        ('{% badge kind="overdue" value=late %}', {"late": False}, ""),
        (
            '{% badge kind="action-status" value="done" label=text %}',
            {"text": "已完成"},
            '<span class="badge badge-neutral">已完成</span>',
        ),
        ('{% badge kind="action-status" value="" label="" %}', {}, ""),
    ],
)
def test_each_kind_draws_its_badge(source, context, want):
    got = draw(source, **context)
    assert parse_html(got) == parse_html(want) if want else got == ""


def test_text_is_escaped():
    got = draw('{% badge kind="state" value=v label=l title=t %}', v="open", l="<b>待整改</b>", t='a "b"')
    assert "&lt;b&gt;" in got and 'title="a &quot;b&quot;"' in got
