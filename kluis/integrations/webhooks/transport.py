"""Sending one webhook request without letting a target reach inside the network (SSRF).

The target's name is resolved here, at send time, and every address it resolves to is
checked; the request then connects to the checked address itself (the URL's host is sent
as Host and as the TLS server name, and the certificate is verified against it), so a
name that resolves to a public address when checked and to 127.0.0.1 when connected (DNS
rebinding) cannot slip through. Loopback, private, link-local (cloud metadata), CGNAT,
multicast, reserved and unspecified addresses are refused unless
`settings.WEBHOOK_ALLOW_PRIVATE_TARGETS` (development and tests only; production refuses
to start with it). No redirect is followed, and at most `WEBHOOK_MAX_RESPONSE_BYTES` of
the answer are read. The whole request has a time limit: a socket's timeout is per read,
so a target that answers a header line or a byte at a time would keep the sending thread
(and the subscription's lease) as long as it likes; when the limit is up the connection
is shut, whatever it was doing."""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import urllib3
import urllib3.connection
from django.conf import settings
from django.utils.translation import gettext as _

# Kept connections, per sending thread (a pool is one connection to one checked address).
_LOCAL = threading.local()
_MAX_POOLS = 64
_SCHEMES = {"http": 80, "https": 443}


TIMED_OUT = "The target did not answer in time."


class _Timed:
    """A connection that tells its request's cut-off which socket to shut."""

    def request(self, *args: Any, **kwargs: Any) -> None:
        cutoff = getattr(_LOCAL, "cutoff", None)
        if cutoff is not None:
            cutoff.connection = self
        super().request(*args, **kwargs)  # type: ignore[misc]


class _TimedHTTPConnection(_Timed, urllib3.connection.HTTPConnection):
    pass


class _TimedHTTPSConnection(_Timed, urllib3.connection.HTTPSConnection):
    pass


class _Cutoff:
    """Shuts the request's connection when its time is up (from a timer thread)."""

    def __init__(self, seconds: float) -> None:
        self.connection: Any = None
        self.cut = False
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._cut)
        self._timer.daemon = True

    def __enter__(self) -> _Cutoff:
        _LOCAL.cutoff = self
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()
        with self._lock:
            self.connection = None  # from now on the connection is the next request's
        _LOCAL.cutoff = None

    def _cut(self) -> None:
        with self._lock:
            self.cut = True
            sock = getattr(self.connection, "sock", None)
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


class RefusedTarget(ValueError):
    """The URL may not be sent to (scheme, or an address inside the network)."""


@dataclass
class Answer:
    status: int | None  # None: no HTTP answer (timeout, refused connection, address)
    duration_ms: int
    excerpt: str = ""
    error: str = ""
    retry_after: float | None = None


def refused_address(address: str) -> bool:
    """An address no webhook may be sent to."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is not None:
            return refused_address(str(embedded))
        if ip.is_site_local:  # fec0::/10: deprecated, yet "global" to ipaddress
            return True
    return not ip.is_global or ip.is_multicast or ip.is_unspecified or ip.is_reserved


def check_url(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of a URL Kluis may send to, else RefusedTarget."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in _SCHEMES or not parts.hostname:
        raise RefusedTarget(_("The URL must start with https:// and name a host."))
    if scheme != "https" and settings.WEBHOOK_REQUIRE_HTTPS:
        raise RefusedTarget(_("The URL must start with https://."))
    if parts.username or parts.password:
        raise RefusedTarget(_("The URL may not hold a user name or password."))
    try:
        port = parts.port or _SCHEMES[scheme]
    except ValueError:
        raise RefusedTarget(_("The URL's port is not a number.")) from None
    return scheme, parts.hostname, port


def resolve(host: str, port: int) -> str:
    """The address to connect to: every address the name resolves to must be allowed
    (unless private targets are allowed), and the first of them is used."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise RefusedTarget(
            _("The host name %(host)s does not resolve.") % {"host": host}
        ) from None
    addresses = [str(info[4][0]) for info in infos]
    if not addresses:
        raise RefusedTarget(_("The host name %(host)s does not resolve.") % {"host": host})
    if not settings.WEBHOOK_ALLOW_PRIVATE_TARGETS and any(map(refused_address, addresses)):
        raise RefusedTarget(
            _("%(host)s resolves to an address inside a private network, which is not allowed.")
            % {"host": host}
        )
    return addresses[0]


def _pool(scheme: str, address: str, port: int, host: str) -> urllib3.HTTPConnectionPool:
    key = (scheme, address, port, host)
    pools: OrderedDict[tuple[str, str, int, str], urllib3.HTTPConnectionPool] | None = getattr(
        _LOCAL, "pools", None
    )
    if pools is None:
        pools = _LOCAL.pools = OrderedDict()
    pool = pools.get(key)
    if pool is not None:
        pools.move_to_end(key)
        return pool
    if scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            address,
            port,
            maxsize=1,
            server_hostname=host,
            assert_hostname=host,
            cert_reqs="CERT_REQUIRED",
        )
    else:
        pool = urllib3.HTTPConnectionPool(address, port, maxsize=1)
    pool.ConnectionCls = _TimedHTTPSConnection if scheme == "https" else _TimedHTTPConnection
    pools[key] = pool
    while len(pools) > _MAX_POOLS:
        pools.popitem(last=False)[1].close()
    return pool


def _forget(pool: urllib3.HTTPConnectionPool) -> None:
    """Drop a pool whose connection was shut (the next request connects afresh)."""
    pools = getattr(_LOCAL, "pools", None) or {}
    for key, kept in list(pools.items()):
        if kept is pool:
            del pools[key]
    pool.close()


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def post(url: str, body: bytes, headers: dict[str, str]) -> Answer:
    """POST the body; never raises for what the target does (that is the Answer)."""
    started = time.monotonic()

    def took() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        scheme, host, port = check_url(url)
        address = resolve(host, port)
    except RefusedTarget as refused:
        return Answer(None, took(), error=str(refused)[:300])
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    host_header = host if ":" not in host else f"[{host}]"
    if parts.port:
        host_header += f":{parts.port}"
    limit = settings.WEBHOOK_MAX_RESPONSE_BYTES
    pool = _pool(scheme, address, port, host)
    cutoff = _Cutoff(settings.WEBHOOK_TIMEOUT_SECONDS)
    content = b""
    try:
        with cutoff:
            response = pool.urlopen(
                "POST",
                path,
                body=body,
                headers={**headers, "Host": host_header},
                redirect=False,
                retries=False,
                timeout=urllib3.Timeout(total=settings.WEBHOOK_TIMEOUT_SECONDS),
                preload_content=False,
                assert_same_host=False,
            )
            try:
                content = response.read(limit + 1, decode_content=False)
            finally:
                if len(content) > limit or cutoff.cut:
                    response.close()  # not read to its end: not drained for the next request
                else:
                    response.release_conn()
    except urllib3.exceptions.TimeoutError:
        return Answer(None, took(), error=TIMED_OUT)
    except urllib3.exceptions.HTTPError as error:
        if cutoff.cut:
            _forget(pool)
            return Answer(None, took(), error=TIMED_OUT)
        reason = type(getattr(error, "reason", None) or error).__name__
        return Answer(None, took(), error=f"Could not connect: {reason}.")
    if cutoff.cut:  # shut in the middle of an answer that may have looked complete
        _forget(pool)
        return Answer(None, took(), error=TIMED_OUT)
    excerpt = content[: settings.WEBHOOK_RESPONSE_EXCERPT_BYTES].decode("utf-8", "replace")
    return Answer(
        response.status,
        took(),
        excerpt=excerpt,
        retry_after=_retry_after(response.headers.get("Retry-After")),
    )
