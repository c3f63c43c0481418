"""The role matrix's world: built once per test from the suite's personas (tests/conftest.py)."""

import pytest
from django.test import Client

from .world import PERSONAS, build_world


@pytest.fixture
def matrix_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def personas(admin_user, officer, department_user, township_a_user, leader, township_b_user) -> dict:
    found = {
        "admin_user": admin_user,
        "officer": officer,
        "department_user": department_user,
        "township_a_user": township_a_user,
        "leader": leader,
        "township_b_user": township_b_user,
        "anonymous": None,
    }
    assert list(found) == PERSONAS
    return found


@pytest.fixture
def world(district, personas, matrix_media, django_capture_on_commit_callbacks, cheap_pdfs):
    # cheap_pdfs: the world's 执法文书 and the records' 现场检查记录 print as a stub PDF. The matrix checks
    # who reaches them (status, content type), never what they show; their content is tested in
    # tests/enforcement/test_documents.py and tests/inspections/test_record_pdf.py.
    return build_world(
        district=district, personas=personas, capture_on_commit=django_capture_on_commit_callbacks
    )


@pytest.fixture
def a_client(personas) -> Client:
    """Township A's user, signed in."""
    client = Client()
    client.force_login(personas["township_a_user"])
    return client
