"""Django's cache on Redis (KLUIS_REDIS_URL): Django's RedisCache, made so that Redis being
away never fails a request.

- An operation that cannot reach Redis is a miss (`get` gives the default, `touch` False)
  or a no-op (`set`), and leaves Redis alone for a second (kluis/operations/shared_state.py
  `OUTAGE`): whatever is cached is read from the database meanwhile, never from this
  process's memory (another node may have changed it).
- `add` (a lock, a mark; allauth's rate-limit locks, the app sign-ins' purge lock, the
  status page's subscription counter with `incr`) works in this process's memory while
  Redis is away, so they go on working per process instead of refusing (allauth would
  answer every sign-in 429); that memory is dropped when Redis is back. Except one-time
  marks (ONE_TIME_MARKS: a TOTP code used, a social login token seen): kept in one
  process they could be used again on another, so their `add` fails (the code is
  refused) until Redis answers.
- A `delete` (or `delete_many`, `clear`) that could not reach Redis is kept and done as
  soon as Redis answers again: an entry some code dropped because it became wrong (a
  company's sign-in policy) must not come back after the outage.
- Keys are the installation's prefix (KLUIS_REDIS_KEY_PREFIX, default `kluis`), `:c:`,
  the version and a digest of the key: an e-mail address or client address in a key
  (allauth's rate limits) is not kept in the clear.
- `clear` drops this installation's cache keys only (Django's would FLUSHDB the whole
  database: the rate-limit counters, a task queue sharing the database, another
  installation).
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from typing import Any

import redis
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.utils.functional import cached_property

from kluis.operations.shared_state import OUTAGE, UNAVAILABLE, pool_options

# Keys whose `add` marks something as used once, for every node: refused while Redis is
# away (allauth's TOTP codes: a code is accepted once; its social-login JWT ids).
ONE_TIME_MARKS = ("allauth.mfa.totp.used", "jwt:iss=")
# Deletes kept during an outage, at most; beyond them the whole cache is dropped when
# Redis is back (the safe side: only misses).
MAX_PENDING_DELETES = 10_000
# What `add` keeps in a process while Redis is away: at most this many entries, each at
# most this long.
MAX_LOCAL_ENTRIES = 10_000
LOCAL_MAX_SECONDS = 3600


def make_key(key: str, key_prefix: str, version: int) -> str:
    """KEY_FUNCTION: `<prefix>:<version>:<digest of the key>`."""
    digest = hashlib.blake2b(str(key).encode(), digest_size=16).hexdigest()
    return f"{key_prefix}:{version}:{digest}"


class GuardedRedisClient(RedisCacheClient):
    """Django's Redis client, each operation guarded (see the module's docstring)."""

    def __init__(self, servers: list[str], *, key_pattern: str, **options: Any) -> None:
        super().__init__(servers, **options)
        self.key_pattern = key_pattern
        self._pending: set[str] = set()
        self._pending_clear = False
        self._lock = threading.Lock()
        # While Redis is away: what `add` made in this process (key -> value, expiry).
        self._local: dict[str, tuple[Any, float]] = {}

    def _run(self, operation: Callable[[], Any], fallback: Callable[[], Any]) -> Any:
        if OUTAGE.available():
            try:
                if self._pending or self._pending_clear:
                    self._replay()  # first: a stale entry must not be read
                result = operation()
            except redis.exceptions.RedisError as error:
                OUTAGE.failed(error)
            else:
                OUTAGE.succeeded()
                if self._local:
                    with self._lock:
                        self._local.clear()
                return result
        UNAVAILABLE.labels("cache").inc()
        return fallback()

    def _keep(self, keys: list[str] | None) -> None:
        """Remember deletes (None: a clear) to do when Redis is back."""
        with self._lock:
            if keys is None or len(self._pending) + len(keys) > MAX_PENDING_DELETES:
                self._pending_clear = True
                self._pending.clear()
            elif not self._pending_clear:
                self._pending.update(keys)

    def _replay(self) -> None:
        with self._lock:
            keys, clear = list(self._pending), self._pending_clear
            self._pending, self._pending_clear = set(), False
        try:
            if clear:
                self._clear_keys()
            elif keys:
                self.get_client(None, write=True).delete(*keys)
        except redis.exceptions.RedisError:
            self._keep(None if clear else keys)
            raise

    def _clear_keys(self) -> bool:
        client = self.get_client(None, write=True)
        batch: list[Any] = []
        for key in client.scan_iter(match=self.key_pattern, count=1000):
            batch.append(key)
            if len(batch) >= 1000:
                client.unlink(*batch)
                batch = []
        if batch:
            client.unlink(*batch)
        return True

    def add(self, key: Any, value: Any, timeout: Any, one_time: bool = False) -> bool:
        return bool(
            self._run(
                lambda: super(GuardedRedisClient, self).add(key, value, timeout),
                lambda: False if one_time else self._local_add(key, value, timeout),
            )
        )

    def _local_add(self, key: str, value: Any, timeout: int | None) -> bool:
        now = time.monotonic()
        with self._lock:
            if len(self._local) > MAX_LOCAL_ENTRIES:
                self._local = {k: v for k, v in self._local.items() if v[1] > now}
            held = self._local.get(key)
            if held is not None and held[1] > now:
                return False
            if timeout != 0 and len(self._local) <= MAX_LOCAL_ENTRIES:
                expires = now + (timeout if timeout is not None else LOCAL_MAX_SECONDS)
                self._local[key] = (value, min(expires, now + LOCAL_MAX_SECONDS))
            return True

    def _local_incr(self, key: str, delta: int) -> int:
        with self._lock:
            held = self._local.get(key)
            if held is None or held[1] <= time.monotonic() or not isinstance(held[0], int):
                raise ValueError("the key is not in the cache (Redis is unreachable)")
            self._local[key] = (held[0] + delta, held[1])
            return held[0] + delta

    def _local_delete(self, keys: list[str]) -> None:
        with self._lock:
            for key in keys:
                self._local.pop(key, None)

    def get(self, key: Any, default: Any) -> Any:
        return self._run(lambda: super(GuardedRedisClient, self).get(key, default), lambda: default)

    def set(self, key: Any, value: Any, timeout: Any) -> None:
        self._run(lambda: super(GuardedRedisClient, self).set(key, value, timeout), lambda: None)

    def touch(self, key: Any, timeout: Any) -> bool:
        return bool(
            self._run(lambda: super(GuardedRedisClient, self).touch(key, timeout), lambda: False)
        )

    def delete(self, key: Any) -> bool:
        def kept() -> bool:
            self._keep([key])
            self._local_delete([key])
            return False

        return bool(self._run(lambda: super(GuardedRedisClient, self).delete(key), kept))

    def get_many(self, keys: Any) -> Any:
        keys = list(keys)
        found: dict[str, Any] = self._run(
            lambda: super(GuardedRedisClient, self).get_many(keys), dict
        )
        return found

    def has_key(self, key: Any) -> bool:
        return bool(self._run(lambda: super(GuardedRedisClient, self).has_key(key), lambda: False))

    def incr(self, key: Any, delta: int) -> int:
        return int(
            self._run(
                lambda: super(GuardedRedisClient, self).incr(key, delta),
                lambda: self._local_incr(key, delta),
            )
        )

    def set_many(self, data: Any, timeout: Any) -> None:
        self._run(lambda: super(GuardedRedisClient, self).set_many(data, timeout), lambda: None)

    def delete_many(self, keys: Any) -> None:
        keys = list(keys)

        def kept() -> None:
            self._keep(keys)
            self._local_delete(keys)

        self._run(
            lambda: super(GuardedRedisClient, self).delete_many(keys),
            kept,
        )

    def clear(self) -> bool:
        def kept() -> bool:
            self._keep(None)
            return False

        return bool(self._run(self._clear_keys, kept))


class SharedRedisCache(RedisCache):
    """CACHES["default"] when KLUIS_REDIS_URL is set (kluis/settings_shared_state.py)."""

    def add(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> bool:
        made = self.make_and_validate_key(key, version=version)
        one_time = str(key).startswith(ONE_TIME_MARKS)
        return self._cache.add(made, value, self.get_backend_timeout(timeout), one_time=one_time)

    @cached_property
    def _cache(self) -> GuardedRedisClient:
        options = {**pool_options(), **self._options}  # type: ignore[attr-defined]
        servers = self._servers  # type: ignore[attr-defined]
        return GuardedRedisClient(servers, key_pattern=f"{self.key_prefix}:*", **options)
