"""The pipelined hazard import (each clean chunk written while the next is checked, issue 15) gives what the
all-at-once import gives: the same numbers, nothing written when any row or write fails, every error listed
once, and model instances again whenever plain rows would differ from them."""

import pytest
from django.db import IntegrityError

from core import bulk
from core.imports import get_importer
from hazards.importers import HazardImporter
from hazards.models import Hazard, HazardEvent
from hazards.services import imports as svc
from tests.hazards.test_excel import errors_at, found_year, good_row, run, xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(HazardImporter, "chunk_rows", 3)


def numbers_of(user, rows, *, pipelined, monkeypatch):
    if not pipelined:
        monkeypatch.setattr(HazardImporter, "saves_chunks", lambda self: False)
    result = run(user, xlsx(rows))
    assert result.ok, [str(e) for e in result.errors]
    out = list(Hazard.objects.order_by("pk").values_list("number", flat=True))
    return out


@pytest.mark.parametrize("pipelined", [True, False])
def test_a_later_own_number_renumbers_like_all_at_once(
    small_chunks, township_a_user, enterprise_a, monkeypatch, pipelined
):
    y = found_year()
    rows = [good_row(enterprise_a, 隐患描述=f"隐患{i}") for i in range(5)]
    rows.append(good_row(enterprise_a, 隐患编号=f"YH{y}00050"))
    rows += [good_row(enterprise_a, 隐患描述=f"后{i}") for i in range(2)]
    nums = numbers_of(township_a_user, rows, pipelined=pipelined, monkeypatch=monkeypatch)
    assert nums == [f"YH{y}{n:05d}" for n in (51, 52, 53, 54, 55, 50, 56, 57)]
    assert HazardEvent.objects.count() >= 8 and Hazard.history.count() == 8


def test_a_later_own_number_below_the_base_needs_no_renumbering(
    small_chunks, township_a_user, enterprise_a, monkeypatch
):
    y = found_year()
    rows = [good_row(enterprise_a, 隐患编号=f"YH{y}00040")]
    rows += [good_row(enterprise_a, 隐患描述=f"隐患{i}") for i in range(4)]
    rows.append(good_row(enterprise_a, 隐患编号=f"YH{y}00007"))
    nums = numbers_of(township_a_user, rows, pipelined=True, monkeypatch=monkeypatch)
    assert nums == [f"YH{y}00040", *[f"YH{y}{n:05d}" for n in (41, 42, 43, 44)], f"YH{y}00007"]


def test_a_failed_write_imports_nothing_and_later_row_errors_are_still_listed(
    small_chunks, township_a_user, enterprise_a, monkeypatch
):
    real = bulk.BackgroundWriter._run
    calls = []

    def failing(self, steps):
        calls.append(1)
        if len(calls) == 2:
            raise IntegrityError("boom")
        return real(self, steps)

    monkeypatch.setattr(bulk.BackgroundWriter, "_run", failing)
    rows = [good_row(enterprise_a, 隐患描述=f"隐患{i}") for i in range(9)]
    result = run(township_a_user, xlsx(rows))
    assert [e.message for e in result.errors] == ["数据在导入期间被他人修改，请重新导入"]
    assert not Hazard.objects.exists() and not HazardEvent.objects.exists() and not Hazard.history.exists()

    calls.clear()
    rows.append(good_row(enterprise_a, 隐患来源="天降"))
    result = run(township_a_user, xlsx(rows))
    assert list(errors_at(result)) == [(11, "隐患来源")]
    assert not Hazard.objects.exists()


def test_rows_differing_from_the_builder_fall_back_to_instances(
    small_chunks, township_a_user, enterprise_a, monkeypatch, caplog
):
    real = svc.HazardImport._plain

    def wrong(self, row, number, arrival):
        values = real(self, row, number, arrival)
        return {**values, "location": "错"}

    monkeypatch.setattr(svc.HazardImport, "_plain", wrong)
    rows = [good_row(enterprise_a, 隐患描述=f"隐患{i}") for i in range(5)]
    result = run(township_a_user, xlsx(rows))
    assert result.ok
    assert not Hazard.objects.filter(location="错").exists() and Hazard.objects.count() == 5
    assert "differ" in caplog.text


def test_dry_run_writes_nothing(small_chunks, township_a_user, enterprise_a):
    rows = [good_row(enterprise_a, 隐患描述=f"隐患{i}") for i in range(7)]
    result = get_importer("hazards").run(user=township_a_user, file=xlsx(rows), dry_run=True)
    assert result.ok and result.created == 7
    assert not Hazard.objects.exists()


@pytest.mark.parametrize("pipelined", [True, False])
def test_a_later_own_number_equal_to_a_generated_one(
    small_chunks, township_a_user, enterprise_a, monkeypatch, pipelined
):
    y = found_year()
    rows = [good_row(enterprise_a, 隐患描述=f"隐患{i}") for i in range(3)]
    rows.append(good_row(enterprise_a, 隐患编号=f"YH{y}00002"))
    nums = numbers_of(township_a_user, rows, pipelined=pipelined, monkeypatch=monkeypatch)
    assert nums == [f"YH{y}{n:05d}" for n in (3, 4, 5, 2)]


def test_a_repeated_number_chunks_later_is_reported_once(small_chunks, township_a_user, enterprise_a):
    rows = [good_row(enterprise_a, 隐患编号=f"OLD-{i}") for i in range(8)]
    rows.append(good_row(enterprise_a, 隐患编号="OLD-1"))
    result = run(township_a_user, xlsx(rows))
    assert [(e.row, e.column, e.message) for e in result.errors] == [
        (10, "隐患编号", "与第3行的隐患编号重复")
    ]
