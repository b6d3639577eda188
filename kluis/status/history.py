"""Ninety days of uptime per component: the day rows the sampler counts, read back as day
bars (share of good samples) and an uptime percentage."""

from __future__ import annotations

import datetime as dt
from typing import Any

from kluis.status.components import KEYS
from kluis.status.models import ComponentDay

DAYS = 90
Counts = dict[str, dict[str, tuple[int, int]]]  # component -> ISO day -> (good, total)


def window(today: dt.date) -> list[dt.date]:
    return [today - dt.timedelta(days=offset) for offset in range(DAYS - 1, -1, -1)]


def counts(today: dt.date) -> Counts:
    """The counters of the 90 days up to `today` from the database."""
    found: Counts = {key: {} for key in KEYS}
    rows = ComponentDay.objects.filter(
        day__gt=today - dt.timedelta(days=DAYS), day__lte=today, component__in=KEYS
    ).values_list("component", "day", "good", "total")
    for component, day, good, total in rows:
        found[component][day.isoformat()] = (good, total)
    return found


def level(good: int, total: int) -> str:
    """The colour class of a day: how large a share of its samples were good."""
    if total == 0:
        return "none"
    share = good / total
    if share >= 0.999:
        return "up"
    if share >= 0.99:
        return "minor"
    if share >= 0.95:
        return "partial"
    return "down"


def bars(found: Counts, today: dt.date) -> dict[str, dict[str, Any]]:
    """For each component its 90 days (oldest first) and its uptime over them."""
    days = window(today)
    result: dict[str, dict[str, Any]] = {}
    for key in KEYS:
        cells = []
        good_sum = total_sum = 0
        for day in days:
            good, total = found.get(key, {}).get(day.isoformat(), (0, 0))
            good_sum += good
            total_sum += total
            cells.append(
                {
                    "day": day,
                    "good": good,
                    "total": total,
                    "percent": round(100 * good / total, 2) if total else None,
                    "level": level(good, total),
                }
            )
        uptime = round(100 * good_sum / total_sum, 2) if total_sum else None
        result[key] = {"days": cells, "uptime": uptime}
    return result


def to_json(found: Counts) -> dict[str, list[list[Any]]]:
    return {
        key: [[day, g, t] for day, (g, t) in sorted(days.items())] for key, days in found.items()
    }


def from_json(data: Any) -> Counts:
    found: Counts = {key: {} for key in KEYS}
    if not isinstance(data, dict):
        return found
    for key in KEYS:
        for row in data.get(key) or []:
            try:
                day, good, total = str(row[0]), int(row[1]), int(row[2])
                dt.date.fromisoformat(day)
            except (TypeError, ValueError, IndexError):
                continue
            found[key][day] = (good, total)
    return found
