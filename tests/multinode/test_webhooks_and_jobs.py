"""Work the two workers share: webhooks of writes made on either node are delivered to
each subscription (at least once, a duplicate with the same webhook-id, every one signed),
and the daily jobs run once, not once per worker."""

from __future__ import annotations

import re
import time

from tests.integrations.webhooks.receiver import Receiver
from tests.multinode.client import Api
from tests.multinode.cluster import DAILY_JOBS, Cluster
from tests.multinode.load import wait_for_events

HIRES = 6

SCHEDULED = """
import json
from kluis.operations.models import ScheduledRun, WorkerHeartbeat
from kluis.operations.schedule import jobs
rows = {}
for job, period in ScheduledRun.objects.filter(job__in=JOBS).values_list("job", "period"):
    rows.setdefault(job, []).append(period)
print("MULTINODE " + json.dumps({
    "rows": rows,
    "tasks": {job.name: job.task for job in jobs() if job.name in JOBS},
    "workers": WorkerHeartbeat.objects.count(),
}))
"""


def test_webhooks_made_on_either_node_are_delivered_once_per_subscription(
    cluster: Cluster, hooks_api: Api, subscriptions: list[tuple[Receiver, str]]
) -> None:
    nodes = [cluster.nodes["a"], cluster.nodes["b"]]
    hired = []
    for number in range(HIRES):
        answer = hooks_api.hire(nodes[number % 2].url, tag="hook ")
        assert answer.status_code == 201, answer.text
        hired.append(answer.json()["id"])
    assert wait_for_events(subscriptions, hired, timeout=60) == {}
    for receiver, secret in subscriptions:
        ours = [
            got
            for got in receiver.events()
            if got.json["type"] == "employee.created" and got.json["data"]["id"] in hired
        ]
        webhook_ids: dict[int, set[str]] = {}
        event_ids: dict[int, set[str]] = {}
        for got in ours:
            got.verify(secret)  # Standard Webhooks, on the raw body
            employee = got.json["data"]["id"]
            webhook_ids.setdefault(employee, set()).add(got.headers["webhook-id"])
            event_ids.setdefault(employee, set()).add(got.json["id"])
        # One event per hire; sent again, it keeps its webhook-id.
        assert all(len(ids) == 1 for ids in webhook_ids.values()), webhook_ids
        assert all(len(ids) == 1 for ids in event_ids.values()), event_ids
        assert sorted(webhook_ids) == sorted(hired)


def test_the_daily_jobs_run_once_across_two_workers(cluster: Cluster) -> None:
    assert all(process.alive for process in cluster.workers.values())
    jobs = list(DAILY_JOBS)
    found = cluster.shell(f"JOBS = {jobs!r}\n" + SCHEDULED)
    assert found["workers"] >= 2  # both workers beat, so both run their scheduler
    assert set(found["tasks"]) == set(jobs), found["tasks"]
    # One row per job and period (a day): the first worker to insert it queued the job.
    assert {job: len(periods) for job, periods in found["rows"].items()} == dict.fromkeys(
        jobs, 1
    ), found["rows"]
    # And the job ran once: its task started once across both workers' logs.
    deadline = time.monotonic() + 30
    runs: dict[str, int] = {}
    while time.monotonic() < deadline:
        runs = task_runs(cluster, found["tasks"])
        if all(runs.values()):
            break
        time.sleep(0.5)
    time.sleep(2)  # a second run, if there were one, has had time to start
    assert task_runs(cluster, found["tasks"]) == dict.fromkeys(jobs, 1)


def task_runs(cluster: Cluster, tasks: dict[str, str]) -> dict[str, int]:
    """How often each job's task started, by the workers' logs (KLUIS_TASK_LOG_LEVEL=INFO:
    "Task id=... path=<task> state=RUNNING")."""
    logs = "\n".join(p.log.read_text(errors="replace") for p in cluster.workers.values())
    return {
        job: len(re.findall(rf"path={re.escape(task)} state=RUNNING", logs))
        for job, task in tasks.items()
    }
