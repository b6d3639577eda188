"""Scheduled work is queued once per period, however many workers look."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from kluis.operations import schedule


def test_each_job_is_queued_once_per_period_by_any_number_of_workers(db):  # type: ignore[no-untyped-def]
    now = timezone.now().replace(microsecond=0)
    names = {job.name for job in schedule.jobs()}
    assert {"webhooks.sweep", "api.idempotency_purge"} <= names
    first = schedule.run_due(now)
    assert set(first) == names
    # A second worker in the same period: nothing more is queued.
    assert schedule.run_due(now + dt.timedelta(milliseconds=500)) == []
    queued = DBTaskResult.objects.filter(
        task_path="kluis.integrations.webhooks.maintenance.sweep_webhooks"
    )
    assert queued.count() == 1
    # The next period of the sweep queues it again.
    sweep = next(job for job in schedule.jobs() if job.name == "webhooks.sweep")
    later = schedule.run_due(now + dt.timedelta(seconds=sweep.every_seconds))
    assert "webhooks.sweep" in later and queued.count() == 2


def test_the_task_queues_own_lines_are_left_out_unless_asked_for_but_failures_never() -> None:
    import logging

    from kluis.operations.logging import TaskQueueLevelFilter

    def record(name: str, level: int) -> logging.LogRecord:
        return logging.LogRecord(name, level, __file__, 1, "Task id=1 state=X", None, None)

    quiet, told = TaskQueueLevelFilter(), TaskQueueLevelFilter("INFO")
    assert not quiet.filter(record("django.tasks", logging.INFO))
    assert not quiet.filter(record("django_tasks_db", logging.INFO))
    assert quiet.filter(record("django.tasks", logging.ERROR))
    assert quiet.filter(record("kluis.integrations", logging.INFO))
    assert told.filter(record("django.tasks", logging.INFO))
