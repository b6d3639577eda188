"""Redis stopped and started again under a running Kluis: requests are answered (not 5xx),
rate limits are counted on the node meanwhile and in Redis again afterwards, the cache
misses without an exception, /health/ready names redis degraded (still 200), a sign-in
policy is read from the database, and a change made during the outage is not undone by
a stale entry when Redis comes back."""

from __future__ import annotations

import logging
import time

import pytest
import redis
from django.core.cache import cache
from django.utils import timezone

from kluis.access.actor import Actor
from kluis.api.throttling import count_requests
from kluis.identity.models import SignInPolicy
from kluis.identity.policy import load_policy, policy_for
from kluis.identity.policy_service import change_policy
from kluis.operations import shared_state
from kluis.operations.health import beat
from kluis.tenancy.models import Tenant
from tests.api_client import assert_problem
from tests.scale.redis_server import free_port
from tests.scale.test_shared_state import run_children

# Redis, S3, the broker and their settings behave alike on either database: the PostgreSQL
# stage leaves this module out (the several-node tests run them there on PostgreSQL).
pytestmark = pytest.mark.engine_independent

URL = "/api/v1/employees/?fields=id"


def _back(redis_server) -> None:
    """Start Redis again and let this process's back-off (0.2 s in these tests) pass."""
    redis_server.start()
    time.sleep(0.25)


def _ready(client) -> tuple[int, dict]:
    beat("w1", "host", 1, timezone.now())
    response = client.get("/health/ready")
    return response.status_code, response.json()


@pytest.mark.django_db
def test_requests_are_answered_and_counted_on_the_node_while_redis_is_away(
    api, client, settings, on_redis, redis_server, tmp_path, caplog
):
    settings.API_RATE_PER_KEY = "3/min"
    member = api(["employees:read"])
    assert [member.get(URL)["RateLimit-Remaining"] for _ in range(2)] == ["2", "1"]
    status, body = _ready(client)
    assert status == 200 and body["checks"]["redis"]["ok"] and "redis" not in body["degraded"]

    redis_server.stop()
    caplog.set_level(logging.WARNING, logger="kluis.operations.shared_state")
    started = time.monotonic()
    # Counted in this process meanwhile: a fresh count, and still a limit.
    assert [member.get(URL)["RateLimit-Remaining"] for _ in range(3)] == ["2", "1", "0"]
    assert_problem(member.get(URL), 429)
    assert time.monotonic() - started < 3  # no timeout per request
    assert client.get("/status.json").status_code == 200  # a page using the cache
    status, body = _ready(client)
    assert status == 200 and "redis" in body["degraded"]
    assert body["checks"]["redis"]["ok"] is False
    assert body["checks"]["redis"]["detail"] == "unreachable: ConnectionError"
    unreachable = [r for r in caplog.records if "unreachable" in r.getMessage()]
    assert len(unreachable) == 1  # one line for the outage, not one per request

    _back(redis_server)
    assert member.get(URL)["RateLimit-Remaining"] == "2"  # in Redis again (restarted empty)
    status, body = _ready(client)
    assert status == 200 and body["checks"]["redis"]["ok"] and body["degraded"] == []
    assert any("answers again" in r.getMessage() for r in caplog.records)
    # Shared again: another process counts on where this one left off.
    count_requests([("after-restart", 100, 60, 7)])
    count_requests([("after-restart", 100, 60, 7)])
    (child,) = run_children(on_redis, tmp_path, "after-restart", 1, ["c"])
    assert child[0] == "1 2"


def test_the_cache_misses_without_exceptions_while_redis_is_away(on_redis, redis_server):
    cache.set("kept", 1, 60)
    redis_server.stop()
    assert cache.get("kept") is None
    assert cache.get("kept", "default") == "default"
    cache.set("new", 1)
    assert cache.get_many(["kept", "new"]) == {}
    assert cache.has_key("kept") is False
    with pytest.raises(ValueError):
        cache.incr("kept")
    # Locks and counters made with `add` hold in this process meanwhile.
    assert cache.add("a-lock", 0, 10) is True
    assert cache.add("a-lock", 0, 10) is False
    assert cache.incr("a-lock") == 1
    cache.delete("a-lock")
    assert cache.add("a-lock", 0, 10) is True
    # A one-time mark cannot be made for every node: refused.
    assert cache.add("allauth.mfa.totp.used?user=1&code=123456", "y", 30) is False
    assert cache.get_or_set("computed", 5) == 5
    cache.set_many({"a": 1})
    cache.delete_many(["a"])
    assert cache.delete("kept") is False
    assert cache.touch("kept") is False
    cache.clear()
    _back(redis_server)
    cache.set("after", 2, 60)
    assert cache.get("after") == 2
    assert cache.add("a-lock", 0, 10) is True  # in Redis again, the process's dropped


def test_a_dead_redis_is_named_without_its_password(settings, on_redis, caplog):
    settings.REDIS_URL = f"redis://:s3cret-word@127.0.0.1:{free_port()}/0"
    caplog.set_level(logging.WARNING, logger="kluis.operations.shared_state")
    found = shared_state.check_redis()
    assert found["ok"] is False and "s3cret" not in str(found)
    assert "127.0.0.1" not in str(found)  # public: no address (the log names it)
    assert count_requests([("k", 5, 60, 1)]) == [0]  # counted in the process
    assert "s3cret" not in caplog.text and "unreachable" in caplog.text


@pytest.mark.django_db
def test_a_policy_is_read_from_the_database_and_no_stale_entry_survives_the_outage(
    on_redis, redis_server, demo
):
    tenant = Tenant.objects.get(slug="demo-bv")
    system = Actor.system("test", tenant=tenant)
    change_policy(
        system,
        tenant,
        mfa_required_for=SignInPolicy.Mfa.OFF,
        idle_timeout_seconds=3600,
        absolute_lifetime_seconds=7200,
    )
    assert policy_for(tenant).mfa_required_for == SignInPolicy.Mfa.OFF  # now cached
    # Redis keeps a snapshot (as one with persistence would) and goes away.
    redis.Redis.from_url(on_redis).save()
    redis_server.stop()
    try:
        change_policy(
            system,
            tenant,
            mfa_required_for=SignInPolicy.Mfa.EVERYONE,
            idle_timeout_seconds=3600,
            absolute_lifetime_seconds=7200,
        )
        # Never more permissive without the cache: read from the database.
        assert policy_for(tenant).mfa_required_for == SignInPolicy.Mfa.EVERYONE
        _back(redis_server)  # ... with the stale entry of before the change
        assert policy_for(tenant) == load_policy(tenant)
        assert policy_for(tenant).mfa_required_for == SignInPolicy.Mfa.EVERYONE
    finally:
        (redis_server.directory / "dump.rdb").unlink(missing_ok=True)
