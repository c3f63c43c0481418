"""Figure sentences (reports/sentences.py): the seeds' sentences written from figures equal to 001's
numbers, every edge of the 同比 wording, every kind of bad template refused with its Chinese message and
position, and render all-or-nothing. Pure Python on hand-made metrics, except the last test, which
renders every default sentence from `registry.compute` on an empty database."""

from decimal import Decimal

import pytest

from reports import registry
from reports.periods import Period
from reports.registry import Figure, Metric
from reports.scopes import WHOLE_DISTRICT
from reports.sentences import (
    DEFAULT_SENTENCES,
    CompiledSentence,
    SentenceError,
    filters_for,
    keys_used,
    parse,
    render,
    validate,
)

D = Decimal

# The keys the default sentences may use (issue 14's 总体情况), with their registry units and kinds.
SPECS = {
    "accidents.count": ("生产安全事故", "起", "count"),
    "accidents.deaths": ("事故死亡人数", "人", "sum"),
    "hazards.found": ("发现隐患", "个", "count"),
    "hazards.rectified": ("已整改隐患", "个", "count"),
    "hazards.rectification_rate": ("隐患整改率", "%", "rate"),
    "hazards.major": ("重大隐患", "个", "count"),
    "hazards.listed": ("挂牌督办隐患", "个", "count"),
    "hazards.overdue": ("逾期未整改隐患", "个", "count"),
    "inspections.actions": ("检查行动", "次", "count"),
    "inspections.person_times": ("出动检查人员", "人次", "sum"),
    "inspections.unit_visits": ("检查生产经营单位(家次)", "家次", "count"),
    "inspections.units": ("检查生产经营单位(家)", "家", "count"),
    "inspections.leader_led": ("领导带队检查", "次", "count"),
    "inspections.leader_led_hazards": ("领导带队检查发现隐患", "个", "count"),
    "enforcement.cases": ("立案", "起", "count"),
    "enforcement.fines_total": ("罚款金额", "元", "money"),
    "enforcement.suspended": ("停产整顿", "家", "count"),
    "enforcement.sealed": ("临时查封", "家", "count"),
    "enforcement.three_stops": ("责令三停", "家", "count"),
    "enforcement.closed_down": ("关闭取缔", "家", "count"),
}
ALLOWED = set(SPECS)


def _metric(key: str) -> Metric:
    label, unit, kind = SPECS[key]
    return Metric(key=key, label=label, unit=unit, definition="测试", value=lambda window: 0, kind=kind)


KNOWN = {key: _metric(key) for key in SPECS}

# Seed 001's figures (2023) and a plausible year before; accidents 2/2 against 5/5.
SEED_001 = {
    "accidents.count": (2, 5),
    "accidents.deaths": (2, 5),
    "hazards.found": (3832, 3500),
    "hazards.rectified": (3730, 3400),
    "hazards.rectification_rate": (D("97.3"), D("97.1")),
    "hazards.major": (650, 600),
    "hazards.listed": (650, 500),
    "hazards.overdue": (0, 4),
    "inspections.actions": (1315, 1200),
    "inspections.person_times": (7216, 6000),
    "inspections.unit_visits": (5210, 4800),
    "inspections.units": (4053, 3900),
    "inspections.leader_led": (367, 300),
    "inspections.leader_led_hazards": (512, 480),
    "enforcement.cases": (2454, 2100),
    "enforcement.fines_total": (D("1433512.00"), D("1000000.00")),
    "enforcement.suspended": (6, 4),
    "enforcement.sealed": (21, 10),
    "enforcement.three_stops": (12, 9),
    "enforcement.closed_down": (1, 0),
}


def figures(**overrides: tuple) -> dict[str, Figure]:
    """001's figures, with some replaced: figures(accidents__count=(0, 0))."""
    values = dict(SEED_001)
    for name, pair in overrides.items():
        key = name.replace("__", ".")
        assert key in values, key
        values[key] = pair
    return {key: Figure(KNOWN[key], value, previous) for key, (value, previous) in values.items()}


def write(template: str, **overrides: tuple) -> str:
    return render(parse(template, KNOWN), figures(**overrides))


# ---------------------------------------------------------------- the seeds' sentences


ACCIDENTS_TEMPLATE = (
    "全区共发生生产安全事故{accidents.count|text}、死亡{accidents.deaths|text}，"
    "与去年同期相比，{accidents.count,accidents.deaths|joint_change}"
)


@pytest.mark.parametrize(
    "template, sentence",
    [
        (ACCIDENTS_TEMPLATE, "全区共发生生产安全事故2起、死亡2人，与去年同期相比，均下降60%"),
        (
            "建立隐患台账{hazards.found}个，完成整治{hazards.rectified}个，整改率{hazards.rectification_rate|rate}",
            "建立隐患台账3832个，完成整治3730个，整改率97.3%",
        ),
        (
            "检查生产经营单位{inspections.units|text}，立案调查{enforcement.cases|text}，"
            "行政处罚{enforcement.fines_total|money}",
            "检查生产经营单位4053家，立案调查2454起，行政处罚143.35万余元",
        ),
        (
            "开展执法检查{inspections.actions|text}，出动执法人员{inspections.person_times|text}",
            "开展执法检查1315次，出动执法人员7216人次",
        ),
        (
            "区级领导共带队检查{inspections.leader_led}次，共发现隐患{inspections.leader_led_hazards|text}",
            "区级领导共带队检查367次，共发现隐患512个",
        ),
        (
            "临时查封单位{enforcement.sealed|text}，责令三停单位{enforcement.three_stops|text}",
            "临时查封单位21家，责令三停单位12家",
        ),
    ],
)
def test_the_seed_sentences_come_out_exactly_from_001s_figures(template, sentence):
    assert write(template) == sentence


@pytest.mark.parametrize(
    "name, sentence",
    [
        ("accidents", "全区共发生生产安全事故2起、死亡2人，与去年同期相比，均下降60%"),
        ("hazards", "建立隐患台账3832个，完成整治3730个，整改率97.3%"),
        ("inspections", "开展执法检查1315次，出动执法人员7216人次，入企检查5210家次"),
        ("enforcement", "检查生产经营单位4053家，立案调查2454起，行政处罚143.35万余元"),
        ("leader_led", "领导共带队检查367次，共发现隐患512个"),
        ("major_hazards", "发现重大隐患650个，挂牌督办隐患650个，无逾期未整改隐患"),
        ("measures", "责令停产整顿6家，临时查封单位21家，责令三停单位12家，关闭取缔1家"),
    ],
)
def test_the_default_sentences_write_001(name, sentence):
    assert write(DEFAULT_SENTENCES[name]) == sentence


def test_the_defaults_use_only_the_summary_keys_and_every_one_parses():
    assert set(DEFAULT_SENTENCES) == {
        "accidents",
        "hazards",
        "major_hazards",
        "inspections",
        "enforcement",
        "leader_led",
        "measures",
    }
    used: set[str] = set()
    for template in DEFAULT_SENTENCES.values():
        assert validate(template, KNOWN) == []
        used |= keys_used(template)
    assert used == ALLOWED


# ---------------------------------------------------------------- 同比 wording, edge by edge


@pytest.mark.parametrize(
    "count, deaths, sentence",
    [
        # both fell by the same rate
        ((2, 5), (2, 5), "全区共发生生产安全事故2起、死亡2人，与去年同期相比，均下降60%"),
        # one rose, one fell
        ((3, 2), (1, 2), "全区共发生生产安全事故3起、死亡1人，与去年同期相比，分别上升50%、下降50%"),
        # both fell, by different rates
        ((2, 4), (1, 4), "全区共发生生产安全事故2起、死亡1人，与去年同期相比，分别下降50%、75%"),
        # equal → 持平
        ((2, 2), (2, 2), "全区共发生生产安全事故2起、死亡2人，与去年同期相比，均持平"),
        # one fell, one equal
        ((2, 4), (1, 1), "全区共发生生产安全事故2起、死亡1人，与去年同期相比，分别下降50%、持平"),
        # last year none: no rate at all
        ((1, 0), (1, 0), "全区共发生生产安全事故1起、死亡1人，去年同期未发生生产安全事故"),
        # deaths none last year, accidents some
        (
            (2, 1),
            (1, 0),
            "全区共发生生产安全事故2起、死亡1人，与去年同期相比，分别上升100%、上升（去年同期为0）",
        ),
        # none this year ([if] branch), with and without accidents a year before
        ((0, 0), (0, 0), "全区未发生生产安全事故"),
        ((0, 5), (0, 5), "全区未发生生产安全事故，去年同期发生5起、死亡5人"),
        # accidents without deaths
        ((2, 4), (0, 0), "全区共发生生产安全事故2起，未造成人员死亡，与去年同期相比，分别下降50%、持平"),
    ],
)
def test_the_accident_sentence_at_every_edge_of_the_change_wording(count, deaths, sentence):
    assert write(DEFAULT_SENTENCES["accidents"], accidents__count=count, accidents__deaths=deaths) == sentence


@pytest.mark.parametrize(
    "template, now_before, text",
    [
        ("{accidents.count|change}", (2, 5), "同比下降60%"),
        ("{accidents.count|change}", (5, 4), "同比上升25%"),
        ("{accidents.count|change}", (5, 5), "同比持平"),
        ("{accidents.count|change}", (0, 0), "同比持平"),
        ("{accidents.count|change}", (3, 0), "去年同期为0"),
        ("{accidents.count|trend}", (2, 5), "下降60%"),
        ("{accidents.count|trend}", (5, 5), "持平"),
        ("{accidents.count|previous}", (2, 5), "5"),
        ("{accidents.count|previous|text}", (2, 5), "5起"),
        ("{accidents.count}", (2, 5), "2"),
    ],
)
def test_single_figure_wordings(template, now_before, text):
    assert write(template, accidents__count=now_before) == text


def test_joint_change_of_three_figures_and_last_year_none_for_all():
    template = "{accidents.count,accidents.deaths,hazards.found|joint_change}"
    assert (
        write(template, accidents__count=(1, 2), accidents__deaths=(1, 2), hazards__found=(5, 10))
        == "均下降50%"
    )
    assert (
        write(template, accidents__count=(1, 0), accidents__deaths=(1, 0), hazards__found=(5, 0))
        == "去年同期均为0"
    )


@pytest.mark.parametrize(
    "template, overrides, text",
    [
        ("{enforcement.fines_total|text}", {}, "143.35万余元"),
        ("{enforcement.fines_total|previous|money}", {}, "100万元"),
        ("{enforcement.fines_total|money}", {"enforcement__fines_total": (D("9500"), D("0"))}, "9500元"),
        ("{enforcement.fines_total|change}", {}, "同比上升43.35%"),
        ("{hazards.rectification_rate}", {}, "97.3"),
        ("{hazards.rectification_rate|text}", {}, "97.3%"),
        ("{hazards.rectification_rate|previous|rate}", {}, "97.1%"),
        # no hazards: the rate is missing and prints as a dash, never as 0
        ("整改率{hazards.rectification_rate|rate}", {"hazards__rectification_rate": (None, None)}, "整改率—"),
        ("{hazards.found|text}", {"hazards__found": (None, 3)}, "—"),
    ],
)
def test_money_rates_and_missing_values(template, overrides, text):
    assert write(template, **overrides) == text


# ---------------------------------------------------------------- conditions


@pytest.mark.parametrize(
    "condition, holds",
    [
        ("accidents.count == 2", True),
        ("accidents.count != 2", False),
        ("accidents.count > 1", True),
        ("accidents.count >= 3", False),
        ("accidents.count < 2.5", True),
        ("accidents.count <= 1", False),
        ("accidents.count|previous == 5", True),
        ("accidents.count == accidents.deaths", True),
        ("hazards.rectified == hazards.found", False),
        ("hazards.rectified < hazards.found", True),
        ("enforcement.fines_total > 1433511.99", True),
        ("hazards.rectification_rate >= 97.3", True),
        ("0 < accidents.count", True),
    ],
)
def test_a_condition_is_one_comparison(condition, holds):
    assert write(f"[if {condition}]是[else]否[end]") == ("是" if holds else "否")


def test_a_comparison_with_a_missing_value_is_false_whatever_the_operator():
    for op in ("==", "!=", ">", "<"):
        template = f"[if hazards.rectification_rate {op} 0]有[else]无[end]"
        assert write(template, hazards__rectification_rate=(None, None)) == "无"


def test_elif_nesting_and_a_branch_without_else():
    template = (
        "[if accidents.count == 0]无事故[elif accidents.count > 3]多起事故"
        "[else]{accidents.count|text}[if accidents.deaths == 0]，无死亡[end][end]"
    )
    assert write(template, accidents__count=(0, 0)) == "无事故"
    assert write(template, accidents__count=(4, 0)) == "多起事故"
    assert write(template, accidents__count=(2, 0), accidents__deaths=(0, 0)) == "2起，无死亡"
    assert write(template, accidents__count=(2, 0), accidents__deaths=(1, 0)) == "2起"
    assert write("[if inspections.leader_led > 400]领导带队[end]") == ""


def test_full_width_marks_typed_with_a_chinese_input_method_are_read_as_ascii():
    assert write("{hazards.found｜text}") == "3832个"
    assert write("{ accidents.count，accidents.deaths ｜ joint_change }") == "均下降60%"
    assert write("[IF accidents.count ＞＝ 2]有[ELSE]无[END]") == "有"


# ---------------------------------------------------------------- bad templates


@pytest.mark.parametrize(
    "template, message",
    [
        ("", "模板是空的"),
        ("  \n ", "模板是空的"),
        ("{hazard.found}", "第1个字符“{hazard.found}”：没有指标“hazard.found”，是否是：hazards.found"),
        (
            "整改{hazards.foond|text}",
            "第3个字符“{hazards.foond|text}”：没有指标“hazards.foond”，是否是：hazards.found",
        ),
        ("{weather.rain}", "没有指标“weather.rain”，请从编辑框旁的指标列表中选用"),
        ("{hazards.found|txt}", "没有写法“txt”，是否是：text？"),
        ("{hazards.found|}", "“|”后面没有写写法"),
        ("{}", "花括号里没有写指标"),
        ("{accidents.count,}", "指标名是空的"),
        ("{hazards.found|money}", "“money”只用于金额，“hazards.found”（发现隐患）的单位是“个”"),
        ("{hazards.found|previous|rate}", "“rate”只用于比率，“hazards.found”（发现隐患）的单位是“个”"),
        (
            "{enforcement.fines_total}",
            "金额要带单位写（如“143.35万余元”）：请写“{enforcement.fines_total|money}”",
        ),
        ("{enforcement.fines_total|previous}", "请写“{enforcement.fines_total|previous|money}”"),
        (
            "{hazards.rectification_rate|change}",
            "“hazards.rectification_rate”（隐患整改率）是比率，不计算同比增减",
        ),
        (
            "{accidents.count,hazards.rectification_rate|joint_change}",
            "“hazards.rectification_rate”（隐患整改率）是比率，不计算同比增减",
        ),
        ("{accidents.count|joint_change}", "“joint_change”要合写两个以上指标"),
        ("{accidents.count,accidents.count|joint_change}", "同一个指标写了两次"),
        ("{accidents.count,accidents.deaths}", "一对花括号里只能写一个指标"),
        ("{accidents.count,accidents.deaths|text}", "一对花括号里只能写一个指标"),
        ("{accidents.count|change|text}", "“change”要单独使用"),
        ("{hazards.found|text|previous}", "写法只能这样连用"),
        ("{hazards.found|previous|previous}", "写法只能这样连用"),
        ("共{hazards.found个", "第2个字符“{hazards.found个”：“{”没有对应的“}”"),
        ("{{hazards.found}}", "第1个字符“{{”：花括号里不能再写花括号"),
        ("隐患{hazards.found}}个", "第18个字符“}”：多余的“}”"),
        ("共[if accidents.count == 0", "第2个字符“[if accidents.count == 0”：“[”没有对应的“]”"),
        ("事故]", "第3个字符“]”：多余的“]”"),
        (
            "[if accidents.count == 0]无事故",
            "第1个字符“[if accidents.count == 0]”：这个“[if …]”没有对应的“[end]”",
        ),
        ("无事故[end]", "第4个字符“[end]”：“[end]”前面没有对应的“[if …]”"),
        ("[else]无事故", "“[else]”前面没有对应的“[if …]”"),
        ("[elif accidents.count == 0]", "“[elif]”前面没有对应的“[if …]”"),
        (
            "[if accidents.count == 0]a[else]b[else]c[end]",
            "第34个字符“[else]”：一个“[if …]”里只能有一个“[else]”",
        ),
        (
            "[if accidents.count == 0]a[else]b[elif accidents.count == 1]c[end]",
            "“[elif …]”不能写在“[else]”之后",
        ),
        ("[if accidents.count == 0]a[end now]", "“[end]”里不能再写别的"),
        ("[iff accidents.count == 0]a[end]", "方括号里只能写 if、elif、else、end"),
        ("[注]a", "方括号里只能写 if、elif、else、end"),
        ("[if]a[end]", "“[if]”后面要写条件"),
        ("[if accidents.count = 0]a[end]", "比较“相等”请写两个等号“==”"),
        ("[if accidents.count]a[end]", "条件写法不对：只能比较一次"),
        ("[if accidents.count == 0 == 0]a[end]", "条件写法不对"),
        ("[if accidents.count == many]a[end]", "没有指标“many”"),
        ("[if acidents.count == 0]a[end]", "没有指标“acidents.count”，是否是：accidents.count"),
        ("[if accidents.count|text == 0]a[end]", "条件里指标后面只能写“|previous”（去年同期），这里是“text”"),
    ],
)
def test_a_bad_template_is_refused_with_a_chinese_message_naming_the_place(template, message):
    problems = validate(template, KNOWN)
    assert any(message in problem for problem in problems), problems
    with pytest.raises(SentenceError) as refused:
        parse(template, KNOWN)
    assert isinstance(refused.value, ValueError)
    assert message in str(refused.value)
    assert refused.value.problems == problems


def test_validate_lists_every_problem_in_order_and_nothing_for_a_good_template():
    problems = validate("{hazard.found}个，{hazards.found|money}，[end]", KNOWN)
    assert len(problems) == 3
    assert problems[0].startswith("第1个字符")
    assert problems[1].startswith("第17个字符")
    assert problems[2].startswith("第39个字符")
    assert validate(ACCIDENTS_TEMPLATE, KNOWN) == []


def test_with_plain_keys_only_names_are_checked_and_render_checks_the_units():
    compiled = parse("罚款{enforcement.fines_total|text}，{hazards.found|money}", set(SPECS))
    assert validate("{hazards.found|money}", set(SPECS)) == []
    assert validate("{hazard.found}", set(SPECS)) != []
    with pytest.raises(SentenceError, match="“money”只用于金额"):
        render(compiled, figures())


# ---------------------------------------------------------------- render: all or nothing


def test_a_missing_figure_refuses_the_whole_sentence_even_in_a_branch_not_taken():
    compiled = parse(DEFAULT_SENTENCES["accidents"], KNOWN)
    complete = figures(accidents__count=(0, 0))
    assert render(compiled, complete) == "全区未发生生产安全事故"
    del complete["accidents.deaths"]  # only the [else] branch writes deaths
    with pytest.raises(SentenceError, match="缺少指标数据：accidents.deaths"):
        render(compiled, complete)


def test_render_names_every_missing_figure():
    with pytest.raises(SentenceError) as refused:
        render(ACCIDENTS_TEMPLATE, {})
    assert str(refused.value) == "缺少指标数据：accidents.count、accidents.deaths"


def test_a_figure_that_cannot_be_written_gives_no_half_sentence():
    # a negative amount cannot be written as money: the first clause is not returned alone
    template = "立案调查{enforcement.cases|text}，行政处罚{enforcement.fines_total|money}"
    with pytest.raises(SentenceError, match="无法写出该句"):
        write(template, enforcement__fines_total=(D("-5"), D("0")))


def test_a_string_template_renders_against_the_figures_it_is_given():
    assert render("整改率{hazards.rectification_rate|rate}", figures()) == "整改率97.3%"
    with pytest.raises(SentenceError, match="多余的“}”"):
        render("整改率{hazards.rectification_rate|rate}}", figures())
    with pytest.raises(SentenceError, match="“rate”只用于比率"):
        render("{hazards.found|rate}", figures())


def test_keys_used_names_figures_conditions_and_every_branch():
    template = "[if hazards.found == 0]无[elif hazards.listed > hazards.major]{hazards.overdue}[else]{accidents.count,accidents.deaths|joint_change}[end]"
    expected = {
        "hazards.found",
        "hazards.listed",
        "hazards.major",
        "hazards.overdue",
        "accidents.count",
        "accidents.deaths",
    }
    assert keys_used(template) == expected
    compiled = parse(template, KNOWN)
    assert isinstance(compiled, CompiledSentence)
    assert keys_used(compiled) == expected
    assert compiled.render(figures()) == "均下降60%"  # 001: as many listed as major hazards
    assert compiled.render(figures(hazards__listed=(700, 0))) == "0"
    assert compiled.render(figures(hazards__found=(0, 0))) == "无"
    with pytest.raises(SentenceError):
        keys_used("{hazards.found")


def test_the_filters_offered_beside_the_editor_fit_the_metric():
    assert filters_for(KNOWN["hazards.found"]) == ["text", "previous", "change", "trend", "joint_change"]
    assert filters_for(KNOWN["enforcement.fines_total"]) == [
        "text",
        "previous",
        "money",
        "change",
        "trend",
        "joint_change",
    ]
    assert filters_for(KNOWN["hazards.rectification_rate"]) == ["text", "previous", "rate"]
    for metric in KNOWN.values():
        for name in filters_for(metric):
            if name == "joint_change":
                other = "accidents.deaths" if metric.key == "accidents.count" else "accidents.count"
                template = f"{{{other},{metric.key}|joint_change}}"
            elif name == "previous" and metric.unit == "元":
                template = f"{{{metric.key}|previous|money}}"
            else:
                template = f"{{{metric.key}|{name}}}"
            assert validate(template, KNOWN) == [], template
            assert render(template, figures()) != ""


# ---------------------------------------------------------------- against the live registry


@pytest.mark.django_db
def test_every_default_parses_against_the_registry_and_renders_from_an_empty_database(
    django_assert_max_num_queries,
):
    registered = {metric.key: metric for metric in registry.all_metrics()}
    assert set(registered) >= ALLOWED
    for key, (_label, unit, kind) in SPECS.items():  # the hand-made metrics above match the registry
        assert (registered[key].unit, registered[key].kind) == (unit, kind), key
    compiled = {name: parse(template) for name, template in DEFAULT_SENTENCES.items()}
    with django_assert_max_num_queries(2 * len(ALLOWED) + 5):
        found = registry.compute(Period.parse("2026"), WHOLE_DISTRICT, keys=ALLOWED)
    written = {name: render(sentence, found) for name, sentence in compiled.items()}
    assert written == {
        "accidents": "全区未发生生产安全事故",
        "hazards": "未发现隐患",
        "major_hazards": "未发现重大隐患，无逾期未整改隐患",
        "inspections": "未开展执法检查",
        "enforcement": "未立案查处",
        "leader_led": "",
        "measures": "责令停产整顿0家，临时查封单位0家，责令三停单位0家，关闭取缔0家",
    }
