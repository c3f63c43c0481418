import pytest

from accounts.validators import normalize_uscc, uscc_check_char, uscc_problem

# Codes as printed on licences and in the standard's examples (check digits per GB 32100-2015).
VALID = [
    "91350100M000100Y43",
    "91110000600037341L",  # a Beijing company
    "11100000000013127D",  # a central government body
]


@pytest.mark.parametrize("code", VALID)
def test_published_codes_pass(code):
    assert uscc_problem(code) is None


def test_check_char_is_computed_from_first_17():
    assert uscc_check_char("91350100M000100Y4") == "3"


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        ("91350100M000100Y44", "校验位"),  # last digit wrong
        ("91350100M000100Y4", "18位"),  # too short
        ("91350100M000100Y433", "18位"),  # too long
        ("91350100I000100Y43", "不允许的字符"),  # I is not in the charset
        ("91350100O000100Y43", "不允许的字符"),  # nor O
        ("9135010OM000100Y4S", "不允许的字符"),
    ],
)
def test_invalid_codes_are_refused_with_a_reason(code, fragment):
    problem = uscc_problem(code)
    assert problem is not None
    assert fragment in problem


def test_normalize_upper_cases_and_strips_blanks():
    assert normalize_uscc(" 91350100m000100y43 ") == "91350100M000100Y43"
    assert normalize_uscc("9135 0100M000 100Y43") == "91350100M000100Y43"
