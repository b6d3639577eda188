"""The public status page's state: uptime counters per component and day, the latest
state, incidents and maintenance with their updates, and e-mail subscribers.

Platform data, not company data: no tenant, and nothing here names a company."""

from __future__ import annotations

from django.db import models


class State(models.TextChoices):
    OPERATIONAL = "operational", "operational"
    DEGRADED = "degraded", "degraded"
    PARTIAL = "partial_outage", "partial outage"
    MAJOR = "major_outage", "major outage"
    MAINTENANCE = "maintenance", "maintenance"
    UNKNOWN = "unknown", "unknown"


class ComponentDay(models.Model):
    """One component's samples of one (UTC) day: `good` of `total` minutes were
    operational (or in planned maintenance). Counters are raised with F() updates."""

    component = models.CharField(max_length=30)
    day = models.DateField()
    good = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["component", "day"], name="status_component_day")
        ]
        indexes = [models.Index(fields=["day"])]

    def __str__(self) -> str:
        return f"{self.component} {self.day}: {self.good}/{self.total}"


class ComponentState(models.Model):
    """The latest sampled state of a component; `minute` (minutes since the epoch) is the
    last minute counted, so that two workers sampling the same minute count it once."""

    component = models.CharField(max_length=30, primary_key=True)
    state = models.CharField(max_length=20, choices=State.choices)
    minute = models.BigIntegerField(default=0)
    checked_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.component}: {self.state}"


class Incident(models.Model):
    class Kind(models.TextChoices):
        INCIDENT = "incident", "incident"
        MAINTENANCE = "maintenance", "maintenance"

    kind = models.CharField(max_length=12, choices=Kind.choices)
    title = models.CharField(max_length=200)
    status = models.CharField(max_length=20)  # INCIDENT_STATUSES / MAINTENANCE_STATUSES
    # While open, the affected components show at least this state.
    impact = models.CharField(max_length=20, choices=State.choices)
    components = models.JSONField(default=list)  # component keys
    starts_at = models.DateTimeField()  # an incident: when it began; maintenance: planned
    ends_at = models.DateTimeField(null=True, blank=True)  # maintenance: planned end
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-starts_at", "-pk"]
        indexes = [models.Index(fields=["resolved_at", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.pk}: {self.title}"


class IncidentUpdate(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="updates")
    status = models.CharField(max_length=20)
    message = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.incident_id} {self.status} at {self.created_at}"


class Subscriber(models.Model):
    """An address that asked for incident mail; mail goes only once it is confirmed
    (the link in the confirmation mail). Links are signed, not stored."""

    email = models.EmailField(unique=True)
    language = models.CharField(max_length=8, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"subscriber {self.pk}"
