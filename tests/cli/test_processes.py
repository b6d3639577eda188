"""The same commands as real processes on their own SQLite file, password through a pipe."""

from __future__ import annotations

import base64
import secrets
from pathlib import Path

import pytest
from django.conf import settings

from tests.cli.helpers import run_kluis

# The kluis command against its own SQLite data directory, whatever the stage's database:
# run in the SQLite stage only (the PostgreSQL stage would run the very same thing).
pytestmark = pytest.mark.own_sqlite

PASSWORD = "correct horse battery staple kluis"
SIGN_IN = (
    "from django.contrib.auth import authenticate; "
    "print('signed in' if authenticate(email='ann@acme.test', password={!r}) else 'refused')"
)


def test_company_and_member_made_by_the_command_can_sign_in(migrated_data_dir: Path) -> None:
    made = run_kluis(migrated_data_dir, "createtenant", "--slug", "acme", "--name", "Acme BV")
    assert made.returncode == 0, made.stderr
    assert made.stdout.strip() == "Created company acme (Acme BV)."

    added = run_kluis(
        migrated_data_dir,
        *("createuser", "--tenant", "acme", "--email", "ann@acme.test", "--role", "owner"),
        stdin=PASSWORD + "\n",
    )
    assert added.returncode == 0, added.stderr
    assert PASSWORD not in added.stdout + added.stderr

    check = run_kluis(
        migrated_data_dir, "manage", "shell", "--no-imports", "-c", SIGN_IN.format(PASSWORD)
    )
    assert check.stdout.strip() == "signed in", check.stderr
    wrong = run_kluis(
        migrated_data_dir, "manage", "shell", "--no-imports", "-c", SIGN_IN.format("nope" * 5)
    )
    assert wrong.stdout.strip() == "refused"

    verify = run_kluis(migrated_data_dir, "audit", "verify", "--tenant", "acme")
    assert verify.returncode == 0
    assert verify.stdout.startswith("acme: OK, ")


def test_short_password_through_a_pipe_is_refused_in_one_line(migrated_data_dir: Path) -> None:
    run_kluis(migrated_data_dir, "createtenant", "--slug", "shorty", "--name", "Shorty")
    result = run_kluis(
        migrated_data_dir,
        *("createuser", "--tenant", "shorty", "--email", "s@shorty.test"),
        stdin="x7!pq-2\n",
    )
    assert result.returncode == 1
    assert result.stderr == (
        "kluis: password: This password is too short. It must contain at least 15 characters.\n"
    )
    assert "Traceback" not in result.stderr


def test_an_unmigrated_database_gets_a_hint_not_a_traceback(tmp_path: Path) -> None:
    result = run_kluis(tmp_path, "createtenant", "--slug", "acme", "--name", "Acme")
    assert result.returncode == 1
    assert "kluis manage migrate" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


PRINT_KEY = "from django.conf import settings; print(settings.SECRET_KEY)"
PRODUCTION = {
    "KLUIS_ENV": "production",
    "KLUIS_ALLOWED_HOSTS": "kluis.example",
    "KLUIS_DEBUG": "0",
    "KLUIS_MASTER_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
}


def _secret_key(data_dir: Path, **env: str) -> str:
    result = run_kluis(data_dir, "manage", "shell", "--no-imports", "-c", PRINT_KEY, env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_secret_key_comes_from_env_then_named_file_then_the_data_dir(tmp_path: Path) -> None:
    named = tmp_path / "named-key"
    named.write_text("key-from-named-file\n")
    (tmp_path / "secret_key").write_text("key-from-data-dir\n")
    assert _secret_key(tmp_path, KLUIS_SECRET_KEY="key-from-env") == "key-from-env"
    assert _secret_key(tmp_path, KLUIS_SECRET_KEY_FILE=str(named)) == "key-from-named-file"
    assert _secret_key(tmp_path) == "key-from-data-dir"
    (tmp_path / "secret_key").unlink()
    assert _secret_key(tmp_path) == settings.INSECURE_DEFAULT_SECRET_KEY


def test_a_missing_named_key_file_is_a_configuration_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    result = run_kluis(tmp_path, "audit", "verify", env={"KLUIS_SECRET_KEY_FILE": str(missing)})
    assert result.returncode == 2
    assert result.stderr == f"kluis: KLUIS_SECRET_KEY_FILE {missing} does not exist\n"


def test_production_refuses_the_default_key_but_accepts_a_key_file(tmp_path: Path) -> None:
    refused = run_kluis(tmp_path, "manage", "shell", "-c", "pass", env=PRODUCTION)
    assert refused.returncode == 2
    assert "KLUIS_SECRET_KEY must be set" in refused.stderr
    (tmp_path / "secret_key").write_text(secrets.token_urlsafe(64))
    accepted = run_kluis(tmp_path, "manage", "shell", "--no-imports", "-c", "pass", env=PRODUCTION)
    assert accepted.returncode == 0, accepted.stderr
