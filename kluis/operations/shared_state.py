"""Shared state on Redis (KLUIS_REDIS_URL; Valkey works the same): the connection, what a
process remembers of an outage, the API rate-limit counters and the `redis` component of
/health/ready. The cache on Redis is kluis/operations/shared_cache.py.

Redis holds nothing that must survive it: the cache (a miss reads the database) and the
rate-limit counters of the current windows. So an unreachable Redis never fails a
request: a cache operation that fails is a miss or a no-op, and the counters are counted
on the node meanwhile (the host's counters file, else the process). After a failure the
process leaves Redis alone for BACKOFF_SECONDS, so a dead Redis costs one short timeout
a second, not one per request; the next operation after that tries again (reconnecting).
One warning line is logged when an outage starts and one line when it ends.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import threading
import time
from typing import Any
from urllib.parse import SplitResult, urlsplit

import redis
from django.conf import settings
from prometheus_client import Counter
from redis.backoff import NoBackoff
from redis.retry import Retry

logger = logging.getLogger(__name__)

# A Redis on the same network answers in well under a millisecond; one that does not
# answer within this is treated as away (the request goes on without it).
SOCKET_TIMEOUT_SECONDS = 0.25
BACKOFF_SECONDS = 1.0

UNAVAILABLE = Counter(
    "kluis_redis_unavailable",
    "Operations on Redis that did not reach it (a cache miss or no-op, or rate limits "
    "counted on the node instead), by kind: cache, counters.",
    ["kind"],
)


def pool_options() -> dict[str, Any]:
    """Short timeouts, and one immediate retry on a broken connection (a pooled
    connection from before a restart of Redis), none on a timeout."""
    return {
        "socket_timeout": SOCKET_TIMEOUT_SECONDS,
        "socket_connect_timeout": SOCKET_TIMEOUT_SECONDS,
        "retry": Retry(NoBackoff(), 1, supported_errors=(redis.exceptions.ConnectionError,)),
    }


# --- Configuration (checked in kluis/settings_shared_state.py) ----------------------


def describe(url: str) -> str:
    """Where Redis is, for logs and /health/ready: host, port and database; never the
    user name or password."""
    parts: SplitResult = urlsplit(url)
    if parts.scheme == "unix":
        return f"unix:{parts.path}"
    return f"{parts.scheme}://{parts.hostname}:{parts.port or 6379}{parts.path or '/0'}"


# --- Outage --------------------------------------------------------------------------


class Outage:
    """What this process knows of Redis being away: since when, and when to try again."""

    def __init__(self) -> None:
        self.down_since: float | None = None
        self.retry_at = 0.0
        self._lock = threading.Lock()

    def available(self) -> bool:
        """May an operation try Redis now (not within BACKOFF_SECONDS of a failure)?"""
        return time.monotonic() >= self.retry_at

    def failed(self, error: BaseException) -> None:
        now = time.monotonic()
        with self._lock:
            self.retry_at = now + BACKOFF_SECONDS
            starting = self.down_since is None
            if starting:
                self.down_since = now
        if starting:
            logger.warning(
                "Redis at %s is unreachable (%s): the cache misses and rate limits are "
                "counted on this node until it answers again",
                describe(settings.REDIS_URL),
                type(error).__name__,
            )

    def succeeded(self) -> None:
        if self.down_since is None:
            return
        with self._lock:
            since, self.down_since, self.retry_at = self.down_since, None, 0.0
        if since is not None:
            logger.warning(
                "Redis at %s answers again after %.1f s",
                describe(settings.REDIS_URL),
                time.monotonic() - since,
            )

    def reset(self) -> None:
        with self._lock:
            self.down_since, self.retry_at = None, 0.0


OUTAGE = Outage()


@functools.lru_cache(maxsize=4)
def _client(url: str) -> redis.Redis:
    # redis-py's pool notices a fork and opens new connections in the child.
    return redis.Redis(connection_pool=redis.ConnectionPool.from_url(url, **pool_options()))


def client() -> redis.Redis:
    return _client(settings.REDIS_URL)


# --- Rate-limit counters ---------------------------------------------------------------

# For each key in turn: its count before this request (0 when absent); counted (INCR,
# with the window's expiry set when the key is new) while under its limit; after the
# first key at its limit, the rest are neither counted nor returned.
COUNT_SCRIPT = """
local out = {}
for i, key in ipairs(KEYS) do
  local limit = tonumber(ARGV[2 * i - 1])
  local count = tonumber(redis.call('GET', key) or '0')
  if count < limit then
    if redis.call('INCR', key) == 1 then
      redis.call('EXPIRE', key, tonumber(ARGV[2 * i]))
    end
  end
  out[i] = count
  if count >= limit then break end
end
return out
"""


@functools.lru_cache(maxsize=4)
def _script(url: str) -> Any:
    # EVALSHA, loading the script again after a restart of Redis (NOSCRIPT).
    return _client(url).register_script(COUNT_SCRIPT)


def counter_key(key: str, window: int) -> str:
    """The Redis key of a counter: the installation's prefix and a digest of the key (a
    client address or key prefix is not kept in the clear)."""
    digest = hashlib.blake2b(key.encode(), digest_size=16).hexdigest()
    return f"{settings.REDIS_KEY_PREFIX}:rl:{digest}:{window}"


def count(counts: list[tuple[str, int, int, int]]) -> list[int | None] | None:
    """`kluis.api.throttling.count_requests` in Redis, in one round trip, atomic across
    every process and node; None when Redis is away (the caller counts on the node)."""
    if not OUTAGE.available():
        UNAVAILABLE.labels("counters").inc()
        return None
    keys = [counter_key(key, window) for key, _limit, _duration, window in counts]
    arguments: list[int] = []
    for _key, limit, duration, _window in counts:
        arguments += [limit, duration + 1]
    try:
        found = _script(settings.REDIS_URL)(keys=keys, args=arguments)
    except redis.exceptions.RedisError as error:
        OUTAGE.failed(error)
        UNAVAILABLE.labels("counters").inc()
        return None
    OUTAGE.succeeded()
    out: list[int | None] = [None] * len(counts)
    for index, value in enumerate(found):
        out[index] = int(value)
    return out


# --- Health ------------------------------------------------------------------------------


def check_redis() -> dict[str, Any]:
    """The `redis` component of /health/ready: a PING, whatever the back-off says. The
    answer is public (/health/* is for load balancers): it names no address; the log
    line of a failure does (kluis.operations.shared_state, without the password)."""
    started = time.perf_counter()
    try:
        client().ping()
    except redis.exceptions.RedisError as error:
        OUTAGE.failed(error)
        return {"ok": False, "detail": f"unreachable: {type(error).__name__}"}
    OUTAGE.succeeded()
    return {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 2)}


def register() -> None:
    """From the operations app's ready(): the health check, when Redis is configured. Not
    critical: a node serves on without Redis (readiness stays 200 and names it)."""
    if getattr(settings, "REDIS_URL", ""):
        from kluis.operations import health

        health.register_check("redis", check_redis, critical=False)
