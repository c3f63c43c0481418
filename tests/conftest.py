"""Personas used across the suite (as in healthchecks' hc/test.py): the district officer, township A's
user, township B's user, the 住建 department user, the leader and the administrator, in a small
district with two townships, a community each, and two departments."""

import importlib
import os
from dataclasses import dataclass

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from pytest_django.plugin import blocking_manager_key
from rest_framework.test import APIClient

from accounts.choices import OrgKind, Role
from accounts.models import Enterprise, OrgUnit, Sector, User
from enforcement import pdf as enforcement_pdf
from inspections import pdf as inspections_pdf
from reports import pdf as summary_pdf
from reports import pdf_evaluation as evaluation_pdf
from tests.factories import EnterpriseFactory, UserFactory

POSTGRES_ENGINES = ("django.db.backends.postgresql", "django.contrib.gis.db.backends.postgis")

NOT_POSTGRES = """测试只在 Postgres 上运行，当前数据库是 {engine}。
请运行 ./scripts/test（它会找到或临时启动一个 Postgres），或把 DATABASE_URL 设为一个 Postgres，
例如 DATABASE_URL=postgres://postgres@127.0.0.1:5432/safety_office。

The tests run on Postgres only; the database configured now is {engine}.
Run ./scripts/test (it finds or starts a Postgres), or set DATABASE_URL to a Postgres,
e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/safety_office."""


def pytest_configure(config: pytest.Config) -> None:
    """Refuse to run on anything but Postgres, before a test database is made or a test collected.

    Without DATABASE_URL the settings fall back to the demo's SQLite, where row locks, the progress
    written through a second connection and the constraints behave differently: a green run there
    proves nothing about production.
    """
    engine = settings.DATABASES["default"]["ENGINE"]
    if engine not in POSTGRES_ENGINES:
        pytest.exit(NOT_POSTGRES.format(engine=engine), returncode=4)


@dataclass
class District:
    district: OrgUnit
    township_a: OrgUnit
    township_b: OrgUnit
    community_a: OrgUnit
    community_b: OrgUnit
    dept_construction: OrgUnit  # 住建: supervises 建筑施工
    dept_emergency: OrgUnit  # 应急: supervises 危险化学品 and 工贸


# Code tables seeded by data migrations; a transactional test's flush wipes them for the tests after
# it, so the fixture re-runs the (idempotent) seeding.
CODE_TABLE_MIGRATIONS = [
    "accounts.migrations.0002_seed_code_tables",
    "accounts.migrations.0012_seed_letter_kinds",
    "inspections.migrations.0002_seed_kinds",
    "hazards.migrations.0002_seed_categories",
    "hazards.migrations.0006_seed_accident_categories",
    "campaigns.migrations.0002_seed_campaign_kinds",
    "campaigns.migrations.0004_seed_activity_codes",
    "enforcement.migrations.0002_seed_legal_articles",
    "enforcement.migrations.0006_seed_document_kinds",
    "reports.migrations.0004_seed_templates",
    "reports.migrations.0005_evaluation",
]


# Data migrations that change seeded rows after they were seeded, in migration order: (module, function).
DATA_FOLLOW_UPS = [("inspections.migrations.0005_unannounced_kind_to_flag", "kind_to_flag")]


def reseed_code_tables() -> None:
    """The code tables as `migrate` leaves them: every seed, then the data migrations that change them."""
    for module in CODE_TABLE_MIGRATIONS:
        importlib.import_module(module).seed(django_apps, None)
    for module, function in DATA_FOLLOW_UPS:
        getattr(importlib.import_module(module), function)(django_apps, None)


@pytest.fixture
def sectors(db) -> dict[str, Sector]:
    reseed_code_tables()
    return {s.code: s for s in Sector.objects.all()}


def _transactional(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    names = getattr(item, "fixturenames", ())
    return bool(
        (marker is not None and marker.kwargs.get("transaction"))
        or "transactional_db" in names
        or "live_server" in names
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem):
    """A transactional test ends with a flush that empties the code tables the data migrations seeded;
    put them back at once, so that the tests after it (the same worker's, in whatever order xdist hands
    them out) find the database as `migrate` left it, whether or not they ask for `sectors`."""
    yield
    # After the last test the test database is gone already (nextitem None): nothing to put back.
    if _transactional(item) and nextitem is not None:
        with item.config.stash[blocking_manager_key].unblock():
            reseed_code_tables()


@pytest.fixture
def district(db, sectors) -> District:
    root = OrgUnit.objects.create(name="示范区", kind=OrgKind.DISTRICT)
    a = OrgUnit.objects.create(name="东城街道", kind=OrgKind.STREET, parent=root)
    b = OrgUnit.objects.create(name="西山镇", kind=OrgKind.TOWN, parent=root)
    ca = OrgUnit.objects.create(name="东城社区", kind=OrgKind.COMMUNITY, parent=a)
    cb = OrgUnit.objects.create(name="西山村", kind=OrgKind.VILLAGE, parent=b)
    zj = OrgUnit.objects.create(name="区住建局", kind=OrgKind.DEPARTMENT, parent=root)
    zj.supervised_sectors.set([sectors["construction"]])
    yj = OrgUnit.objects.create(name="区应急管理局", kind=OrgKind.DEPARTMENT, parent=root)
    yj.supervised_sectors.set([sectors["hazchem"], sectors["industry-trade"]])
    return District(root, a, b, ca, cb, zj, yj)


@pytest.fixture
def officer(district) -> User:
    return UserFactory(username="officer", role=Role.OFFICER, org_unit=district.dept_emergency)


@pytest.fixture
def township_a_user(district) -> User:
    return UserFactory(username="township_a", role=Role.TOWNSHIP, org_unit=district.township_a)


@pytest.fixture
def township_b_user(district) -> User:
    return UserFactory(username="township_b", role=Role.TOWNSHIP, org_unit=district.township_b)


@pytest.fixture
def department_user(district) -> User:
    return UserFactory(username="department", role=Role.DEPARTMENT, org_unit=district.dept_construction)


@pytest.fixture
def leader(district) -> User:
    return UserFactory(username="leader", role=Role.LEADER, org_unit=district.district)


@pytest.fixture
def admin_user(district) -> User:
    return UserFactory(
        username="admin", role=Role.ADMIN, org_unit=district.district, is_staff=True, is_superuser=True
    )


@pytest.fixture
def api() -> APIClient:
    """An API client; `api.force_authenticate(persona)` signs a persona in."""
    return APIClient()


@pytest.fixture
def enterprise_a(district, sectors) -> Enterprise:
    """An industry-and-trade firm in township A's community."""
    return EnterpriseFactory(
        name="东城机械厂", jurisdiction=district.community_a, sectors=[sectors["machinery"]]
    )


@pytest.fixture
def enterprise_b(district, sectors) -> Enterprise:
    """A construction firm in township B."""
    return EnterpriseFactory(
        name="西山建筑公司", jurisdiction=district.township_b, sectors=[sectors["construction"]]
    )


# A one-page PDF, as small as a reader takes.
STUB_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


class StubHTML:
    """Stands in for WeasyPrint's HTML: the page's HTML is still rendered from its template (a template
    error still fails), only the typesetting is skipped."""

    def __init__(self, *, string: str, **kwargs) -> None:
        self.string = string

    def write_pdf(self, *args, **kwargs) -> bytes:
        return STUB_PDF


def stub_pdfs(monkeypatch: pytest.MonkeyPatch) -> None:
    """SAFETY_TEST_REAL_PDFS=1 turns the stub off: every test then prints through WeasyPrint."""
    if os.environ.get("SAFETY_TEST_REAL_PDFS", "") not in ("", "0"):
        return
    monkeypatch.setattr(enforcement_pdf, "HTML", StubHTML)
    monkeypatch.setattr(inspections_pdf, "HTML", StubHTML)
    monkeypatch.setattr(evaluation_pdf, "HTML", StubHTML)
    monkeypatch.setattr(summary_pdf, "HTML", StubHTML)


@pytest.fixture
def cheap_pdfs(monkeypatch) -> bytes:
    """执法文书 and 现场检查记录 print as STUB_PDF instead of through WeasyPrint (about 1.4 s a document).

    ONLY for tests that are not about the PDF (the role matrix, scoping, lists, demo data other than
    the documents) and issue documents or fetch records' PDFs on the way. The real rendering and its
    content are tested without it in tests/enforcement/test_documents.py, test_documents_web.py,
    tests/inspections/test_record_pdf.py and tests/demo/test_demo_enforcement.py."""
    stub_pdfs(monkeypatch)
    return STUB_PDF
