"""The loopback Redis server the several-node tests use answers, restarts empty and stops."""

from __future__ import annotations

import pytest
import redis

# Redis, S3, the broker and their settings behave alike on either database: the PostgreSQL
# stage leaves this module out (the several-node tests run them there on PostgreSQL).
pytestmark = pytest.mark.engine_independent


def test_the_loopback_redis_server_answers_and_restarts_empty(redis_server, redis_url):
    client = redis.Redis.from_url(redis_url)
    client.set("kluis:probe", b"1")
    assert client.get("kluis:probe") == b"1"
    redis_server.restart()
    client = redis.Redis.from_url(redis_url)
    assert client.get("kluis:probe") is None
