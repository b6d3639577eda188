"""The public components of the status page and their state now, from the same checks as
/health/ready (kluis/operations/health.py), the queues' lag and open incidents.

What leaves this module is a component key and a state: never a check's details (host
names, versions, exception names, counts)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Min
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kluis.operations import health
from kluis.status.models import Incident, State


@dataclass(frozen=True)
class Component:
    key: str
    name: str | Promise


COMPONENTS = (
    Component("web", _("Web app")),
    Component("api", _("API")),
    Component("signin", _("Sign-in")),
    Component("jobs", _("Background jobs")),
    Component("webhooks", _("Webhook delivery")),
    Component("database", _("Database")),
    Component("backups", _("Backups")),
)
KEYS = tuple(c.key for c in COMPONENTS)
NAMES = {c.key: c.name for c in COMPONENTS}

STATE_LABELS: dict[str, str | Promise] = {
    State.OPERATIONAL: _("Operational"),
    State.DEGRADED: _("Degraded performance"),
    State.PARTIAL: _("Partial outage"),
    State.MAJOR: _("Major outage"),
    State.MAINTENANCE: _("Under maintenance"),
    State.UNKNOWN: _("No data"),
}
# Worse states rank higher; maintenance ranks between operational and degraded.
RANK = {
    State.UNKNOWN: -1,
    State.OPERATIONAL: 0,
    State.MAINTENANCE: 1,
    State.DEGRADED: 2,
    State.PARTIAL: 3,
    State.MAJOR: 4,
}
GOOD = frozenset({State.OPERATIONAL, State.MAINTENANCE})


def worst(states: Iterable[str]) -> str:
    return str(max(states, key=lambda s: RANK.get(State(s), -1), default=State.UNKNOWN))


def _lag_state(seconds: float | None) -> str:
    limit = settings.STATUS_QUEUE_LAG_SECONDS
    if seconds is None or seconds <= limit:
        return State.OPERATIONAL
    return State.DEGRADED if seconds <= 5 * limit else State.PARTIAL


def task_queue_lag(now: dt.datetime) -> float | None:
    """Seconds the oldest task due to run has waited (None: nothing waits, or the tasks
    backend is not the database)."""
    backend = str(settings.TASKS["default"]["BACKEND"])
    if not backend.startswith("django_tasks_db"):
        return None
    from django_tasks_db.models import DBTaskResult, get_date_max

    ready = DBTaskResult.objects.ready()
    oldest = [
        ready.filter(run_after=get_date_max()).aggregate(t=Min("enqueued_at"))["t"],
        ready.exclude(run_after=get_date_max()).aggregate(t=Min("run_after"))["t"],
    ]
    found = [t for t in oldest if t is not None]
    return (now - min(found)).total_seconds() if found else None


def webhook_lag(now: dt.datetime) -> float | None:
    """Seconds the oldest delivery that is due (of a webhook that is on) has waited."""
    from kluis.integrations.webhooks.models import WebhookDelivery
    from kluis.tenancy import rls

    with rls.unnarrowed():  # one figure over every company; nothing of theirs is shown
        oldest = WebhookDelivery.objects.filter(
            status=WebhookDelivery.Status.PENDING,
            subscription__enabled=True,
            next_attempt_at__lte=now,
        ).aggregate(t=Min("next_attempt_at"))["t"]
    return (now - oldest).total_seconds() if oldest else None


def _measured(results: dict[str, dict[str, Any]], now: dt.datetime) -> dict[str, str]:
    """Each component's state from the readiness results."""

    def ok(name: str) -> bool:
        return bool(results.get(name, {}).get("ok"))

    if not ok("database"):
        states = {key: str(State.MAJOR) for key in KEYS}
        states["backups"] = str(State.UNKNOWN)
        return states
    serving = str(State.OPERATIONAL)
    if not ok("migrations"):
        serving = State.PARTIAL
    elif not ok("disk"):
        serving = State.DEGRADED
    states = {
        "web": serving,
        "api": serving,
        "signin": serving,
        "database": str(State.OPERATIONAL if ok("migrations") else State.DEGRADED),
    }
    probes: dict[str, Callable[[dt.datetime], float | None]] = {
        "jobs": task_queue_lag,
        "webhooks": webhook_lag,
    }
    for key, probe in probes.items():
        if not ok("worker"):
            states[key] = State.MAJOR
            continue
        try:
            states[key] = _lag_state(probe(now))
        except Exception:  # a table of an app being migrated: say nothing rather than fail
            states[key] = State.UNKNOWN
    if "backups" in results:
        states["backups"] = State.OPERATIONAL if ok("backups") else State.DEGRADED
    else:
        states["backups"] = State.UNKNOWN
    return {k: str(v) for k, v in states.items()}


def posted(now: dt.datetime) -> dict[str, str]:
    """The state open incidents and maintenance in progress give their components."""
    states: dict[str, str] = {}
    open_ones = Incident.objects.filter(resolved_at__isnull=True, starts_at__lte=now)
    for incident in open_ones:
        if incident.kind == Incident.Kind.MAINTENANCE and incident.status != "in_progress":
            continue
        for key in incident.components:
            states[key] = worst([states.get(key, State.OPERATIONAL), incident.impact])
    return states


def current(now: dt.datetime | None = None) -> dict[str, str]:
    """Every component's state now: the worse of what the checks measure and what
    operators posted (a component under planned maintenance shows "maintenance" unless
    it is measured worse)."""
    now = now or timezone.now()
    _ready, results = health.readiness()
    states = _measured(results, now)
    if states["database"] == State.MAJOR:
        return states
    for key, state in posted(now).items():
        if key in states and states[key] != State.UNKNOWN:
            states[key] = worst([states[key], state])
    return states


def overall(states: dict[str, str]) -> str:
    known = [s for s in states.values() if s != State.UNKNOWN]
    return worst(known) if known else str(State.UNKNOWN)
