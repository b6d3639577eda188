"""Rate limits per credential and per client IP, counted where every web process sees them.

Both run before authentication, so guessing keys is limited too. The tightest of the two
is reported on every response as RateLimit-Limit / -Remaining / -Reset (seconds).

Counting is by fixed windows (the model the RateLimit headers describe): one counter per
key and window, one atomic read-modify-write per request. DRF's own throttles keep a list
of every request's timestamp and read and write it back through the cache on each
request, which with the file cache cost about a millisecond (two throttles) and was not
atomic across processes. The counters live in `SharedCounters`: a small table in a
memory-mapped file in the data directory, under a file lock, shared by every granian
worker of the host (as the file cache was) at a few microseconds a request. With
KLUIS_REDIS_URL they are counted in Redis instead, one limit across every node (one round
trip a request; kluis/operations/shared_state.py), and on the node while Redis is away. The
test settings count in the Django cache (per process, cleared between tests).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import fcntl
import functools
import hashlib
import json
import math
import mmap
import os
import struct
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

from django.conf import settings
from django.core.cache import cache
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from kluis.api.principal import KEY_PREFIX_LENGTH, basic_credentials
from kluis.operations import shared_state
from kluis.operations.client_ip import client_ip

DURATIONS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
# The environ key under which a request's counts are kept (no HTTP header can set it: those
# arrive as HTTP_*), so a request is counted once per limit whoever asks.
COUNTED = "kluis.rate_limit_counts"


@functools.lru_cache(maxsize=32)
def parse_rate(rate: str | None) -> tuple[int, int] | None:
    """(requests, window seconds) of a DRF rate such as "600/min"; None: no limit."""
    if not rate:
        return None
    number, _sep, period = rate.partition("/")
    return int(number), DURATIONS[period.strip()[:1]]


class SharedCounters:
    """Fixed-window request counters shared by the processes of one host.

    A table of SLOTS slots (key digest, window number, count) in a memory-mapped file,
    changed under an exclusive `flock` (and a thread lock: flock does not separate the
    threads of one process). A key lives in one of PROBES slots from its hash; a slot of an
    earlier window is free for reuse. When all of them hold live keys (tens of thousands of
    distinct keys in one window), the one of the oldest window is taken over, so that a
    flood of made-up keys cannot fill the table: the per-IP limit still holds them back.
    """

    SLOTS = 16384
    PROBES = 8
    SLOT = struct.Struct("<16sqq")
    HEADER = struct.Struct("<8sI4x")
    MAGIC = b"KLUISRL1"

    def __init__(self, path: Path) -> None:
        self.path = path
        self.size = self.HEADER.size + self.SLOTS * self.SLOT.size
        self._pid = -1
        self._fd = -1
        self._map: mmap.mmap | None = None
        self._thread_lock = threading.Lock()

    def _open(self) -> mmap.mmap:
        """The mapping of this process (opened again in a forked child)."""
        if self._pid == os.getpid() and self._map is not None:
            return self._map
        self._thread_lock = threading.Lock()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            current = os.fstat(fd).st_size
            header = os.pread(fd, self.HEADER.size, 0)
            if current < self.size or header != self.HEADER.pack(self.MAGIC, self.SLOTS):
                # Never shrunk: another process may have it mapped.
                os.ftruncate(fd, max(current, self.size))
                os.pwrite(fd, bytes(self.size), 0)
                os.pwrite(fd, self.HEADER.pack(self.MAGIC, self.SLOTS), 0)
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
        self._map = mmap.mmap(fd, self.size)
        self._fd, self._pid = fd, os.getpid()
        return self._map

    @contextlib.contextmanager
    def _locked(self) -> Iterator[mmap.mmap]:
        table = self._open()
        with self._thread_lock:
            fcntl.flock(self._fd, fcntl.LOCK_EX)
            try:
                yield table
            finally:
                fcntl.flock(self._fd, fcntl.LOCK_UN)

    def hit(self, key: str, limit: int, window: int) -> int:
        """Count one request for `key` in window number `window`, unless `limit` requests
        were counted already; returns the count before this request."""
        count = self.hit_all([(key, limit, window)])[0]
        assert count is not None
        return count

    def hit_all(self, counts: list[tuple[str, int, int]]) -> list[int | None]:
        """`hit` for each (key, limit, window) in turn, under one lock; once one is at its
        limit the rest are not counted (None): a refused request fills no more counters."""
        base, width, slot = self.HEADER.size, self.SLOT.size, self.SLOT
        digests = [hashlib.blake2b(key.encode(), digest_size=16).digest() for key, _l, _w in counts]
        out: list[int | None] = [None] * len(counts)
        with self._locked() as table:
            for index, (digest, (_key, limit, window)) in enumerate(
                zip(digests, counts, strict=True)
            ):
                start = int.from_bytes(digest[:8], "little") % self.SLOTS
                chosen, chosen_window, count = -1, 0, 0
                for probe in range(self.PROBES):
                    offset = base + ((start + probe) % self.SLOTS) * width
                    held, held_window, held_count = slot.unpack_from(table, offset)
                    if held == digest:
                        chosen = offset
                        count = held_count if held_window == window else 0
                        break
                    if chosen < 0 or held_window < chosen_window:
                        chosen, chosen_window = offset, held_window
                if count < limit:
                    slot.pack_into(table, chosen, digest, window, count + 1)
                elif count == 0:  # a limit of 0: still claim the slot, count nothing
                    slot.pack_into(table, chosen, digest, window, 0)
                out[index] = count
                if count >= limit:
                    break
        return out

    def clear(self) -> None:
        with self._locked() as table:
            table[self.HEADER.size :] = bytes(self.size - self.HEADER.size)


_shared: dict[str, SharedCounters] = {}
_shared_lock = threading.Lock()


def shared_counters(path: str) -> SharedCounters:
    with _shared_lock:
        counters = _shared.get(path)
        if counters is None:
            counters = _shared[path] = SharedCounters(Path(path))
        return counters


class ProcessCounters:
    """Fixed-window counters in this process's memory: where requests are counted while
    Redis is away and no host counters file is configured (a limit per process then)."""

    def __init__(self) -> None:
        # (key, window) -> (count, when the window ends)
        self._counts: dict[tuple[str, int], tuple[int, float]] = {}
        self._lock = threading.Lock()
        self._swept = 0.0

    def hit_all(self, counts: list[tuple[str, int, int, int]]) -> list[int | None]:
        out: list[int | None] = [None] * len(counts)
        with self._lock:
            now = time.time()
            if now - self._swept > 60:  # drop the counters of windows that have ended
                self._swept = now
                self._counts = {k: v for k, v in self._counts.items() if v[1] >= now}
            for index, (key, limit, duration, window) in enumerate(counts):
                count = self._counts.get((key, window), (0, 0.0))[0]
                if count < limit:
                    self._counts[(key, window)] = (count + 1, (window + 1) * duration)
                out[index] = count
                if count >= limit:
                    break
        return out


process_counters = ProcessCounters()


def count_requests(counts: list[tuple[str, int, int, int]]) -> list[int | None]:
    """For each (key, limit, duration, window) in turn, the count of `key` in `window`
    before this request, counting it when under `limit`; once one is at its limit the rest
    are not counted (None).

    In Redis when REDIS_URL is set (one round trip, atomic across processes and nodes);
    while Redis is away, and without it, in the host's shared counters when
    API_RATE_LIMIT_FILE names their file (one lock for all), else (Redis away) in this
    process, else in the Django cache (the test settings: one process, cleared between
    tests; not atomic)."""
    path: str = getattr(settings, "API_RATE_LIMIT_FILE", "")
    if getattr(settings, "REDIS_URL", ""):
        counted = shared_state.count(counts)
        if counted is not None:
            return counted
        if not path:
            return process_counters.hit_all(counts)
    if path:
        return shared_counters(path).hit_all([(k, lim, win) for k, lim, _d, win in counts])
    out: list[int | None] = [None] * len(counts)
    for index, (key, limit, duration, window) in enumerate(counts):
        cache_key = f"{key}:{window}"
        count: int = cache.get(cache_key, 0)
        if count < limit:
            cache.set(cache_key, count + 1, timeout=duration + 1)
        out[index] = count
        if count >= limit:
            break
    return out


def count_all(request: Request, throttles: list[Any]) -> None:
    """Count the request against each of `throttles` not counted yet, in one go (one lock
    of the shared counters), before any of them decides."""
    counted = request.META.get(COUNTED)
    if counted is None:
        counted = request.META[COUNTED] = {}
    pending = []
    for throttle in throttles:
        if not isinstance(throttle, _KluisThrottle) or throttle.scope in counted:
            continue
        planned = throttle.planned(request)
        if planned is None:
            counted[throttle.scope] = None
        else:
            pending.append((throttle.scope, planned))
    if not pending:
        return
    counts = count_requests(
        [(key, limit, duration, window) for _s, (key, limit, duration, window, _n) in pending]
    )
    for (scope, (_key, limit, duration, window, now)), count in zip(pending, counts, strict=True):
        # Not counted: an earlier limit refused the request already.
        counted[scope] = (
            None if count is None else (limit, duration, (window + 1) * duration - now, count)
        )


class _KluisThrottle(BaseThrottle):
    scope = ""
    setting = ""

    def __init__(self) -> None:
        self.limit: int | None = None
        self.duration = 0
        self.reset = 0.0

    def get_ident_key(self, request: Request) -> str | None:
        raise NotImplementedError

    def allow_request(self, request: Request, view: Any) -> bool:
        if getattr(request, "_kluis_throttled", False):
            # Refused already (by the per-IP limit): do not count, so a flood of made-up
            # keys from one address does not fill the table with their counters.
            return True
        counted = request.META.get(COUNTED)
        if counted is None or self.scope not in counted:
            count_all(request, [self])
            counted = request.META[COUNTED]
        outcome = counted[self.scope]
        if outcome is None:
            return True
        self.limit, self.duration, self.reset, count = outcome
        allowed = count < self.limit
        remaining = max(0, self.limit - count - (1 if allowed else 0))
        current = getattr(request, "_kluis_ratelimit", None)
        if current is None or remaining < current[1]:
            state = (self.limit, remaining, max(0, math.ceil(self.reset)))
            request._kluis_ratelimit = state  # type: ignore[attr-defined]
        if not allowed:
            request._kluis_throttled = True  # type: ignore[attr-defined]
        return allowed

    def planned(self, request: Request) -> tuple[str, int, int, int, float] | None:
        """What to count for the request: (counter key, limit, window seconds, window
        number, now); None when no limit applies."""
        rate = parse_rate(getattr(settings, self.setting, None))
        ident = self.get_ident_key(request) if rate is not None else None
        if rate is None or ident is None:
            return None
        limit, duration = rate
        now = time.time()
        return (
            f"throttle:{self.scope}:{duration}:{ident}",
            limit,
            duration,
            int(now // duration),
            now,
        )

    def wait(self) -> float | None:
        """Seconds until the window ends and requests are counted afresh."""
        return max(1.0, self.reset)


class ApiKeyThrottle(_KluisThrottle):
    """Per presented key (by its prefix, so it needs no database lookup)."""

    scope = "api_key"
    setting = "API_RATE_PER_KEY"

    def get_ident_key(self, request: Request) -> str | None:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        token = header.partition(" ")[2].strip()
        if not token:
            return None
        if token.count(".") == 2:
            # An app's access token (a JWT): every one begins alike, so it is counted per
            # sign-in, by the family its (not yet verified) claims name; a made-up family
            # is only counted against itself.
            return "app:" + hashlib.sha256(_app_family(token).encode()).hexdigest()[:32]
        return hashlib.sha256(token[:KEY_PREFIX_LENGTH].encode()).hexdigest()[:32]


def _app_family(token: str) -> str:
    """The `fam` claim of a JWT's payload, read without verifying (for counting only);
    the whole token when there is none."""
    payload = token.split(".")[1]
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (ValueError, binascii.Error):
        return token
    family = claims.get("fam") if isinstance(claims, dict) else None
    return family if isinstance(family, str) and family else token


class ApiIpThrottle(_KluisThrottle):
    scope = "api_ip"
    setting = "API_RATE_PER_IP"

    def get_ident_key(self, request: Request) -> str | None:
        # Not DRF's get_ident: the same rule (settings.TRUSTED_PROXY_COUNT is its
        # NUM_PROXIES), where the default of None would believe any X-Forwarded-For.
        return client_ip(request.META)


class OAuthClientThrottle(_KluisThrottle):
    """Per OAuth client id at the token and revocation endpoints (by the
    id the request presents, as Basic credentials or in the form: no lookup)."""

    scope = "oauth_client"
    setting = "OAUTH_RATE_PER_CLIENT"

    def get_ident_key(self, request: Request) -> str | None:
        client_id = presented_client_id(request)
        if not client_id:
            return None
        return hashlib.sha256(client_id.encode()).hexdigest()[:32]


def presented_client_id(request: Any) -> str:
    """The client id of an OAuth endpoint request: from `Authorization: Basic` (RFC 6749
    2.3.1: form-encoded, then base64), else the form's `client_id`; "" when none."""
    if request.META.get("HTTP_AUTHORIZATION", "")[:6].lower() == "basic ":
        try:
            credentials = basic_credentials(request)
        except AuthenticationFailed:
            return ""
        return unquote_plus(credentials[0]) if credentials else ""
    if request.content_type == "application/x-www-form-urlencoded":
        return str(request.POST.get("client_id", ""))
    return ""


def rate_limit_headers(request: Request) -> dict[str, str]:
    state = getattr(request, "_kluis_ratelimit", None)
    if state is None:
        return {}
    limit, remaining, reset = state
    return {
        "RateLimit-Limit": str(limit),
        "RateLimit-Remaining": str(remaining),
        "RateLimit-Reset": str(reset),
    }
