"""Kluis's RQ worker on a real Redis, in this process: a task runs; a task that raises is
failed and not run again (its lives are for workers that were lost, which
tests/scale/test_task_backend_brokers.py kills for real), as on the database backend."""

from __future__ import annotations

import pytest
from django.tasks import task
from django_tasks_rq.backend import Job
from redis import Redis
from rq.job import JobStatus

from kluis.operations.tasks_rq import LIVES, KluisQueue, KluisWorker

pytestmark = pytest.mark.django_db  # the worker looks after its database connections
RAN: list[str] = []


@task()
def counts() -> str:
    RAN.append("counts")
    return "counted"


@task()
def refuses() -> None:
    RAN.append("refuses")
    raise RuntimeError("refused on purpose")


@pytest.fixture
def queue(redis_url: str, settings) -> KluisQueue:  # type: ignore[no-untyped-def]
    settings.RQ_QUEUES = {"default": {"URL": redis_url}}
    settings.TASKS_LOST_AFTER_SECONDS = 3
    RAN.clear()
    return KluisQueue("default", connection=Redis.from_url(redis_url), job_class=Job)


def _queued(queue: KluisQueue, path: str) -> Job:
    job = queue.create_job(path, meta={"backend_name": "default"})
    return queue.enqueue_job(job)  # type: ignore[return-value]


def test_a_task_runs_once_and_its_job_keeps_three_lives(queue: KluisQueue) -> None:
    job = _queued(queue, counts.module_path)
    assert job.retries_left == LIVES
    KluisWorker([queue], connection=queue.connection).work(burst=True)
    assert RAN == ["counts"]
    assert job.get_status(refresh=True) == JobStatus.FINISHED
    assert job.return_value() == "counted"


def test_a_task_that_raises_is_failed_and_not_run_again(queue: KluisQueue) -> None:
    job = _queued(queue, refuses.module_path)
    KluisWorker([queue], connection=queue.connection).work(burst=True)
    assert RAN == ["refuses"]  # once: its lives were not spent on it
    assert job.get_status(refresh=True) == JobStatus.FAILED
    assert queue.count == 0


def test_jobs_are_json_in_redis_never_pickle_and_the_worker_reads_them(
    redis_url: str, settings, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """Whoever can write to the broker's Redis must not make a worker unpickle anything:
    the queues Kluis's settings give RQ store a job's call as JSON."""
    import importlib
    import json
    import zlib

    import django_rq

    import kluis.settings_tasks

    monkeypatch.setenv("KLUIS_TASKS_BACKEND", "rq")
    monkeypatch.setenv("KLUIS_TASKS_BROKER_URL", redis_url)
    try:
        settings.RQ_QUEUES = importlib.reload(kluis.settings_tasks).RQ_QUEUES
    finally:
        monkeypatch.undo()
        for name in ("RQ_QUEUES", "RQ"):  # a reload keeps what the module no longer sets
            vars(kluis.settings_tasks).pop(name, None)
        importlib.reload(kluis.settings_tasks)
    settings.TASKS_LOST_AFTER_SECONDS = 3
    RAN.clear()
    rq_queue = django_rq.get_queue("default", job_class=Job, queue_class=KluisQueue)
    job = _queued(rq_queue, counts.module_path)
    stored = rq_queue.connection.hget(f"rq:job:{job.id}", "data")
    assert not zlib.decompress(stored).startswith(b"\x80")  # a pickle's first byte
    assert json.loads(zlib.decompress(stored))[0] == job.func_name
    KluisWorker([rq_queue], connection=rq_queue.connection, serializer=rq_queue.serializer).work(
        burst=True
    )
    assert RAN == ["counts"]
