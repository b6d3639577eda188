"""Fixtures for the crypto tests: a clean key cache per test, a private keyring, and a
database of their own for tests that run Kluis in child processes."""

from __future__ import annotations

import base64
import fcntl
import os
import secrets
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from kluis.crypto import keyring, vault
from kluis.crypto.keyring import Keyring

ROOT = Path(__file__).resolve().parents[2]
KLUIS = str(Path(sys.executable).with_name("kluis"))
SETUP = (
    "import os, sys, json, django\n"
    "os.environ['DJANGO_SETTINGS_MODULE'] = 'kluis.settings'\n"
    "django.setup()\n"
    "from kluis.crypto import vault\n"
    "from kluis.tenancy.models import Tenant\n"
)


@pytest.fixture(autouse=True)
def clean_key_cache() -> Iterator[None]:
    """No test sees data keys another test left in this process's cache."""
    vault.forget_keys()
    keyring.forget()
    yield
    vault.forget_keys()
    keyring.forget()


@pytest.fixture
def private_keyring(tmp_path: Path, settings) -> Iterator[Path]:  # type: ignore[no-untyped-def]
    """A keyring file of this test's own, holding the keys in use so far: rotating it
    disturbs no other test (parallel workers share the run's keyring)."""
    ring = keyring.current()
    path = tmp_path / "keys" / "master_keys"
    path.parent.mkdir()
    keyring.write_keyring_file(path, Keyring(dict(ring.keys), ring.active_id, str(path), path))
    settings.MASTER_KEY = ""
    settings.MASTER_KEY_FILE = path
    settings.MASTER_KEY_FILE_NAMED = True
    keyring.forget()
    yield path
    keyring.forget()


def new_key_text() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


def token_version(token: str) -> int:
    body = token.removeprefix("k1.")
    raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    return int.from_bytes(raw[:4], "big")


@dataclass
class Children:
    """Run Kluis in child processes against a database and data directory of their own."""

    data_dir: Path
    env: dict[str, str] = field(default_factory=dict)

    def python(self, code: str, *args: str, timeout: float = 120) -> str:
        result = subprocess.run(
            [sys.executable, "-c", SETUP + code, *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    def popen(self, code: str, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-c", SETUP + code, *args],
            cwd=ROOT,
            env=self.env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def kluis(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [KLUIS, *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )


def _child_env(data_dir: Path, database_url: str = "") -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KLUIS_", "DJANGO_"))}
    env.update({"KLUIS_ENV": "test", "KLUIS_DATA_DIR": str(data_dir)})
    if database_url:
        env["KLUIS_DATABASE_URL"] = database_url
    return env


def _postgres_url() -> str:
    url = os.environ.get("KLUIS_DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else ""


def _postgres(url: str, statement: str) -> None:
    import psycopg

    for attempt in range(5):
        try:
            with psycopg.connect(_with_database(url, "postgres"), autocommit=True) as conn:
                conn.execute(statement)  # type: ignore[arg-type]
            return
        except psycopg.errors.InsufficientPrivilege:
            # DROP ... WITH (FORCE) met a backend it may not end (an autovacuum worker
            # on a server where the role lacks pg_signal_backend): it is gone shortly.
            if attempt == 4:
                raise
            time.sleep(0.5)


def _migrate(env: dict[str, str]) -> None:
    result = subprocess.run(
        [KLUIS, "manage", "migrate", "--verbosity", "0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Migrate once per run; each test then starts from a copy of the result: the SQLite
    file's directory (made by the first xdist worker that needs it, under a lock, in the
    run's temporary directory the workers share), or a PostgreSQL template database's
    name (one per test process)."""
    url = _postgres_url()
    if not url:
        base = tmp_path_factory.getbasetemp()
        shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
        template_dir = shared / "crypto-template"
        with open(shared / "crypto-template.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not (template_dir / "migrated").exists():
                shutil.rmtree(template_dir, ignore_errors=True)
                template_dir.mkdir()
                _migrate(_child_env(template_dir))
                (template_dir / "migrated").touch()
        yield str(template_dir)
        return
    name = f"kluis_crypto_template_{secrets.token_hex(4)}"
    _postgres(url, f'CREATE DATABASE "{name}"')
    try:
        _migrate(_child_env(tmp_path_factory.mktemp("crypto-template"), _with_database(url, name)))
        yield name
    finally:
        _postgres(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def children(tmp_path: Path, migrated_template: str) -> Iterator[Children]:
    """A migrated database for child processes, with a data directory (and so a keyring)
    of their own: SQLite in that directory, or a fresh PostgreSQL database."""
    url = _postgres_url()
    if not url:
        for source in Path(migrated_template).glob("kluis.sqlite3*"):
            shutil.copyfile(source, tmp_path / source.name)
        yield Children(tmp_path, _child_env(tmp_path))
        return
    database = f"kluis_crypto_{secrets.token_hex(6)}"
    _postgres(url, f'CREATE DATABASE "{database}" TEMPLATE "{migrated_template}"')
    try:
        yield Children(tmp_path, _child_env(tmp_path, _with_database(url, database)))
    finally:
        _postgres(url, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))
