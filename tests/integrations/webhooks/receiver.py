"""A real HTTP receiver on loopback for the webhook tests and the bench: it records every
request (headers, raw body, when) and answers what the test tells it to."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks import Webhook


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float

    @property
    def json(self) -> dict[str, Any]:
        return json.loads(self.body)

    def verify(self, secret: str) -> dict[str, Any]:
        """Check the signature exactly as a Standard Webhooks receiver does (raw body)."""
        return Webhook(secret).verify(self.body, self.headers)


@dataclass
class Receiver:
    url: str
    received: list[Received] = field(default_factory=list)
    # (status, extra headers, body) for each request, given what came in
    answer: Callable[[Received], tuple[int, dict[str, str], bytes]] = lambda r: (200, {}, b"ok")
    lock: threading.Lock = field(default_factory=threading.Lock)

    def events(self) -> list[Received]:
        """What came in, pings left out."""
        with self.lock:
            return [r for r in self.received if r.json.get("type") != "ping"]

    def wait_for(self, count: int, timeout: float = 10.0, *, pings: bool = False) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = list(self.received) if pings else self.events()
            if len(got) >= count:
                return got
            time.sleep(0.02)
        raise AssertionError(f"{len(self.events())} webhooks arrived, {count} expected")


@contextmanager
def running_receiver(host: str = "127.0.0.1") -> Iterator[Receiver]:
    receiver = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # as a production server: no 40 ms delayed ACKs

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            got = Received(
                self.path, {k.lower(): v for k, v in self.headers.items()}, body, time.time()
            )
            with receiver.lock:
                receiver.received.append(got)
            status, headers, content = receiver.answer(got)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            return

    server = ThreadingHTTPServer((host, 0), Handler)
    server.daemon_threads = True
    receiver.url = f"http://{host}:{server.server_address[1]}/hooks/kluis"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
