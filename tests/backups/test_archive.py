"""The archive: what it holds, what it never holds, and what it refuses (damage, another
key, a newer schema, a database that is not empty). Backups here are made inside the test's
transaction; tests/backups/test_drill.py restores for real."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import os
from pathlib import Path

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from pyrage import x25519

from kluis.audit.models import AuditEvent
from kluis.backups.archive import BackupError, read_manifest, restore_archive, verify_archive
from kluis.backups.manifest import FORMAT
from kluis.cli import main
from kluis.crypto import keyring
from kluis.crypto.models import TenantKey
from kluis.people.models import Employee
from kluis.tenancy.models import Tenant
from tests.backups.helpers import edit_manifest, make_backup, members, rewrite
from tests.conftest import _snapshot

DAMAGED = "the archive is damaged or was encrypted for another key"


def test_the_manifest_counts_and_checksums_every_table_and_file(demo, backup_key, media, tmp_path):
    path, manifest = make_backup(tmp_path)
    assert manifest.format == FORMAT
    assert manifest.vendor == connection.vendor
    assert manifest.tables["tenancy_tenant"]["rows"] == Tenant.objects.count() == 2
    assert manifest.tables["people_employee"]["rows"] == Employee.objects.count() > 0
    assert manifest.tables["audit_auditevent"]["rows"] == AuditEvent.objects.count()
    # The wrapped data keys travel; without them the sealed values could not be opened.
    assert manifest.tables["crypto_tenantkey"]["rows"] == TenantKey.objects.count() > 0
    applied = MigrationRecorder(connection).applied_migrations()
    assert manifest.migrations["people"] == max(n for a, n in applied if a == "people")
    photo = (media / "photos" / "a.jpg").read_bytes()
    assert manifest.files == {
        "photos/a.jpg": {
            "bytes": len(photo),
            "sha256": hashlib.sha256(photo).hexdigest(),
        }
    }
    assert read_manifest(path) == manifest
    inside = members(path, backup_key)
    assert json.loads(inside["manifest.json"])["tables"]["people_employee"]["rows"] > 0
    assert inside["files/photos/a.jpg"] == photo
    assert len(inside["tables/people_employee.jsonl.gz"].splitlines()) == Employee.objects.count()


def test_the_archive_is_encrypted_and_never_holds_a_master_key(demo, backup_key, media, tmp_path):
    path, _manifest = make_backup(tmp_path)
    sealed = path.read_bytes()
    assert sealed.startswith(b"age-encryption.org/v1")
    assert b"owner@demo-bv.test" not in sealed and b"manifest" not in sealed
    secrets = []
    for key in keyring.current().keys.values():
        secrets += [
            key.secret,
            base64.b64encode(key.secret),
            keyring.encode_key(key.secret).encode(),
        ]
    inside = members(path, backup_key)
    assert b"owner@demo-bv.test" in inside["tables/identity_user.jsonl.gz"]
    for name, data in inside.items():
        assert not any(secret in data for secret in secrets), name
    assert not any(name.endswith("master_keys") for name in inside)


def test_an_archive_with_one_byte_changed_is_refused(demo, backup_key, media, tmp_path):
    path, _manifest = make_backup(tmp_path)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    damaged = tmp_path / "damaged.kluisbackup"
    damaged.write_bytes(bytes(data))
    with pytest.raises(BackupError, match=DAMAGED):
        read_manifest(damaged)
    before = _snapshot()
    with pytest.raises(BackupError, match=DAMAGED):
        restore_archive(damaged, dry_run=False, force=True)
    assert _snapshot() == before
    report = verify_archive(damaged)
    assert not report.ok and DAMAGED in report.problems[0]


def test_an_archive_for_another_key_is_refused(demo, backup_key, media, tmp_path, settings):
    path, _manifest = make_backup(tmp_path)
    settings.BACKUP_KEY = str(x25519.Identity.generate())
    with pytest.raises(BackupError, match=DAMAGED):
        read_manifest(path)


def test_extra_recipients_can_open_the_archive_too(demo, backup_key, media, tmp_path, settings):
    offline = x25519.Identity.generate()
    settings.BACKUP_RECIPIENTS = str(offline.to_public())
    path, manifest = make_backup(tmp_path)
    settings.BACKUP_KEY = str(offline)
    assert read_manifest(path) == manifest


def test_rows_changed_inside_a_reencrypted_archive_are_refused(demo, backup_key, media, tmp_path):
    path, _manifest = make_backup(tmp_path)

    def change(raw: dict[str, bytes]) -> None:
        lines = gzip.decompress(raw["tables/tenancy_tenant.jsonl.gz"]).replace(b"Demo", b"Evil")
        raw["tables/tenancy_tenant.jsonl.gz"] = gzip.compress(lines)

    forged = rewrite(path, backup_key, change)
    with pytest.raises(BackupError, match="table tenancy_tenant does not match its checksum"):
        read_manifest(forged)


def test_an_archive_of_a_newer_schema_is_refused(demo, backup_key, media, tmp_path):
    path, _manifest = make_backup(tmp_path)

    def newer(raw: dict[str, bytes]) -> None:
        edit_manifest(
            raw,
            lambda m: m.update(
                kluis_version="9.0.0",
                migrations={**m["migrations"], "people": "0999_from_the_future"},
            ),
        )

    future = rewrite(path, backup_key, newer)
    before = _snapshot()
    for dry_run in (True, False):
        with pytest.raises(BackupError, match=r"made by a newer version of Kluis \(9\.0\.0"):
            restore_archive(future, dry_run=dry_run, force=True)
    assert _snapshot() == before
    assert main(["restore", str(future), "--force"]) == 1


def test_restore_refuses_a_database_that_is_not_empty_without_force(
    demo, backup_key, media, tmp_path, capsys
):
    path, _manifest = make_backup(tmp_path)
    before = _snapshot()
    with pytest.raises(BackupError, match=r"not empty \(2 companies, \d+ users\).*--force"):
        restore_archive(path, dry_run=False, force=False)
    assert main(["restore", str(path)]) == 1
    assert "add --force to overwrite it" in capsys.readouterr().err
    assert _snapshot() == before


def test_a_dry_run_says_what_would_change_and_changes_nothing(
    demo, backup_key, media, tmp_path, capsys
):
    path, manifest = make_backup(tmp_path)
    sessions = Session.objects.count()
    SessionStore().create()
    (media / "photos" / "a.jpg").write_bytes(b"another photo")
    (media / "photos" / "b.jpg").write_bytes(b"a newer photo")
    before = _snapshot()
    report = restore_archive(path, dry_run=True, force=False)
    assert report.dry_run and not report.restored
    assert report.tables["django_session"] == (sessions + 1, sessions)
    assert (report.files_changed, report.files_new, report.files_not_in_archive) == (1, 0, 1)
    assert main(["restore", str(path), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert f"django_session  {sessions + 1} -> {sessions}" in out
    assert "A restore needs --force." in out and "Dry run: nothing was changed." in out
    assert _snapshot() == before
    assert (media / "photos" / "a.jpg").read_bytes() == b"another photo"
    assert manifest.tables["django_session"]["rows"] == sessions


def test_verify_restores_into_a_scratch_database_and_compares(demo, backup_key, media, tmp_path):
    path, manifest = make_backup(tmp_path)
    report = verify_archive(path)
    assert report.ok, report.problems
    assert report.manifest == manifest


def test_backup_key_file_is_made_outside_production_and_required_in_it(
    demo, media, tmp_path, settings, capsys
):
    settings.BACKUP_KEY = ""
    settings.BACKUP_RECIPIENTS = ""
    settings.BACKUP_KEY_FILE_NAMED = False
    settings.BACKUP_KEY_FILE = tmp_path / "keys" / "backup_key"
    settings.BACKUP_KEY_AUTOCREATE = False  # production
    with pytest.raises(BackupError, match="no backup key: set KLUIS_BACKUP_KEY"):
        make_backup(tmp_path)
    assert main(["backup", "--output", str(tmp_path)]) == 1
    assert "kluis: no backup key" in capsys.readouterr().err
    settings.BACKUP_KEY_AUTOCREATE = True  # development, test
    assert main(["backup", "--output", str(tmp_path / "named.kluisbackup")]) == 0
    out = capsys.readouterr().out
    assert f"Wrote {tmp_path / 'named.kluisbackup'} (" in out
    key_file = settings.BACKUP_KEY_FILE
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert "AGE-SECRET-KEY-1" in key_file.read_text()
    assert (tmp_path / "named.kluisbackup").stat().st_mode & 0o777 == 0o600
    assert read_manifest(tmp_path / "named.kluisbackup").tables
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".partial")]
    assert main(["backup", "--output", str(tmp_path / "named.kluisbackup")]) == 1


def test_the_backup_directory_gets_a_timestamped_archive(
    demo, backup_key, media, tmp_path, settings
):
    settings.BACKUP_DIR = tmp_path / "backups"
    assert main(["backup"]) == 0
    (archive,) = list(Path(settings.BACKUP_DIR).iterdir())
    assert archive.name.startswith("kluis-") and archive.suffix == ".kluisbackup"
