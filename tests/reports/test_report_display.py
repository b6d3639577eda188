"""How a report page reads (QA walk of issue 17): numeric column headers aligned like
their numbers, a left-out figure as a short mark explained once per row and once under
the table (and an empty CSV cell with one note), and days in the reader's date format."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from django.utils import translation

SUPPRESSED_MARK = "\u2014"  # an em dash

pytestmark = pytest.mark.django_db

HR = "hr@rapport.test"
CSS = Path(__file__).resolve().parents[2] / "kluis/reports/static/reports/reports.css"


def text_of(response) -> str:
    return b"".join(response.streaming_content).decode("utf-8-sig")


def test_numeric_column_headers_are_aligned_right_like_their_cells(sign_in):
    page = sign_in(HR).get("/reports/headcount/", {"to": "2025-12", "months": "12"})
    html = page.content.decode()
    head = re.search(r"<thead>(.*?)</thead>", html, re.S).group(1)
    headers = re.findall(r'<th scope="col"( class="kluis-report-num")?>', head)
    assert headers[0] == "" and headers[1:] and all(headers[1:])  # the row labels stay left
    rules = CSS.read_text()
    assert re.search(r"th\.kluis-report-num[^{]*\{[^}]*text-align: right", rules)


def test_a_suppressed_row_shows_a_short_mark_explained_once(sign_in):
    html = sign_in(HR).get("/reports/age/", {"on": "2025-06-01"}).content.decode()
    sales = re.search(r"<tr><th scope=\"row\">Sales(.*?)</tr>", html, re.S).group(1)
    cells = re.findall(r"<td>(.*?)</td>", sales)
    assert cells == [SUPPRESSED_MARK] * 7 + ["4"]
    # One explanation on the row's header (for screen readers), one note under the table.
    assert sales.count("fewer than 5 people: not shown") == 1
    assert 'href="#report-suppressed-note"' in sales
    assert html.count("fewer than 5 people: not shown") == 1
    assert 'id="report-suppressed-note"' in html
    # No left-out figure: no marks, no note.
    whole = sign_in(HR).get("/reports/age/", {"on": "2025-12-31"}).content.decode()
    assert "report-suppressed-note" not in whole and SUPPRESSED_MARK not in whole


def test_the_csv_leaves_suppressed_cells_empty_with_one_note(sign_in):
    response = sign_in(HR).get("/reports/age/export.csv", {"on": "2025-06-01"})
    reader = csv.DictReader(io.StringIO(text_of(response)))
    assert reader.fieldnames[-1] == "note"
    rows = {row["department"]: row for row in reader}
    sales = rows["Sales"]
    assert [sales[k] for k in ("under_25", "35_44", "unknown")] == ["", "", ""]
    assert sales["people"] == "4" and sales["note"] == "fewer than 5 people: not shown"
    assert rows["Engineering"]["note"] == "" and rows["Engineering"]["35_44"] == "3"
    shown = sign_in(HR).get("/reports/age/export.csv", {"on": "2025-12-31"})
    assert "note" not in text_of(shown).splitlines()[0]


@pytest.mark.parametrize(
    ("language", "day", "iso"),
    [("en", "31 December 2025", "2025-12-31"), ("nl", "31 december 2025", "2025-12-31")],
)
@pytest.mark.parametrize("key", ["age", "tenure", "contracts"])
def test_days_in_captions_and_notes_follow_the_readers_date_format(
    sign_in, key, language, day, iso
):
    with translation.override("en"):  # the request's language stays with the request
        response = sign_in(HR).get(
            f"/reports/{key}/", {"on": "2025-12-31"}, headers={"accept-language": language}
        )
    html = response.content.decode()
    notes = re.search(r'data-testid="report-notes">(.*?)</ul>', html, re.S).group(1)
    assert day in notes
    text = re.sub(r'<[^>]+>|value="[^"]*"', " ", html.split("<h1>", 1)[1])
    assert iso not in text
