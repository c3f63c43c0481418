"""How the product writes numbers — the one implementation for pages, PDFs, Excel and JSON.

数字写法（依据样本材料）/ the seeds' number style:

- 数量 counts: integers, no thousands separator: 3832个. A Decimal sum (活动数量) drops trailing zeros.
- 比率 rates: one decimal, 四舍五入 (ROUND_HALF_UP), ASCII "%": 97.3%, 100.0%.
- 增减 change: (本期 − 上期) ÷ 上期 × 100, two decimals 四舍五入, written without sign and without
  trailing zeros after a verb: 同比下降60%, 下降28.45%, 上升25%, 持平. When last year had none there is
  no rate: "去年同期为0" (no prefix: "同比去年同期为0" is not Chinese).
- 金额 money: under 10,000 in 元 (9500元, 9500.5元); from 10,000 in 万元, truncated (never rounded up)
  to two decimals without trailing zeros, with 余 when something was cut:
  1433512 → 143.35万余元, 6222600 → 622.26万元, 195000 → 19.5万元, 15000000 → 1500万元, 10000.5 → 1万余元.
  Amounts are first taken to the fen (分, two decimals, 四舍五入); negative amounts are refused.
- Missing values print as "—" (change texts print as "", so a sentence simply leaves them out).
- JSON gets plain numbers (`plain_number`): int when whole, else float.

Floats are read through `str()` so 0.1 stays 0.1. No function here knows a domain.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

Number = Decimal | int | float

DASH = "—"
TEN_THOUSAND = Decimal(10000)
FEN = Decimal("0.01")
TENTH = Decimal("0.1")

UP, DOWN, FLAT = "up", "down", "flat"
VERBS = {UP: "上升", DOWN: "下降", FLAT: "持平"}
PREVIOUS_ZERO = "去年同期为0"


def to_decimal(value: Number) -> Decimal:
    """Decimal of an int, float (through its shortest repr) or Decimal; bool is refused."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int | float):
        raise TypeError(f"not a number: {value!r}")
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)


def _fixed(value: Decimal) -> str:
    """Plain positional text without trailing zeros: 1500.00 → "1500", 19.50 → "19.5" (never 1.5E+3)."""
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def decimal_text(value: Number, places: int = 2) -> str:
    """At most `places` decimals (ROUND_HALF_UP), no trailing zeros: 28.4507 → "28.45", 60 → "60"."""
    exponent = Decimal(1).scaleb(-places)
    return _fixed(to_decimal(value).quantize(exponent, rounding=ROUND_HALF_UP))


# ---------------------------------------------------------------- counts and rates


def count_text(value: Number | None, unit: str = "") -> str:
    """3832 → "3832个" (no separators); a Decimal sum drops trailing zeros (12.50 → "12.5"); None → "—"."""
    if value is None:
        return DASH
    return f"{_fixed(to_decimal(value))}{unit}"


def rate(part: int | None, whole: int | None) -> Decimal | None:
    """part ÷ whole × 100, one decimal ROUND_HALF_UP (Decimal("97.3")); None when whole is 0 or a side
    is missing."""
    if part is None or not whole:
        return None
    return (to_decimal(part) * 100 / to_decimal(whole)).quantize(TENTH, rounding=ROUND_HALF_UP)


def rate_text(value: Number | None) -> str:
    """97.34 → "97.3%", 100 → "100.0%" (always one decimal); None → "—"."""
    if value is None:
        return DASH
    return f"{to_decimal(value).quantize(TENTH, rounding=ROUND_HALF_UP):f}%"


# ---------------------------------------------------------------- money


def _fen(yuan: Number) -> Decimal:
    amount = to_decimal(yuan).quantize(FEN, rounding=ROUND_HALF_UP)
    if amount < 0:
        raise ValueError(f"negative amount: {yuan}")
    return amount


def money_wan(yuan: Number) -> tuple[Decimal, bool]:
    """(万元 truncated to two decimals, whether something was cut): 1433512 → (143.35, True),
    6222600 → (622.26, False). Negative → ValueError."""
    wan = _fen(yuan) / TEN_THOUSAND
    truncated = wan.quantize(FEN, rounding=ROUND_DOWN)
    return truncated, truncated != wan


def money_text(yuan: Number | None) -> str:
    """9500 → "9500元", 9500.5 → "9500.5元", 10000 → "1万元", 1433512 → "143.35万余元",
    195000 → "19.5万元"; None → "—"; negative → ValueError."""
    if yuan is None:
        return DASH
    amount = _fen(yuan)
    if amount < TEN_THOUSAND:
        return f"{_fixed(amount)}元"
    wan, cut = money_wan(amount)
    return f"{_fixed(wan)}万{'余' if cut else ''}元"


# ---------------------------------------------------------------- change (同比)


def change_pct(current: Number | None, previous: Number | None) -> Decimal | None:
    """(current − previous) ÷ previous × 100, two decimals ROUND_HALF_UP, signed: 355 → 254 is
    Decimal("-28.45"); None when previous is 0 or None or current is None."""
    if current is None or previous is None or not previous:
        return None
    now, before = to_decimal(current), to_decimal(previous)
    return ((now - before) * 100 / before).quantize(FEN, rounding=ROUND_HALF_UP)


def pct_text(value: Number | None) -> str:
    """|value| with at most two decimals, no trailing zeros, "%": -60.00 → "60%", 12.50 → "12.5%";
    None → "—". The sign is the verb's job (上升/下降)."""
    if value is None:
        return DASH
    return f"{decimal_text(abs(to_decimal(value)))}%"


@dataclass(frozen=True)
class Change:
    """One figure now and in the comparison period, in the documents' words."""

    current: Number
    previous: Number

    @property
    def difference(self) -> Decimal | int:
        return self.current - self.previous

    @property
    def direction(self) -> str:
        """ "down", "up" or "flat"."""
        if self.current == self.previous:
            return FLAT
        return UP if self.current > self.previous else DOWN

    @property
    def pct(self) -> Decimal | None:
        """The signed change (`change_pct`)."""
        return change_pct(self.current, self.previous)

    @property
    def rate(self) -> Decimal | None:
        """|change| in percent, two decimals; None when the comparison period had none."""
        pct = self.pct
        return None if pct is None else abs(pct)

    @property
    def verb(self) -> str:
        return VERBS[self.direction]

    @property
    def rate_text(self) -> str:
        """ "60%" — or "" when flat or the comparison period was zero."""
        return "" if self.rate is None or self.direction == FLAT else pct_text(self.rate)

    def phrase(self) -> str:
        """Without the prefix: "下降60%", "持平", or "上升（去年同期为0）" inside a list of verbs."""
        if self.direction == FLAT:
            return self.verb
        if self.rate is None:
            return f"{self.verb}（{PREVIOUS_ZERO}）"
        return f"{self.verb}{self.rate_text}"

    def worded(self, prefix: str = "同比") -> str:
        """ "同比下降60%", "同比持平"; "去年同期为0" when there is no rate (no prefix there)."""
        if self.direction != FLAT and self.rate is None:
            return PREVIOUS_ZERO
        return f"{prefix}{self.phrase()}"

    @property
    def text(self) -> str:
        """`worded` with the prefix 同比 (templates and the API read this)."""
        return self.worded()


def change_text(current: Number | None, previous: Number | None, *, prefix: str = "同比") -> str:
    """同比下降60% / 同比上升25% / 同比持平 (also 0 and 0) / 去年同期为0 (last year none, now some:
    the prefix is left out because "同比去年同期为0" is not Chinese); "" when a side is None.
    `prefix` is put in front verbatim — pass "" after "与去年同期相比，", or "环比"."""
    if current is None or previous is None:
        return ""
    return Change(current, previous).worded(prefix)


def joint_text(*changes: Change, prefix: str = "同比") -> str:
    """Several `Change`s in one clause, as the documents write them: "同比均下降60%" when they moved
    alike, "同比分别下降60%、50%" when the same way by different rates, else each in turn
    ("同比分别下降60%、上升25%"); "同比均持平"; "去年同期均为0" when none had any last year. One
    change alone is worded as `change_text` words it."""
    if not changes:
        return ""
    if len(changes) == 1:
        return changes[0].worded(prefix)
    directions = {c.direction for c in changes}
    if len({(c.direction, c.rate_text) for c in changes}) == 1:
        first = changes[0]
        if first.direction != FLAT and first.rate is None:
            return "去年同期均为0"
        return f"{prefix}均{first.phrase()}"
    if len(directions) == 1 and FLAT not in directions and all(c.rate is not None for c in changes):
        rates = "、".join(c.rate_text for c in changes)
        return f"{prefix}分别{changes[0].verb}{rates}"
    return f"{prefix}分别" + "、".join(c.phrase() for c in changes)


def joint_change_text(*pairs: tuple[Number | None, Number | None], prefix: str = "同比") -> str:
    """`joint_text` of (current, previous) pairs — "…死亡2人，同比均下降60%". Pass prefix="" after
    "与去年同期相比，" to get "均下降60%". "" when any value is None."""
    if any(current is None or previous is None for current, previous in pairs):
        return ""
    return joint_text(*(Change(current, previous) for current, previous in pairs), prefix=prefix)


# ---------------------------------------------------------------- dispatch and JSON


def value_text(value: Number | None, unit: str) -> str:
    """A figure with its unit: "元" → `money_text`, "%" → `rate_text`, anything else → `count_text`."""
    if unit == "元":
        return money_text(value)
    if unit == "%":
        return rate_text(value)
    return count_text(value, unit)


def plain_number(value: Number | None) -> int | float | None:
    """For JSON: Decimal("12.00") → 12, Decimal("97.3") → 97.3; None stays None."""
    if value is None:
        return None
    number = to_decimal(value)
    if number == number.to_integral_value():
        return int(number)
    return float(number)
