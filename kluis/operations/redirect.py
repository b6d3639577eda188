"""Plain HTTP that only sends people to HTTPS, so nothing is ever served unencrypted.

Every request gets a 301 (GET/HEAD) or 308 (anything else, so the method and body are
kept) to the same path on `https://<host>:<port>`. The host comes from the request's
Host header only when it is an allowed host; otherwise the configured host is used,
so the redirect can never be pointed at another site (no open redirect).
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from django.http.request import split_domain_port, validate_host


def https_location(
    host_header: str | None,
    path: str,
    *,
    https_port: int,
    fallback_host: str,
    allowed_hosts: Sequence[str],
) -> str:
    """The https:// URL to send a request for `path` with this Host header to."""
    host = fallback_host
    if host_header:
        domain, _port = split_domain_port(host_header.strip())
        # "*" would trust any Host header: then only the configured host is safe.
        patterns = [p for p in allowed_hosts if p != "*"]
        if domain and validate_host(domain, patterns):
            host = domain
    if not path.startswith("/") or path.startswith("//"):
        # An absolute-form target ("GET http://x/y") or a scheme-relative path: keep
        # only the path and query, never a host the client chose.
        parts = urlsplit(path)
        path = "/" + parts.path.lstrip("/") + (f"?{parts.query}" if parts.query else "")
    authority = host if https_port == 443 else f"{host}:{https_port}"
    return f"https://{authority}{path}"


class RedirectHandler(BaseHTTPRequestHandler):
    server: RedirectServer
    server_version = "Kluis"
    sys_version = ""
    protocol_version = "HTTP/1.1"
    timeout = 10  # a slow client must not hold a thread for long

    def _redirect(self) -> None:
        server = self.server
        location = https_location(
            self.headers.get("Host"),
            self.path,
            https_port=server.https_port,
            fallback_host=server.fallback_host,
            allowed_hosts=server.allowed_hosts,
        )
        status = 301 if self.command in {"GET", "HEAD"} else 308
        body = f"Kluis is served over HTTPS: {location}\n".encode()
        self.send_response(status)
        self.send_header("Location", location)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _redirect

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the redirect carries no information worth a log line per request."""


class RedirectServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self,
        host: str,
        port: int,
        *,
        https_port: int,
        fallback_host: str,
        allowed_hosts: Sequence[str],
    ) -> None:
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.https_port = https_port
        self.fallback_host = fallback_host
        self.allowed_hosts = list(allowed_hosts)
        super().__init__((host, port), RedirectHandler)
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Serve in a background thread of the calling process."""
        self._thread = threading.Thread(
            target=self.serve_forever, kwargs={"poll_interval": 0.2}, name="kluis-redirect"
        )
        self._thread.daemon = True
        self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self.server_close()
