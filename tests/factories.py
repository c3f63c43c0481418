"""factory_boy factories shared by every app's tests, and the Excel files the import tests upload."""

import io
import itertools
from collections.abc import Iterable, Sequence

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from factory.django import DjangoModelFactory
from openpyxl import Workbook

from accounts.choices import OrgKind, Role
from accounts.importers import ENTERPRISE_HEADERS
from accounts.models import Enterprise, OrgUnit, Sector, User
from accounts.validators import uscc_check_char

_uscc_seq = itertools.count(1)


def make_uscc(n: int | None = None) -> str:
    """A valid 统一社会信用代码 (check digit right) for sequence number n."""
    first17 = f"91330102{(next(_uscc_seq) if n is None else n):09d}"
    return first17 + uscc_check_char(first17)


class OrgUnitFactory(DjangoModelFactory):
    class Meta:
        model = OrgUnit

    name = factory.Sequence(lambda i: f"单位{i}")
    kind = OrgKind.STREET


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda i: f"user{i}")
    name = factory.Sequence(lambda i: f"用户{i}")
    role = Role.OFFICER
    password = factory.PostGenerationMethodCall("set_password", "demo12345")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


class EnterpriseFactory(DjangoModelFactory):
    class Meta:
        model = Enterprise
        skip_postgeneration_save = True

    uscc = factory.LazyFunction(make_uscc)
    name = factory.Sequence(lambda i: f"测试企业{i}有限公司")

    @factory.post_generation
    def sectors(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.sectors.set(extracted or [Sector.objects.get(code="industry-trade")])


# ---------------------------------------------------------------- Excel ledgers


def xlsx(headers: Sequence[str], rows: Iterable[Sequence | dict] = ()) -> bytes:
    """A one-sheet workbook: the header row, then each row (a list of values, or a dict header → value)."""
    wb = Workbook()
    ws = wb.active
    ws.append(list(headers))
    for row in rows:
        ws.append([row.get(h) for h in headers] if isinstance(row, dict) else list(row))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def xlsx_upload(content: bytes, name: str = "台账.xlsx") -> SimpleUploadedFile:
    """`content` as the browser uploads it."""
    return SimpleUploadedFile(
        name, content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )


def enterprise_row(**overrides) -> dict:
    """One good row of the enterprise ledger (a new code each time), for the demo district's personas."""
    row = {
        "统一社会信用代码": make_uscc(),
        "单位名称": "东城精密机械有限公司",
        "行业领域": "工贸、机械",
        "所属街道": "东城街道/东城社区",
        "监管部门": "区应急管理局",
        "风险等级": "红",
        "单位规模": "规上",
        "地址": "东城路1号",
        "联系人": "张三",
        "联系电话": 13800000000,
        "经度": 120.1234567,
        "纬度": 30.5,
    }
    row.update(overrides)
    return row


def enterprise_xlsx(rows: Iterable[dict], headers: Sequence[str] | None = None) -> bytes:
    """An enterprise ledger with `headers` (default: the import template's) and one row per dict."""
    return xlsx(headers or ENTERPRISE_HEADERS, rows)
