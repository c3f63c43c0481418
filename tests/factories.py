"""factory_boy factories shared by every app's tests."""

import itertools

import factory
from factory.django import DjangoModelFactory

from accounts.choices import OrgKind, Role
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
