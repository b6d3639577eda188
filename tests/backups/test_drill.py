"""The restore drill (issue 16): demo data plus changes -> backup -> wipe -> restore ->
the same rows, the same files, the audit chains intact. Runs in both `make test` suites
(SQLite and PostgreSQL); the second test restores an archive made on a SQLite database
into this one, which on the PostgreSQL run is the cross-engine restore (and verify_archive,
which restores into SQLite, is the other direction)."""

from __future__ import annotations

import shutil

import pytest
from django.db import transaction

from kluis.audit.models import OperatorEvent
from kluis.audit.platform import verify_platform
from kluis.audit.services import verify_all
from kluis.backups.archive import restore_archive, verify_archive
from kluis.backups.container import open_archive
from kluis.backups.load import compare, empty_all, insert_rows, migrate_to
from kluis.backups.verify import scratch_sqlite
from kluis.cli import main
from kluis.crypto.stored_files import MAGIC
from kluis.people import services
from kluis.people.models import Employee
from kluis.people.records import sealed_value
from kluis.tenancy.models import Tenant
from tests.backups.helpers import make_backup
from tests.conftest import _snapshot as _raw_snapshot
from tests.conftest import actor_for
from tests.people.test_photos_and_feed import image_upload
from tests.people.test_services import HIRE

pytestmark = pytest.mark.django_db(transaction=True)


def _snapshot() -> list[tuple[str, list[str], list[tuple[object, ...]]]]:
    """Every table's rows as stored, in a stable order (PostgreSQL returns rows in the
    order they lie on disk, which a restore changes)."""
    return [(table, columns, sorted(rows, key=repr)) for table, columns, rows in _raw_snapshot()]


def _changes(login) -> Employee:  # type: ignore[no-untyped-def]
    """Demo data plus changes: a hire (sealed IBAN and wage), an edit, a photo upload."""
    hr = actor_for("hr@demo-bv.test")
    ilse = services.hire_employee(hr, hr.tenant, HIRE)
    services.update_employee(
        hr,
        ilse,
        {"preferred_name": "Ilsje", "iban": "NL91 ABNA 0417 1643 00"},
        expected_version=ilse.version,
    )
    client = login("hr@demo-bv.test", "demo-bv")
    response = client.post(
        f"/people/{ilse.pk}/photo/upload/", {"photo": image_upload()}, secure=True
    )
    assert response.status_code == 302
    ilse.refresh_from_db()
    assert ilse.photo
    return ilse


def _wipe(media) -> None:  # type: ignore[no-untyped-def]
    with transaction.atomic():
        empty_all("default")
    shutil.rmtree(media)
    assert not Tenant.objects.exists()


def test_backup_wipe_restore_gives_the_same_data_and_intact_audit_chains(
    demo, backup_key, media, tmp_path, login, capsys
):
    ilse = _changes(login)
    photo_name = ilse.photo.name
    photo = (media / photo_name).read_bytes()  # sealed on disk: the archive holds it so
    with ilse.photo.open("rb") as opened:
        jpeg = opened.read()
    assert photo.startswith(MAGIC) and jpeg.startswith(b"\xff\xd8") and jpeg not in photo
    before = _snapshot()
    path, manifest = make_backup(tmp_path)
    assert manifest.files[photo_name]["bytes"] == len(photo)

    _wipe(media)
    report = restore_archive(path, dry_run=False, force=False)  # empty: no --force needed
    assert report.restored

    # The same rows in every table but the operators' log, which has the restore on top.
    after = _snapshot()
    operator_log = {"audit_operatorevent", "audit_operatorchainhead"}
    assert [t for t in after if t[0] not in operator_log] == [
        t for t in before if t[0] not in operator_log
    ]
    problems = compare("default", manifest)
    assert problems and all(p.startswith("audit_operator") for p in problems), problems
    restore_event = OperatorEvent.objects.order_by("-sequence").first()
    assert restore_event is not None and restore_event.action == "backup.restore"
    assert restore_event.changes["rows"] == manifest.total_rows
    assert "owner@demo-bv.test" not in str(restore_event.changes)

    # The audit chains (companies' and operators') verify, through the command too.
    assert all(r.ok for r in verify_all())
    assert verify_platform()[1] == ""
    assert main(["audit", "verify"]) == 0
    assert "BROKEN" not in capsys.readouterr().out

    # Sealed values open with the restored wrapped keys (and the same master key); files back.
    restored = Employee.objects.get(pk=ilse.pk)
    assert sealed_value(restored, "iban").replace(" ", "") == "NL91ABNA0417164300"
    assert (media / photo_name).read_bytes() == photo
    served = login("hr@demo-bv.test", "demo-bv").get(f"/people/{ilse.pk}/photo/", secure=True)
    assert b"".join(served.streaming_content) == jpeg

    # New rows after the restore get fresh ids (sequences moved past the restored rows).
    again = services.hire_employee(
        actor_for("hr@demo-bv.test"), restored.tenant, {**HIRE, "first_name": "Jo"}
    )
    assert again.pk > max(e.pk for e in Employee.objects.exclude(pk=again.pk))

    # With data in it, a second restore needs --force, and then gives the archive's rows.
    assert main(["restore", str(path)]) == 1
    restore_archive(path, dry_run=False, force=True)
    assert not Employee.objects.filter(pk=again.pk).exists()
    assert all(r.ok for r in verify_all())


def test_an_archive_made_on_sqlite_restores_here(demo, backup_key, media, tmp_path):
    """On the PostgreSQL run: SQLite -> PostgreSQL. The archive is made from a scratch
    SQLite database holding this database's rows (restored into it from a backup)."""
    first, manifest = make_backup(tmp_path, "native.kluisbackup")
    assert verify_archive(first).ok  # this engine -> SQLite
    with open_archive(first) as opened, scratch_sqlite() as alias:
        migrate_to(alias, manifest)
        with transaction.atomic(using=alias):
            empty_all(alias)
            insert_rows(alias, opened, progress=False)
        from_sqlite, sqlite_manifest = make_backup(tmp_path, "from-sqlite.kluisbackup", using=alias)
    assert sqlite_manifest.vendor == "sqlite"
    assert {t: e["sha256"] for t, e in sqlite_manifest.tables.items()} == {
        t: e["sha256"] for t, e in manifest.tables.items()
    }
    before = _snapshot()
    _wipe(media)
    restore_archive(from_sqlite, dry_run=False, force=False)
    after = _snapshot()
    assert [t for t in after if not t[0].startswith("audit_operator")] == [
        t for t in before if not t[0].startswith("audit_operator")
    ]
    assert all(r.ok for r in verify_all())
    assert verify_platform()[1] == ""
