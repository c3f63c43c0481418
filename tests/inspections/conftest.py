"""What the inspection tests share: certified inspectors and the team, the routine kind, an API
client, a media folder, and a one-line inspection."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts.choices import Role
from inspections.models import InspectionAction, InspectionKind
from inspections.services import action_create
from tests.factories import UserFactory

TODAY = timezone.localdate()
# Far enough ahead for every date the tests use (planned draws included).
CERT_EXPIRY = TODAY + dt.timedelta(days=5 * 365)


@pytest.fixture
def certified(db):
    """certified(unit, n=2, expiry=…, **user fields): `n` people of `unit` holding a valid 执法证."""

    def make(unit, n: int = 2, *, expiry: dt.date = CERT_EXPIRY, **kw) -> list:
        return [
            UserFactory(
                org_unit=unit,
                enforcement_cert_no=f"湘执{unit.pk}-{i}",
                enforcement_cert_expiry=expiry,
                **kw,
            )
            for i in range(n)
        ]

    return make


@pytest.fixture
def team(district):
    """Two officers of the 应急管理局, 王检查 and 李执法, holding a valid 执法证 (湘执0000, 湘执0001)."""
    return [
        UserFactory(
            name=name,
            role=Role.OFFICER,
            org_unit=district.dept_emergency,
            enforcement_cert_no=f"湘执{i:04d}",
            enforcement_cert_expiry=CERT_EXPIRY,
        )
        for i, name in enumerate(["王检查", "李执法"])
    ]


@pytest.fixture
def routine(db) -> InspectionKind:
    return InspectionKind.objects.get(code="routine")  # 日常检查, an enforcement kind


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def inspect(db):
    """inspect(user, organizer, members, enterprises, **action fields): an action entered today, routine
    unless `kind` is given, through services.action_create."""

    def make(user, organizer, members, enterprises, **kw) -> InspectionAction:
        return action_create(
            user=user,
            date=kw.pop("date", TODAY),
            organizer=organizer,
            kind=kw.pop("kind", None) or InspectionKind.objects.get(code="routine"),
            members=members,
            enterprises=enterprises,
            **kw,
        )

    return make
