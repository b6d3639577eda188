"""Fixtures of the several-node tests (tests/multinode/): one cluster per test session
(PostgreSQL, Redis, two `kluis serve` nodes behind HAProxy, two workers; cluster.py).

They need PostgreSQL: the PostgreSQL stage of `make test` (scripts/with_postgres.py gives
KLUIS_DATABASE_URL) runs them; elsewhere they are skipped. Every test here is in one
pytest-xdist group (`--dist loadgroup` in the Makefile), so one worker runs them all,
in the order of FILE_ORDER: the tests that kill and restart processes come last."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integrations.webhooks.receiver import Receiver, running_receiver
from tests.multinode.client import Api
from tests.multinode.cluster import Cluster, drop_database, start_cluster

HERE = Path(__file__).resolve().parent
FILE_ORDER = (
    "test_shared_state.py",
    "test_credentials.py",
    "test_webhooks_and_jobs.py",
    "test_faults.py",
    "test_rolling_upgrade.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    ours = [item for item in items if Path(item.path).parent == HERE]
    for item in ours:
        item.add_marker(pytest.mark.slow)
    order = {name: index for index, name in enumerate(FILE_ORDER)}
    positions = [index for index, item in enumerate(items) if Path(item.path).parent == HERE]
    ordered = sorted(ours, key=lambda item: order.get(Path(item.path).name, len(order)))
    for position, item in zip(positions, ordered, strict=True):
        items[position] = item


def postgres_url() -> str:
    url = os.environ.get("KLUIS_DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        pytest.skip(
            "the several-node tests need PostgreSQL (KLUIS_DATABASE_URL): `make test` runs "
            "them in its PostgreSQL stage (scripts/with_postgres.py)"
        )
    return url


@pytest.fixture(scope="session")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    base = postgres_url()
    running = start_cluster(tmp_path_factory.mktemp("multinode"), base)
    try:
        yield running
    finally:
        running.stop()
        running.redis.stop()
        drop_database(base, running.database_url)


@pytest.fixture(scope="session")
def hooks_api(cluster: Cluster) -> Api:
    return Api(cluster.setup["hooks"], cluster.certificate)


@pytest.fixture(scope="session")
def subscriptions(cluster: Cluster, hooks_api: Api) -> Iterator[list[tuple[Receiver, str]]]:
    """Two webhook subscriptions to employee.created, one made through each node, each to
    a receiver of its own on loopback, active (their ping answered): (receiver, secret)."""
    with running_receiver() as first, running_receiver() as second:
        made = []
        for receiver, node in ((first, cluster.nodes["a"]), (second, cluster.nodes["b"])):
            answer = hooks_api.post(
                f"{node.url}/api/v1/webhooks/",
                {"url": receiver.url, "event_types": ["employee.created"]},
            )
            assert answer.status_code == 201, answer.text
            made.append((receiver, answer.json()["secret"], answer.json()["id"]))
        for receiver, _secret, _id in made:
            receiver.wait_for(1, timeout=30, pings=True)
        for _receiver, _secret, subscription in made:
            _wait_active(cluster, hooks_api, subscription)
        yield [(receiver, secret) for receiver, secret, _id in made]


def _wait_active(cluster: Cluster, api: Api, subscription: int) -> None:
    """Until the subscription's ping was answered (status active); slowly, the key's
    requests count against its rate limit."""
    deadline = time.monotonic() + 30
    status = ""
    while time.monotonic() < deadline:
        answer = api.get(f"{cluster.url}/api/v1/webhooks/{subscription}/")
        if answer.status_code == 429:
            time.sleep(float(answer.headers.get("Retry-After", "1")))
            continue
        status = answer.json().get("status", "")
        if status == "active":
            return
        time.sleep(0.5)
    raise AssertionError(f"subscription {subscription} is {status!r}, not active")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Iterator[pytest.TestReport]:
    """A failing test shows the end of every process's log."""
    report: pytest.TestReport = yield
    running = getattr(item, "funcargs", {}).get("cluster")
    if report.failed and isinstance(running, Cluster):
        report.sections.append(("several-node harness logs (last lines)", running.logs()))
    return report
