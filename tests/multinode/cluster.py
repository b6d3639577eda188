"""Kluis on several nodes on loopback: a fresh PostgreSQL database, Redis, two web nodes
(`kluis serve`, each its own data directory, the same secret and master keys) behind
HAProxy, and two workers. Started once per test session (tests/multinode/conftest.py).

The nodes run with KLUIS_ENV=development: production would refuse the loopback webhook
receiver (KLUIS_WEBHOOK_ALLOW_PRIVATE_TARGETS) and the development outbox mailer, and
nothing else the tests look at differs."""

from __future__ import annotations

import base64
import json
import os
import secrets
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from tests.multinode.haproxy import HAProxy
from tests.multinode.processes import REPO_ROOT, Process, WebNode, web_node, worker
from tests.scale.redis_server import RedisServer

LOG_FILE = "KLUIS_LOG_FILE"  # kept: the test run's check of every process's logs
# The API key limit the rate-limit test proves across nodes (its 21st request is a 429).
RATE_PER_KEY = 20
# Sign-in failures that block an account from an address (10 by default).
BLOCK_AFTER = 3
# Keys for the load of the fault and upgrade tests: each stays under RATE_PER_KEY a minute
# at the load's pace (tests/multinode/load.py).
LOAD_KEYS = 40
DAILY_JOBS = ("timeoff.grants", "timeoff.expiries", "backups.daily")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def tasks_environment() -> dict[str, str]:
    """The workers take their tasks from RQ on the cluster's Redis (the broker defaults to
    KLUIS_REDIS_URL); a task of a killed worker runs again elsewhere after 5 s."""
    return {"KLUIS_TASKS_BACKEND": "rq", "KLUIS_TASKS_LOST_AFTER": "5"}


SETUP = """
import json
from django.core.management import call_command
from kluis.access.actor import Actor
from kluis.integrations.models import ApiKey
from kluis.integrations.services import create_api_key
from kluis.tenancy.models import Membership, Tenant
call_command("load_demo")
tenant = Tenant.objects.get(slug="demo-bv")
system = Actor.system("tests:multinode", tenant)
def key(name, scopes):
    return create_api_key(system, tenant, name, scopes)[1]
read = ["employees:read"]
write = ["employees:read", "employees:write"]
made = {
    "rate": key("rate limit", read),
    "revoke": key("revoked on one node", read),
    "revoke_pk": ApiKey.objects.for_tenant(tenant).get(client__name="revoked on one node").pk,
    "hooks": key("webhooks", ["employees:read", "employees:write", "webhooks:write"]),
    "verify": key("what exists", read),
    "load": [key(f"load {n}", write) for n in range(LOAD_KEYS)],
    "members": {
        m.user.email: m.pk for m in Membership.objects.for_tenant(tenant).select_related("user")
    },
}
print("MULTINODE " + json.dumps(made))
"""


@dataclass
class Cluster:
    root: Path
    database_url: str
    redis: RedisServer
    env: dict[str, str]
    tls: tuple[Path, Path]
    nodes: dict[str, WebNode] = field(default_factory=dict)
    workers: dict[str, Process] = field(default_factory=dict)
    proxy: HAProxy | None = None
    setup: dict[str, Any] = field(default_factory=dict)

    @property
    def url(self) -> str:
        assert self.proxy is not None
        return self.proxy.url

    @property
    def certificate(self) -> str:
        return str(self.tls[0])

    def processes(self) -> list[Process]:
        found: list[Process] = [*self.nodes.values(), *self.workers.values()]
        return found + ([self.proxy] if self.proxy else [])

    def process_env(self, name: str) -> dict[str, str]:
        data_dir = self.root / name
        data_dir.mkdir(parents=True, exist_ok=True)
        return {**self.env, "KLUIS_DATA_DIR": str(data_dir)}

    def manage(self, *args: str, timeout: float = 300, release: Path = REPO_ROOT) -> str:
        """`manage.py` against the cluster's database (a data directory of its own), of this
        checkout or of another `release` (a copy); stdout."""
        env = self.process_env("cli")
        if release != REPO_ROOT:
            env["PYTHONPATH"] = str(release)
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=release,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=timeout,
        )
        if result.returncode != 0:
            raise AssertionError(
                f"manage.py {args[0]} failed ({result.returncode}):\n"
                f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
            )
        return result.stdout

    def shell(self, code: str) -> Any:
        """Run Python in `manage.py shell`; the JSON it printed last (a line "MULTINODE ...")."""
        out = self.manage("shell", "-c", code)
        lines = [line for line in out.splitlines() if line.startswith("MULTINODE ")]
        assert lines, f"no result from the shell:\n{out[-3000:]}"
        return json.loads(lines[-1].removeprefix("MULTINODE "))

    def wait_ready(self) -> None:
        assert self.proxy is not None
        for node in self.nodes.values():
            node.wait_ready()
        for name in self.nodes:
            self.proxy.wait_for_state(name, "UP")

    def restart_node(self, name: str) -> None:
        node = self.nodes[name]
        node.stop()
        node.start()
        node.wait_ready()

    def logs(self) -> str:
        return "\n\n".join(f"--- {p.name} ({p.log}) ---\n{p.tail()}" for p in self.processes())

    def stop(self) -> None:
        """Every process asked to stop at once (SIGTERM), then waited for."""
        for process in self.processes():
            process.terminate()
        for process in self.processes():
            process.stop(timeout=10)


def _harness_database(base_url: str) -> str:
    """A fresh database next to the stage's one (its role may CREATE DATABASE)."""
    import psycopg

    name = f"kluis_multinode_{os.getpid()}_{secrets.token_hex(3)}"
    with psycopg.connect(base_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(base_url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def drop_database(base_url: str, url: str) -> None:
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(base_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _environment(database_url: str, redis_url: str, proxy_port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KLUIS_") or k == LOG_FILE}
    env.update(
        {
            "PYTHONPATH": str(REPO_ROOT),
            "PYTHONUNBUFFERED": "1",
            "DJANGO_SETTINGS_MODULE": "kluis.settings",
            "KLUIS_ENV": "development",
            "KLUIS_DATABASE_URL": database_url,
            "KLUIS_REDIS_URL": redis_url,
            # The same secrets on every node, as an operator's configuration management
            # would give them.
            "KLUIS_SECRET_KEY": secrets.token_urlsafe(64),
            "KLUIS_MASTER_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
            "KLUIS_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "KLUIS_CSRF_TRUSTED_ORIGINS": f"https://127.0.0.1:{proxy_port}",
            "KLUIS_BEHIND_PROXY": "1",
            "KLUIS_TRUSTED_PROXIES": "1",
            "KLUIS_API_RATE_PER_KEY": f"{RATE_PER_KEY}/min",
            "KLUIS_API_RATE_PER_IP": "100000/min",
            "KLUIS_SIGNIN_BLOCK_AFTER": str(BLOCK_AFTER),
            "KLUIS_WEBHOOK_ALLOW_PRIVATE_TARGETS": "1",
            "KLUIS_WEBHOOK_LEASE_SECONDS": "2",
            "KLUIS_WEBHOOK_SWEEP_SECONDS": "1",
            "KLUIS_WEBHOOK_RETRY_SCHEDULE": "0.5,0.5,1,1,1,1,1,1,1",
            "KLUIS_BACKUP_ENABLED": "0",
            # Every task's start in the workers' logs (the daily jobs' test counts them).
            "KLUIS_TASK_LOG_LEVEL": "INFO",
        }
    )
    env.update(tasks_environment())
    return env


def start_cluster(
    root: Path, base_database_url: str, overrides: dict[str, str] | None = None
) -> Cluster:
    """Everything started and ready; on failure what was started is stopped again.
    `overrides`: KLUIS_* variables of every process instead of the harness's (the bench's
    rate limits)."""
    from kluis.operations.tls import ensure_certificate

    redis = RedisServer(root / "redis").start()
    proxy_port = free_port()
    cluster = Cluster(
        root=root,
        database_url=_harness_database(base_database_url),
        redis=redis,
        env={},
        tls=ensure_certificate(root / "tls"),
    )
    cluster.env = {**_environment(cluster.database_url, redis.url, proxy_port), **(overrides or {})}
    try:
        started = time.monotonic()
        ports = {"a": free_port(), "b": free_port()}
        for name, port in ports.items():
            data = cluster.process_env(f"node-{name}")
            log = root / f"node-{name}.log"
            cluster.nodes[name] = web_node(name, port, data, log, cluster.tls)
        for name in ("worker-1", "worker-2"):
            cluster.workers[name] = worker(name, cluster.process_env(name), root / f"{name}.log")
        cluster.proxy = HAProxy.make(root, proxy_port, ports, cluster.env, cluster.tls)
        # The nodes (which touch the database only when asked) and HAProxy start while
        # the database is migrated and the demo loads; the workers after that (their
        # scheduled jobs must not race the demo's own writes).
        for node in cluster.nodes.values():
            node.start()
        cluster.proxy.start()
        cluster.manage("migrate", "--noinput", "--verbosity", "0")
        timings = {"migrated": round(time.monotonic() - started, 1)}
        cluster.setup = cluster.shell(SETUP.replace("LOAD_KEYS", str(LOAD_KEYS)))
        timings["demo loaded"] = round(time.monotonic() - started, 1)
        for process in cluster.workers.values():
            process.start()
        cluster.proxy.wait_listening()
        cluster.wait_ready()
        timings["ready"] = round(time.monotonic() - started, 1)
        cluster.setup["timings"] = timings
    except BaseException:
        cluster.stop()
        redis.stop()
        drop_database(base_database_url, cluster.database_url)
        raise
    return cluster
