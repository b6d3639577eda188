"""Prometheus metrics (docs/decisions/0024-observability.md).

Counted where things happen: requests by route, method and status with their latency
(`kluis.operations.middleware.MetricsMiddleware`), sign-in failures
(kluis/identity/brute_force.py), webhook delivery outcomes
(kluis/integrations/webhooks/delivery.py). Read at scrape time, in the process that
answers /metrics: the task queue's depth and oldest waiting task, and every gauge an app
registers with `register_gauge` (the backups register the age of the last good backup).

Granian runs several processes: `kluis up` and `kluis serve` give them (and the worker
`kluis up` starts) one PROMETHEUS_MULTIPROC_DIR per host (`prepare_multiprocess_dir`), so a
scrape of any process sums the counters of all of them. Metrics are per node: the scraper
scrapes every node. Labels never carry ids or personal data: a route is the URL pattern.
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from prometheus_client.registry import Collector

logger = logging.getLogger(__name__)

__all__ = [
    "CONTENT_TYPE",
    "REQUESTS",
    "REQUEST_SECONDS",
    "SIGNIN_FAILURES",
    "SIGNIN_REFUSED",
    "WEBHOOK_DELIVERIES",
    "exposition",
    "prepare_multiprocess_dir",
    "register_gauge",
]

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
# What generate_latest writes, as every Prometheus (2.x and 3.x) reads it.
CONTENT_TYPE = CONTENT_TYPE_PLAIN_0_0_4

REQUESTS = Counter(
    "kluis_http_requests",
    "HTTP requests answered, by route (URL pattern), method and status code.",
    ["route", "method", "status"],
)
REQUEST_SECONDS = Histogram(
    "kluis_http_request_duration_seconds",
    "Time from the request reaching Kluis to its response, by route (URL pattern).",
    ["route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
SIGNIN_FAILURES = Counter(
    "kluis_signin_failures",
    "Failed sign-in attempts: `account` (a wrong password or code for an account), "
    "`address` (counted against the client address only, e.g. an unknown token).",
    ["kind"],
)
SIGNIN_REFUSED = Counter(
    "kluis_signin_refused",
    "Sign-in attempts refused before the request was read: `throttled` (from an address "
    "with too many failed sign-ins; kluis/identity/early_refusal.py).",
    ["reason"],
)
WEBHOOK_DELIVERIES = Counter(
    "kluis_webhook_delivery_attempts",
    "Webhook delivery attempts by outcome: delivered, retry (will be tried again), "
    "final (given up).",
    ["outcome"],
)

GaugeReader = Callable[[], float | None]
_GAUGES: dict[str, tuple[str, GaugeReader]] = {}


def register_gauge(name: str, help: str, fn: GaugeReader) -> None:
    """A gauge read at scrape time: `fn()` returns its value now, or None when there is
    none (then the gauge is left out). Call it from an AppConfig.ready(); the name should
    start with `kluis_` and end in its unit (`_seconds`, `_bytes`). Registering a name
    again replaces the earlier reader. `fn` runs in the scraping request: keep it to one
    cheap query, and let it raise: a failing reader is logged and left out."""
    if not name.startswith("kluis_") or not name.replace("_", "").isalnum():
        raise ValueError(f"a Kluis gauge is named kluis_<what>_<unit>, not {name!r}")
    _GAUGES[name] = (help, fn)


class ScrapeTimeCollector(Collector):
    """The values read from the database when /metrics is scraped."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        yield from _queue_metrics()
        for name, (help_text, fn) in sorted(_GAUGES.items()):
            try:
                value = fn()
            except Exception:
                logger.exception("metrics: the gauge %s could not be read", name)
                continue
            if value is not None:
                yield GaugeMetricFamily(name, help_text, value=float(value))


def _queue_metrics() -> Iterable[GaugeMetricFamily]:
    from django.db.models import Count, Min
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    depth = GaugeMetricFamily(
        "kluis_task_queue_depth", "Tasks waiting to run now, by queue.", labels=["queue"]
    )
    oldest = GaugeMetricFamily(
        "kluis_task_queue_oldest_age_seconds",
        "How long the oldest task that may run now has waited, by queue (0: none waits).",
        labels=["queue"],
    )
    now = timezone.now()
    rows = (
        DBTaskResult.objects.ready()
        .values("queue_name")
        .annotate(waiting=Count("id"), since=Min("enqueued_at"))
        .order_by("queue_name")
    )
    from django.conf import settings

    seen = set()
    for row in rows:
        seen.add(row["queue_name"])
        depth.add_metric([row["queue_name"]], row["waiting"])
        oldest.add_metric([row["queue_name"]], max((now - row["since"]).total_seconds(), 0.0))
    for backend in settings.TASKS.values():
        for queue in backend.get("QUEUES", ["default"]):
            if queue not in seen:
                seen.add(queue)
                depth.add_metric([queue], 0)
                oldest.add_metric([queue], 0)
    return [depth, oldest]


def exposition() -> bytes:
    """The text format of every metric this node has."""
    scraped = CollectorRegistry(auto_describe=False)
    scraped.register(ScrapeTimeCollector())
    if os.environ.get(MULTIPROC_ENV):
        counted = CollectorRegistry()
        multiprocess.MultiProcessCollector(counted)
        return generate_latest(counted) + generate_latest(scraped)
    return generate_latest(REGISTRY) + generate_latest(scraped)


def multiprocess_dir(data_dir: Path) -> Path:
    """KLUIS_METRICS_DIR, else <data dir>/metrics/<host name>: one per host even when
    hosts share a data directory."""
    configured = os.environ.get("KLUIS_METRICS_DIR", "").strip()
    if configured:
        return Path(configured)
    return data_dir / "metrics" / (socket.gethostname() or "host")


def prepare_multiprocess_dir(data_dir: Path) -> Path:
    """Before the server's processes start: an empty directory for their counters, named
    in the environment the children get. Emptied at every start: counters start again
    from zero, which Prometheus reads as a restart."""
    path = multiprocess_dir(data_dir)
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True, mode=0o700)
    os.environ[MULTIPROC_ENV] = str(path)
    return path


def observe_request(route: str, method: str, status: int, seconds: float) -> None:
    REQUESTS.labels(route, method, str(status)).inc()
    REQUEST_SECONDS.labels(route).observe(seconds)


def now() -> float:
    return time.perf_counter()
