"""The deployment files say what the README and DESIGN §6 promise. No database; docker-compose.yml only
has to parse here (there is no Docker engine on the build machine)."""

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
APP_SERVICES = ("web", "worker", "beat")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def _environment(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):  # the "KEY=value" list form
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {key: "" if value is None else str(value) for key, value in env.items()}


def test_compose_has_the_five_services(compose):
    assert set(compose["services"]) >= {"postgres", "redis", "web", "worker", "beat"}
    assert str(compose["services"]["postgres"]["image"]).startswith("postgres:15")
    assert str(compose["services"]["redis"]["image"]).startswith("redis:7")


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_are_configured_from_the_environment(compose, name):
    service = compose["services"][name]
    env = _environment(service)
    for var in ("DATABASE_URL", "CELERY_BROKER_URL", "SECRET_KEY", "ALLOWED_HOSTS"):
        assert var in env, f"{name} lacks {var}"
        assert re.match(rf"^\$\{{{var}(?::?[-?].*)?\}}$", env[var]), (
            f"{name}: {var} is not read from the environment"
        )
    assert env.get("DEBUG", "").lower() == "false"
    assert service.get("build") or service.get("image")


def test_app_service_commands(compose):
    services = compose["services"]
    web = (
        " ".join(services["web"]["command"])
        if isinstance(services["web"]["command"], list)
        else services["web"]["command"]
    )
    assert "migrate" in web and "collectstatic" in web and "gunicorn safety_office.wsgi" in web
    assert services["worker"]["command"][:4] == ["celery", "-A", "safety_office", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "safety_office", "beat"]


def test_compose_keeps_media_and_database_in_volumes(compose):
    assert {"postgres-data", "media"} <= set(compose["volumes"])
    assert any(v.startswith("postgres-data:") for v in compose["services"]["postgres"]["volumes"])
    assert any(v.startswith("media:") for v in compose["services"]["web"]["volumes"])


def test_dockerfile_has_weasyprint_libs_and_chinese_fonts():
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "FROM python:3.11-slim-bookworm" in text
    for deb in ("libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0", "fontconfig", "fonts-noto-cjk"):
        assert deb in text
    assert "pip install ." in text


def test_ci_calls_scripts_test():
    lines = [
        line.strip()
        for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    assert any(re.match(r"^(exec\s+)?\./scripts/test\b", line) for line in lines)


def test_scripts_are_executable():
    for path in ("scripts/demo", "scripts/test", ".ci/run"):
        assert (ROOT / path).stat().st_mode & 0o111, f"{path} is not executable"


def test_readme_quick_start_names_exactly_demo_and_test():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"^## 快速开始.*?$(.*?)(?=^## )", text, flags=re.M | re.S)
    assert match, "README has no 快速开始 / Quick start section"
    blocks = re.findall(r"```[a-z]*\n(.*?)```", match.group(1), flags=re.S)
    commands = [line.strip() for block in blocks for line in block.splitlines() if line.strip()]
    assert commands == ["./scripts/demo", "./scripts/test"]


@pytest.mark.django_db
def test_uploaded_files_are_not_served_without_the_scoping_rule(client, settings, tmp_path):
    """/media/ would bypass the scoping views, so it must not exist even in DEBUG."""
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "secret.jpg").write_bytes(b"x")
    assert client.get("/media/secret.jpg").status_code == 404
