"""The drill an operator runs, with the real `kluis` command in child processes: back up one
installation, restore it on a new one that has the same master key and backup key."""

from __future__ import annotations

import base64
import os
import shutil
from pathlib import Path

import pytest

from tests.cli.helpers import run_kluis

# The kluis command against its own SQLite data directories, whatever the stage's
# database: run in the SQLite stage only.
pytestmark = [pytest.mark.slow, pytest.mark.own_sqlite]


def _ok(result) -> str:  # type: ignore[no-untyped-def]
    assert result.returncode == 0, result.stderr
    return str(result.stdout)


def test_backup_on_one_machine_restore_on_a_new_one(tmp_path: Path) -> None:
    old, new = tmp_path / "old", tmp_path / "new"
    master = {"KLUIS_MASTER_KEY": base64.b64encode(os.urandom(32)).decode()}
    _ok(run_kluis(old, "manage", "migrate", "--verbosity", "0", env=master, timeout=300))
    _ok(
        run_kluis(
            old, "createtenant", "--slug", "acme", "--name", "Acme BV", env=master, timeout=120
        )
    )
    (old / "media" / "photos").mkdir(parents=True)
    (old / "media" / "photos" / "p.jpg").write_bytes(b"\xff\xd8 photo")
    out = _ok(run_kluis(old, "backup", "--output", str(tmp_path), env=master, timeout=300))
    (archive,) = tmp_path.glob("kluis-*.kluisbackup")
    assert out.startswith(f"Wrote {archive} (")
    assert (old / "backup_key").stat().st_mode & 0o777 == 0o600

    refused = run_kluis(old, "restore", str(archive), env=master, timeout=300)
    assert refused.returncode == 1
    assert "kluis: the database is not empty (1 companies" in refused.stderr
    assert "Traceback" not in refused.stderr

    # A new machine with the same master key but without the backup key cannot open it.
    new.mkdir()
    wrong_key = run_kluis(new, "restore", str(archive), env=master, timeout=300)
    assert wrong_key.returncode == 1
    assert "the archive is damaged or was encrypted for another key" in wrong_key.stderr

    # With the operator's backup key (and the same master key), the restore works.
    shutil.copy(old / "backup_key", new / "backup_key")
    assert "Dry run: nothing was changed." in _ok(
        run_kluis(new, "restore", str(archive), "--dry-run", env=master, timeout=300)
    )
    assert "Restored in" in _ok(run_kluis(new, "restore", str(archive), env=master, timeout=600))
    assert "acme: OK" in _ok(run_kluis(new, "audit", "verify", env=master, timeout=120))
    assert (new / "media" / "photos" / "p.jpg").read_bytes() == b"\xff\xd8 photo"
