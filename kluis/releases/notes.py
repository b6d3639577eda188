"""The released notes shipped in the package (kluis/releases/notes/<version>.json, written
by scripts/release.py), read once per process: they only change with the code."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import kluis
from kluis.releases.fragments import TYPES, FragmentError, parse_version

NOTES_DIR = Path(__file__).resolve().parent / "notes"


@dataclass(frozen=True)
class Note:
    type: str
    audience: frozenset[str]
    text: dict[str, str]

    def in_language(self, language: str) -> str:
        """The text in `language` ("nl", "nl-be"...) when the note has it, else English."""
        return self.text.get(language.split("-")[0].lower()) or self.text["en"]


@dataclass(frozen=True)
class Release:
    version: str
    date: str
    notes: tuple[Note, ...]

    @property
    def key(self) -> tuple[int, int, int]:
        return parse_version(self.version)


def _read(path: Path) -> Release:
    data = json.loads(path.read_text(encoding="utf-8"))
    notes = tuple(
        Note(type=item["type"], audience=frozenset(item["audience"]), text=dict(item["text"]))
        for item in data["items"]
    )
    return Release(version=data["version"], date=data["date"], notes=notes)


@cache
def _releases(directory: Path) -> tuple[Release, ...]:
    found = [_read(path) for path in directory.glob("*.json")]
    return tuple(sorted(found, key=lambda r: r.key, reverse=True))


def releases() -> tuple[Release, ...]:
    """Every release, newest first."""
    return _releases(NOTES_DIR)


def current_version() -> str:
    return kluis.__version__


def for_audiences(release: Release, audiences: frozenset[str]) -> list[Note]:
    """The notes of `release` that concern someone in `audiences`, ordered by type."""
    mine = [n for n in release.notes if n.audience & audiences]
    return sorted(mine, key=lambda n: TYPES.index(n.type))


def version_key(version: str | None) -> tuple[int, int, int] | None:
    """`version` for comparing; None when it is none or not a version at all."""
    try:
        return parse_version(version) if version else None
    except FragmentError:
        return None


def newer_than(version: str | None) -> list[Release]:
    """Releases after `version` up to the running one (None, or not a version: only the
    running release)."""
    top = parse_version(current_version())
    every = [r for r in releases() if r.key <= top]
    seen = version_key(version)
    if seen is None:
        return every[:1] if every and every[0].key == top else []
    return [r for r in every if r.key > seen]
