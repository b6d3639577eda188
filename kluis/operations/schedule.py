"""Work the worker does on a schedule, once per period across every worker.

Apps register jobs (a task's dotted path and a period) from their AppConfig.ready; each
worker looks every second, and the first to insert the row of a job's current period into
`ScheduledRun` (unique per job and period) queues the task: any number of workers, on any
number of hosts, queue it once, on every task backend (the row is in the database whatever
the backend; a task queued on a broker whose transaction then failed may run twice, never
not at all)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from kluis.operations.models import ScheduledRun


@dataclass(frozen=True)
class Job:
    name: str
    every_seconds: int
    task: str  # dotted path of a django.tasks Task taking no arguments


_JOBS: dict[str, Job] = {}


def register(name: str, every_seconds: int, task: str) -> None:
    _JOBS[name] = Job(name, max(1, int(every_seconds)), task)


def jobs() -> list[Job]:
    return list(_JOBS.values())


def run_due(now: dt.datetime | None = None) -> list[str]:
    """Queue each job whose current period nobody queued yet; the names queued."""
    now = now or timezone.now()
    queued = []
    for job in _JOBS.values():
        period = int(now.timestamp()) // job.every_seconds
        try:
            # The row and the queuing stand or fall together: a task the backend refused
            # leaves the period to the next look (on a broker that is away the task is kept
            # in the database instead, kluis/operations/tasks_backends.py).
            with transaction.atomic():
                ScheduledRun.objects.create(job=job.name, period=period, queued_at=now)
                import_string(job.task).enqueue()
        except IntegrityError:
            continue  # another worker queued this period
        queued.append(job.name)
    if queued and now.second == 0:
        ScheduledRun.objects.filter(queued_at__lt=now - dt.timedelta(days=1)).delete()
    return queued
