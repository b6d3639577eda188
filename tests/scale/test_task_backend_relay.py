"""A task queued while the broker is away (Redis restarting) is kept in the database, not
lost and not raised into the request that committed its change; a worker's relay hands it
to the broker once Redis answers, once. On the suite's own database (SQLite or
PostgreSQL) and a real Redis; the worker runs it afterwards."""

from __future__ import annotations

import pytest
from django_tasks_db.models import DBTaskResult
from django_tasks_rq.backend import Job
from redis import Redis
from rq.job import JobStatus

from kluis.integrations.tasks import purge_idempotency
from kluis.operations.tasks_backends import relay
from kluis.operations.tasks_rq import KluisQueue, KluisWorker
from tests.scale.redis_server import RedisServer

pytestmark = pytest.mark.django_db


@pytest.fixture
def on_rq(redis_url: str, settings):  # type: ignore[no-untyped-def]
    settings.RQ_QUEUES = {"default": {"URL": redis_url}}
    settings.RQ = {"QUEUE_CLASS": "kluis.operations.tasks_rq.KluisQueue"}
    settings.TASKS = {
        "default": {"BACKEND": "kluis.operations.tasks_backends.RQBackend", "QUEUES": ["default"]}
    }
    settings.TASKS_LOST_AFTER_SECONDS = 3
    return KluisQueue("default", connection=Redis.from_url(redis_url), job_class=Job)


def test_a_task_the_broker_refused_is_kept_then_handed_over_once(
    on_rq: KluisQueue, redis_server: RedisServer
) -> None:
    redis_server.stop()
    try:
        purge_idempotency.enqueue()  # no exception: the change that queued it stands
        kept = DBTaskResult.objects.filter(backend_name="default")
        assert list(kept.values_list("task_path", flat=True)) == [purge_idempotency.module_path]
        assert relay() == 0  # still away: kept
        assert kept.count() == 1
    finally:
        redis_server.start()

    assert relay() == 1
    assert not kept.exists()
    assert relay() == 0  # handed over once
    (job,) = on_rq.get_jobs()
    assert job.func_name == purge_idempotency.module_path

    KluisWorker([on_rq], connection=on_rq.connection).work(burst=True)
    assert job.get_status(refresh=True) == JobStatus.FINISHED


def test_a_broker_that_answers_gets_the_task_directly(on_rq: KluisQueue) -> None:
    purge_idempotency.enqueue()
    assert not DBTaskResult.objects.exists()
    assert on_rq.count == 1
    assert relay() == 0
