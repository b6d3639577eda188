"""The rate-limit counters every web process of a host shares (a memory-mapped table): one
limit across processes, a fresh count each window, no key crowded out of its count."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kluis.api.throttling import SharedCounters
from tests.api_client import assert_problem

ROOT = Path(__file__).resolve().parents[2]
URL = "/api/v1/employees/?fields=id"

CHILD = """
import os, sys
sys.path.insert(0, {root!r})
os.environ["DJANGO_SETTINGS_MODULE"] = "kluis.settings"
import django
django.setup()
from pathlib import Path
from kluis.api.throttling import SharedCounters
counters = SharedCounters(Path({path!r}))
allowed = sum(counters.hit("throttle:api_key:60:k", 100, 7) < 100 for _ in range(60))
print(allowed)
"""


def test_processes_share_one_limit(tmp_path):
    path = tmp_path / "ratelimits.bin"
    env = {**os.environ, "KLUIS_ENV": "test", "KLUIS_DATA_DIR": str(tmp_path / "data")}
    code = CHILD.format(root=str(ROOT), path=str(path))
    children = [
        subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    allowed = [int(child.communicate(timeout=120)[0].split()[-1]) for child in children]
    assert sum(allowed) == 100  # 180 requests, 100 let through, whichever process took them
    assert SharedCounters(path).hit("throttle:api_key:60:k", 100, 7) == 100


def test_a_new_window_counts_afresh_and_keys_count_apart(tmp_path):
    counters = SharedCounters(tmp_path / "ratelimits.bin")
    assert [counters.hit("a", 2, 1) for _ in range(3)] == [0, 1, 2]  # the third is refused
    assert counters.hit("b", 2, 1) == 0
    assert counters.hit("a", 2, 2) == 0


def test_a_flood_of_made_up_keys_does_not_break_the_table(tmp_path):
    counters = SharedCounters(tmp_path / "ratelimits.bin")
    for n in range(SharedCounters.SLOTS * 2):
        counters.hit(f"guess-{n}", 5, 1)
    assert [counters.hit("real", 3, 1) for _ in range(4)] == [0, 1, 2, 3]
    counters.clear()
    assert counters.hit("real", 3, 1) == 0


def test_a_table_of_another_layout_is_started_afresh(tmp_path):
    path = tmp_path / "ratelimits.bin"
    path.write_bytes(b"not a table")
    assert SharedCounters(path).hit("a", 1, 1) == 0
    assert path.stat().st_size == SharedCounters(path).size


@pytest.fixture
def shared_counters(settings, tmp_path):
    settings.API_RATE_LIMIT_FILE = str(tmp_path / "ratelimits.bin")


def test_the_api_counts_in_the_shared_table_when_it_is_configured(api, settings, shared_counters):
    settings.API_RATE_PER_KEY = "3/min"
    client = api(["employees:read"])
    assert [client.get(URL)["RateLimit-Remaining"] for _ in range(3)] == ["2", "1", "0"]
    response = client.get(URL)
    assert_problem(response, 429)
    assert 1 <= int(response["Retry-After"]) <= 60
    assert int(response["RateLimit-Reset"]) <= 60
    assert api(["employees:read"]).get(URL).status_code == 200


def test_limits_are_counted_in_turn_and_a_refused_request_fills_no_more(tmp_path):
    """The API counts the per-IP and per-key limits under one lock; once the first refuses,
    the made-up keys of a flood get no counters of their own."""
    counters = SharedCounters(tmp_path / "ratelimits.bin")
    assert counters.hit_all([("ip", 2, 1), ("key-a", 5, 1)]) == [0, 0]
    assert counters.hit_all([("ip", 2, 1), ("key-b", 5, 1)]) == [1, 0]
    assert counters.hit_all([("ip", 2, 1), ("key-c", 5, 1)]) == [2, None]
    assert counters.hit("key-c", 5, 1) == 0  # never counted while the address was refused
    assert counters.hit("key-a", 5, 1) == 1


def test_an_address_over_its_limit_is_refused_whatever_key_it_sends(api, settings, shared_counters):
    settings.API_RATE_PER_IP = "2/hour"
    settings.API_RATE_PER_KEY = "100/hour"
    assert api(["employees:read"]).get(URL).status_code == 200
    assert api(["employees:read"]).get(URL)["RateLimit-Remaining"] == "0"
    response = api(["employees:read"]).get(URL)
    assert_problem(response, 429)
    assert response["RateLimit-Limit"] == "2" and response["RateLimit-Remaining"] == "0"
