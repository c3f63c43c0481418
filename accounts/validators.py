"""统一社会信用代码 (unified social credit code) check per GB 32100-2015."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# The 31 characters the standard allows: digits and capitals without I, O, Z, S, V.
USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc_check_char(first17: str) -> str:
    """The 18th character for the first 17: 31 minus the weighted sum mod 31 (31 becomes 0)."""
    total = sum(USCC_CHARSET.index(ch) * w for ch, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


def uscc_problem(code: str) -> str | None:
    """Why a code is not a valid 统一社会信用代码, in Chinese; None when it is valid."""
    if len(code) != 18:
        return str(_("统一社会信用代码应为18位，当前为{n}位")).format(n=len(code))
    bad = sorted({ch for ch in code if ch not in USCC_CHARSET})
    if bad:
        return str(_("统一社会信用代码含有不允许的字符：{chars}")).format(chars="、".join(bad))
    if uscc_check_char(code[:17]) != code[17]:
        return str(_("统一社会信用代码校验位错误"))
    return None


def normalize_uscc(value: str) -> str:
    """Codes are typed in lower case or with spaces; the standard form is upper case, no blanks."""
    return "".join(str(value).split()).upper()


def validate_uscc(value: str) -> None:
    problem = uscc_problem(value)
    if problem:
        raise ValidationError(problem, code="invalid_uscc")
