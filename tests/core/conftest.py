"""Fixtures of the import framework's tests: the probe ledger kind registered for one test, and the
importer registry restored after a test that registers its own."""

import pytest

from core import imports
from core.imports import register_importer
from tests.core.probe import PROBE, ProbeImporter


@pytest.fixture
def probe():
    """The probe kind, registered for this test only."""
    ProbeImporter.seen = []
    register_importer(PROBE, ProbeImporter())
    yield ProbeImporter
    imports._registry.pop(PROBE, None)


@pytest.fixture
def registry():
    """The importer registry, restored after the test whatever it registered."""
    saved = dict(imports._registry)
    yield imports._registry
    imports._registry.clear()
    imports._registry.update(saved)
