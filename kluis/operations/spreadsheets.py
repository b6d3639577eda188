"""The plumbing of every export file (the audit log, people, time off): cells no
spreadsheet will evaluate (CSV/formula injection), streamed CSV, an XLSX workbook that
writes text as text, and the download responses (an attachment, never cached).

What goes in the rows is each app's business; this module names no domain."""

from __future__ import annotations

import csv
import json
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import IO, Any

import xlsxwriter
from django.core.serializers.json import DjangoJSONEncoder
from django.http import FileResponse, HttpResponseBase, StreamingHttpResponse

# A cell starting with one of these is a formula to a spreadsheet.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
# Spreadsheets read a CSV file as UTF-8 when it starts with a byte-order mark.
BOM = "\ufeff"


def safe_cell(value: Any) -> str:
    """A CSV cell that no spreadsheet will evaluate (CSV/formula injection)."""
    if value is None:
        return ""
    if isinstance(value, dict | list):
        text = json.dumps(value, sort_keys=True, ensure_ascii=False, cls=DjangoJSONEncoder)
    else:
        text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


class Echo:
    """A file-like object whose write() hands the line back, for csv.writer."""

    def write(self, value: str) -> str:
        return value


def csv_lines(
    header: Sequence[str], rows: Iterable[Iterable[str]], *, bom: bool = True
) -> Iterator[str]:
    """The header, then one line a row of (already safe) cells; with a byte-order mark
    first unless bom=False."""
    writer = csv.writer(Echo())
    yield (BOM if bom else "") + writer.writerow(header)
    for row in rows:
        yield writer.writerow(row)


def as_download(response: HttpResponseBase, filename: str) -> HttpResponseBase:
    """The response as an attachment named `filename`, never cached."""
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def csv_response(lines: Iterator[str], filename: str) -> StreamingHttpResponse:
    """A streamed CSV download."""
    response = StreamingHttpResponse(lines, content_type=CSV_CONTENT_TYPE)
    as_download(response, filename)
    return response


def workbook(target: Any) -> xlsxwriter.Workbook:
    """A workbook that streams its rows and writes text as text: never as a formula, a
    link or a number."""
    return xlsxwriter.Workbook(
        target,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )


def header_row(book: xlsxwriter.Workbook, sheet: Any, names: Sequence[str]) -> None:
    """A bold first row of column names, frozen while scrolling."""
    bold = book.add_format({"bold": True})
    sheet.freeze_panes(1, 0)
    for index, name in enumerate(names):
        sheet.write_string(0, index, name, bold)


def xlsx_response(write: Callable[[IO[bytes]], None], filename: str) -> FileResponse:
    """An XLSX download: `write` fills an anonymous temporary file (gone from the file
    system at once, its space freed when the response closes it)."""
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115  (FileResponse closes it)
    try:
        write(handle)
        handle.seek(0)
    except BaseException:
        handle.close()
        raise
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE
    )
    response["Cache-Control"] = "no-store"
    return response
