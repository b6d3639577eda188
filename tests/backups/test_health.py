"""The backups component of /health/ready: degraded (still 200) after a failed backup or
verification, or without a good backup in the last 26 hours; quiet when backups are off."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from kluis.backups.models import BackupRun
from kluis.operations.health import beat

pytestmark = pytest.mark.django_db


def _run(hours_ago: float, *, ok: bool = True, verified: bool | None = True) -> BackupRun:
    at = timezone.now() - dt.timedelta(hours=hours_ago)
    return BackupRun.objects.create(
        started_at=at,
        finished_at=at + dt.timedelta(minutes=1),
        ok=ok,
        verified=verified,
        archive_name="kluis-20261207T020000000000Z.kluisbackup",
        destinations=["local"],
    )


def _backups(client: Any) -> tuple[int, dict[str, Any], dict[str, Any]]:
    beat("w1", "host", 1, timezone.now())
    response = client.get("/health/ready")
    body = response.json()
    return response.status_code, body, body["checks"]["backups"]


def test_off_backups_are_not_a_problem(client: Any, settings: Any) -> None:
    settings.BACKUP_ENABLED = False
    status, body, backups = _backups(client)
    assert status == 200 and body["status"] == "ok" and backups["ok"]


def test_a_recent_verified_backup_is_ok_and_says_how_old_it_is(client: Any, settings: Any) -> None:
    settings.BACKUP_ENABLED = True
    _run(hours_ago=3)
    status, body, backups = _backups(client)
    assert status == 200 and body["status"] == "ok" and body["degraded"] == []
    assert backups["ok"] and 3 * 3600 - 120 <= backups["last_success_seconds_ago"] <= 3 * 3600
    assert "kluisbackup" not in str(body)  # no archive names on a public endpoint


@pytest.mark.parametrize(
    ("runs", "detail"),
    [
        ([], "no backup yet"),
        ([(27, True, True)], "no good backup in the last 26 hours"),
        ([(30, True, True), (3, False, None)], "the last backup failed"),
        ([(30, True, True), (3, True, False)], "the last backup failed verification"),
    ],
)
def test_degraded_but_ready_when_backups_are_missing_or_failed(
    client: Any, settings: Any, runs: list[tuple[float, bool, bool | None]], detail: str
) -> None:
    settings.BACKUP_ENABLED = True
    for hours_ago, ok, verified in runs:
        _run(hours_ago, ok=ok, verified=verified)
    status, body, backups = _backups(client)
    assert status == 200
    assert body["status"] == "degraded" and body["degraded"] == ["backups"]
    assert body["failing"] == []
    assert backups["ok"] is False and backups["detail"] == detail


def test_a_good_backup_after_a_failed_one_clears_it(client: Any, settings: Any) -> None:
    settings.BACKUP_ENABLED = True
    _run(hours_ago=5, ok=False, verified=None)
    _run(hours_ago=1)
    status, body, backups = _backups(client)
    assert status == 200 and body["status"] == "ok" and backups["detail"] == "ok"


def test_the_backup_age_is_a_metric(settings: Any) -> None:
    from tests.operations.test_metrics import TOKEN, scrape, value

    settings.METRICS_TOKEN = TOKEN
    assert ("kluis_backup_last_success_age_seconds", ()) not in scrape()  # none yet
    _run(hours_ago=2)
    age = value(scrape(), "kluis_backup_last_success_age_seconds")
    assert 2 * 3600 - 120 <= age <= 2 * 3600
