"""Master keys: where they come from, the keyring file, and production's refusal."""

from __future__ import annotations

import base64
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from kluis.crypto import keyring
from kluis.crypto.keyring import Keyring, KeyringError, ensure_master_key
from tests.crypto.conftest import KLUIS, ROOT, new_key_text


def _kluis(data_dir: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("KLUIS_", "DJANGO_"))}
    environment.update({"KLUIS_DATA_DIR": str(data_dir), **env})
    return subprocess.run(
        [KLUIS, *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


PRODUCTION = {
    "KLUIS_ENV": "production",
    "KLUIS_SECRET_KEY": secrets.token_urlsafe(64),
    "KLUIS_ALLOWED_HOSTS": "hr.example.com",
}


@pytest.mark.own_sqlite  # child processes on their own SQLite, whatever the stage's database
def test_production_without_a_master_key_refuses_to_start_in_one_line(tmp_path):
    result = _kluis(tmp_path, "manage", "check", **PRODUCTION)
    assert result.returncode == 2
    assert result.stderr.startswith(
        "kluis: Refusing to start in production: no master key: set KLUIS_MASTER_KEY"
    )
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "master_keys").exists()  # and it did not make one


@pytest.mark.own_sqlite  # child processes on their own SQLite, whatever the stage's database
def test_production_does_not_fall_back_to_the_data_directory_keyring(tmp_path):
    keyring.create_keyring_file(tmp_path / "master_keys")
    refused = _kluis(tmp_path, "manage", "check", **PRODUCTION)
    assert refused.returncode == 2
    assert "no master key" in refused.stderr
    named = _kluis(
        tmp_path,
        "manage",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        **PRODUCTION,
        KLUIS_MASTER_KEY_FILE=str(tmp_path / "master_keys"),
    )
    assert named.returncode == 0, named.stderr


@pytest.mark.own_sqlite  # child processes on their own SQLite, whatever the stage's database
def test_production_starts_with_a_master_key_from_the_environment(tmp_path):
    result = _kluis(
        tmp_path,
        "manage",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        **PRODUCTION,
        KLUIS_MASTER_KEY=new_key_text(),
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("env", "complaint"),
    [
        ({"KLUIS_MASTER_KEY": "not base64!"}, "KLUIS_MASTER_KEY (key 1) is not base64"),
        (
            {"KLUIS_MASTER_KEY": base64.b64encode(b"short").decode()},
            "KLUIS_MASTER_KEY (key 1) must be 32 random bytes in base64, not 5 bytes",
        ),
        ({"KLUIS_MASTER_KEY_FILE": "/nonexistent/keys"}, "/nonexistent/keys does not exist"),
    ],
    ids=["not-base64", "too-short", "missing-file"],
)
@pytest.mark.own_sqlite  # child processes on their own SQLite, whatever the stage's database
def test_production_refuses_an_unusable_master_key_in_one_line(tmp_path, env, complaint):
    result = _kluis(tmp_path, "manage", "check", **PRODUCTION, **env)
    assert result.returncode == 2
    assert result.stderr.startswith("kluis: Refusing to start in production: ")
    assert complaint in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert env.get("KLUIS_MASTER_KEY", "\x00") not in result.stderr  # no key material shown


@pytest.mark.own_sqlite  # child processes on their own SQLite, whatever the stage's database
def test_manage_py_in_production_fails_without_a_master_key(tmp_path):
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("KLUIS_", "DJANGO_"))}
    environment.update({"KLUIS_DATA_DIR": str(tmp_path), **PRODUCTION})
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "check"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "Refusing to start in production: no master key" in result.stderr


def test_several_keys_in_the_environment_the_first_one_active():
    first, second = secrets.token_bytes(32), secrets.token_bytes(32)
    ring = keyring.keyring_from_env(
        f"{base64.b64encode(first).decode()}, {base64.urlsafe_b64encode(second).decode()}"
    )
    assert ring.active.secret == first
    assert ring.get(keyring.key_id(second)) is not None
    assert ring.active_id.startswith("mk-") and first.hex() not in repr(ring)


def test_a_keyring_file_round_trips_and_is_private(tmp_path):
    path = tmp_path / "master_keys"
    assert keyring.create_keyring_file(path)
    assert not keyring.create_keyring_file(path)  # never replaced once made
    assert path.stat().st_mode & 0o777 == 0o600
    ring = keyring.read_keyring_file(path)
    second = keyring.new_master_key()
    keyring.write_keyring_file(path, ring.with_active(second))
    assert path.stat().st_mode & 0o777 == 0o600
    again = keyring.read_keyring_file(path)
    assert again.active_id == second.id
    assert set(again.keys) == {ring.active_id, second.id}
    assert again.active.secret == second.secret


def test_a_plain_base64_key_file_is_a_keyring_of_one(tmp_path):
    path = tmp_path / "secret"
    secret = secrets.token_bytes(32)
    path.write_text(base64.b64encode(secret).decode() + "\n")
    ring = keyring.read_keyring_file(path)
    assert ring.active.secret == secret and len(ring.keys) == 1


def test_a_hand_edited_keyring_entry_is_refused(tmp_path):
    path = tmp_path / "master_keys"
    keyring.create_keyring_file(path)
    data = json.loads(path.read_text())
    (entry,) = data["keys"].values()
    entry["key"] = new_key_text()
    path.write_text(json.dumps(data))
    with pytest.raises(KeyringError, match="does not match its id"):
        keyring.read_keyring_file(path)
    path.write_text('{"something": "else"}')
    with pytest.raises(KeyringError, match="not a Kluis keyring"):
        keyring.read_keyring_file(path)


def test_development_makes_the_data_directory_keyring_on_first_use(tmp_path, settings):
    settings.MASTER_KEY = ""
    settings.MASTER_KEY_FILE = tmp_path / "var" / "master_keys"
    settings.MASTER_KEY_FILE_NAMED = False
    settings.MASTER_KEY_AUTOCREATE = True
    ring = keyring.current()
    assert ring.path == tmp_path / "var" / "master_keys"
    assert ring.path.stat().st_mode & 0o777 == 0o600
    settings.MASTER_KEY_FILE = tmp_path / "elsewhere" / "master_keys"
    settings.MASTER_KEY_AUTOCREATE = False
    with pytest.raises(KeyringError, match="no master key"):
        keyring.current()


def test_an_unknown_master_key_id_reloads_the_keyring_file(private_keyring):
    ring = keyring.current()
    newer = keyring.new_master_key()
    keyring.write_keyring_file(private_keyring, ring.with_active(newer))  # another process
    assert keyring.current().get(newer.id) is None  # not re-read on every call
    assert keyring.find(newer.id).secret == newer.secret
    with pytest.raises(KeyringError, match="mk-0000 is not in the keyring"):
        keyring.find("mk-0000")


def test_new_data_keys_are_wrapped_with_the_key_made_active_by_another_process(
    private_keyring,
):
    keyring.current()
    newer = keyring.new_master_key()
    ring = keyring.read_keyring_file(private_keyring)
    keyring.write_keyring_file(private_keyring, ring.with_active(newer))
    assert keyring.for_wrapping().id == newer.id


def test_up_makes_the_development_master_key_once(tmp_path, monkeypatch):
    for name in ("KLUIS_MASTER_KEY", "KLUIS_MASTER_KEY_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("KLUIS_ENV", "development")
    made = ensure_master_key(tmp_path)
    assert made == tmp_path / "master_keys"
    assert made.stat().st_mode & 0o777 == 0o600
    first = made.read_bytes()
    assert ensure_master_key(tmp_path) is None
    assert made.read_bytes() == first
    assert isinstance(keyring.read_keyring_file(made), Keyring)


@pytest.mark.parametrize(
    "env",
    [
        {"KLUIS_ENV": "production"},
        {"KLUIS_ENV": "development", "KLUIS_MASTER_KEY": "x"},
        {"KLUIS_ENV": "development", "KLUIS_MASTER_KEY_FILE": "/etc/kluis/master_keys"},
    ],
    ids=["production", "env-key", "named-file"],
)
def test_up_makes_no_master_key_in_production_or_when_one_is_given(tmp_path, monkeypatch, env):
    for name in ("KLUIS_MASTER_KEY", "KLUIS_MASTER_KEY_FILE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert ensure_master_key(tmp_path) is None
    assert not (tmp_path / "master_keys").exists()
