"""Fixtures for the hardening tests. The browser test reuses the e2e launch settings (Debian's Chromium)."""

from tests.e2e.conftest import browser_context_args, browser_type_launch_args  # noqa: F401
