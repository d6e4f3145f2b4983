"""Production settings pass Django's deployment checklist with no warning at all."""

import os
import subprocess
import sys
from pathlib import Path

from tests.dburl import child_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def production_env(**extra: str) -> dict[str, str]:
    # A production process has neither the debug switch nor the browser tests' async switch.
    dropped = {"DJANGO_DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {key: value for key, value in os.environ.items() if key not in dropped}
    env.update(
        DJANGO_DEBUG="0",
        SECRET_KEY="k3y-" + "x7Qp9vLm2Rt8Zw4Nc6Yb1Hd5Fg0Js3Ak" * 2,
        ALLOWED_HOSTS="aduan.example.id",
        DATABASE_URL=child_database_url(),
    )
    env.update(extra)
    return env


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_passes_with_production_settings(db):
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_settings_refuse_to_start_without_secret_key(db):
    env = production_env()
    env.pop("SECRET_KEY")

    result = run_manage("check", env=env)

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_settings_refuse_a_non_postgresql_database(db):
    result = run_manage("check", env=production_env(DATABASE_URL="sqlite:///var/x.sqlite3"))

    assert result.returncode != 0
    assert "PostgreSQL only" in result.stderr
