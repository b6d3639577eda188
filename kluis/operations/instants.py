"""Reading an instant (ISO 8601 date and time) that a person or a machine typed."""

from __future__ import annotations

import datetime as dt

from django.utils.dateparse import parse_datetime


def parse_instant(raw: str, *, naive_zone: dt.tzinfo | None = None) -> dt.datetime | None:
    """`raw` as an aware datetime in UTC, or None when it is not a usable instant.

    None for anything malformed, an impossible date (month 13), a time without its zone
    (unless `naive_zone` says how to read one) and an instant outside the years 1-9999
    once it is in UTC. Always UTC because databases do not take every offset Python does
    (PostgreSQL refuses offsets of 16 hours and more, e.g. `+23:25`)."""
    try:
        moment = parse_datetime(raw)
        if moment is None:
            return None
        if moment.tzinfo is None:
            if naive_zone is None:
                return None
            moment = moment.replace(tzinfo=naive_zone)
        return moment.astimezone(dt.UTC)
    except (ValueError, OverflowError):
        return None
