"""Granian's processes and the worker count into one directory per host; a scrape sums
them. The directory is emptied when the server starts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

from kluis.operations import metrics

COUNT_ONE_REQUEST = (
    "from kluis.operations.metrics import observe_request, SIGNIN_FAILURES; "
    "observe_request('people/', 'GET', 200, 0.02); SIGNIN_FAILURES.labels('account').inc()"
)


def test_the_counts_of_every_process_are_summed(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("KLUIS_METRICS_DIR", str(tmp_path / "metrics"))
    monkeypatch.setenv(metrics.MULTIPROC_ENV, "")  # restored after the test
    directory = metrics.prepare_multiprocess_dir(tmp_path)
    assert os.environ[metrics.MULTIPROC_ENV] == str(directory)
    for _ in range(2):  # two server processes
        subprocess.run(
            [sys.executable, "-c", COUNT_ONE_REQUEST],
            env={**os.environ, metrics.MULTIPROC_ENV: str(directory)},
            check=True,
            timeout=60,
        )
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(directory))
    text = generate_latest(registry).decode()
    assert 'kluis_http_requests_total{method="GET",route="people/",status="200"} 2.0' in text, text
    assert 'kluis_signin_failures_total{kind="account"} 2.0' in text
    assert 'kluis_http_request_duration_seconds_bucket{le="0.025",route="people/"} 2.0' in text

    metrics.prepare_multiprocess_dir(tmp_path)  # the next start begins at zero
    assert list(directory.iterdir()) == []
    monkeypatch.undo()
    assert metrics.MULTIPROC_ENV not in os.environ


def test_the_directory_is_one_per_host_in_the_data_directory(tmp_path: Path, monkeypatch):
    monkeypatch.delenv("KLUIS_METRICS_DIR", raising=False)
    path = metrics.multiprocess_dir(tmp_path)
    assert path.parent == tmp_path / "metrics" and path.name
