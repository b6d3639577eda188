"""One date format per language: the format modules (kluis/formats/<language>/formats.py,
FORMAT_MODULE_PATH) and `day_text`, the one way code writes a day into a text (a message, a
caption, a label), as the `|kluis_date` filter shows it on a page."""

from __future__ import annotations

import datetime as dt

from django.utils import formats


def day_text(day: dt.date) -> str:
    """A day in the active language's one date format ("1 January 1900", "1 januari 1900")."""
    return formats.date_format(day, "DATE_FORMAT")
