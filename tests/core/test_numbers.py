"""The product's one number style (core.numbers), table by table from the seeds' examples (issue 13)."""

import json
from decimal import Decimal

import pytest
from django.template import Context, Template

from core.numbers import (
    Change,
    change_pct,
    change_text,
    count_text,
    joint_change_text,
    money_text,
    money_wan,
    pct_text,
    plain_number,
    rate,
    rate_text,
    value_text,
)
from hazards import selectors_accidents

D = Decimal


@pytest.mark.parametrize(
    "value, unit, text",
    [
        (3832, "个", "3832个"),
        (1234567, "", "1234567"),
        (0, "家", "0家"),
        (None, "个", "—"),
        (D("12.50"), "份", "12.5份"),
        (D("3.00"), "次", "3次"),
        (D("1E+3"), "份", "1000份"),
    ],
)
def test_count_text(value, unit, text):
    assert count_text(value, unit) == text


@pytest.mark.parametrize(
    "value, text",
    [
        (D("97.34"), "97.3%"),
        (D("97.35"), "97.4%"),
        (D("97.25"), "97.3%"),
        (100, "100.0%"),
        (0, "0.0%"),
        (99.96, "100.0%"),
        (12.35, "12.4%"),
        (None, "—"),
    ],
)
def test_rate_text_one_decimal_half_up(value, text):
    assert rate_text(value) == text


@pytest.mark.parametrize(
    "part, whole, result",
    [
        (973, 1000, D("97.3")),
        (1, 3, D("33.3")),
        (2, 3, D("66.7")),
        (1, 8, D("12.5")),
        (1, 16, D("6.3")),
        (5, 5, D("100.0")),
        (0, 7, D("0.0")),
        (3, 0, None),
        (0, 0, None),
    ],
)
def test_rate(part, whole, result):
    assert rate(part, whole) == result
    if result is not None:
        assert rate(part, whole).as_tuple().exponent == -1


@pytest.mark.parametrize(
    "yuan, text",
    [
        (1433512, "143.35万余元"),
        (6222600, "622.26万元"),
        (195000, "19.5万元"),
        (15000000, "1500万元"),
        (10000, "1万元"),
        (D("10000.5"), "1万余元"),
        (10001, "1万余元"),
        (19999, "1.99万余元"),
        (D("9999.99"), "9999.99元"),
        (D("9999.995"), "1万元"),
        (9500, "9500元"),
        (D("9500.5"), "9500.5元"),
        (D("9500.50"), "9500.5元"),
        (D("9500.00"), "9500元"),
        (9500.5, "9500.5元"),
        (0, "0元"),
        (D("0.00"), "0元"),
        (12500, "1.25万元"),
        (100000000, "10000万元"),
        (None, "—"),
    ],
)
def test_money_text(yuan, text):
    assert money_text(yuan) == text


@pytest.mark.parametrize(
    "yuan, wan, cut",
    [
        (1433512, D("143.35"), True),
        (6222600, D("622.26"), False),
        (195000, D("19.5"), False),
        (15000000, D("1500"), False),
        (D("10000.5"), D("1"), True),
        (1439999, D("143.99"), True),  # truncated, never rounded up to 144
    ],
)
def test_money_wan_truncates_and_says_so(yuan, wan, cut):
    assert money_wan(yuan) == (wan, cut)


@pytest.mark.parametrize("bad", [-1, D("-10000"), -0.5])
def test_negative_money_is_refused(bad):
    with pytest.raises(ValueError):
        money_text(bad)
    with pytest.raises(ValueError):
        money_wan(bad)


@pytest.mark.parametrize(
    "current, previous, pct",
    [
        (254, 355, D("-28.45")),
        (2, 5, D("-60.00")),
        (5, 4, D("25.00")),
        (3, 3, D("0.00")),
        (1, 3, D("-66.67")),
        (D("19.5"), D("13"), D("50.00")),
        (2, 0, None),
        (0, 0, None),
        (None, 5, None),
        (5, None, None),
    ],
)
def test_change_pct_signed_two_decimals(current, previous, pct):
    result = change_pct(current, previous)
    assert result == pct
    if pct is not None:
        assert result.as_tuple().exponent == -2


@pytest.mark.parametrize(
    "value, text",
    [
        (D("-60.00"), "60%"),
        (D("28.45"), "28.45%"),
        (D("-28.45"), "28.45%"),
        (D("12.50"), "12.5%"),
        (D("100"), "100%"),
        (D("0.00"), "0%"),
        (D("33.333"), "33.33%"),
        (D("0.005"), "0.01%"),
    ],
)
def test_pct_text(value, text):
    assert pct_text(value) == text


@pytest.mark.parametrize(
    "current, previous, text",
    [
        (2, 5, "同比下降60%"),
        (254, 355, "同比下降28.45%"),
        (5, 4, "同比上升25%"),
        (3, 3, "同比持平"),
        (0, 0, "同比持平"),
        (2, 0, "去年同期为0"),
        (D("19.5"), D("13"), "同比上升50%"),
        (None, 3, ""),
        (3, None, ""),
    ],
)
def test_change_text(current, previous, text):
    assert change_text(current, previous) == text


def test_change_text_prefix_is_put_in_front_except_when_last_year_was_zero():
    assert change_text(2, 5, prefix="环比") == "环比下降60%"
    assert change_text(2, 5, prefix="") == "下降60%"
    assert change_text(4, 4, prefix="") == "持平"
    assert change_text(2, 0, prefix="环比") == "去年同期为0"


@pytest.mark.parametrize(
    "pairs, text",
    [
        (((2, 5), (2, 5)), "同比均下降60%"),
        (((2, 5), (2, 4)), "同比分别下降60%、50%"),
        (((2, 5), (5, 4)), "同比分别下降60%、上升25%"),
        (((5, 4), (2, 5), (3, 3)), "同比分别上升25%、下降60%、持平"),
        (((1, 1), (0, 0)), "同比均持平"),
        (((2, 0), (1, 0)), "去年同期均为0"),
        (((2, 5), (1, 0)), "同比分别下降60%、上升（去年同期为0）"),
        (((2, 5),), "同比下降60%"),
        (((2, 5), (None, 4)), ""),
    ],
)
def test_joint_change_text(pairs, text):
    assert joint_change_text(*pairs) == text


def test_joint_change_text_after_a_spelled_out_comparison():
    """…死亡2人，与去年同期相比，均下降60%."""
    assert joint_change_text((2, 5), (2, 5), prefix="") == "均下降60%"
    assert joint_change_text((2, 5), (2, 4), prefix="") == "分别下降60%、50%"


def test_change_keeps_the_accident_pages_api():
    change = Change(254, 355)
    assert (change.direction, change.verb, change.rate, change.rate_text) == (
        "down",
        "下降",
        D("28.45"),
        "28.45%",
    )
    assert change.pct == D("-28.45") and change.difference == -101
    assert Change(2, 0).rate is None and Change(2, 0).rate_text == ""
    assert selectors_accidents.Change is Change


@pytest.mark.parametrize(
    "value, unit, text",
    [
        (1433512, "元", "143.35万余元"),
        (D("9500.50"), "元", "9500.5元"),
        (D("97.34"), "%", "97.3%"),
        (3832, "个", "3832个"),
        (D("12.50"), "份", "12.5份"),
        (12, "家次", "12家次"),
        (None, "元", "—"),
        (None, "%", "—"),
        (None, "起", "—"),
    ],
)
def test_value_text_dispatches_on_the_unit(value, unit, text):
    assert value_text(value, unit) == text


@pytest.mark.parametrize(
    "value, number",
    [
        (D("12.00"), 12),
        (D("97.3"), 97.3),
        (D("-28.45"), -28.45),
        (7, 7),
        (2.0, 2),
        (D("0"), 0),
        (None, None),
    ],
)
def test_plain_number(value, number):
    result = plain_number(value)
    assert result == number and type(result) is type(number)
    assert json.loads(json.dumps({"v": result}))["v"] == number


def test_wan_text_writes_accident_losses_in_the_same_style():
    assert selectors_accidents.wan_text(D("143.35")) == "143.35万元"
    assert selectors_accidents.wan_text(D("0.50")) == "5000元"
    assert selectors_accidents.wan_text(None) == "—"


def render(source: str, **context) -> str:
    return Template("{% load numbers %}" + source).render(Context(context))


def test_template_filters():
    html = render(
        "{{ loss|money }} {{ share|rate }} {{ units|count:'家' }} {{ now|change:before }} "
        "{{ pct|pct }} {{ amount|value:'元' }}",
        loss=1433512,
        share=D("97.34"),
        units=3832,
        now=2,
        before=5,
        pct=D("-28.45"),
        amount=195000,
    )
    assert html == "143.35万余元 97.3% 3832家 同比下降60% 28.45% 19.5万元"


def test_template_filters_on_missing_values():
    """A value that does not exist or is None prints "—", a change against None prints nothing."""
    html = render(
        "{{ nothing|money }}|{{ nothing|rate }}|{{ nothing|count:'个' }}|{{ 2|change:none }}", none=None
    )
    assert html == "—|—|—|"
