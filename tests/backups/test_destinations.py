"""Archives put, listed, fetched and deleted in a local directory and in S3-compatible
storage (a real server on loopback), by the same four operations."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any

import pytest

from kluis.backups import destinations
from kluis.backups.destinations import DestinationError, archive_name, taken_at
from tests.backups.s3_fixtures import s3_endpoint_fixture, s3_settings_fixture  # noqa: F401

AT = dt.datetime(2026, 12, 7, 2, 0, 5, tzinfo=dt.UTC)


def _archive(tmp_path: Path, content: bytes) -> Path:
    path = tmp_path / "made.bin"
    path.write_bytes(content)
    return path


def _round_trip(destination: destinations.Destination, tmp_path: Path) -> None:
    older = archive_name(AT - dt.timedelta(days=1), "kluisbackup")
    newer = archive_name(AT, "kluisbackup")
    destination.put(newer, _archive(tmp_path, b"new archive " * 1000))
    destination.put(older, _archive(tmp_path, b"old"))
    listed = destination.list()
    assert [a.name for a in listed] == [older, newer]  # names sort by time
    assert [a.size for a in listed] == [3, 12000]
    fetched = destination.get(newer)
    try:
        assert fetched.read_bytes() == b"new archive " * 1000
    finally:
        fetched.unlink()
    destination.delete(older)
    assert [a.name for a in destination.list()] == [newer]
    with pytest.raises(DestinationError):
        destination.get(older)


def test_names_sort_by_the_instant_they_were_taken() -> None:
    name = archive_name(AT.astimezone(dt.timezone(dt.timedelta(hours=1))), ".kluisbackup")
    assert name == "kluis-20261207T020005000000Z.kluisbackup"
    assert taken_at(name) == AT
    assert taken_at("kluis-20261207T020005123456Z.kluisbackup") == AT.replace(microsecond=123456)
    assert taken_at("kluis-20261207T020005Z.kluisbackup") == AT
    assert taken_at("notes.txt") is None
    assert taken_at("kluis-2026.kluisbackup") is None


def test_a_local_directory_keeps_archives_whole_and_private(tmp_path: Path) -> None:
    local = destinations.LocalDirectory(tmp_path / "backups")
    _round_trip(local, tmp_path)
    stored = next((tmp_path / "backups").iterdir())
    assert stored.stat().st_mode & 0o077 == 0
    (tmp_path / "backups" / "someone-elses.txt").write_text("x")
    assert len(local.list()) == 1  # only archives are listed


def test_a_name_is_never_a_way_out_of_the_directory_or_prefix(tmp_path: Path) -> None:
    local = destinations.LocalDirectory(tmp_path / "backups")
    for name in ("../secret_key", "kluis-20261207T020005Z.x/../../a", ""):
        with pytest.raises(DestinationError):
            local.put(name, _archive(tmp_path, b"x"))
        with pytest.raises(DestinationError):
            local.delete(name)


def test_s3_put_list_get_delete_against_a_real_s3_server(
    s3_settings: dict[str, str], tmp_path: Path, caplog: Any
) -> None:
    caplog.set_level(logging.DEBUG)
    bucket = destinations.s3_bucket()
    _round_trip(bucket, tmp_path)
    keys = bucket.client.list_objects_v2(Bucket=s3_settings["BACKUP_S3_BUCKET"])["Contents"]
    assert [k["Key"] for k in keys] == ["nightly/" + archive_name(AT, "kluisbackup")]
    # Nothing logged the secret, even at DEBUG.
    assert s3_settings["BACKUP_S3_SECRET_KEY"] not in caplog.text


def test_a_missing_bucket_is_one_clear_line_without_the_credentials(
    s3_settings: dict[str, str], settings: Any, tmp_path: Path
) -> None:
    settings.BACKUP_S3_BUCKET = "no-such-bucket"
    with pytest.raises(DestinationError) as failure:
        destinations.s3_bucket().put(archive_name(AT, "x"), _archive(tmp_path, b"x"))
    message = str(failure.value)
    assert message.startswith("s3: cannot store") and "no-such-bucket" in message
    assert "NoSuchBucket" in message
    assert s3_settings["BACKUP_S3_SECRET_KEY"] not in message
    assert s3_settings["BACKUP_S3_ACCESS_KEY"] not in message


def test_both_destinations_at_once_when_configured(
    s3_settings: dict[str, str], settings: Any, tmp_path: Path
) -> None:
    settings.BACKUP_DIR = str(tmp_path / "here")
    settings.BACKUP_DESTINATIONS = ["local", "s3"]
    assert [d.label for d in destinations.configured()] == ["local", "s3"]
    settings.BACKUP_DESTINATIONS = ["s3"]
    assert [d.label for d in destinations.configured()] == ["s3"]
    settings.BACKUP_DESTINATIONS = ["local"]
    settings.BACKUP_DIR = ""
    (only,) = destinations.configured()
    assert isinstance(only, destinations.LocalDirectory)
    assert only.root == (settings.DATA_DIR / "backups").resolve()
