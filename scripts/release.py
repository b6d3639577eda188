#!/usr/bin/env python3
"""Cut a release: `scripts/release.py 0.3.0` (run from anywhere, with the project's Python).

1. reads and checks every fragment in changes/ (kluis/releases/fragments.py): nothing is
   written when one is wrong;
2. writes the in-app notes to kluis/releases/notes/<version>.json (shipped in the package);
3. runs `towncrier build --version <version> --yes`: CHANGELOG.md gets the release and the
   fragments are removed (`git rm` in a git checkout);
4. sets the version in pyproject.toml and kluis/__init__.py.

Options: --date YYYY-MM-DD (default today), --root DIR (another checkout, for tests),
--draft (print what CHANGELOG.md and the notes would get; change nothing).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kluis.releases.fragments import FragmentError, collect, parse_version  # noqa: E402

NOTES_DIR = Path("kluis/releases/notes")
_PROJECT_VERSION = re.compile(r'^(version = ")([^"]+)(")$', re.MULTILINE)
_PACKAGE_VERSION = re.compile(r'^(__version__ = ")([^"]+)(")$', re.MULTILINE)


class ReleaseError(Exception):
    pass


def current_version(root: Path) -> str:
    match = _PACKAGE_VERSION.search((root / "kluis/__init__.py").read_text(encoding="utf-8"))
    if match is None:
        raise ReleaseError("kluis/__init__.py has no __version__ line")
    return match.group(2)


def _set_version(path: Path, pattern: re.Pattern[str], version: str) -> None:
    text = path.read_text(encoding="utf-8")
    new, count = pattern.subn(lambda m: f"{m.group(1)}{version}{m.group(3)}", text, count=1)
    if count != 1:
        raise ReleaseError(f"{path}: no version line to set")
    path.write_text(new, encoding="utf-8")


def notes_document(version: str, date: dt.date, root: Path) -> dict[str, object]:
    fragments = collect(root / "changes")
    if not fragments:
        raise ReleaseError("changes/ holds no fragments: nothing to release")
    return {
        "version": version,
        "date": date.isoformat(),
        "items": [f.as_note() for f in fragments],
    }


def _towncrier(root: Path, version: str, date: dt.date, draft: bool) -> str:
    command = [
        sys.executable,
        "-m",
        "towncrier",
        "build",
        "--version",
        version,
        "--date",
        date.isoformat(),
        "--draft" if draft else "--yes",
    ]
    result = subprocess.run(command, cwd=root, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise ReleaseError(f"towncrier failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def release(root: Path, version: str, date: dt.date, *, draft: bool = False) -> str:
    """Cut `version` in the checkout at `root`; returns what towncrier printed."""
    try:
        wanted = parse_version(version)
    except FragmentError as error:
        raise ReleaseError(str(error)) from None
    now = current_version(root)
    if wanted <= parse_version(now):
        raise ReleaseError(f"{version} is not after the current version {now}")
    target = root / NOTES_DIR / f"{version}.json"
    if target.exists():
        raise ReleaseError(f"{target.relative_to(root)} exists already")
    try:
        document = notes_document(version, date, root)
    except FragmentError as error:
        raise ReleaseError(str(error)) from None
    if draft:
        return _towncrier(root, version, date, True) + json.dumps(
            document, indent=2, ensure_ascii=False
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", "utf-8")
    try:
        output = _towncrier(root, version, date, False)
    except ReleaseError:
        target.unlink()
        raise
    _set_version(root / "pyproject.toml", _PROJECT_VERSION, version)
    _set_version(root / "kluis/__init__.py", _PACKAGE_VERSION, version)
    return output


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Cut a Kluis release from changes/.")
    parser.add_argument("version", help="the new version, like 0.3.0")
    parser.add_argument("--date", type=dt.date.fromisoformat, default=dt.date.today())
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout (default: this)")
    parser.add_argument("--draft", action="store_true", help="print, change nothing")
    args = parser.parse_args(argv)
    try:
        output = release(args.root.resolve(), args.version, args.date, draft=args.draft)
    except ReleaseError as error:
        print(f"release: {error}", file=sys.stderr)
        return 1
    print(output)
    if not args.draft:
        print(f"Released {args.version}: CHANGELOG.md, {NOTES_DIR}/{args.version}.json, versions.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
