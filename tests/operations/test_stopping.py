"""Stopping `kluis up` with signals: a burst of TERMs and a TERM during start-up end it
cleanly (the handler only sets a flag and writes to a pipe; the one it replaced took a
lock, and a second TERM while the first held it hung the process for good)."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kluis.operations.stopper import Stopper
from tests.operations.test_serving import KluisUp, _port_is_free
from tests.sqlite_template import migrated_copy

# The kluis command against its own SQLite data directory, whatever the stage's database:
# run in the SQLite stage only (the PostgreSQL stage would run the very same thing).
pytestmark = pytest.mark.own_sqlite


@pytest.fixture
def stopper() -> Iterator[Stopper]:
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    made = Stopper()
    made.install()
    try:
        yield made
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        made.close()


def test_a_burst_of_signals_sets_the_flag_once_and_wakes_the_sleeper(stopper: Stopper) -> None:
    assert stopper.wait(0.01) is False
    for _ in range(500):  # more than the pipe holds is dropped, never blocks
        os.kill(os.getpid(), signal.SIGTERM)
    os.kill(os.getpid(), signal.SIGINT)
    started = time.monotonic()
    assert stopper.wait(5) is True
    assert time.monotonic() - started < 1
    assert stopper.signum == signal.SIGTERM  # the first signal is the one remembered


def test_a_sleeper_wakes_as_soon_as_a_signal_comes(stopper: Stopper) -> None:
    import threading

    threading.Timer(0.2, os.kill, args=(os.getpid(), signal.SIGTERM)).start()
    started = time.monotonic()
    # select() in the main thread is woken by the byte the handler writes.
    while not stopper.wait(10):
        pass
    assert time.monotonic() - started < 5


@pytest.mark.slow
def test_two_terms_in_quick_succession_stop_kluis_up_cleanly(tmp_path: Path) -> None:
    migrated_copy(tmp_path)  # what is tested is the stopping, not the migrating
    kluis = KluisUp(tmp_path, "--no-demo")
    try:
        kluis.wait_until_running()
        started = time.monotonic()
        for _ in range(3):
            kluis.process.send_signal(signal.SIGTERM)
            time.sleep(0.005)
        assert kluis.process.wait(timeout=20) == 0
        kluis._reader.join(timeout=5)
        assert time.monotonic() - started < 20
        assert "Traceback" not in kluis.output
        assert kluis.lines[-1] == "Kluis stopped."
        assert _port_is_free(kluis.port)
        assert _port_is_free(kluis.http_port)
    finally:
        kluis.kill()


@pytest.mark.slow
def test_a_term_during_start_up_stops_after_the_step_under_way(tmp_path: Path) -> None:
    kluis = KluisUp(tmp_path, "--no-demo")
    try:
        deadline = time.monotonic() + 30
        while "==> Migrating the database" not in kluis.lines:
            assert kluis.process.poll() is None, kluis.output
            assert time.monotonic() < deadline, kluis.output
            time.sleep(0.01)
        kluis.process.send_signal(signal.SIGTERM)
        kluis.process.send_signal(signal.SIGTERM)
        assert kluis.process.wait(timeout=60) == 0
        kluis._reader.join(timeout=5)
        assert "Traceback" not in kluis.output
        assert kluis.lines[-1] == "Kluis stopped."
        assert not any("Starting the web server" in line for line in kluis.lines)
        assert _port_is_free(kluis.port)
    finally:
        kluis.kill()
