"""The production stack as written for users: docker-compose.yml and the DEBUG=0 settings."""

import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SETTINGS_SOURCE = (ROOT / "config" / "settings.py").read_text()


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_describes_the_production_stack():
    services = compose()["services"]

    assert set(services) == {"postgres", "redis", "web", "worker", "beat"}
    assert "gunicorn config.wsgi" in services["web"]["command"]
    assert services["worker"]["command"][:4] == ["celery", "-A", "config", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "config", "beat"]
    for name in ("web", "worker", "beat"):
        assert set(services[name]["depends_on"]) == {"postgres", "redis"}
        assert services[name]["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_every_app_variable_in_compose_is_one_the_settings_read():
    app_services = [compose()["services"][name] for name in ("web", "worker", "beat")]
    read_by_settings = set(
        re.findall(r'(?:os\.environ\.get|env_bool|env_list)\("(\w+)"', SETTINGS_SOURCE)
    )

    for service in app_services:
        environment = service["environment"]
        assert environment["DEBUG"] == "0"
        assert environment["DATABASE_URL"].startswith("postgres://")
        assert environment["REDIS_URL"].startswith("redis://redis:6379")
        assert set(environment) <= read_by_settings, set(environment) - read_by_settings
        assert {"SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL"} <= set(environment)


def manage(*args: str, **environment: str) -> subprocess.CompletedProcess:
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "DEBUG",
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "DJANGO_SETTINGS_MODULE",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**env, **environment},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_mode_passes_the_deployment_checks():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY="x7!kQ2" * 10,
        ALLOWED_HOSTS="loopdesk.example.com",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_mode_refuses_to_start_without_a_secret_key():
    result = manage("check", DEBUG="0", ALLOWED_HOSTS="loopdesk.example.com")

    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_production_mode_refuses_to_start_without_allowed_hosts():
    result = manage("check", DEBUG="0", SECRET_KEY="x7!kQ2" * 10)

    assert result.returncode != 0
    assert "ALLOWED_HOSTS must be set when DEBUG is off" in result.stderr


def test_the_demo_seed_refuses_to_run_in_production_mode():
    result = manage(
        "seed_demo", DEBUG="0", SECRET_KEY="x7!kQ2" * 10, ALLOWED_HOSTS="loopdesk.example.com"
    )

    assert result.returncode != 0
    assert "needs --force" in result.stderr


def test_the_app_connects_as_its_own_role_and_only_the_migrating_web_knows_the_owner():
    """Row-level security holds the app only if it is neither the owner nor a superuser: the
    image's POSTGRES_USER is both, so it is the owner `migrate` uses, never the app's login."""
    services = compose()["services"]
    owner = services["postgres"]["environment"]["POSTGRES_USER"]
    init_scripts = services["postgres"]["volumes"]
    role_script = (ROOT / "deploy/postgres/10-app-role.sh").read_text()

    for name in ("web", "worker", "beat"):
        app_url = services[name]["environment"]["DATABASE_URL"]
        assert app_url.startswith("postgres://loopdesk_app:")
    assert services["web"]["environment"]["DATABASE_OWNER_URL"].startswith(f"postgres://{owner}:")
    assert "DATABASE_OWNER_URL" not in services["worker"]["environment"]
    assert "DATABASE_OWNER_URL" not in services["beat"]["environment"]
    assert any(
        volume.endswith(":/docker-entrypoint-initdb.d/10-app-role.sh:ro") for volume in init_scripts
    )
    assert "CREATE ROLE loopdesk_app LOGIN" in role_script
    assert "NOBYPASSRLS" in role_script
