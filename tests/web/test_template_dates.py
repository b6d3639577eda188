"""One date format per language stays true: no template shows a date through Django's
`|date:"..."` (or `.isoformat`) where people read it; they use `|kluis_date`,
`|kluis_datetime` or `|kluis_month` (kluis/web/templatetags/kluis_ui.py). `|date:` is for
machines only: a machine format (ISO) inside an attribute (a <time> element's `datetime`,
a form field's value, a link's query), or a part that is no date (a weekday's name, a
day's number, a time of day)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# ISO forms, for machines: allowed inside an attribute's value only.
MACHINE = {"c", "Y-m-d", "Y-m", r"Y-m-d\TH:i", "U"}
# Not a date, allowed anywhere: the weekday's name (calendar headers), the day's number in
# a calendar cell, a time of day.
PARTS = {"D", "l", "j", "H:i", "H:i:s"}
# Uses left to other areas, to be moved to the shared filters by their owners (remove the
# entry then): (template, format).

ATTRIBUTE = re.compile(r'\s[\w:.@-]+="([^"]*)"')
DATE_FILTER = re.compile(r"""\|date\b(?::(?:'([^']*)'|"([^"]*)"))?""")
ISOFORMAT = re.compile(r"\.isoformat\b")


def date_uses(source: str) -> list[tuple[str | None, bool]]:
    """(format or None for the bare `|date`, inside an attribute?) for every use."""
    spans = [m.span(1) for m in ATTRIBUTE.finditer(source)]

    def inside(at: int) -> bool:
        return any(start <= at < end for start, end in spans)

    uses: list[tuple[str | None, bool]] = []
    for found in DATE_FILTER.finditer(source):
        fmt = found.group(1) if found.group(1) is not None else found.group(2)
        uses.append((fmt, inside(found.start())))
    uses += [("isoformat", inside(found.start())) for found in ISOFORMAT.finditer(source)]
    return uses


def wrong_uses(source: str) -> list[str]:
    """The uses that show a date to people other than through the shared filters."""
    wrong = []
    for fmt, in_attribute in date_uses(source):
        if fmt in PARTS:
            continue
        if (fmt in MACHINE or fmt == "isoformat") and in_attribute:
            continue
        wrong.append(f"|date:{fmt!r}" if fmt not in (None, "isoformat") else str(fmt))
    return wrong


def templates() -> list[Path]:
    found: list[Path] = []
    for folder in (ROOT / "kluis").rglob("templates"):
        if folder.is_dir():
            found += [p for p in folder.rglob("*") if p.suffix in {".html", ".txt"}]
    return sorted(found)


def test_the_scanner_tells_a_date_for_people_from_one_for_machines():
    assert wrong_uses('<h2>{{ month|date:"F Y" }}</h2>') == ["|date:'F Y'"]
    assert wrong_uses("<p>{{ day|date }}</p>") == ["None"]
    assert wrong_uses("<td>{{ flag.expires|date:'Y-m-d' }}</td>") == ["|date:'Y-m-d'"]
    assert wrong_uses("<p>{{ d.isoformat }}</p>") == ["isoformat"]
    assert wrong_uses("{% blocktranslate with m=month|date:'F Y' %}{{ m }}{% endblocktranslate %}")
    assert wrong_uses("<abbr title=\"{{ day|date:'l j F Y' }}\">") == ["|date:'l j F Y'"]
    machine = (
        "<time datetime=\"{{ e.at|date:'c' }}\">{{ e.at|kluis_datetime }}</time>"
        '<input type="date" value="{{ as_of|date:\'Y-m-d\' }}">'
        "<a href=\"{% url 'x' %}?month={{ m|date:'Y-m' }}\">"
        '<th><abbr title="{{ w|date:\'l\' }}">{{ w|date:"D" }}</abbr></th>'
    )
    assert wrong_uses(machine) == []


def test_no_template_shows_a_date_but_through_the_shared_filters():
    assert templates(), "no templates found"
    problems = []
    for path in templates():
        name = path.relative_to(ROOT).as_posix()
        source = path.read_text(encoding="utf-8")
        problems.extend(f"{name}: {use}" for use in wrong_uses(source))
    assert problems == [], (
        "Show dates with |kluis_date, |kluis_datetime or |kluis_month "
        "(|date: only for machines, inside an attribute):\n" + "\n".join(problems)
    )
