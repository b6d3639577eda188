"""Kluis's background work on a real broker (KLUIS_TASKS_BACKEND=rq and celery), with real
processes: a real redis-server on loopback, real `kluis worker` processes on a SQLite file
database of their own, a real HTTP receiver checking the Standard Webhooks signature.

For each backend:
- a webhook made while the broker is away is kept in the database (the change does not
  fail), and once Redis is back a worker hands it to the broker and delivers it, signed;
  a later event goes through the broker directly; a worker stopped (SIGTERM) while it
  sends finishes the task first;
- two workers queue a scheduled job once per period, not once per worker;
- a worker killed with SIGKILL in the middle of a task: the other worker runs the task
  again (at least once) because the broker hands it out again, not because of Kluis's
  own sweep (turned off here by a one-hour period).

Marked slow: each test starts one or two worker processes (a Django start each); the
database is a copy of the run's migrated one (tests/sqlite_template.py) with one company."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.integrations.webhooks.receiver import Received, Receiver, running_receiver
from tests.scale.redis_server import RedisServer
from tests.sqlite_template import migrated_copy

# The workers run on a SQLite file database of their own: the PostgreSQL stage leaves the
# module out (own_sqlite) rather than run the same thing twice.
pytestmark = [pytest.mark.slow, pytest.mark.own_sqlite]
ROOT = Path(__file__).resolve().parents[2]
BACKENDS = ["rq", "celery"]
PASSWORD = "a-long-enough-test-password-2026"

SETUP = """
import django, os
os.environ["DJANGO_SETTINGS_MODULE"] = "kluis.settings"
django.setup()
from kluis.access.actor import Actor
from kluis.company.services import add_member, create_tenant
from kluis.access.models import Role
actor = Actor.system("test")
tenant = create_tenant(actor, name="Broker BV", slug="broker-bv")
actor.tenant = tenant
owner = Role.objects.for_tenant(tenant).get(builtin_key="owner")
add_member(actor, tenant, email="owner@broker-bv.test", password=PASSWORD, roles=[owner])
"""

SUBSCRIBE = """
from kluis.access.actor import Actor
from kluis.integrations.webhooks.services import create_subscription
from kluis.tenancy.models import Membership, Tenant
tenant = Tenant.objects.get(slug="broker-bv")
owner = Actor.for_member(Membership.objects.get(tenant=tenant, user__email="owner@broker-bv.test"))
subscription, secret = create_subscription(
    owner, tenant, {"url": URL, "event_types": ["member.created"]}, api_base="https://k.test"
)
print("SECRET", secret, flush=True)
# Once the worker delivered the ping (the webhook is then active), a new member: an event.
import time
from kluis.company.services import add_member
from kluis.integrations.webhooks.models import WebhookSubscription
while not WebhookSubscription.objects.filter(verified_at__isnull=False).exists():
    time.sleep(0.1)
actor = Actor.system("test")
actor.tenant = tenant
add_member(actor, tenant, email="new@broker-bv.test")
print("HIRED", flush=True)
"""


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory with a migrated database and one company: made once, copied."""
    data = tmp_path_factory.mktemp("broker-template")
    migrated_copy(data)  # the run's migrated database (tests/sqlite_template.py)
    code = f"PASSWORD = {PASSWORD!r}\n" + SETUP
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=_env(data), check=True, timeout=300)
    return data


@pytest.fixture
def data_dir(migrated: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "data"
    shutil.copytree(migrated, copy)
    return copy


def _env(data: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KLUIS_", "DJANGO_"))}
    env.update(
        {
            "KLUIS_ENV": "test",
            "KLUIS_DATA_DIR": str(data),
            "DJANGO_SETTINGS_MODULE": "kluis.settings",
            "PYTHONUNBUFFERED": "1",
            "KLUIS_WEBHOOK_ALLOW_PRIVATE_TARGETS": "1",
            **extra,
        }
    )
    return env


def _broker_env(data: Path, backend: str, redis: RedisServer, **extra: str) -> dict[str, str]:
    return _env(
        data,
        KLUIS_TASKS_BACKEND=backend,
        KLUIS_TASKS_BROKER_URL=redis.url,
        KLUIS_TASKS_LOST_AFTER="4",
        KLUIS_TASK_LOG_LEVEL="INFO",  # the tests read which task each worker ran
        **extra,
    )


class Company:
    """One `manage.py shell` (one Django start): subscribe `url` to member.created, say
    the secret, wait until the worker delivered the ping, then add a member."""

    def __init__(self, env: dict[str, str], url: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "shell", "-c", f"URL = {url!r}\n" + SUBSCRIBE],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )

    def said(self, word: str) -> str:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if line.startswith(word + " ") or line.strip() == word:
                return line.split()[-1]
        pytest.fail(f"the shell ended ({self.process.wait()}) before saying {word}")

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=10)


class Worker:
    """`manage.py kluis_worker` in a process group of its own, its output in a file."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.log = log
        with log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "manage.py", "kluis_worker"],
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=out,
                start_new_session=True,
            )

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_ready(self, timeout: float = 90) -> None:
        _until(lambda: "Listening on" in self.text() or " ready." in self.text(), timeout, self)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


def _until(check: Callable[[], bool], timeout: float, worker: Worker | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        if worker is not None and worker.process.poll() is not None:
            pytest.fail(f"the worker exited:\n{worker.text()[-3000:]}", pytrace=False)
        time.sleep(0.1)
    tail = worker.text()[-3000:] if worker is not None else ""
    pytest.fail(f"not within {timeout} s\n{tail}", pytrace=False)


def _rows(data: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(data / "kluis.sqlite3", timeout=30) as db:
        return list(db.execute(sql))


@pytest.fixture
def workers() -> Iterator[list[Worker]]:
    started: list[Worker] = []
    yield started
    for worker in started:
        worker.stop()


def _events(receiver: Receiver) -> list[Received]:
    return [r for r in receiver.events() if r.json.get("type") == "member.created"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_webhooks_go_through_the_broker_and_survive_it_being_away(
    backend: str, data_dir: Path, redis_url: str, redis_server: RedisServer, workers: list
) -> None:
    env = _broker_env(data_dir, backend, redis_server)

    def slowly(got: Received) -> tuple[int, dict[str, str], bytes]:
        if got.json.get("type") == "member.created":
            time.sleep(2)  # the worker is stopped while it waits for this answer
        return 200, {}, b"ok"

    with running_receiver() as receiver:
        receiver.answer = slowly
        redis_server.stop()  # the broker is away when the webhook is made
        company = Company(env, receiver.url)
        try:
            secret = company.said("SECRET")
            kept = _rows(data_dir, "SELECT task_path FROM django_tasks_database_dbtaskresult")
            assert kept == [("kluis.integrations.webhooks.delivery.drain_subscriptions",)]

            redis_server.start()
            worker = Worker(env, data_dir.parent / "worker.log")
            workers.append(worker)
            receiver.wait_for(1, timeout=60, pings=True)  # handed to the broker, then sent
            company.said("HIRED")
        finally:
            company.close()
        _until(lambda: bool(_events(receiver)), 60, worker)
        os.killpg(worker.process.pid, signal.SIGTERM)  # mid-task: it finishes it first
        assert worker.process.wait(timeout=60) == 0
        for got in receiver.received:
            got.verify(secret)  # Standard Webhooks, the raw body
        (event,) = _events(receiver)  # sent once, and recorded as delivered
        assert event.json["data"]["id"]
        assert _rows(data_dir, _DELIVERIES) == [("delivered",), ("delivered",)]
        assert "drain_subscriptions" in worker.text()  # run by the broker's worker
        assert _rows(data_dir, _KEPT) == [(0,)]


_DELIVERIES = "SELECT status FROM integrations_webhookdelivery ORDER BY id"
_KEPT = "SELECT count(*) FROM django_tasks_database_dbtaskresult"


def _sweeps_run(text: str, backend: str) -> list[str]:
    """The task ids of the webhook sweeps a worker's log says it ran."""
    marker = "maintenance.sweep_webhooks"
    if backend == "rq":
        return [
            line.rsplit("(", 1)[1].rstrip(")")
            for line in text.splitlines()
            if "rq.worker" in line and marker + "() (" in line
        ]
    return [
        line.split("[", 2)[2].split("]")[0]
        for line in text.splitlines()
        if marker + "[" in line and "succeeded" in line
    ]


@pytest.mark.parametrize("backend", BACKENDS)
def test_two_workers_queue_a_scheduled_job_once_per_period(
    backend: str, data_dir: Path, redis_url: str, redis_server: RedisServer, workers: list
) -> None:
    env = _broker_env(data_dir, backend, redis_server, KLUIS_WEBHOOK_SWEEP_SECONDS="1")
    pair = [Worker(env, data_dir.parent / f"worker-{n}.log") for n in (1, 2)]
    workers.extend(pair)
    for worker in pair:
        worker.wait_ready()
    time.sleep(5)  # both workers look every second for five seconds
    for worker in pair:
        worker.stop()
    periods = _rows(
        data_dir, "SELECT period FROM operations_scheduledrun WHERE job='webhooks.sweep'"
    )
    ran = [task_id for worker in pair for task_id in _sweeps_run(worker.text(), backend)]
    waiting = _queued(redis_server, backend)
    assert len(periods) >= 4
    assert len(set(ran)) == len(ran), "a sweep ran twice"
    # Every queued sweep is one period's: ran or still waiting, never two per period. A
    # sweep a worker had just taken when it was told to stop may show in neither count (on
    # a loaded machine, seen once in CI): at most one per worker.
    accounted = len(ran) + waiting
    assert len(periods) - len(pair) <= accounted <= len(periods), (ran, waiting, len(periods))


_SWEEP_PERIODS = "SELECT period FROM operations_scheduledrun WHERE job = 'webhooks.sweep'"


def _queued(redis: RedisServer, backend: str) -> int:
    import redis as redis_py

    client = redis_py.Redis.from_url(redis.url)
    return int(client.llen("rq:queue:default" if backend == "rq" else "kluis"))


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_task_of_a_killed_worker_runs_again_on_the_other(
    backend: str, data_dir: Path, redis_url: str, redis_server: RedisServer, workers: list
) -> None:
    env = _broker_env(
        data_dir,
        backend,
        redis_server,
        KLUIS_WEBHOOK_SWEEP_SECONDS="3600",  # no sweep to the rescue: only the broker
        KLUIS_WEBHOOK_LEASE_SECONDS="2",
    )
    released = threading.Event()

    def hang_on_the_first_event(got: Received) -> tuple[int, dict[str, str], bytes]:
        if got.json.get("type") == "member.created" and len(_events(receiver)) == 1:
            released.wait(30)  # the first worker is killed while it waits for this
        return 200, {}, b"ok"

    with running_receiver() as receiver:
        receiver.answer = hang_on_the_first_event
        first = Worker(env, data_dir.parent / "first.log")
        workers.append(first)
        company = Company(env, receiver.url)
        try:
            secret = company.said("SECRET")
            company.said("HIRED")
        finally:
            company.close()
        _until(lambda: len(_events(receiver)) == 1, 60, first)
        first.kill()  # SIGKILL in the middle of the task
        released.set()

        second = Worker(env, data_dir.parent / "second.log")
        workers.append(second)
        _until(lambda: len(_events(receiver)) >= 2, 60, second)
        sent = _events(receiver)
        assert {got.headers["webhook-id"] for got in sent} == {sent[0].headers["webhook-id"]}
        for got in sent:
            got.verify(secret)
        assert "drain_subscriptions" in second.text()
