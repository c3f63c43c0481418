"""The same activity ledger imported twice at the same instant (two people, or a double click): one
set of activities, never two, and the other run says so in Chinese — no IntegrityError, no 500."""

import datetime as dt
from functools import partial

import pytest

from campaigns.models import Activity
from core.imports import get_importer
from tests.factories import xlsx
from tests.races.conftest import ROUNDS, at_once

from .test_activities_import import ISSUE_HEADERS, row

pytestmark = pytest.mark.django_db(transaction=True)


def run(user, content: bytes):
    return get_importer("activities").run(user=user, file=content)


def test_the_same_activity_ledger_twice_at_once_imports_once(officer, district):
    for round_ in range(ROUNDS):
        day = (dt.date.today() - dt.timedelta(days=round_ + 1)).isoformat()
        rows = [
            row(**{"日期": day, "主题": f"并发导入{round_}-{i}", "组织单位": "东城街道"}) for i in range(5)
        ]
        content = xlsx(ISSUE_HEADERS, rows)

        outcomes = at_once(*[partial(run, officer, content)] * 2)

        assert all(o.ok for o in outcomes), [o.error for o in outcomes]
        first, second = (o.value for o in outcomes)
        winner, other = (first, second) if first.created else (second, first)
        assert winner.ok and winner.created == 5
        assert not other.ok and other.created == 0
        text = " ".join(str(e) for e in other.errors)
        assert "已在台账中" in text and "IntegrityError" not in text
        assert Activity.objects.filter(theme__startswith=f"并发导入{round_}-").count() == 5
