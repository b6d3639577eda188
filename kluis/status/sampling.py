"""The worker's sample of every component, once a minute (kluis/status/tasks.py): the
state now is kept as the latest, counted into the day's good/total counters, and the page's
last-known state is written to disk.

Several workers on several hosts may sample the same minute: `ComponentState.minute` is
raised with a conditional UPDATE, so only the first one counts it, and counters are raised
with F() expressions, never read-modify-written."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from kluis.status import components, history, incidents, snapshot
from kluis.status.models import ComponentDay, ComponentState, State


def _claim(key: str, state: str, minute: int, now: dt.datetime) -> bool:
    """Make `state` the component's latest for `minute`; False if this minute was taken."""
    claimed = ComponentState.objects.filter(component=key, minute__lt=minute).update(
        state=state, minute=minute, checked_at=now
    )
    if claimed:
        return True
    if ComponentState.objects.filter(component=key).exists():
        return False
    try:
        with transaction.atomic():
            ComponentState.objects.create(component=key, state=state, minute=minute, checked_at=now)
    except IntegrityError:
        return False
    return True


def _count(key: str, day: dt.date, good: int) -> None:
    raised = ComponentDay.objects.filter(component=key, day=day).update(
        good=F("good") + good, total=F("total") + 1
    )
    if raised:
        return
    try:
        with transaction.atomic():
            ComponentDay.objects.create(component=key, day=day, good=good, total=1)
    except IntegrityError:  # another worker made the day's row first
        ComponentDay.objects.filter(component=key, day=day).update(
            good=F("good") + good, total=F("total") + 1
        )


def sample(now: dt.datetime | None = None) -> dict[str, str]:
    """Sample every component at `now`; the states counted (empty if this minute was
    sampled already)."""
    now = now or timezone.now()
    minute = int(now.timestamp()) // 60
    day = now.astimezone(dt.UTC).date()
    states = components.current(now)
    counted: dict[str, str] = {}
    for key, state in states.items():
        with transaction.atomic():
            if not _claim(key, state, minute, now):
                continue
            counted[key] = state
            if state != State.UNKNOWN:
                _count(key, day, 1 if state in components.GOOD else 0)
    if counted:
        write_snapshot(now, states)
    return counted


def page_state(now: dt.datetime, states: dict[str, str]) -> dict[str, Any]:
    """Everything the page shows, as plain data (what last.json holds)."""
    today = now.astimezone(dt.UTC).date()
    return {
        "written_at": now.isoformat(),
        "states": states,
        "days": history.to_json(history.counts(today)),
        "incidents": incidents.shown(now),
    }


def write_snapshot(now: dt.datetime, states: dict[str, str]) -> None:
    snapshot.write(page_state(now, states))
