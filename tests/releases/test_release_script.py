"""scripts/release.py on a copy of the checkout: CHANGELOG.md from towncrier, the in-app
notes file, the version; nothing written when a fragment or the version is wrong."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "release.py"


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """What a release reads and writes, copied (no .git: towncrier deletes the fragments
    itself); the real fragments replaced by known ones."""
    root = tmp_path / "kluis-copy"
    (root / "kluis").mkdir(parents=True)
    shutil.copy(REPO / "kluis" / "__init__.py", root / "kluis" / "__init__.py")
    shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")
    shutil.copy(REPO / "CHANGELOG.md", root / "CHANGELOG.md")
    changes = root / "changes"
    changes.mkdir()
    shutil.copy(REPO / "changes" / "template.md.jinja", changes / "template.md.jinja")
    shutil.copy(REPO / "changes" / "README.md", changes / "README.md")
    (changes / "leave-preview.feature.md").write_text(
        '+++\naudience = ["employee"]\nnl = "Zie de dagen vooraf."\n+++\n'
        "See the days before you ask.\n",
        encoding="utf-8",
    )
    (changes / "payroll-export.fix.md").write_text(
        '+++\naudience = ["hr", "owner"]\nfr = "L\'export est juste."\n+++\n'
        "The payroll export is right.\n",
        encoding="utf-8",
    )
    return root


def run(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args, "--root", str(root), "--date", "2031-02-03"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def version_of(root: Path) -> str:
    text = (root / "kluis" / "__init__.py").read_text()
    return text.split('__version__ = "')[1].split('"')[0]


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_a_release_writes_the_changelog_the_notes_and_the_version(checkout: Path) -> None:
    old = version_of(checkout)
    new = "9.8.7"
    result = run(checkout, new)
    assert result.returncode == 0, result.stderr

    changelog = (checkout / "CHANGELOG.md").read_text()
    section = changelog.split("<!-- towncrier release notes start -->", 1)[1]
    assert section.lstrip("\n").startswith(f"## {new} (2031-02-03)\n")
    assert "### New\n\n- See the days before you ask.\n" in section
    assert "### Fixed\n\n- The payroll export is right.\n" in section
    # only the English text: no front matter, no translation, no fragment name
    for leftover in ("+++", "audience", "Zie de dagen", "L'export", "leave-preview"):
        assert leftover not in section

    notes = json.loads((checkout / "kluis/releases/notes" / f"{new}.json").read_text())
    assert notes == {
        "version": new,
        "date": "2031-02-03",
        "items": [
            {
                "type": "feature",
                "audience": ["employee"],
                "text": {"en": "See the days before you ask.", "nl": "Zie de dagen vooraf."},
            },
            {
                "type": "fix",
                "audience": ["hr", "owner"],
                "text": {"en": "The payroll export is right.", "fr": "L'export est juste."},
            },
        ],
    }
    assert version_of(checkout) == new
    assert f'\nversion = "{new}"\n' in (checkout / "pyproject.toml").read_text()
    assert old != new
    # the fragments are used up; the README and the template stay
    assert sorted(p.name for p in (checkout / "changes").iterdir()) == [
        "README.md",
        "template.md.jinja",
    ]


def test_the_next_release_goes_above_the_previous_one(checkout: Path) -> None:
    assert run(checkout, "9.8.7").returncode == 0
    (checkout / "changes" / "later.improvement.md").write_text(
        '+++\naudience = ["everyone"]\n+++\nFaster pages.\n', encoding="utf-8"
    )
    assert run(checkout, "9.9.0").returncode == 0
    changelog = (checkout / "CHANGELOG.md").read_text()
    assert changelog.index("## 9.9.0") < changelog.index("## 9.8.7")
    assert "### Improved\n\n- Faster pages." in changelog


@pytest.mark.parametrize(
    ("version", "message"),
    [("0.0.1", "is not after the current version"), ("1.2", "not a version like")],
)
def test_a_version_not_after_the_current_one_changes_nothing(
    checkout: Path, version: str, message: str
) -> None:
    before = snapshot(checkout)
    result = run(checkout, version)
    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(checkout) == before


def test_a_wrong_fragment_changes_nothing(checkout: Path) -> None:
    (checkout / "changes" / "oops.fix.md").write_text("No front matter.\n", encoding="utf-8")
    before = snapshot(checkout)
    result = run(checkout, "9.8.7")
    assert result.returncode == 1
    assert "oops.fix.md" in result.stderr
    assert snapshot(checkout) == before


def test_no_fragments_no_release(checkout: Path) -> None:
    for path in (checkout / "changes").glob("*.*.md"):
        path.unlink()
    result = run(checkout, "9.8.7")
    assert result.returncode == 1
    assert "nothing to release" in result.stderr


def test_a_draft_prints_and_changes_nothing(checkout: Path) -> None:
    before = snapshot(checkout)
    result = run(checkout, "9.8.7", "--draft")
    assert result.returncode == 0, result.stderr
    assert "- See the days before you ask." in result.stdout
    assert '"nl": "Zie de dagen vooraf."' in result.stdout
    assert snapshot(checkout) == before
