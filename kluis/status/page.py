"""What the status page shows, from the database (live) or from the last-known state on
disk (the database unreachable): both go through `context()` as plain data."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.cache import cache
from django.utils import timezone

from kluis.status import components, history, incidents, snapshot
from kluis.status.components import COMPONENTS, STATE_LABELS
from kluis.status.models import Incident, State

CACHE_KEY = "kluis.status.page"
CACHE_SECONDS = 15
# Without the database nothing that needs it works; the backups keep their last state.
NEEDS_DATABASE = ("web", "api", "signin", "jobs", "webhooks", "database")


def live(now: dt.datetime | None = None) -> dict[str, Any]:
    """The page's data from the database, kept CACHE_SECONDS in the shared cache (the
    checks behind it are those of /health/ready)."""
    data = cache.get(CACHE_KEY)
    if data is None:
        now = now or timezone.now()
        today = now.astimezone(dt.UTC).date()
        data = {
            "written_at": now.isoformat(),
            "states": components.current(now),
            "days": history.to_json(history.counts(today)),
            "incidents": incidents.shown(now),
        }
        cache.set(CACHE_KEY, data, CACHE_SECONDS)
    return dict(data)


def offline() -> dict[str, Any]:
    """The last state the worker wrote, with the database (and what needs it) down."""
    data: dict[str, Any] = snapshot.read() or {}
    last = data.get("states")
    known: dict[str, Any] = last if isinstance(last, dict) else {}
    states = {key: str(known.get(key, State.UNKNOWN)) for key in components.KEYS}
    for key in NEEDS_DATABASE:
        states[key] = State.MAJOR
    return {
        "written_at": data.get("written_at"),
        "states": states,
        "days": data.get("days") or {},
        "incidents": data.get("incidents") or [],
        "offline": True,
    }


def _when(value: Any) -> dt.datetime | None:
    if not value:
        return None
    try:
        return dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None


def _incident(raw: dict[str, Any]) -> dict[str, Any]:
    kind = str(raw.get("kind", ""))
    return {
        "id": raw.get("id"),
        "kind": kind,
        "title": str(raw.get("title", "")),
        "status": raw.get("status"),
        "status_label": incidents.status_label(kind, str(raw.get("status", ""))),
        "impact": raw.get("impact"),
        "components": [
            str(components.NAMES[k]) for k in raw.get("components", []) if k in components.NAMES
        ],
        "starts_at": _when(raw.get("starts_at")),
        "ends_at": _when(raw.get("ends_at")),
        "resolved_at": _when(raw.get("resolved_at")),
        "updates": [
            {
                "status_label": incidents.status_label(kind, str(u.get("status", ""))),
                "message": str(u.get("message", "")),
                "created_at": _when(u.get("created_at")),
            }
            for u in raw.get("updates", [])
        ],
    }


def context(data: dict[str, Any], now: dt.datetime | None = None) -> dict[str, Any]:
    now = now or timezone.now()
    today = now.astimezone(dt.UTC).date()
    bars = history.bars(history.from_json(data.get("days")), today)
    states = data["states"]
    rows = []
    for component in COMPONENTS:
        state = states.get(component.key, State.UNKNOWN)
        rows.append(
            {
                "key": component.key,
                "name": component.name,
                "state": state,
                "state_label": STATE_LABELS.get(state, state),
                "uptime": bars[component.key]["uptime"],
                "days": bars[component.key]["days"],
            }
        )
    everything = [_incident(raw) for raw in data.get("incidents", []) if isinstance(raw, dict)]
    is_maintenance = Incident.Kind.MAINTENANCE
    overall = components.overall(states)
    return {
        "overall": overall,
        "overall_label": STATE_LABELS.get(overall, overall),
        "components": rows,
        "open_incidents": [
            i for i in everything if i["resolved_at"] is None and i["kind"] != is_maintenance
        ],
        "maintenance": [
            i for i in everything if i["resolved_at"] is None and i["kind"] == is_maintenance
        ],
        "past": [i for i in everything if i["resolved_at"] is not None],
        "written_at": _when(data.get("written_at")),
        "offline": bool(data.get("offline")),
        "first_day": today - dt.timedelta(days=history.DAYS - 1),
    }


def as_json(data: dict[str, Any], now: dt.datetime | None = None) -> dict[str, Any]:
    shown = context(data, now)
    return {
        "status": shown["overall"],
        "updated_at": data.get("written_at"),
        "components": [
            {
                "id": row["key"],
                "name": str(row["name"]),
                "status": row["state"],
                "uptime_90_days": row["uptime"],
            }
            for row in shown["components"]
        ],
        "incidents": [
            {
                "id": raw.get("id"),
                "kind": raw.get("kind"),
                "title": raw.get("title"),
                "status": raw.get("status"),
                "impact": raw.get("impact"),
                "components": raw.get("components"),
                "starts_at": raw.get("starts_at"),
                "ends_at": raw.get("ends_at"),
                "resolved_at": raw.get("resolved_at"),
                "updates": raw.get("updates"),
            }
            for raw in data.get("incidents", [])
            if isinstance(raw, dict)
        ],
    }
