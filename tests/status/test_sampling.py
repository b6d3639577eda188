"""The worker's minute samples: counted once per minute however many workers ask, into a
day row per component, and written to the last-known state on disk."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from kluis.operations import schedule
from kluis.operations.health import beat
from kluis.operations.models import WorkerHeartbeat
from kluis.status import snapshot
from kluis.status.models import ComponentDay, ComponentState
from kluis.status.sampling import sample
from tests.status.helpers import run_queued

pytestmark = pytest.mark.django_db


def test_the_job_is_scheduled_every_minute():
    job = next(j for j in schedule.jobs() if j.name == "status.sample")
    assert job.every_seconds == 60
    assert job.task == "kluis.status.tasks.sample_components"


def test_two_samples_in_one_minute_count_once_and_the_next_minute_counts_again(demo):
    start = dt.datetime(2026, 12, 7, 10, 15, 5, tzinfo=dt.UTC)
    beat("w1", "h", 1, start)
    first = sample(start)
    again = sample(start + dt.timedelta(seconds=40))  # another worker, the same minute
    assert set(first) == {"web", "api", "signin", "jobs", "webhooks", "database", "backups"}
    assert again == {}
    database = ComponentDay.objects.get(component="database", day=start.date())
    assert (database.good, database.total) == (1, 1)
    beat("w1", "h", 1, start)  # the worker keeps beating
    later = start + dt.timedelta(seconds=60)
    assert sample(later)["database"] == "operational"
    database.refresh_from_db()
    assert (database.good, database.total) == (2, 2)
    assert ComponentState.objects.get(component="database").minute == int(later.timestamp()) // 60
    backups = ComponentDay.objects.get(component="backups", day=start.date())
    assert (backups.good, backups.total) == (2, 2)  # the backups' own check, counted too


def test_a_bad_minute_counts_in_total_but_not_in_good(demo):
    start = dt.datetime(2026, 12, 7, 10, 15, 5, tzinfo=dt.UTC)
    beat("w1", "h", 1, start)
    WorkerHeartbeat.objects.update(last_seen=timezone.now() - dt.timedelta(hours=1))  # gone
    sample(start)
    jobs = ComponentDay.objects.get(component="jobs", day=start.date())
    assert (jobs.good, jobs.total) == (0, 1)
    assert ComponentState.objects.get(component="jobs").state == "major_outage"


def test_the_scheduled_task_samples_and_writes_the_last_known_state(demo):
    beat("w1", "h", 1, timezone.now())
    ran = schedule.run_due(timezone.now())
    assert "status.sample" in ran
    assert run_queued("sample_components") == 1
    written = json.loads(snapshot.path().read_text())
    assert written["states"]["database"] == "operational"
    today = timezone.now().astimezone(dt.UTC).date().isoformat()
    assert [today, 1, 1] in written["days"]["database"]
    assert list(snapshot.path().parent.glob(".last-*")) == []  # no temporary file left
