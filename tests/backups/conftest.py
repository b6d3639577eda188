"""Backup tests: a backup key of their own and a MEDIA_ROOT in a temporary directory."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyrage import x25519


@pytest.fixture
def backup_key(settings):  # type: ignore[no-untyped-def]
    identity = x25519.Identity.generate()
    settings.BACKUP_KEY = str(identity)
    settings.BACKUP_RECIPIENTS = ""
    return identity


@pytest.fixture
def media(settings, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    root = tmp_path / "media"
    (root / "photos").mkdir(parents=True)
    (root / "photos" / "a.jpg").write_bytes(b"\xff\xd8 a photo " * 50)
    settings.MEDIA_ROOT = root
    return root
