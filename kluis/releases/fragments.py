"""Changelog fragments: one file per change users notice, in `changes/`.

A fragment is named `<slug>.<type>.md` and holds a TOML front matter block between two
`+++` lines, then the English text (what towncrier writes into CHANGELOG.md):

    +++
    audience = ["employee", "manager"]
    nl = "Dutch text"
    fr = "French text"
    +++
    English text.

Plain Python (no Django): `scripts/release.py` reads fragments with it before Django exists.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

# The order is the order of the sections in CHANGELOG.md and in the app.
TYPES = ("feature", "improvement", "fix", "security")
# Who a note concerns; kluis/releases/audiences.py says which roles each one means.
AUDIENCES = ("everyone", "employee", "manager", "hr", "owner", "auditor", "integrator", "operator")
LANGUAGES = ("en", "nl", "fr")
DELIMITER = "+++"
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
_VERSION = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")


class FragmentError(ValueError):
    """A fragment that cannot be released; the message names the file and what is wrong."""


@dataclass(frozen=True)
class Fragment:
    slug: str
    type: str
    audience: tuple[str, ...]
    text: dict[str, str] = field(default_factory=dict)  # language -> text ("en" always)

    def as_note(self) -> dict[str, object]:
        return {"type": self.type, "audience": list(self.audience), "text": dict(self.text)}


def parse_version(version: str) -> tuple[int, int, int]:
    match = _VERSION.match(version)
    if match is None:
        raise FragmentError(f"{version!r} is not a version like 1.2.3")
    major, minor, patch = (int(part) for part in match.groups())
    return major, minor, patch


def parse(path: Path) -> Fragment:
    """The fragment in `path`, or FragmentError saying what is wrong with it."""
    name = path.name
    parts = name.split(".")
    if len(parts) != 3 or parts[2] != "md":
        raise FragmentError(f"{name}: a fragment is named <slug>.<type>.md")
    slug, kind = parts[0], parts[1]
    if not _SLUG.match(slug):
        raise FragmentError(f"{name}: the slug may hold a-z, 0-9 and '-' only")
    if kind not in TYPES:
        raise FragmentError(f"{name}: unknown type {kind!r} (one of {', '.join(TYPES)})")
    lines = path.read_text(encoding="utf-8").strip().splitlines()
    if (
        not lines
        or lines[0].strip() != DELIMITER
        or DELIMITER not in (line.strip() for line in lines[1:])
    ):
        raise FragmentError(f"{name}: starts with a front matter block between '+++' lines")
    end = next(i for i in range(1, len(lines)) if lines[i].strip() == DELIMITER)
    try:
        meta = tomllib.loads("\n".join(lines[1:end]))
    except tomllib.TOMLDecodeError as error:
        raise FragmentError(f"{name}: front matter is not valid TOML ({error})") from None
    english = "\n".join(lines[end + 1 :]).strip()
    if not english:
        raise FragmentError(f"{name}: the English text after the front matter is empty")
    if DELIMITER in english:
        raise FragmentError(f"{name}: the text may not contain '+++'")
    unknown = set(meta) - {"audience", *LANGUAGES[1:]}
    if unknown:
        raise FragmentError(f"{name}: unknown front matter keys {sorted(unknown)}")
    audience = meta.get("audience")
    if (
        not isinstance(audience, list)
        or not audience
        or not all(isinstance(a, str) and a in AUDIENCES for a in audience)
    ):
        raise FragmentError(f"{name}: audience is a non-empty list of {', '.join(AUDIENCES)}")
    text = {"en": english}
    for language in LANGUAGES[1:]:
        value = meta.get(language)
        if value is None:
            continue
        if not isinstance(value, str) or not value.strip():
            raise FragmentError(f"{name}: {language} is a non-empty text")
        text[language] = value.strip()
    return Fragment(slug=slug, type=kind, audience=tuple(dict.fromkeys(audience)), text=text)


def collect(directory: Path) -> list[Fragment]:
    """Every fragment in `directory`, in release order (type, then slug). Other files
    (README.md, the towncrier template) are left alone; a file that looks like a fragment
    of an unknown type is an error, so a typo is not silently left out of a release."""
    fragments = []
    for path in sorted(directory.glob("*.md")):
        if path.name.lower() == "readme.md":
            continue
        fragments.append(parse(path))
    return sorted(fragments, key=lambda f: (TYPES.index(f.type), f.slug))
