"""The same ledger imported twice at the same instant (two people, or one person's double click on two
pages): one set of rows, never two. The second run either finds the first one's rows (updates them,
or says they were imported already) or fails cleanly with a Chinese message — never an IntegrityError
(a 500), never doubled counts."""

import datetime as dt
from functools import partial

import pytest
from django.utils import timezone

from accounts.choices import Role
from accounts.importers import ENTERPRISE_HEADERS
from accounts.models import Enterprise
from core.imports import ImportResult, get_importer
from core.locks import transaction_lock
from hazards.importers import HAZARD_EXTRA_HEADERS, HAZARD_HEADERS
from hazards.models import Hazard
from inspections.importers import HEADERS as INSPECTION_HEADERS
from inspections.models import InspectionAction, InspectionRecord
from tests.factories import UserFactory, enterprise_row, xlsx
from tests.races.conftest import ROUNDS, Outcome, at_once

pytestmark = pytest.mark.django_db(transaction=True)

ROWS = 5


def results(outcomes: list[Outcome]) -> list[ImportResult]:
    """Both runs answered with a result (no exception escaped: a page would show it as a 500)."""
    assert all(o.ok for o in outcomes), [o.error for o in outcomes]
    return [o.value for o in outcomes]


def assert_clean_refusal(result: ImportResult) -> None:
    """A run that lost says why in Chinese, about the file as a whole, and wrote nothing."""
    text = " ".join(str(e) for e in result.errors)
    assert result.errors and (result.created, result.updated) == (0, 0)
    assert "IntegrityError" not in text and "duplicate key" not in text
    assert any("\u4e00" <= ch <= "\u9fff" for ch in text), text


def run(kind: str, user, content: bytes) -> ImportResult:
    return get_importer(kind).run(user=user, file=content)


def test_the_same_new_enterprise_ledger_twice_at_once_registers_each_unit_once(officer, district):
    for _round in range(ROUNDS):
        rows = [enterprise_row(单位名称=f"并发导入{_round}-{i}") for i in range(ROWS)]
        content = xlsx(ENTERPRISE_HEADERS, rows)
        codes = [r["统一社会信用代码"] for r in rows]

        first, second = results(at_once(*[partial(run, "enterprises", officer, content)] * 2))

        assert Enterprise.objects.filter(uscc__in=codes).count() == ROWS
        winner, other = (first, second) if first.created else (second, first)
        assert winner.ok and (winner.created, winner.updated) == (ROWS, 0)
        if other.ok:  # it found the winner's rows: an update of the same facts
            assert (other.created, other.updated) == (0, ROWS)
        else:
            assert_clean_refusal(other)
        assert Enterprise.history.filter(uscc__in=codes, history_type="+").count() == ROWS


def test_the_same_enterprise_ledger_of_known_units_twice_at_once_updates_each_once(officer, district):
    for _round in range(ROUNDS):
        rows = [enterprise_row(单位名称=f"已登记{_round}-{i}") for i in range(ROWS)]
        codes = [r["统一社会信用代码"] for r in rows]
        assert run("enterprises", officer, xlsx(ENTERPRISE_HEADERS, rows)).created == ROWS
        changed = xlsx(ENTERPRISE_HEADERS, [{**r, "地址": f"新地址{_round}"} for r in rows])

        outcomes = results(at_once(*[partial(run, "enterprises", officer, changed)] * 2))

        assert all(r.ok and (r.created, r.updated) == (0, ROWS) for r in outcomes), outcomes
        units = Enterprise.objects.filter(uscc__in=codes)
        assert units.count() == ROWS and {u.address for u in units} == {f"新地址{_round}"}
        # The second run saw the first one's facts under its lock: nothing left to change, no empty history.
        assert Enterprise.history.filter(uscc__in=codes, history_type="~").count() == ROWS


@pytest.fixture
def inspectors(district):
    """王检查 and 李执法 of the 应急管理局, holding a valid 执法证: the 检查人员 the ledger names."""
    expiry = timezone.localdate() + dt.timedelta(days=365)
    return [
        UserFactory(
            name=name,
            role=Role.OFFICER,
            org_unit=district.dept_emergency,
            enforcement_cert_no=f"湘执{i:04d}",
            enforcement_cert_expiry=expiry,
        )
        for i, name in enumerate(["王检查", "李执法"])
    ]


def test_the_same_numbered_inspection_ledger_twice_at_once_makes_one_action(
    officer, inspectors, enterprise_a, enterprise_b
):
    day = timezone.localdate() - dt.timedelta(days=10)
    for round_ in range(ROUNDS):
        number = f"应急检〔2026〕{900 + round_}号"
        rows = [
            {
                "检查行动编号": number,
                "检查日期": day,
                "统一社会信用代码": enterprise.uscc,
                "检查类型": "专项检查",
                "检查单位": "区应急管理局",
                "检查人员": "王检查、李执法",
                "是否领导带队": "否",
            }
            for enterprise in (enterprise_a, enterprise_b)
        ]
        content = xlsx(INSPECTION_HEADERS, rows)

        first, second = results(at_once(*[partial(run, "inspections", officer, content)] * 2))

        action = InspectionAction.objects.get(number=number)  # one action, not two
        assert InspectionRecord.objects.filter(action=action).count() == 2
        winner, other = (first, second) if first.created else (second, first)
        assert winner.ok and (winner.created, winner.updated) == (2, 0)
        if other.ok:  # it found the action: imported already, nothing added
            assert (other.created, other.updated) == (0, 0)
        else:
            assert_clean_refusal(other)


def test_the_same_hazard_ledger_with_numbers_twice_at_once_records_each_hazard_once(officer, enterprise_a):
    found = timezone.localdate() - dt.timedelta(days=12)
    for round_ in range(ROUNDS):
        numbers = [f"旧台账{round_}-{i}" for i in range(ROWS)]
        rows = [
            {
                "隐患编号": number,
                "发现日期": found,
                "统一社会信用代码": enterprise_a.uscc,
                "隐患来源": "企业自查",
                "隐患等级": "一般",
                "隐患描述": "配电箱未接地",
                "整改期限": found + dt.timedelta(days=60),
                "整改措施": "重新接地",
                "整改责任人": "张三",
                "整改状态": "待整改",
                "挂牌督办级别": "无",
            }
            for number in numbers
        ]
        content = xlsx([*HAZARD_HEADERS, *HAZARD_EXTRA_HEADERS], rows)

        first, second = results(at_once(*[partial(run, "hazards", officer, content)] * 2))

        assert Hazard.objects.filter(number__in=numbers).count() == ROWS
        winner, other = (first, second) if first.created else (second, first)
        assert winner.ok and winner.created == ROWS
        assert_clean_refusal(other)  # numbers already in the system are never imported again
        assert "隐患编号" in " ".join(str(e) for e in other.errors)


def test_the_import_lock_is_held_only_inside_a_transaction():
    with pytest.raises(RuntimeError, match="inside the transaction"):
        transaction_lock("accounts.enterprise_upsert_many")
