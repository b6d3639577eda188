"""What sharing the rate-limit counters (and the cache) in Redis costs against the host's
counters file, same machine, same run.

    .venv/bin/python bench/shared_counters.py [--employees 200] [--seconds 3] [--rounds 3]
                                              [--redis-url redis://...]

Starts a loopback `redis-server` (tests/scale/redis_server.py; or uses --redis-url), seeds
one company and measures, in one process, alternating the two set-ups round by round
(median of the rounds):

1. `kluis.api.throttling.count_requests` with the API's two limits (per address, per
   key): calls per second, host counters file (mmap under a file lock) versus Redis (one
   Lua round trip on loopback);
2. the API list `/api/v1/employees/?page_size=50` through Django's test client with a key:
   requests per second with the host counters file and the file cache versus everything
   that KLUIS_REDIS_URL puts on Redis (counters and cache).

Target (issue 19): the shared counters cost at most 10 % of the API list's throughput.
Like every benchmark here it prints, it does not fail (bench/README.md).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _seed import ROOT, seed, setup_django

TARGET_COST = 0.10
LIST_URL = "/api/v1/employees/?page_size=50"


def rate(work: Callable[[], Any], seconds: float, threads: int = 1) -> float:
    """Calls of `work` per second, over about `seconds`, from `threads` threads at once
    (a web worker's threads overlap one request's wait for Redis with another's work)."""
    done = [0] * threads
    started = time.perf_counter()
    deadline = started + seconds

    def loop(index: int) -> None:
        while time.perf_counter() < deadline:
            for _ in range(10):
                work()
            done[index] += 10

    runners = [threading.Thread(target=loop, args=(n,)) for n in range(threads)]
    for runner in runners:
        runner.start()
    for runner in runners:
        runner.join()
    return sum(done) / (time.perf_counter() - started)


def alternate(
    modes: dict[str, dict[str, Any]],
    work: Callable[[], Any],
    seconds: float,
    rounds: int,
    threads: int = 1,
) -> dict[str, float]:
    """The median rate of `work` under each settings override, the modes taking turns."""
    from django.test import override_settings

    found: dict[str, list[float]] = {name: [] for name in modes}
    for _round in range(rounds):
        for name, overrides in modes.items():
            with override_settings(**overrides):
                work()  # warm: the connection, the script, the mapping
                found[name].append(rate(work, seconds, threads))
    return {name: statistics.median(values) for name, values in found.items()}


def commands(redis_url: str) -> dict[str, int]:
    """Commands Redis has run so far, by name (INFO commandstats, INFO itself left out)."""
    import redis

    stats = redis.Redis.from_url(redis_url).info("commandstats")
    return {
        name.removeprefix("cmdstat_"): int(entry["calls"])
        for name, entry in stats.items()
        if name != "cmdstat_info"
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--employees", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4, help="API list: client threads")
    parser.add_argument("--redis-url", default="")
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="kluis-counters-bench-"))
    server = None
    try:
        redis_url = args.redis_url
        if not redis_url:
            sys.path.insert(0, str(ROOT))
            from tests.scale.redis_server import RedisServer

            server = RedisServer(data_dir / "redis").start()
            redis_url = server.url
        setup_django(data_dir)
        measure(data_dir, redis_url, args)
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


def measure(data_dir: Path, redis_url: str, args: argparse.Namespace) -> None:
    from django.test import Client, override_settings

    from kluis.access.actor import Actor
    from kluis.api.throttling import count_requests
    from kluis.integrations.services import create_api_key
    from kluis.settings_shared_state import redis_caches

    host = {
        "REDIS_URL": "",
        "API_RATE_LIMIT_FILE": str(data_dir / "ratelimits.bin"),
        "CACHES": {
            "default": {
                "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                "LOCATION": str(data_dir / "cache"),
            }
        },
    }
    shared = {
        "REDIS_URL": redis_url,
        "REDIS_KEY_PREFIX": "kluis-bench",
        "API_RATE_LIMIT_FILE": "",
        "CACHES": redis_caches(redis_url, "kluis-bench"),
    }
    modes = {"host counters file": host, "Redis (shared)": shared}
    limits = {"API_RATE_PER_KEY": "100000000/min", "API_RATE_PER_IP": "100000000/min"}
    for overrides in modes.values():
        overrides.update(limits)

    print(f"Redis: {redis_url}; {args.rounds} rounds of {args.seconds:g} s per set-up")
    window = int(time.time() // 60)
    counts = [
        ("throttle:api_ip:60:127.0.0.1", 100_000_000, 60, window),
        ("throttle:api_key:60:0123456789abcdef", 100_000_000, 60, window),
    ]
    calls = alternate(modes, lambda: count_requests(counts), args.seconds, args.rounds)
    print("\ncount_requests (two limits), calls/s:")
    for name, value in calls.items():
        print(f"  {name:<20} {value:>10,.0f}   ({1e6 / value:6.1f} µs a call)")

    tenant, _hr = seed(args.employees)
    system = Actor.system("bench", tenant)
    _key, token = create_api_key(system, tenant, "Bench counters", ["employees:read"])
    clients = threading.local()

    def api_list() -> None:
        if not hasattr(clients, "client"):
            clients.client = Client(headers={"authorization": f"Bearer {token}"})
        response = clients.client.get(LIST_URL)
        assert response.status_code == 200, response.status_code

    requests = alternate(modes, api_list, args.seconds, args.rounds, args.threads)
    with override_settings(**shared):
        before, sample = commands(redis_url), 50
        for _ in range(sample):
            api_list()
        after = commands(redis_url)
        per_request = {name: (after.get(name, 0) - before.get(name, 0)) / sample for name in after}
    print(
        f"\nAPI list {LIST_URL} ({args.employees} employees, test client, "
        f"{args.threads} threads), requests/s:"
    )
    for name, value in requests.items():
        print(f"  {name:<20} {value:>10,.1f}")
    shown = ", ".join(f"{name} {n:.1f}" for name, n in sorted(per_request.items()) if n >= 0.1)
    print(f"  Redis commands a request: {shown} (GET/INCR/EXPIRE inside the one EVALSHA)")
    cost = 1 - requests["Redis (shared)"] / requests["host counters file"]
    verdict = "within" if cost <= TARGET_COST else "OVER"
    print(f"  cost of sharing: {cost:+.1%} of throughput ({verdict} the {TARGET_COST:.0%} target)")


if __name__ == "__main__":
    main()
