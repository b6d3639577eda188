"""Releases of a test: three releases on disk, the running Kluis being the newest."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

import kluis
from kluis.releases import notes

OLD, MIDDLE, CURRENT = "0.1.5", "0.2.0", "0.3.0"

RELEASES = {
    OLD: [
        {"type": "feature", "audience": ["everyone"], "text": {"en": "Old news for all."}},
    ],
    MIDDLE: [
        {"type": "fix", "audience": ["hr"], "text": {"en": "HR export fixed."}},
        {"type": "feature", "audience": ["employee"], "text": {"en": "Middle self service."}},
    ],
    CURRENT: [
        {
            "type": "security",
            "audience": ["everyone"],
            "text": {"en": "Passkeys for all.", "nl": "Passkeys voor iedereen."},
        },
        {
            "type": "feature",
            "audience": ["employee"],
            "text": {
                "en": "Request leave faster.",
                "nl": "Sneller verlof aanvragen.",
                "fr": "Demander un congé plus vite.",
            },
        },
        {"type": "feature", "audience": ["manager"], "text": {"en": "Team inbox."}},
        {"type": "improvement", "audience": ["hr"], "text": {"en": "Salary history."}},
        {"type": "feature", "audience": ["operator"], "text": {"en": "Backups verified."}},
        {"type": "feature", "audience": ["integrator"], "text": {"en": "Webhook replay."}},
    ],
}
EMPLOYEE_NOTES = ["Request leave faster.", "Passkeys for all."]


@pytest.fixture
def releases(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    directory = tmp_path / "notes"
    directory.mkdir()
    for version, items in RELEASES.items():
        document = {"version": version, "date": f"2030-0{len(items)}-01", "items": items}
        (directory / f"{version}.json").write_text(json.dumps(document), encoding="utf-8")
    monkeypatch.setattr(notes, "NOTES_DIR", directory)
    monkeypatch.setattr(kluis, "__version__", CURRENT)
    yield directory
    notes._releases.cache_clear()
