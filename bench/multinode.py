"""Kluis on two nodes through HAProxy, sharing Redis counters, against one node counting
in its host's file: the API list at 16 clients, same machine, same run; and the time from
revoking a key to its refusal on the other node.

    .venv/bin/python bench/multinode.py [--clients 16] [--seconds 5] [--rounds 3]

Needs PostgreSQL: without KLUIS_DATABASE_URL it runs itself under scripts/with_postgres.py
(a throw-away server). Starts the cluster of the several-node tests (tests/multinode/:
PostgreSQL, Redis, two `kluis serve` nodes of one Granian worker each behind HAProxy, two
workers) with rate limits too high to refuse anything, plus, for comparison, without
KLUIS_REDIS_URL (counters in the host's file, the file cache), each behind an HAProxy of
its own: one node of two Granian workers (the issue's comparison) and two nodes of one
(the same topology: only where the counters are differs). Rounds alternate between the
set-ups (median of the rounds).

Targets (issue 19): the shared set-up costs at most 10 % of the API list's throughput;
a revoked key is refused on the other node on the next request. Like every benchmark here
it prints, it does not fail (bench/README.md).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
LIST = "/api/v1/employees/?page_size=50"
TARGET_COST = 0.10
UNLIMITED = {"KLUIS_API_RATE_PER_KEY": "1000000/min", "KLUIS_API_RATE_PER_IP": "1000000/min"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if not os.environ.get("KLUIS_DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        command = [sys.executable, str(ROOT / "scripts" / "with_postgres.py"), "--"]
        return subprocess.call([*command, sys.executable, *sys.argv], cwd=ROOT)
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kluis.settings")
    os.environ.setdefault("KLUIS_ENV", "test")
    root = Path(tempfile.mkdtemp(prefix="kluis-bench-multinode-"))
    os.environ.setdefault("KLUIS_DATA_DIR", str(root / "bench"))
    import django

    django.setup()
    try:
        return run(root, args)
    finally:
        shutil.rmtree(root, ignore_errors=True)


SHARED = "two nodes, Redis counters"
ONE_HOST = "one node, host counters"
TWO_HOSTS = "two nodes, host counters"


def run(root: Path, args: argparse.Namespace) -> int:
    from tests.multinode.cluster import drop_database, start_cluster

    base = os.environ["KLUIS_DATABASE_URL"]
    started = time.monotonic()
    cluster = start_cluster(root / "cluster", base, UNLIMITED)
    print(f"cluster ready in {time.monotonic() - started:.0f} s {cluster.setup['timings']}")
    extra: list[Any] = []
    try:
        # The same Granian processes (two) counting on their host: one node of two workers
        # (the comparison), and two nodes of one (only the counters differ).
        setups = {
            SHARED: cluster.url,
            ONE_HOST: host_counters(cluster, root, "one", {"solo": 2}, extra),
            TWO_HOSTS: host_counters(cluster, root, "two", {"c": 1, "d": 1}, extra),
        }
        keys = cluster.setup["load"][: args.clients]
        figures: dict[str, list[tuple[float, ...]]] = {name: [] for name in setups}
        for _round in range(args.rounds):
            for name, url in setups.items():
                figures[name].append(measure(url, keys, cluster.certificate, args.seconds))
        print(f"\nAPI list ({LIST}) at {args.clients} clients, {args.seconds:.0f} s a round,")
        print(f"median of {args.rounds} rounds (the rounds' rates in brackets):")
        rates = {}
        for name, rounds in figures.items():
            rate = statistics.median(r[0] for r in rounds)
            rates[name] = rate
            p50 = statistics.median(r[1] for r in rounds)
            p99 = statistics.median(r[2] for r in rounds)
            each = ", ".join(f"{r[0]:.0f}" for r in rounds)
            print(
                f"  {name:<26} {rate:7.1f} req/s   p50 {p50:6.1f} ms   p99 {p99:6.1f} ms   [{each}]"
            )
        for other in (ONE_HOST, TWO_HOSTS):
            cost = 1 - rates[SHARED] / rates[other] if rates[other] else 0.0
            verdict = "within" if cost <= TARGET_COST else "OVER"
            print(
                f"  cost of Redis counters against {other}: {cost:+.1%} "
                f"(target <= {TARGET_COST:.0%}: {verdict})"
            )
        revocation(cluster)
    finally:
        for process in extra:
            process.stop()
        cluster.stop()
        cluster.redis.stop()
        drop_database(base, cluster.database_url)
    return 0


def host_counters(cluster, root: Path, name: str, nodes: dict[str, int], extra: list[Any]) -> str:  # type: ignore[no-untyped-def]
    """Web nodes (name: Granian workers) without KLUIS_REDIS_URL (counters and cache on
    their host; their tasks still go to the cluster's broker) behind an HAProxy of their
    own; its URL."""
    from tests.multinode.cluster import free_port
    from tests.multinode.haproxy import HAProxy
    from tests.multinode.processes import web_node

    ports = {node: free_port() for node in nodes}
    started = []
    for node, workers in nodes.items():
        env = dict(cluster.process_env(f"node-{node}"))
        env["KLUIS_TASKS_BROKER_URL"] = env.pop("KLUIS_REDIS_URL")
        log = root / f"node-{node}.log"
        process = web_node(node, ports[node], env, log, cluster.tls, workers=workers)
        process.start()
        extra.append(process)
        started.append(process)
    (root / f"{name}-proxy").mkdir()
    proxy = HAProxy.make(root / f"{name}-proxy", free_port(), ports, cluster.env, cluster.tls)
    proxy.start()
    extra.append(proxy)
    for process in started:
        process.wait_ready()
        proxy.wait_for_state(process.name, "UP")
    return proxy.url


def measure(url: str, keys: list[str], certificate: str, seconds: float) -> tuple[float, ...]:
    """(requests a second, p50 ms, p99 ms) of GET LIST from one thread per key."""
    import requests

    latencies: list[float] = []
    errors: list[int] = []
    lock = threading.Lock()
    start = threading.Barrier(len(keys) + 1)
    deadline = [0.0]

    def client(key: str) -> None:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {key}"
        session.get(url + LIST, verify=certificate, timeout=30)  # warm: TLS, keep-alive
        mine: list[float] = []
        start.wait()
        while time.monotonic() < deadline[0]:
            began = time.monotonic()
            answer = session.get(url + LIST, verify=certificate, timeout=30)
            if answer.status_code != 200:
                with lock:
                    errors.append(answer.status_code)
                continue
            mine.append(time.monotonic() - began)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(key,)) for key in keys]
    for thread in threads:
        thread.start()
    deadline[0] = time.monotonic() + seconds + 1  # after every client's warm-up
    start.wait()
    began = time.monotonic()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began
    if errors:
        print(f"  ({len(errors)} answers were not 200: {sorted(set(errors))})")
    latencies.sort()
    p99 = latencies[int(len(latencies) * 0.99) - 1] if latencies else 0.0
    return len(latencies) / elapsed, statistics.median(latencies or [0]) * 1000, p99 * 1000


def revocation(cluster) -> None:  # type: ignore[no-untyped-def]
    """Revoke a key node B has just served; time until B refuses it, and whether the very
    next request was refused."""
    import requests

    key = cluster.setup["revoke"]
    node_b = cluster.nodes["b"].url
    headers = {"Authorization": f"Bearer {key}"}
    for _ in range(3):
        requests.get(node_b + LIST, headers=headers, verify=cluster.certificate, timeout=30)
    cluster.manage("apikey_revoke", "--tenant", "demo-bv", "--prefix", key[:12])
    revoked = time.monotonic()
    answer = requests.get(node_b + LIST, headers=headers, verify=cluster.certificate, timeout=30)
    took = (time.monotonic() - revoked) * 1000
    next_refused = "yes" if answer.status_code == 401 else f"no ({answer.status_code})"
    print(
        f"\nkey revoked (kluis apikey revoke), then the other node: next request refused: "
        f"{next_refused}, {took:.0f} ms after the revocation returned (target: the next request)"
    )


if __name__ == "__main__":
    raise SystemExit(main())
