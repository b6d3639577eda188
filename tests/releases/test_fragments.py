"""Changelog fragments: what a valid one is, and every way one is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from kluis.releases.fragments import FragmentError, collect, parse, parse_version

VALID = """+++
audience = ["employee", "manager", "employee"]
nl = "Vraag verlof aan."
fr = "Demandez un congé."
+++
Request leave
from the calendar.
"""


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_fragment_gives_its_type_audience_and_texts(tmp_path: Path) -> None:
    fragment = parse(write(tmp_path, "leave-preview.feature.md", VALID))
    assert fragment.slug == "leave-preview"
    assert fragment.type == "feature"
    assert fragment.audience == ("employee", "manager")  # duplicates dropped, order kept
    assert fragment.text == {
        "en": "Request leave\nfrom the calendar.",
        "nl": "Vraag verlof aan.",
        "fr": "Demandez un congé.",
    }


def test_translations_are_optional(tmp_path: Path) -> None:
    text = '+++\naudience = ["hr"]\n+++\nExport the month.\n'
    fragment = parse(write(tmp_path, "export.improvement.md", text))
    assert fragment.text == {"en": "Export the month."}
    assert fragment.as_note() == {
        "type": "improvement",
        "audience": ["hr"],
        "text": {"en": "Export the month."},
    }


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("x.feature.txt", VALID, "named <slug>.<type>.md"),
        ("x.feat.md", VALID, "unknown type 'feat'"),
        ("Big_Slug.fix.md", VALID, "slug may hold"),
        ("x.fix.md", "Just text.\n", "front matter block"),
        ("x.fix.md", '+++\naudience = ["hr"]\nText without end.\n', "front matter block"),
        ("x.fix.md", "+++\naudience = hr\n+++\nText.\n", "not valid TOML"),
        ("x.fix.md", '+++\naudience = ["hr"]\n+++\n\n', "English text"),
        ("x.fix.md", "+++\naudience = []\n+++\nText.\n", "audience is a non-empty list"),
        ("x.fix.md", '+++\naudience = ["boss"]\n+++\nText.\n', "audience is a non-empty list"),
        ("x.fix.md", '+++\naudience = ["hr"]\nde = "Text"\n+++\nText.\n', "unknown front"),
        ("x.fix.md", '+++\naudience = ["hr"]\nnl = ""\n+++\nText.\n', "nl is a non-empty"),
        ("x.fix.md", '+++\naudience = ["hr"]\n+++\nA +++ B.\n', "may not contain"),
    ],
)
def test_a_wrong_fragment_is_refused_naming_the_file(
    tmp_path: Path, name: str, text: str, message: str
) -> None:
    with pytest.raises(FragmentError) as caught:
        parse(write(tmp_path, name, text))
    assert name in str(caught.value)
    assert message in str(caught.value)


def test_collect_orders_by_type_then_slug_and_leaves_the_readme(tmp_path: Path) -> None:
    write(tmp_path, "README.md", "# How to write fragments\n")
    write(tmp_path, "template.md.jinja", "{{ text }}")
    write(tmp_path, "b.fix.md", '+++\naudience = ["hr"]\n+++\nB.\n')
    write(tmp_path, "z.feature.md", '+++\naudience = ["hr"]\n+++\nZ.\n')
    write(tmp_path, "a.security.md", '+++\naudience = ["hr"]\n+++\nA.\n')
    write(tmp_path, "c.feature.md", '+++\naudience = ["hr"]\n+++\nC.\n')
    assert [(f.slug, f.type) for f in collect(tmp_path)] == [
        ("c", "feature"),
        ("z", "feature"),
        ("b", "fix"),
        ("a", "security"),
    ]


def test_a_typo_in_a_fragment_name_is_an_error_not_a_silent_skip(tmp_path: Path) -> None:
    write(tmp_path, "x.fixed.md", '+++\naudience = ["hr"]\n+++\nB.\n')
    with pytest.raises(FragmentError, match="unknown type 'fixed'"):
        collect(tmp_path)


def test_versions() -> None:
    assert parse_version("0.10.2") == (0, 10, 2)
    assert parse_version("0.10.2") > parse_version("0.9.9")
    for wrong in ("1.2", "v1.2.3", "1.2.3rc1", ""):
        with pytest.raises(FragmentError):
            parse_version(wrong)
