"""Fixtures of the several-node tests: a real Redis server on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.scale.redis_server import RedisServer


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """One Redis server per pytest-xdist worker."""
    with RedisServer(Path(tmp_path_factory.mktemp("redis"))) as server:
        yield server


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """The server's URL, emptied for this test."""
    if redis_server.process is None or redis_server.process.poll() is not None:
        redis_server.start()  # a test before this one stopped it
    redis_server.flushall()
    return redis_server.url


# The key prefix the Redis tests' processes share (KLUIS_REDIS_KEY_PREFIX).
REDIS_TEST_PREFIX = "kluis-test"


@pytest.fixture
def on_redis(settings: Any, redis_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """This process's settings as KLUIS_REDIS_URL=<the test server> makes them: the cache
    and the API rate-limit counters on Redis, the `redis` component in /health/ready.
    Redis's back-off after a failure is shortened to 0.2 s."""
    from kluis.api import throttling
    from kluis.operations import health, shared_state
    from kluis.settings_shared_state import redis_caches

    settings.REDIS_URL = redis_url
    settings.REDIS_KEY_PREFIX = REDIS_TEST_PREFIX
    settings.API_RATE_LIMIT_FILE = ""
    settings.CACHES = redis_caches(redis_url, REDIS_TEST_PREFIX)
    monkeypatch.setattr(shared_state, "BACKOFF_SECONDS", 0.2)
    monkeypatch.setattr(throttling, "process_counters", throttling.ProcessCounters())
    shared_state.OUTAGE.reset()
    health.register_check("redis", shared_state.check_redis, critical=False)
    yield redis_url
    health.CHECKS.pop("redis", None)
    health.NON_CRITICAL.discard("redis")
    shared_state.OUTAGE.reset()
