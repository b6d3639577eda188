"""Sending one webhook request to a target that plays for time (a real socket on loopback).

The time limit is for the whole request: a target that answers one header line or one
byte of its body every so often (each read well within the per-read timeout) must not
hold the sending thread, nor the subscription's lease, for longer than the limit."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from kluis.integrations.webhooks.transport import post


@contextmanager
def dripping(head: bytes, drip: bytes, every: float, times: int) -> Iterator[str]:
    """A server that sends `head`, then `drip` every `every` seconds, `times` times."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(5)
        try:
            conn, _address = listener.accept()
        except OSError:
            return
        with conn:
            conn.recv(65536)
            try:
                conn.sendall(head)
                for _ in range(times):
                    if stop.wait(every):
                        return
                    conn.sendall(drip)
            except OSError:
                return

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/hooks"
    finally:
        stop.set()
        listener.close()
        thread.join(5)


@pytest.mark.parametrize(
    ("head", "drip"),
    [
        (b"HTTP/1.1 200 OK\r\n", b"X-Slow: 1\r\n"),  # one header line at a time
        (b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n", b"x"),  # one body byte
    ],
    ids=["headers", "body"],
)
def test_a_target_that_drips_its_answer_is_cut_off_at_the_time_limit(head, drip, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    settings.WEBHOOK_TIMEOUT_SECONDS = 1
    with dripping(head, drip, every=0.25, times=40) as url:  # 10 s if let run
        started = time.monotonic()
        answer = post(url, b"{}", {"Content-Type": "application/json"})
        took = time.monotonic() - started
    assert took < 2.5, f"the request took {took:.1f} s with a limit of 1 s"
    assert answer.status is None
    assert answer.error == "The target did not answer in time."


def test_a_prompt_answer_is_read_and_the_connection_kept(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    settings.WEBHOOK_TIMEOUT_SECONDS = 1
    with dripping(b"HTTP/1.1 204 No Content\r\n\r\n", b"", every=3, times=1) as url:
        answer = post(url, b"{}", {"Content-Type": "application/json"})
        time.sleep(1.3)  # past the limit: a cut-off left armed would show here
    assert answer.status == 204
    assert answer.error == ""
