"""Stored files on S3-compatible storage (moto's server on loopback, real HTTP, real
boto3): photos land in the bucket sealed, come back through the permission-checking view,
refuse to open when altered or moved, and survive a backup and restore."""

from __future__ import annotations

import io
import uuid
from typing import Any

import boto3
import pytest
from django.core.files.storage import default_storage
from django.db import transaction
from PIL import Image
from storages.backends.s3 import S3Storage

from kluis.backups.archive import restore_archive
from kluis.backups.load import empty_all
from kluis.cli import main
from kluis.crypto import keyring, vault
from kluis.crypto.stored_files import MAGIC, CompanyFile, SealedStorage, TamperedStoredFile
from kluis.people.models import Employee
from kluis.settings_storage import parse_storage_url
from kluis.tenancy.models import Tenant
from tests.backups.helpers import make_backup
from tests.backups.s3_fixtures import ACCESS_KEY, SECRET_KEY, s3_endpoint_fixture  # noqa: F401
from tests.crypto.conftest import private_keyring  # noqa: F401
from tests.people.test_photos_and_feed import image_upload

PREFIX = "kluis/media"


@pytest.fixture
def bucket(s3_endpoint: str, settings: Any) -> Any:
    """A fresh bucket, and Kluis's stored files on it, configured the way
    KLUIS_STORAGE_URL configures them."""
    name = f"kluis-files-{uuid.uuid4().hex[:10]}"
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="eu-west-1",
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
    )
    client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    options = parse_storage_url(
        f"s3://{name}/{PREFIX}/?endpoint={s3_endpoint}&region=eu-west-1&addressing=path",
        ACCESS_KEY,
        SECRET_KEY,
    )
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "kluis.crypto.stored_files.SealedStorage",
            "OPTIONS": {"backend": "storages.backends.s3.S3Storage", "options": options},
        },
    }
    client.kluis_bucket = name  # type: ignore[attr-defined]
    client.kluis_options = options  # type: ignore[attr-defined]
    return client


def _objects(bucket: Any) -> dict[str, bytes]:
    listed = bucket.list_objects_v2(Bucket=bucket.kluis_bucket).get("Contents", [])
    return {
        o["Key"]: bucket.get_object(Bucket=bucket.kluis_bucket, Key=o["Key"])["Body"].read()
        for o in listed
    }


def _upload(login: Any, email: str = "member1@demo-bv.test") -> tuple[Employee, Any]:
    client = login("hr@demo-bv.test", "demo-bv")
    target = Employee.objects.get(work_email=email)
    response = client.post(
        f"/people/{target.pk}/photo/upload/", {"photo": image_upload()}, secure=True
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.photo
    return target, client


def _served(client: Any, employee: Employee) -> bytes:
    response = client.get(f"/people/{employee.pk}/photo/", secure=True)
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_a_photo_lands_in_the_bucket_sealed_and_only_its_company_sees_it(demo, login, bucket):
    target, client = _upload(login)
    assert isinstance(default_storage.raw, S3Storage)
    key = f"{PREFIX}/{target.photo.name}"
    objects = _objects(bucket)
    assert list(objects) == [key]
    raw = objects[key]
    jpeg = _served(client, target)
    with Image.open(io.BytesIO(jpeg)) as image:
        assert image.format == "JPEG" and max(image.size) <= 512
    # What the bucket holds is sealed: no JPEG magic, no run of the photo's bytes.
    assert raw.startswith(MAGIC)
    assert b"\xff\xd8\xff" not in raw and b"JFIF" not in raw
    assert all(jpeg[i : i + 32] not in raw for i in range(0, len(jpeg) - 32, 97))
    # Private, and the server checked a SHA-256 checksum of the upload.
    acl = bucket.get_object_acl(Bucket=bucket.kluis_bucket, Key=key)
    assert [g["Permission"] for g in acl["Grants"]] == ["FULL_CONTROL"]
    assert acl["Grants"][0]["Grantee"].get("Type") == "CanonicalUser"
    head = bucket.head_object(Bucket=bucket.kluis_bucket, Key=key, ChecksumMode="ENABLED")
    assert head.get("ChecksumSHA256")
    with pytest.raises(ValueError, match="no URL"):
        default_storage.url(target.photo.name)

    other = login("hr@other-nv.test", "other-nv")
    assert other.get(f"/people/{target.pk}/photo/", secure=True).status_code == 404


def test_an_altered_or_moved_object_is_refused(demo, login, bucket):
    first, hr = _upload(login)
    second, _ = _upload(login, "member2@demo-bv.test")
    name = bucket.kluis_bucket
    first_key, second_key = f"{PREFIX}/{first.photo.name}", f"{PREFIX}/{second.photo.name}"
    sealed = _objects(bucket)[first_key]

    # One byte of the content changed: the view refuses (a server error, nothing served).
    flipped = bytearray(sealed)
    flipped[-40] ^= 0x01
    bucket.put_object(Bucket=name, Key=first_key, Body=bytes(flipped))
    with pytest.raises(TamperedStoredFile):
        default_storage.open(first.photo.name)
    hr.raise_request_exception = False
    refused = hr.get(f"/people/{first.pk}/photo/", secure=True)
    assert refused.status_code == 500 and b"\xff\xd8" not in refused.content

    # Another employee's (valid) photo put under this one's name does not open either.
    bucket.copy_object(Bucket=name, Key=first_key, CopySource={"Bucket": name, "Key": second_key})
    with pytest.raises(TamperedStoredFile, match="another name"):
        default_storage.open(first.photo.name)

    # Nor does a plain JPEG put straight into the bucket: nothing on S3 is ever unsealed.
    bucket.put_object(Bucket=name, Key=first_key, Body=image_upload().read())
    with pytest.raises(TamperedStoredFile, match="not a sealed file"):
        default_storage.open(first.photo.name)


@pytest.mark.usefixtures("private_keyring")
def test_an_object_one_node_writes_another_node_reads(demo, login, bucket):
    target, client = _upload(login)
    jpeg = _served(client, target)
    # Another node: its own storage instance, nothing cached from this one, and a master key
    # rotation (the data keys re-wrapped, the old master key retired) in between.
    assert main(["keys", "rotate", "--retire-old"]) == 0
    vault.forget_keys()
    keyring.forget()
    other_node = SealedStorage("storages.backends.s3.S3Storage", bucket.kluis_options)
    with other_node.open(target.photo.name) as opened:
        assert opened.read() == jpeg
    # And what the other node writes, this one reads.
    written = other_node.save("photos/x/from-b.jpg", CompanyFile(b"node b", target.tenant_id))
    vault.forget_keys()
    assert default_storage.open(written).read() == b"node b"


@pytest.mark.django_db(transaction=True)  # a restore empties every table
def test_backup_and_restore_round_trip_with_files_on_s3(demo, login, bucket, backup_key, tmp_path):
    target, client = _upload(login)
    jpeg = _served(client, target)
    before = _objects(bucket)
    path, manifest = make_backup(tmp_path)
    assert set(manifest.files) == {target.photo.name}

    # Lose everything: the database and the bucket's objects.
    for key in before:
        bucket.delete_object(Bucket=bucket.kluis_bucket, Key=key)
    with transaction.atomic():
        empty_all("default")
    assert not Tenant.objects.exists() and not _objects(bucket)

    dry = restore_archive(path, dry_run=True, force=False)
    assert (dry.files_new, dry.files_same, dry.files_not_in_archive) == (1, 0, 0)
    report = restore_archive(path, dry_run=False, force=False)
    assert report.restored
    assert _objects(bucket) == before  # byte for byte: still sealed
    restored = Employee.objects.get(pk=target.pk)
    served = login("hr@demo-bv.test", "demo-bv").get(f"/people/{restored.pk}/photo/", secure=True)
    assert b"".join(served.streaming_content) == jpeg
    again = restore_archive(path, dry_run=True, force=True)
    assert (again.files_new, again.files_same, again.files_changed) == (0, 1, 0)


@pytest.fixture
def backup_key(settings: Any) -> Any:
    from pyrage import x25519

    identity = x25519.Identity.generate()
    settings.BACKUP_KEY = str(identity)
    settings.BACKUP_RECIPIENTS = ""
    return identity


@pytest.mark.django_db(transaction=True)  # a restore empties every table
def test_moving_from_the_local_disk_to_s3_through_a_backup_seals_older_photos(
    demo, login, bucket, backup_key, tmp_path, settings
):
    # Before: files on the local disk, one photo stored before sealing (a plain JPEG).
    on_s3 = settings.STORAGES
    settings.STORAGES = {
        **on_s3,
        "default": {"BACKEND": "kluis.crypto.stored_files.SealedStorage", "OPTIONS": {}},
    }
    settings.MEDIA_ROOT = tmp_path / "media"
    target = Employee.objects.get(work_email="member1@demo-bv.test")
    legacy = image_upload().read()
    (tmp_path / "media" / "photos" / "2025").mkdir(parents=True)
    (tmp_path / "media" / "photos" / "2025" / "old.jpg").write_bytes(legacy)
    Employee.objects.filter(pk=target.pk).update(photo="photos/2025/old.jpg")
    path, _manifest = make_backup(tmp_path)

    # After: a new node with KLUIS_STORAGE_URL, the archive restored onto it.
    settings.STORAGES = on_s3
    with transaction.atomic():
        empty_all("default")
    restore_archive(path, dry_run=False, force=False)
    stored = _objects(bucket)[f"{PREFIX}/photos/2025/old.jpg"]
    assert stored.startswith(MAGIC) and legacy[:64] not in stored
    served = login("hr@demo-bv.test", "demo-bv").get(f"/people/{target.pk}/photo/", secure=True)
    assert b"".join(served.streaming_content) == legacy
