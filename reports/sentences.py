"""Figure sentences: short templates the office edits, written out from metric figures in the seeds' words.

A sentence template is plain Chinese text with two kinds of marks. Nothing else is code: there is no
attribute access, no expression beyond one comparison, no loop, no escape.

指标 ``{…}`` — a figure, written by the product's number style (core.numbers)::

    {hazards.found}                      3832          the value without its unit
    {hazards.found|text}                 3832个        with the metric's unit (money → 万元, rates → %)
    {enforcement.fines_total|money}      143.35万余元  money only
    {hazards.rectification_rate|rate}    97.3%         rates only ({…rate} alone gives 97.3)
    {accidents.count|change}             同比下降60%   同比上升25% / 同比持平 / 去年同期为0
    {accidents.count|trend}              下降60%       the same without 同比 (after "与去年同期相比，")
    {accidents.count|previous}           5             the same period a year before;
    {accidents.count|previous|text}      5起           … with |text, |money or |rate after it
    {accidents.count,accidents.deaths|joint_change}
                                         均下降60%     two or more figures in one clause, without 同比:
                                                       分别下降60%、50% / 分别下降50%、上升25% / 均持平

  A money figure always needs ``|money`` or ``|text`` (its unit is part of the number: 万余元); ``money``
  and ``rate`` fit only money and rate metrics; rates have no 同比 (``change``/``trend``/``joint_change``).

条件 ``[if …] … [elif …] … [else] … [end]`` — alternatives, e.g. for "none this year"::

    [if accidents.count == 0]全区未发生生产安全事故[else]全区共发生生产安全事故{accidents.count|text}[end]

  A condition is one comparison ``A op B`` with op one of ``== != > >= < <=``; A and B are a metric key,
  a key with ``|previous`` (the year before) or a number. A comparison with a missing value ("—", e.g.
  the rectification rate when no hazard was found) is false. ``[if]`` may nest; ``[elif]`` and ``[else]``
  are optional; every ``[if]`` needs its ``[end]``.

The ASCII characters ``{ } [ ]`` are always marks (write （）【】 in the text). Inside the marks,
full-width characters typed with a Chinese input method (｜ ， ＝ ＞ …) are read as their ASCII forms.

Checking is all-or-nothing. `parse` refuses a template with every problem found, each with its position
(第N个字符) in Chinese: unknown metric (with the nearest keys), unknown 写法, a 写法 that does not fit the
metric's unit, unbalanced marks, an empty template, ``joint_change`` with one key …. `render` first checks
that every figure the template names — in any branch — is there and fits, and only then writes; it
returns the whole sentence or raises `SentenceError`, never a part.

Sentences are clauses without the final "。": the section that holds them joins and punctuates them; a
sentence may render to "" (e.g. a leader-led clause when there was none), which the section leaves out.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.numbers import change_text, count_text, joint_change_text, money_text, rate_text, to_decimal

from .registry import Figure, Metric, all_metrics

# ---------------------------------------------------------------- the language's words

TEXT, MONEY, RATE, PREVIOUS, CHANGE, TREND, JOINT = (
    "text",
    "money",
    "rate",
    "previous",
    "change",
    "trend",
    "joint_change",
)
FORMATS = (TEXT, MONEY, RATE)  # how a value is written; may follow `previous`
WORDINGS = (CHANGE, TREND, JOINT)  # year-over-year wording; stand alone

# What the editor shows beside the template (name → what it writes).
FILTERS: dict[str, str] = {
    TEXT: gettext_lazy("带单位：3832个、143.35万余元、97.3%"),
    MONEY: gettext_lazy("金额：143.35万余元（只用于金额指标）"),
    RATE: gettext_lazy("比率：97.3%（只用于比率指标）"),
    PREVIOUS: gettext_lazy("去年同期的数：5；可再接 |text、|money、|rate"),
    CHANGE: gettext_lazy("同比：同比下降60%、同比持平、去年同期为0"),
    TREND: gettext_lazy("增减，不带“同比”：下降60%（用在“与去年同期相比，”之后）"),
    JOINT: gettext_lazy("几个指标合写：均下降60%、分别下降60%、上升25%（逗号分隔两个以上指标）"),
}

OPERATORS = ("==", "!=", ">=", "<=", ">", "<")
DIRECTIVES = ("if", "elif", "else", "end")

KEY_RE = re.compile(r"[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)+")
NUMBER_RE = re.compile(r"-?\d+(?:\.\d+)?")
OPERAND_RE = r"[^\s=!<>]+(?:\s*\|\s*[^\s=!<>]+)?"
CONDITION_RE = re.compile(rf"(?P<left>{OPERAND_RE})\s*(?P<op>==|!=|>=|<=|>|<)\s*(?P<right>{OPERAND_RE})")
DIRECTIVE_RE = re.compile(r"(?P<word>[A-Za-z]+)\b\s*(?P<rest>.*)", re.DOTALL)

MONEY_SORT, RATE_SORT, COUNT_SORT = "money", "rate", "count"

# ---------------------------------------------------------------- errors


class SentenceError(ValueError):
    """A template that cannot be used, or figures it cannot be written from. `problems` lists every
    problem (Chinese, each naming its position when it has one); str() joins them."""

    def __init__(self, problems: Iterable[str] | str) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("；".join(self.problems))


@dataclass(frozen=True)
class _Problem:
    position: int | None  # 0-based index of the mark in the template
    token: str
    message: str

    def __str__(self) -> str:
        if self.position is None:
            return self.message
        return _("第%(pos)d个字符“%(token)s”：%(problem)s") % {
            "pos": self.position + 1,
            "token": _clip(self.token),
            "problem": self.message,
        }


def _clip(token: str, width: int = 40) -> str:
    return token if len(token) <= width else token[: width - 1] + "…"


# ---------------------------------------------------------------- the compiled form


@dataclass(frozen=True)
class _Operand:
    key: str | None = None
    previous: bool = False
    number: Decimal | None = None

    def value(self, figures: Mapping[str, Figure]) -> Decimal | None:
        if self.key is None:
            return self.number
        figure = figures[self.key]
        value = figure.previous if self.previous else figure.value
        return None if value is None else to_decimal(value)


@dataclass(frozen=True)
class _Condition:
    left: _Operand
    op: str
    right: _Operand

    def holds(self, figures: Mapping[str, Figure]) -> bool:
        a, b = self.left.value(figures), self.right.value(figures)
        if a is None or b is None:
            return False
        return {
            "==": a == b,
            "!=": a != b,
            ">": a > b,
            ">=": a >= b,
            "<": a < b,
            "<=": a <= b,
        }[self.op]


@dataclass(frozen=True)
class _Field:
    keys: tuple[str, ...]
    filters: tuple[str, ...]
    position: int
    token: str


@dataclass
class _If:
    position: int
    token: str
    branches: list[tuple[_Condition, list]] = field(default_factory=list)
    otherwise: list | None = None


Node = str | _Field | _If


@dataclass(frozen=True)
class CompiledSentence:
    """A parsed template: render it as often as needed with `render(compiled, figures)`."""

    template: str
    nodes: tuple
    keys: frozenset[str]

    def render(self, figures: Mapping[str, Figure]) -> str:
        return render(self, figures)


# ---------------------------------------------------------------- public API


def parse(
    template: str, known: Mapping[str, Metric] | Iterable[Metric] | Iterable[str] | None = None
) -> CompiledSentence:
    """The compiled template, or SentenceError with every problem. `known`: the metrics a template may
    use — None for the registry (`all_metrics()`), metrics or {key: metric} (names and units are checked),
    or plain keys (names only)."""
    compiled, problems = _compile(template, _known(known))
    if problems:
        raise SentenceError(str(p) for p in problems)
    return compiled


def validate(
    template: str, known: Mapping[str, Metric] | Iterable[Metric] | Iterable[str] | None = None
) -> list[str]:
    """Every problem of `template` (for the editor form); [] when it can be used."""
    _compiled, problems = _compile(template, _known(known))
    return [str(p) for p in problems]


def keys_used(template: str | CompiledSentence) -> set[str]:
    """The metric keys a template names, in figures, conditions and every branch. A string is only
    checked for its syntax here (SentenceError when that is wrong), not against the registry."""
    if isinstance(template, CompiledSentence):
        return set(template.keys)
    compiled, problems = _compile(template, None)
    if problems:
        raise SentenceError(str(p) for p in problems)
    return set(compiled.keys)


def render(template_or_compiled: str | CompiledSentence, figures: Mapping[str, Figure]) -> str:
    """The sentence written from `figures` ({key: Figure}) — whole, or SentenceError: every key the
    template names (in any branch) must have a figure whose unit fits its 写法. A string template is
    compiled first (its keys are checked against `figures`, not the registry)."""
    return "".join(text for text, _key in render_parts(template_or_compiled, figures))


def render_parts(
    template_or_compiled: str | CompiledSentence, figures: Mapping[str, Figure]
) -> list[tuple[str, str | None]]:
    """`render`, in pieces: (text, metric key) for each figure written and (text, None) for the words
    between, so a web page can link every figure to the records behind it. Same checks as `render`."""
    if isinstance(template_or_compiled, CompiledSentence):
        compiled = template_or_compiled
    else:
        compiled, problems = _compile(template_or_compiled, None)
        if problems:
            raise SentenceError(str(p) for p in problems)
    missing = sorted(compiled.keys - set(figures))
    if missing:
        raise SentenceError(_("缺少指标数据：%(keys)s") % {"keys": "、".join(missing)})
    metrics = {key: figures[key].metric for key in compiled.keys}
    problems = [str(p) for p in _fit_all(compiled.nodes, metrics)]
    if problems:
        raise SentenceError(problems)
    parts: list[tuple[str, str | None]] = []
    try:
        _write(compiled.nodes, figures, parts)
    except (ArithmeticError, TypeError, ValueError) as error:
        raise SentenceError(_("无法写出该句：%(error)s") % {"error": error}) from error
    merged: list[tuple[str, str | None]] = []
    for text, key in parts:
        if key is None and merged and merged[-1][1] is None:
            merged[-1] = (merged[-1][0] + text, None)
        elif text:
            merged.append((text, key))
    return merged


def filters_for(metric: Metric) -> list[str]:
    """The 写法 that fit `metric` (for the key list beside the editor)."""
    sort = _sort(metric)
    names = [TEXT, PREVIOUS]
    if sort == MONEY_SORT:
        names.append(MONEY)
    if sort == RATE_SORT:
        names.append(RATE)
    if metric.compares:
        names += [CHANGE, TREND, JOINT]
    return names


# ---------------------------------------------------------------- compiling
# `_compile(template, known)`: known is {key: Metric, or None when only the name is known}; known=None
# accepts any well-formed key (render then checks the keys against the figures it is given).


def _known(known) -> dict[str, Metric | None]:
    if known is None:
        return {metric.key: metric for metric in all_metrics()}
    if isinstance(known, Mapping):
        return dict(known)
    result: dict[str, Metric | None] = {}
    for item in known:
        if isinstance(item, Metric):
            result[item.key] = item
        else:
            result[str(item)] = None
    return result


def _compile(
    template: str, known: dict[str, Metric | None] | None
) -> tuple[CompiledSentence, list[_Problem]]:
    problems: list[_Problem] = []
    keys: set[str] = set()
    if not isinstance(template, str) or not template.strip():
        problems.append(
            _Problem(None, "", _("模板是空的：请写出句子，如“建立隐患台账{hazards.found|text}”。"))
        )
        return CompiledSentence(template or "", (), frozenset()), problems

    root: list = []
    stack: list[_If] = []  # open [if]s

    def body() -> list:
        if not stack:
            return root
        block = stack[-1]
        return block.otherwise if block.otherwise is not None else block.branches[-1][1]

    for kind, position, token, content in _scan(template, problems):
        if kind == "text":
            body().append(content)
        elif kind == "field":
            node = _field(content, position, token, known, problems)
            if node is not None:
                keys.update(node.keys)
                body().append(node)
        else:
            _directive(content, position, token, known, problems, stack, body, keys)
    for block in stack:
        problems.append(_Problem(block.position, block.token, _("这个“[if …]”没有对应的“[end]”。")))
    if known is not None:
        problems += _fit_all(root, known)
    problems.sort(key=lambda p: -1 if p.position is None else p.position)
    return CompiledSentence(template, tuple(root), frozenset(keys)), problems


def _scan(template: str, problems: list[_Problem]):
    """("text", i, text, text) / ("field", i, "{…}", inside) / ("tag", i, "[…]", inside) in order."""
    text: list[str] = []
    start = 0
    i, n = 0, len(template)

    def flush():
        if text:
            yield ("text", start, "".join(text), "".join(text))
            text.clear()

    while i < n:
        char = template[i]
        if char in "{[":
            close = "}" if char == "{" else "]"
            j = i + 1
            while j < n and template[j] not in "{}[]":
                j += 1
            if j < n and template[j] == close:
                yield from flush()
                token = template[i : j + 1]
                yield ("field" if char == "{" else "tag", i, token, template[i + 1 : j])
                i = j + 1
                start = i
                continue
            snippet = template[i : j + 1] if j < n else template[i:]
            if j < n and template[j] == char:
                message = (
                    _("花括号里不能再写花括号：一个指标只用一对花括号，如“{hazards.found}”。")
                    if char == "{"
                    else _("方括号里不能再写方括号：如“[if accidents.count == 0]”。")
                )
            else:
                message = _("“%(open)s”没有对应的“%(close)s”。") % {"open": char, "close": close}
            problems.append(_Problem(i, snippet, message))
            i += 1
            continue
        if char in "}]":
            opener = "{" if char == "}" else "["
            problems.append(
                _Problem(
                    i,
                    char,
                    _("多余的“%(close)s”，前面没有对应的“%(open)s”（正文里的括号请用全角（）【】）。")
                    % {"close": char, "open": opener},
                )
            )
            i += 1
            continue
        if not text:
            start = i
        text.append(char)
        i += 1
    yield from flush()


def _normal(content: str) -> str:
    """Full-width ASCII typed with a Chinese input method (｜，＝＞ …) read as ASCII; spaces trimmed."""
    return unicodedata.normalize("NFKC", content).strip()


def _field(content, position, token, known, problems) -> _Field | None:
    inside = _normal(content)
    if not inside:
        problems.append(_Problem(position, token, _("花括号里没有写指标，如“{hazards.found}”。")))
        return None
    parts = [part.strip() for part in inside.split("|")]
    keys = tuple(key.strip() for key in parts[0].split(","))
    filters = tuple(parts[1:])
    ok = True
    for key in keys:
        if not _key_ok(key, position, token, known, problems):
            ok = False
    if any(not name for name in filters):
        problems.append(
            _Problem(position, token, _("“|”后面没有写写法，可用：%(names)s。") % {"names": _names()})
        )
        return None
    for name in filters:
        if name not in FILTERS:
            problems.append(_Problem(position, token, _unknown_filter(name)))
            ok = False
    if not ok:
        return None
    shape = _shape_problem(keys, filters)
    if shape:
        problems.append(_Problem(position, token, shape))
        return None
    return _Field(keys, filters, position, token)


def _shape_problem(keys: tuple[str, ...], filters: tuple[str, ...]) -> str | None:
    """How the 写法 may be combined, whatever the metrics are."""
    wording = [name for name in filters if name in WORDINGS]
    if wording and len(filters) > 1:
        return _("“%(name)s”要单独使用，不能与其他写法连用。") % {"name": wording[0]}
    if JOINT in filters:
        if len(keys) < 2:
            return _(
                "“joint_change”要合写两个以上指标，用逗号分开，如“{accidents.count,accidents.deaths|joint_change}”。"
            )
        if len(set(keys)) != len(keys):
            return _("“joint_change”里同一个指标写了两次。")
        return None
    if len(keys) > 1:
        return _("一对花括号里只能写一个指标；几个指标合写同比时用“|joint_change”。")
    if len(filters) <= 1:
        return None
    if len(filters) == 2 and filters[0] == PREVIOUS and filters[1] in FORMATS:
        return None
    return _("写法只能这样连用：“|previous|text”“|previous|money”“|previous|rate”。")


def _key_ok(key, position, token, known, problems) -> bool:
    if not key:
        problems.append(_Problem(position, token, _("指标名是空的（多了一个逗号？）。")))
        return False
    if known is None:
        if KEY_RE.fullmatch(key):
            return True
        problems.append(
            _Problem(position, token, _("“%(key)s”不是指标名：指标名形如“hazards.found”。") % {"key": key})
        )
        return False
    if key in known:
        return True
    problems.append(_Problem(position, token, _unknown_key(key, known)))
    return False


def _unknown_key(key: str, known: Mapping[str, Metric | None]) -> str:
    close = difflib.get_close_matches(key, list(known), n=3, cutoff=0.6)
    if not close:
        domain = key.split(".", 1)[0]
        close = [name for name in known if name.split(".", 1)[0] == domain][:5]
    if close:
        return _("没有指标“%(key)s”，是否是：%(close)s？") % {"key": key, "close": "、".join(close)}
    return _("没有指标“%(key)s”，请从编辑框旁的指标列表中选用。") % {"key": key}


def _unknown_filter(name: str) -> str:
    close = difflib.get_close_matches(name, list(FILTERS), n=2, cutoff=0.5)
    if close:
        return _("没有写法“%(name)s”，是否是：%(close)s？可用：%(names)s。") % {
            "name": name,
            "close": "、".join(close),
            "names": _names(),
        }
    return _("没有写法“%(name)s”，可用：%(names)s。") % {"name": name, "names": _names()}


def _names() -> str:
    return "、".join(FILTERS)


def _directive(content, position, token, known, problems, stack, body, keys) -> None:
    inside = _normal(content)
    match = DIRECTIVE_RE.fullmatch(inside)
    word = match["word"].lower() if match else ""
    rest = match["rest"].strip() if match else ""
    if word not in DIRECTIVES:
        problems.append(
            _Problem(
                position,
                token,
                _(
                    "方括号里只能写 if、elif、else、end（条件），如“[if accidents.count == 0]”；正文里的括号请用全角【】。"
                ),
            )
        )
        return
    if word in ("else", "end") and rest:
        problems.append(_Problem(position, token, _("“[%(word)s]”里不能再写别的。") % {"word": word}))
        return
    if word != "if" and not stack:
        problems.append(_Problem(position, token, _("“[%(word)s]”前面没有对应的“[if …]”。") % {"word": word}))
        return
    if word == "end":
        stack.pop()
        return
    if word == "else":
        if stack[-1].otherwise is not None:
            problems.append(_Problem(position, token, _("一个“[if …]”里只能有一个“[else]”。")))
            return
        stack[-1].otherwise = []
        return
    condition = _condition(rest, word, position, token, known, problems, keys)
    if word == "elif" and stack[-1].otherwise is not None:
        problems.append(_Problem(position, token, _("“[elif …]”不能写在“[else]”之后。")))
        return
    if word == "if":
        block = _If(position, token)
        body().append(block)
        stack.append(block)
        block.branches.append((condition, []))
    else:
        stack[-1].branches.append((condition, []))


def _condition(text, word, position, token, known, problems, keys) -> _Condition | None:
    """`A op B`; None (with a problem) when it cannot be read — the block is still opened, so that its
    [else] and [end] do not raise more problems."""
    if not text:
        problems.append(
            _Problem(
                position,
                token,
                _("“[%(word)s]”后面要写条件，如“[if accidents.count == 0]”。") % {"word": word},
            )
        )
        return None
    match = CONDITION_RE.fullmatch(text)
    if not match:
        if re.search(r"(?<![=!<>])=(?!=)", text):
            message = _("比较“相等”请写两个等号“==”，如“[if accidents.count == 0]”。")
        else:
            message = _("条件写法不对：只能比较一次，如“[if accidents.count == 0]”，比较符为 %(ops)s。") % {
                "ops": " ".join(OPERATORS)
            }
        problems.append(_Problem(position, token, message))
        return None
    left = _operand(match["left"], position, token, known, problems, keys)
    right = _operand(match["right"], position, token, known, problems, keys)
    if left is None or right is None:
        return None
    return _Condition(left, match["op"], right)


def _operand(text, position, token, known, problems, keys) -> _Operand | None:
    text = text.strip()
    if NUMBER_RE.fullmatch(text):
        return _Operand(number=Decimal(text))
    key, _bar, name = (part.strip() for part in text.partition("|"))
    if _bar and name != PREVIOUS:
        problems.append(
            _Problem(
                position,
                token,
                _("条件里指标后面只能写“|previous”（去年同期），这里是“%(name)s”。") % {"name": name},
            )
        )
        return None
    if not _key_ok(key, position, token, known, problems):
        return None
    keys.add(key)
    return _Operand(key=key, previous=bool(_bar))


# ---------------------------------------------------------------- fitting 写法 to units


def _sort(metric: Metric) -> str:
    if metric.kind == "money" or metric.unit == "元":
        return MONEY_SORT
    if metric.kind == "rate" or metric.unit == "%":
        return RATE_SORT
    return COUNT_SORT


def _fit_all(nodes, metrics: Mapping[str, Metric | None]) -> list[_Problem]:
    problems: list[_Problem] = []
    for node in nodes:
        if isinstance(node, _Field):
            problems += _fit(node, metrics)
        elif isinstance(node, _If):
            for _cond, block in node.branches:
                problems += _fit_all(block, metrics)
            if node.otherwise is not None:
                problems += _fit_all(node.otherwise, metrics)
    return problems


def _fit(node: _Field, metrics: Mapping[str, Metric | None]) -> list[_Problem]:
    problems: list[_Problem] = []
    for key in node.keys:
        metric = metrics.get(key)
        if metric is None:  # only its name is known (validate with plain keys): render checks the unit
            continue
        message = _misfit(metric, node.filters)
        if message:
            problems.append(_Problem(node.position, node.token, message))
    return problems


def _misfit(metric: Metric, filters: tuple[str, ...]) -> str | None:
    sort = _sort(metric)
    about = {"key": metric.key, "label": metric.label, "unit": metric.unit}
    last = filters[-1] if filters else None
    if last in WORDINGS and not metric.compares:
        return _("“%(key)s”（%(label)s）是比率，不计算同比增减。") % about
    if last == MONEY and sort != MONEY_SORT:
        return _("“money”只用于金额，“%(key)s”（%(label)s）的单位是“%(unit)s”，请改用“|text”。") % about
    if last == RATE and sort != RATE_SORT:
        return _("“rate”只用于比率，“%(key)s”（%(label)s）的单位是“%(unit)s”，请改用“|text”。") % about
    if last in (None, PREVIOUS) and sort == MONEY_SORT:
        return _("金额要带单位写（如“143.35万余元”）：请写“{%(key)s|%(how)smoney}”。") % {
            **about,
            "how": "previous|" if last == PREVIOUS else "",
        }
    return None


# ---------------------------------------------------------------- writing


def _write(nodes, figures: Mapping[str, Figure], parts: list[tuple[str, str | None]]) -> None:
    for node in nodes:
        if isinstance(node, str):
            parts.append((node, None))
        elif isinstance(node, _Field):
            parts.append((_field_text(node, figures), node.keys[0]))
        else:
            for condition, block in node.branches:
                if condition is not None and condition.holds(figures):
                    _write(block, figures, parts)
                    break
            else:
                if node.otherwise is not None:
                    _write(node.otherwise, figures, parts)


def _field_text(node: _Field, figures: Mapping[str, Figure]) -> str:
    if node.filters == (JOINT,):
        pairs = [(figures[key].value, figures[key].previous) for key in node.keys]
        return joint_change_text(*pairs, prefix="")
    figure = figures[node.keys[0]]
    filters = node.filters
    if filters == (CHANGE,):
        return change_text(figure.value, figure.previous)
    if filters == (TREND,):
        return change_text(figure.value, figure.previous, prefix="")
    value = figure.value
    if filters and filters[0] == PREVIOUS:
        value = figure.previous
        filters = filters[1:]
    how = filters[0] if filters else None
    sort = _sort(figure.metric)
    if how == MONEY:
        return money_text(value)
    if how == RATE:
        return rate_text(value)
    if how == TEXT:
        if sort == MONEY_SORT:
            return money_text(value)
        if sort == RATE_SORT:
            return rate_text(value)
        return count_text(value, figure.metric.unit)
    if sort == RATE_SORT:  # the number alone: 97.3
        return rate_text(value).removesuffix("%")
    return count_text(value)


# ---------------------------------------------------------------- the annual summary's 总体情况

# Each is a clause without the final "。", phrased as seed 001 phrases it; the figures of 001 give
# "全区共发生生产安全事故2起、死亡2人，与去年同期相比，均下降60%", "建立隐患台账3832个，完成整治3730个，整改率97.3%",
# "开展执法检查1315次，出动执法人员7216人次…" and "检查生产经营单位4053家，立案调查2454起，行政处罚143.35万余元".
DEFAULT_SENTENCES: dict[str, str] = {
    "accidents": (
        "[if accidents.count == 0]全区未发生生产安全事故"
        "[if accidents.count|previous > 0]，去年同期发生{accidents.count|previous|text}、"
        "死亡{accidents.deaths|previous|text}[end]"
        "[else]全区共发生生产安全事故{accidents.count|text}"
        "[if accidents.deaths == 0]，未造成人员死亡[else]、死亡{accidents.deaths|text}[end]，"
        "[if accidents.count|previous == 0]去年同期未发生生产安全事故"
        "[else]与去年同期相比，{accidents.count,accidents.deaths|joint_change}[end]"
        "[end]"
    ),
    "hazards": (
        "[if hazards.found == 0]未发现隐患"
        "[else]建立隐患台账{hazards.found|text}，完成整治{hazards.rectified|text}，"
        "整改率{hazards.rectification_rate|rate}[end]"
    ),
    "major_hazards": (
        "[if hazards.major == 0]未发现重大隐患[else]发现重大隐患{hazards.major|text}[end]"
        "[if hazards.listed > 0]，挂牌督办隐患{hazards.listed|text}[end]"
        "[if hazards.overdue > 0]，逾期未整改隐患{hazards.overdue|text}[else]，无逾期未整改隐患[end]"
    ),
    "inspections": (
        "[if inspections.actions == 0]未开展执法检查"
        "[else]开展执法检查{inspections.actions|text}，出动执法人员{inspections.person_times|text}，"
        "入企检查{inspections.unit_visits|text}[end]"
    ),
    "enforcement": (
        "[if inspections.units > 0]检查生产经营单位{inspections.units|text}，[end]"
        "[if enforcement.cases == 0]未立案查处[else]立案调查{enforcement.cases|text}[end]"
        "[if enforcement.fines_total > 0]，行政处罚{enforcement.fines_total|money}[end]"
    ),
    "leader_led": (
        "[if inspections.leader_led > 0]领导共带队检查{inspections.leader_led|text}，"
        "共发现隐患{inspections.leader_led_hazards|text}[end]"
    ),
    "measures": (
        "责令停产整顿{enforcement.suspended|text}，临时查封单位{enforcement.sealed|text}，"
        "责令三停单位{enforcement.three_stops|text}，关闭取缔{enforcement.closed_down|text}"
    ),
}
