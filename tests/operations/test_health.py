from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from kluis.operations.health import beat
from kluis.operations.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db


def test_live_answers_200(client):
    assert client.get("/health/live").status_code == 200


def test_ready_names_every_component_and_is_200_with_a_live_worker(client):
    beat("w1", "host", 1, timezone.now())
    response = client.get("/health/ready")
    assert response.status_code == 200
    body = response.json()
    assert set(body["checks"]) == {"database", "migrations", "worker", "disk", "backups", "storage"}
    assert body["failing"] == [] and body["degraded"] == [] and body["status"] == "ok"


def test_ready_is_503_naming_the_worker_when_no_heartbeat(client):
    response = client.get("/health/ready")
    assert response.status_code == 503
    assert response.json()["failing"] == ["worker"]


def test_ready_is_503_when_the_worker_heartbeat_is_stale(client):
    beat("w1", "host", 1, timezone.now())
    WorkerHeartbeat.objects.update(last_seen=timezone.now() - timedelta(minutes=5))
    response = client.get("/health/ready")
    assert response.status_code == 503
    assert "worker" in response.json()["failing"]


def test_ready_is_503_naming_the_disk_when_space_runs_out(client):
    beat("w1", "host", 1, timezone.now())
    with override_settings(HEALTH_MIN_FREE_DISK_BYTES=10**18):
        response = client.get("/health/ready")
    assert response.status_code == 503
    assert response.json()["failing"] == ["disk"]


def test_ready_is_503_naming_migrations_when_one_is_unapplied(client, django_db_blocker):
    from django.db import connection
    from django.db.migrations.recorder import MigrationRecorder

    beat("w1", "host", 1, timezone.now())
    # The audit app's newest migration, as if a deploy had not run it yet.
    applied = MigrationRecorder(connection).migration_qs.filter(app="audit")
    applied.filter(name=max(applied.values_list("name", flat=True))).delete()
    response = client.get("/health/ready")
    assert response.status_code == 503
    assert response.json()["failing"] == ["migrations"]


def test_a_non_critical_component_failing_is_reported_degraded_and_ready_stays_200(client):
    from kluis.operations import health

    beat("w1", "host", 1, timezone.now())
    health.register_check("spare", lambda: {"ok": False, "detail": "broken"}, critical=False)
    try:
        response = client.get("/health/ready")
        assert response.status_code == 200
        body = response.json()
        assert body["status"] == "degraded"
        assert body["degraded"] == ["spare"] and body["failing"] == []
        assert body["checks"]["spare"] == {"ok": False, "detail": "broken"}
        # The same name registered as critical fails readiness.
        health.register_check("spare", lambda: {"ok": False}, critical=True)
        response = client.get("/health/ready")
        assert response.status_code == 503 and response.json()["failing"] == ["spare"]
    finally:
        del health.CHECKS["spare"]
        health.NON_CRITICAL.discard("spare")
