"""Incidents and planned maintenance that operators post on the status page, each with
its updates. Every change is authorised (an operator, or the platform's own CLI), checked,
written in one transaction, recorded in the platform's operator log, and mailed to the
confirmed subscribers by a task once committed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kluis.access.actor import Actor
from kluis.status.components import KEYS
from kluis.status.models import Incident, IncidentUpdate, State

INCIDENT_STATUSES: dict[str, str | Promise] = {
    "investigating": gettext_lazy("Investigating"),
    "identified": gettext_lazy("Identified"),
    "monitoring": gettext_lazy("Monitoring"),
    "resolved": gettext_lazy("Resolved"),
}
MAINTENANCE_STATUSES: dict[str, str | Promise] = {
    "scheduled": gettext_lazy("Scheduled"),
    "in_progress": gettext_lazy("In progress"),
    "completed": gettext_lazy("Completed"),
}
CLOSING = {"resolved", "completed"}
IMPACTS = (State.DEGRADED, State.PARTIAL, State.MAJOR)
TITLE_MAX = 200
MESSAGE_MAX = 5000


def status_label(kind: str, status: str) -> str:
    labels = MAINTENANCE_STATUSES if kind == Incident.Kind.MAINTENANCE else INCIDENT_STATUSES
    return str(labels.get(status, status))


def _authorise(actor: Actor) -> None:
    """The platform (`kluis status ...`, run by whoever runs the server) or an operator."""
    if actor.kind == "system":
        return
    from kluis.access.operators import is_operator
    from kluis.identity.models import User

    user = User.objects.filter(pk=actor.user_id).first() if actor.user_id else None
    if user is None or not is_operator(user):
        raise PermissionDenied(_("Only operators post on the status page."))


def _text(value: str, name: str, most: int) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError(_("%(field)s is required.") % {"field": name})
    if len(value) > most:
        raise ValidationError(
            _("%(field)s is longer than %(most)s characters.") % {"field": name, "most": most}
        )
    return value


def _components(keys: Iterable[str]) -> list[str]:
    chosen = [k.strip() for k in keys if k and k.strip()]
    unknown = [k for k in chosen if k not in KEYS]
    if unknown:
        raise ValidationError(
            _("Unknown component: %(names)s (known: %(known)s).")
            % {"names": ", ".join(unknown), "known": ", ".join(KEYS)}
        )
    if not chosen:
        raise ValidationError(_("Name at least one affected component."))
    return [k for k in KEYS if k in chosen]


def _impact(value: str) -> str:
    if value not in IMPACTS:
        raise ValidationError(
            _("The impact must be one of: %(known)s.") % {"known": ", ".join(IMPACTS)}
        )
    return value


def _audit(actor: Actor, action: str, incident: Incident, changes: dict[str, Any]) -> None:
    from kluis.audit.platform import record_operator

    record_operator(
        actor,
        action,
        object_type="status.incident",
        object_id=str(incident.pk),
        object_repr=incident.title,
        changes=changes,
    )


def _announce(update: IncidentUpdate) -> None:
    from django.core.cache import cache

    from kluis.status.page import CACHE_KEY
    from kluis.status.tasks import mail_update

    transaction.on_commit(lambda: cache.delete(CACHE_KEY))
    transaction.on_commit(lambda: mail_update.enqueue(update.pk))


def open_incident(
    actor: Actor,
    *,
    title: str,
    message: str,
    components: Iterable[str],
    impact: str = State.PARTIAL,
    status: str = "investigating",
    started_at: dt.datetime | None = None,
) -> Incident:
    _authorise(actor)
    title = _text(title, _("Title"), TITLE_MAX)
    message = _text(message, _("Message"), MESSAGE_MAX)
    keys = _components(components)
    impact = _impact(impact)
    if status not in INCIDENT_STATUSES or status in CLOSING:
        raise ValidationError(_("A new incident is investigating, identified or monitoring."))
    now = timezone.now()
    with transaction.atomic():
        incident = Incident.objects.create(
            kind=Incident.Kind.INCIDENT,
            title=title,
            status=status,
            impact=impact,
            components=keys,
            starts_at=started_at or now,
        )
        update = IncidentUpdate.objects.create(
            incident=incident, status=status, message=message, created_at=now
        )
        _audit(
            actor,
            "status.incident_opened",
            incident,
            {"status": status, "impact": impact, "components": keys},
        )
        _announce(update)
    return incident


def schedule_maintenance(
    actor: Actor,
    *,
    title: str,
    message: str,
    components: Iterable[str],
    starts_at: dt.datetime,
    ends_at: dt.datetime,
) -> Incident:
    _authorise(actor)
    title = _text(title, _("Title"), TITLE_MAX)
    message = _text(message, _("Message"), MESSAGE_MAX)
    keys = _components(components)
    if ends_at <= starts_at:
        raise ValidationError(_("The maintenance must end after it starts."))
    with transaction.atomic():
        incident = Incident.objects.create(
            kind=Incident.Kind.MAINTENANCE,
            title=title,
            status="scheduled",
            impact=State.MAINTENANCE,
            components=keys,
            starts_at=starts_at,
            ends_at=ends_at,
        )
        update = IncidentUpdate.objects.create(
            incident=incident, status="scheduled", message=message, created_at=timezone.now()
        )
        _audit(
            actor,
            "status.maintenance_scheduled",
            incident,
            {
                "components": keys,
                "starts_at": starts_at.isoformat(),
                "ends_at": ends_at.isoformat(),
            },
        )
        _announce(update)
    return incident


def post_update(
    actor: Actor,
    incident_id: int,
    *,
    status: str,
    message: str,
    impact: str | None = None,
    components: Iterable[str] | None = None,
) -> IncidentUpdate:
    """A new update of an incident or maintenance; "resolved"/"completed" closes it."""
    _authorise(actor)
    message = _text(message, _("Message"), MESSAGE_MAX)
    with transaction.atomic():
        incident = Incident.objects.select_for_update().filter(pk=incident_id).first()
        if incident is None:
            raise ValidationError(_("No incident or maintenance %(id)s.") % {"id": incident_id})
        if incident.resolved_at is not None:
            raise ValidationError(_("It is closed already: open a new one."))
        allowed = (
            MAINTENANCE_STATUSES
            if incident.kind == Incident.Kind.MAINTENANCE
            else INCIDENT_STATUSES
        )
        if status not in allowed:
            raise ValidationError(
                _("The status must be one of: %(known)s.") % {"known": ", ".join(allowed)}
            )
        changes: dict[str, Any] = {"status": [incident.status, status]}
        now = timezone.now()
        incident.status = status
        if impact and incident.kind == Incident.Kind.INCIDENT:
            changes["impact"] = [incident.impact, _impact(impact)]
            incident.impact = impact
        if components is not None and list(components):
            keys = _components(components)
            changes["components"] = [incident.components, keys]
            incident.components = keys
        if status in CLOSING:
            incident.resolved_at = now
            if incident.kind == Incident.Kind.MAINTENANCE:
                incident.ends_at = min(incident.ends_at or now, now)
        elif status == "in_progress" and incident.starts_at > now:
            incident.starts_at = now
        incident.save()
        update = IncidentUpdate.objects.create(
            incident=incident, status=status, message=message, created_at=now
        )
        _audit(actor, f"status.{incident.kind}_updated", incident, changes)
        _announce(update)
    return update


def serialise(incident: Incident, updates: list[IncidentUpdate] | None = None) -> dict[str, Any]:
    """What the page (and last.json) shows of an incident: no operator, no internals."""
    rows = updates if updates is not None else list(incident.updates.all())
    return {
        "id": incident.pk,
        "kind": incident.kind,
        "title": incident.title,
        "status": incident.status,
        "impact": incident.impact,
        "components": list(incident.components),
        "starts_at": incident.starts_at.isoformat(),
        "ends_at": incident.ends_at.isoformat() if incident.ends_at else None,
        "resolved_at": incident.resolved_at.isoformat() if incident.resolved_at else None,
        "updates": [
            {"status": u.status, "message": u.message, "created_at": u.created_at.isoformat()}
            for u in rows
        ],
    }


def shown(now: dt.datetime, days: int = 14) -> list[dict[str, Any]]:
    """Open incidents, maintenance not completed, and what closed in the last `days`."""
    since = now - dt.timedelta(days=days)
    found = (
        Incident.objects.filter(resolved_at__isnull=True)
        | Incident.objects.filter(resolved_at__gte=since)
    ).prefetch_related("updates")
    return [serialise(i) for i in found.order_by("-starts_at", "-pk")[:50]]
