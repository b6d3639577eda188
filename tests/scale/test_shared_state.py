"""Shared state on a real Redis (KLUIS_REDIS_URL): separate processes share one rate limit
and one cache, counters expire with their window, the API counts there, and a refused
request fills no more counters."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.core.cache import cache

from kluis.api.throttling import count_requests
from kluis.operations import shared_state
from tests.api_client import assert_problem
from tests.scale.conftest import REDIS_TEST_PREFIX

ROOT = Path(__file__).resolve().parents[2]
URL = "/api/v1/employees/?fields=id"

# Redis, S3, the broker and their settings behave alike on either database: the PostgreSQL
# stage leaves this module out (the several-node tests run them there on PostgreSQL).
pytestmark = pytest.mark.engine_independent

# A process of its own with KLUIS_REDIS_URL set: counts `key` `hits` times against a limit
# of 100 and prints how many were let through, what its cache is and what it read there.
CHILD = """
import os, sys
sys.path.insert(0, {root!r})
os.environ["DJANGO_SETTINGS_MODULE"] = "kluis.settings"
import django
django.setup()
from django.conf import settings
from django.core.cache import cache
from kluis.api.throttling import count_requests

cache.set("written-by", "child-{name}", 60)
counts = [count_requests([({key!r}, 100, 60, 7)])[0] for _ in range({hits})]
print(sum(c < 100 for c in counts), counts[0] if counts else -1)
print(settings.CACHES["default"]["BACKEND"], settings.API_RATE_LIMIT_FILE or "-")
print(cache.get("from-parent"))
"""


def run_children(
    redis_url: str, tmp_path: Path, key: str, hits: int, names: list[str]
) -> list[list[str]]:
    env = {
        **os.environ,
        "KLUIS_ENV": "test",
        "KLUIS_REDIS_URL": redis_url,
        "KLUIS_REDIS_KEY_PREFIX": REDIS_TEST_PREFIX,
        "KLUIS_DATA_DIR": str(tmp_path / "data"),
    }
    children = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                CHILD.format(root=str(ROOT), key=key, hits=hits, name=name),
            ],
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        for name in names
    ]
    outputs = []
    for child in children:
        out, _err = child.communicate(timeout=60)
        assert child.returncode == 0
        outputs.append([line.strip() for line in out.strip().splitlines()])
    return outputs


def test_two_processes_share_one_limit_and_one_cache(on_redis, tmp_path):
    cache.set("from-parent", "hello", 60)
    first, second = run_children(on_redis, tmp_path, "throttle:api_key:60:k", 70, ["a", "b"])
    allowed = int(first[0].split()[0]) + int(second[0].split()[0])
    assert allowed == 100  # 140 requests, 100 let through, whichever process took them
    for output in (first, second):
        assert output[1] == "kluis.operations.shared_cache.SharedRedisCache -"
        assert output[2] == "hello"  # what this process wrote, the children read
    assert count_requests([("throttle:api_key:60:k", 100, 60, 7)]) == [100]
    assert cache.get("written-by") in {"child-a", "child-b"}


def test_counters_expire_with_their_window_and_name_no_key_in_the_clear(on_redis):
    assert [count_requests([("throttle:api_ip:1:192.0.2.7", 2, 1, 5)])[0] for _ in range(3)] == [
        0,
        1,
        2,
    ]
    client = redis.Redis.from_url(on_redis)
    keys = client.keys("*")
    assert len(keys) == 1 and b"192.0.2.7" not in keys[0]
    assert keys[0].startswith(f"{REDIS_TEST_PREFIX}:rl:".encode())
    assert 0 < client.ttl(keys[0]) <= 2  # the window (1 s) and one second more
    assert count_requests([("throttle:api_ip:1:192.0.2.7", 2, 1, 6)]) == [0]  # the next window
    deadline = time.monotonic() + 5
    while client.keys("*") and time.monotonic() < deadline:
        time.sleep(0.2)
    assert client.keys("*") == []  # both windows' counters are gone


def test_limits_are_counted_in_turn_and_a_refused_request_fills_no_more(on_redis):
    assert count_requests([("ip", 2, 60, 1), ("key-a", 5, 60, 1)]) == [0, 0]
    assert count_requests([("ip", 2, 60, 1), ("key-b", 5, 60, 1)]) == [1, 0]
    assert count_requests([("ip", 2, 60, 1), ("key-c", 5, 60, 1)]) == [2, None]
    assert count_requests([("key-c", 5, 60, 1)]) == [0]  # never counted while refused
    assert count_requests([("key-a", 5, 60, 1)]) == [1]
    assert count_requests([("zero", 0, 60, 1), ("key-a", 5, 60, 1)]) == [0, None]


@pytest.mark.django_db
def test_the_api_counts_in_redis(api, settings, on_redis):
    settings.API_RATE_PER_KEY = "3/min"
    client = api(["employees:read"])
    assert [client.get(URL)["RateLimit-Remaining"] for _ in range(3)] == ["2", "1", "0"]
    response = client.get(URL)
    assert_problem(response, 429)
    assert 1 <= int(response["Retry-After"]) <= 60
    assert api(["employees:read"]).get(URL).status_code == 200
    # Counted in Redis: the per-key and per-address counters of this test's requests.
    assert len(redis.Redis.from_url(on_redis).keys(f"{REDIS_TEST_PREFIX}:rl:*")) == 3
    assert shared_state.OUTAGE.down_since is None


def test_the_cache_keeps_this_installations_keys_digested_and_clear_keeps_the_rest(on_redis):
    raw = redis.Redis.from_url(on_redis)
    raw.set("rq:queue:default", b"a task queue sharing the database")
    count_requests([("throttle:api_ip:60:192.0.2.8", 5, 60, 1)])
    cache.set("allauth:rl:login:ip:192.0.2.8", [1.0], 60)
    assert cache.get("allauth:rl:login:ip:192.0.2.8") == [1.0]
    names = [key.decode() for key in raw.keys(f"{REDIS_TEST_PREFIX}:c:*")]
    assert len(names) == 1 and "192.0.2.8" not in names[0]
    cache.clear()
    assert cache.get("allauth:rl:login:ip:192.0.2.8") is None
    assert raw.get("rq:queue:default") == b"a task queue sharing the database"
    assert len(raw.keys(f"{REDIS_TEST_PREFIX}:rl:*")) == 1  # the counters are not the cache
