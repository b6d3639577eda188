"""Stored files on the local disk (the default, KLUIS_STORAGE_URL unset): sealed there too,
photos from before sealing still open, and the keys behave as the rest of the sealed data
(a master key rotation keeps files readable, destroying a company's keys shreds them)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.management import call_command

from kluis.audit.models import OperatorEvent
from kluis.cli import main
from kluis.crypto import keyring, vault
from kluis.crypto.stored_files import (
    MAGIC,
    CompanyFile,
    SealedStorage,
    TamperedStoredFile,
    open_file,
    seal_file,
)
from kluis.operations import storage
from kluis.people.models import Employee
from tests.crypto.conftest import private_keyring  # noqa: F401
from tests.people.test_photos_and_feed import image_upload

# Redis, S3, the broker and their settings behave alike on either database: the PostgreSQL
# stage leaves this module out (the several-node tests run them there on PostgreSQL).
pytestmark = pytest.mark.engine_independent


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


def test_by_default_files_are_on_local_disk_under_media_root_and_sealed(demo, login, media):
    assert isinstance(default_storage, SealedStorage)
    assert isinstance(default_storage.raw, FileSystemStorage)
    assert storage.describe() == str(media)
    client = login("hr@demo-bv.test", "demo-bv")
    target = Employee.objects.get(work_email="member1@demo-bv.test")
    client.post(f"/people/{target.pk}/photo/upload/", {"photo": image_upload()}, secure=True)
    target.refresh_from_db()
    on_disk = (media / target.photo.name).read_bytes()
    served = b"".join(client.get(f"/people/{target.pk}/photo/", secure=True).streaming_content)
    assert on_disk.startswith(MAGIC) and served.startswith(b"\xff\xd8")
    assert served[100:164] not in on_disk
    assert storage.all_names(default_storage.raw) == [target.photo.name]


def test_a_photo_stored_before_sealing_still_opens_and_a_new_one_is_sealed(demo, login, media):
    target = Employee.objects.get(work_email="member1@demo-bv.test")
    legacy = image_upload().read()
    (media / "photos" / "2025").mkdir(parents=True)
    (media / "photos" / "2025" / "old.jpg").write_bytes(legacy)
    Employee.objects.filter(pk=target.pk).update(photo="photos/2025/old.jpg")
    client = login("hr@demo-bv.test", "demo-bv")
    served = client.get(f"/people/{target.pk}/photo/", secure=True)
    assert b"".join(served.streaming_content) == legacy

    client.post(f"/people/{target.pk}/photo/upload/", {"photo": image_upload()}, secure=True)
    target.refresh_from_db()
    assert target.photo.name != "photos/2025/old.jpg"
    assert (media / target.photo.name).read_bytes().startswith(MAGIC)


def test_nothing_is_stored_without_a_company_to_seal_it_for(db, media):
    with pytest.raises(ValueError, match="belongs to a company"):
        default_storage.save("photos/loose.jpg", ContentFile(b"\xff\xd8 plain"))
    assert not (media / "photos" / "loose.jpg").exists()
    with pytest.raises(ValueError, match="no URL"):
        default_storage.url("photos/loose.jpg")


def test_a_file_opens_only_under_its_own_name_and_company(demo, media):
    one, two = demo["demo-bv"].pk, demo["other-nv"].pk
    sealed = seal_file(one, "photos/a.jpg", b"content of a")
    assert open_file("photos/a.jpg", sealed) == b"content of a"
    with pytest.raises(TamperedStoredFile, match="another name"):
        open_file("photos/b.jpg", sealed)
    # The company id in the header changed to another company's: its key does not open it.
    moved = sealed.replace(one.to_bytes(8, "big"), two.to_bytes(8, "big"), 1)
    with pytest.raises(TamperedStoredFile):
        open_file("photos/a.jpg", moved)
    for cut in (len(sealed) - 1, len(MAGIC) + 20, 5):
        with pytest.raises(TamperedStoredFile):
            open_file("photos/a.jpg", sealed[:cut])


def test_each_file_has_its_own_key(demo, media):
    one = demo["demo-bv"].pk
    a = default_storage.save("photos/x/a.bin", CompanyFile(b"same bytes" * 10, one))
    b = default_storage.save("photos/x/b.bin", CompanyFile(b"same bytes" * 10, one))
    raw_a, raw_b = (media / a).read_bytes(), (media / b).read_bytes()
    assert raw_a[-100:] != raw_b[-100:]
    assert default_storage.open(a).read() == default_storage.open(b).read() == b"same bytes" * 10
    assert default_storage.size(a) == 100


@pytest.mark.usefixtures("private_keyring")
def test_master_key_rotation_keeps_files_readable_and_shredding_makes_them_unreadable(demo, media):
    company = demo["demo-bv"].pk
    name = default_storage.save("photos/y/kept.bin", CompanyFile(b"kept", company))
    old_ring = keyring.current()
    assert main(["keys", "rotate", "--retire-old"]) == 0
    vault.forget_keys()
    keyring.forget()
    assert not set(old_ring.keys) & set(keyring.current().keys)
    assert default_storage.open(name).read() == b"kept"

    vault.destroy_tenant_keys(company)
    vault.forget_keys()
    with pytest.raises(TamperedStoredFile, match="keys were destroyed"):
        default_storage.open(name)


def test_a_restore_of_a_name_outside_the_storage_is_refused(media):
    for bad in ("../escape.jpg", "/etc/passwd", "photos/../../x", "a\\b", "photos//x"):
        with pytest.raises(storage.StoredFileNameError):
            storage.write_raw(default_storage.raw, bad, b"x")
    assert not (media.parent / "escape.jpg").exists()


def test_the_command_seals_older_photos_in_place_once(demo, login, media):
    target = Employee.objects.get(work_email="member1@demo-bv.test")
    legacy = image_upload().read()
    (media / "photos" / "2025").mkdir(parents=True)
    (media / "photos" / "2025" / "old.jpg").write_bytes(legacy)
    (media / "photos" / "2025" / "stray.bin").write_bytes(b"no row names me")
    Employee.objects.filter(pk=target.pk).update(photo="photos/2025/old.jpg")

    out = io.StringIO()
    call_command("seal_stored_files", stdout=out)
    assert "Sealed 1 file(s)" in out.getvalue()
    assert "no company claims it): photos/2025/stray.bin" in out.getvalue()
    assert (media / "photos" / "2025" / "old.jpg").read_bytes().startswith(MAGIC)
    assert (media / "photos" / "2025" / "stray.bin").read_bytes() == b"no row names me"
    event = OperatorEvent.objects.order_by("-sequence").first()
    assert event is not None and event.action == "storage.files_sealed"
    assert event.changes == {"sealed": 1, "unowned": 1} and event.object_id == "local"
    served = login("hr@demo-bv.test", "demo-bv").get(f"/people/{target.pk}/photo/", secure=True)
    assert b"".join(served.streaming_content) == legacy

    again = io.StringIO()
    call_command("seal_stored_files", stdout=again)
    assert "Sealed 0 file(s)" in again.getvalue() and "1 already sealed" in again.getvalue()
