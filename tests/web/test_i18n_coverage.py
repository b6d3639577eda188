"""Every message in Kluis's code and templates has a Dutch and a French translation.

The catalogue tests (test_i18n.py) prove that what the .po files hold is translated; this one
proves that they hold every message the code asks for: it extracts the messages the way
`makemessages` does (xgettext with Django's keywords over the Python sources, and over the
templates turned into Python by Django's own `templatize`) and fails on any message, with
its file and line, that a catalogue lacks. A string added without running makemessages and
translating it fails here, not in front of a Dutch or French user.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.utils.translation.template import templatize

KLUIS = Path(settings.BASE_DIR) / "kluis"
LOCALE_DIR = KLUIS / "locale"
LANGUAGES = ("nl", "fr")
# The keywords `makemessages` passes to xgettext for the "django" domain (besides xgettext's
# own Python keywords: _, gettext, ngettext).
KEYWORDS = (
    "--keyword=gettext_noop",
    "--keyword=gettext_lazy",
    "--keyword=ngettext_lazy:1,2",
    "--keyword=pgettext:1c,2",
    "--keyword=npgettext:1c,2,3",
    "--keyword=pgettext_lazy:1c,2",
    "--keyword=npgettext_lazy:1c,2,3",
)
TEMPLATE_SUFFIXES = (".html", ".txt")

Key = tuple[str, str]  # (context, msgid)


def _entries(text: str) -> dict[Key, list[str]]:
    """The messages of a .po/.pot text, keyed by context and msgid, with their references."""
    found: dict[Key, list[str]] = {}
    for block in text.split("\n\n"):
        fields: dict[str, str] = {}
        references: list[str] = []
        key = ""
        for line in block.splitlines():
            if line.startswith("#:"):
                references.extend(line[2:].split())
            elif line.startswith("#"):
                continue
            elif line.startswith('"') and key:
                fields[key] += json.loads(line)
            elif " " in line:
                key, _, value = line.partition(" ")
                fields[key] = json.loads(value)
        if fields.get("msgid"):
            found[(fields.get("msgctxt", ""), fields["msgid"])] = references
    return found


def _sources(tmp: Path) -> list[Path]:
    """The Python files as they are, and each template as the Python `templatize` makes of it."""
    files: list[Path] = []
    for path in sorted(KLUIS.rglob("*")):
        if "migrations" in path.parts or "locale" in path.parts or not path.is_file():
            continue
        if path.suffix == ".py":
            files.append(path)
        elif path.suffix in TEMPLATE_SUFFIXES and "templates" in path.parts:
            relative = path.relative_to(KLUIS)
            target = tmp / f"{relative}.py"
            target.parent.mkdir(parents=True, exist_ok=True)
            source = path.read_text(encoding="utf-8")
            target.write_text(templatize(source, origin=str(path)), encoding="utf-8")
            files.append(target)
    return files


@pytest.fixture(scope="module")
def messages_in_code(tmp_path_factory: pytest.TempPathFactory) -> dict[Key, list[str]]:
    xgettext = shutil.which("xgettext")
    if xgettext is None:
        pytest.skip("GNU gettext (xgettext) is not installed")
    tmp = tmp_path_factory.mktemp("messages")
    listing = tmp / "files.txt"
    listing.write_text("\n".join(str(p) for p in _sources(tmp)), encoding="utf-8")
    result = subprocess.run(
        [
            xgettext,
            "--language=Python",
            "--from-code=UTF-8",
            "--add-location",
            *KEYWORDS,
            "--files-from",
            str(listing),
            "--output=-",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    base, templates = f"{settings.BASE_DIR}/", f"{tmp}/"
    found = {
        key: [
            ref.replace(templates, "kluis/").replace(".html.py:", ".html:").replace(base, "")
            for ref in references
        ]
        for key, references in _entries(result.stdout).items()
    }
    assert len(found) > 500, "xgettext found almost no message: is the extraction broken?"
    return found


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_in_the_code_has_a_translation(
    messages_in_code: dict[Key, list[str]], language: str
) -> None:
    po = LOCALE_DIR / language / "LC_MESSAGES" / "django.po"
    catalogue = _entries(po.read_text(encoding="utf-8"))
    missing = sorted(set(messages_in_code) - set(catalogue))
    lines = [
        f"  {msgid!r}{f' (context {context!r})' if context else ''}"
        f" at {', '.join(messages_in_code[(context, msgid)][:2])}"
        for context, msgid in missing
    ]
    assert not missing, (
        f"{len(missing)} message(s) in the code have no {language} translation "
        "(run makemessages and translate them):\n" + "\n".join(lines[:40])
    )
