"""A rolling upgrade as docs/operations.md describes it, for one node (the others go the
same way, one at a time): drained in HAProxy, stopped, started again (the new release),
checked ready and put back, while the other serves. Under load through HAProxy, no request
fails and no write is lost."""

from __future__ import annotations

import time

from tests.multinode.cluster import Cluster
from tests.multinode.load import Load, missing_employees


def test_a_rolling_restart_fails_no_request(cluster: Cluster) -> None:
    proxy = cluster.proxy
    assert proxy is not None
    cluster.wait_ready()  # the tests before may have restarted processes
    load = Load(cluster, threads=2).start()
    back: dict[str, float] = {}
    try:
        time.sleep(1.5)
        for name in ("a",):
            node = cluster.nodes[name]
            proxy.command_socket(f"set server nodes/{name} state drain")
            proxy.wait_for_state(name, "DRAIN")
            proxy.wait_idle(name)
            stopping = time.monotonic()
            node.stop()  # SIGTERM: granian finishes what it is answering
            node.start()
            node.wait_ready()
            print(f"node {name}: stopped and ready again in {time.monotonic() - stopping:.1f} s")
            proxy.command_socket(f"set server nodes/{name} state ready")
            proxy.wait_for_state(name, "UP")
            back[name] = time.monotonic()
            time.sleep(1.5)
    finally:
        outcomes = load.stop()
    assert load.failures() == [], [(f.status, f.error) for f in load.failures()]
    for name, since in back.items():
        assert any(o.node == name and o.started > since for o in outcomes), name
    assert missing_employees(cluster, load.acknowledged()) == []
