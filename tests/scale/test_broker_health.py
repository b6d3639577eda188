"""/health/ready's `broker` component on rq and celery: it names the broker unreachable
while its Redis is away (not critical: the node keeps serving, tasks wait in the
database) and ok again once it answers."""

from __future__ import annotations

import pytest

from kluis.operations import broker_health, health

# Redis, S3, the broker and their settings behave alike on either database: the PostgreSQL
# stage leaves this module out (the several-node tests run them there on PostgreSQL).
pytestmark = pytest.mark.engine_independent


@pytest.fixture
def broker_check(settings, redis_url):  # type: ignore[no-untyped-def]
    settings.TASKS_BROKER_URL = redis_url
    previous = dict(health.CHECKS), set(health.NON_CRITICAL)
    health.register_check("broker", broker_health.check_broker, critical=False)
    yield
    health.CHECKS.clear()
    health.CHECKS.update(previous[0])
    health.NON_CRITICAL.clear()
    health.NON_CRITICAL.update(previous[1])


@pytest.mark.django_db
def test_the_broker_is_named_degraded_while_away_and_ok_after(broker_check, redis_server, client):
    answer = client.get("/health/ready", secure=True).json()
    assert answer["checks"]["broker"]["ok"] is True
    assert answer["checks"]["broker"]["kept"] == 0

    redis_server.stop()
    try:
        response = client.get("/health/ready", secure=True)
        broker = response.json()["checks"]["broker"]
        assert broker["ok"] is False
        assert broker["detail"].startswith("unreachable:")
        assert "tasks are kept in the database" in broker["detail"]
        # Named among the degraded, not the failing: no load balancer takes the node out.
        assert "broker" in response.json()["degraded"]
        assert "broker" not in response.json()["failing"]
    finally:
        redis_server.start()
    assert client.get("/health/ready", secure=True).json()["checks"]["broker"]["ok"] is True
