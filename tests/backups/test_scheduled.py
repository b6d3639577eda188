"""The worker's daily backup, end to end: queued once across workers, a real archive of the
demo stored in a local directory and in S3 (a real server on loopback), verified by
restoring it, retention applied; a failure degrades /health/ready and e-mails the operators."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from kluis.audit.models import OperatorEvent
from kluis.backups import destinations, retention, services
from kluis.backups.archive import read_manifest
from kluis.backups.models import BackupRun
from kluis.backups.tasks import scheduled_backup
from kluis.operations import schedule
from kluis.operations.health import beat
from kluis.people.models import Employee
from kluis.tenancy import rls
from tests.backups.s3_fixtures import s3_endpoint_fixture, s3_settings_fixture  # noqa: F401

TASK = "kluis.backups.tasks.scheduled_backup"


@pytest.fixture
def on(settings: Any, s3_settings: dict[str, str], tmp_path: Path) -> Path:
    """Daily backups on, into <tmp>/backups and the loopback S3 bucket, at an hour that
    has passed today (so the day's backup is due), operators to e-mail."""
    settings.BACKUP_ENABLED = True
    settings.BACKUP_DIR = str(tmp_path / "backups")
    settings.BACKUP_DESTINATIONS = ["local", "s3"]
    settings.BACKUP_HOUR = 0
    settings.BACKUP_TIMEZONE = _noon_zone()
    settings.OPERATOR_EMAILS = ["ops@kluis.test", "oncall@kluis.test"]
    settings.MEDIA_ROOT = tmp_path / "media"
    # A worker running for two hours: past a fresh installation's first hour.
    beat("w0", "host", 1, timezone.now() - dt.timedelta(hours=2))
    return tmp_path / "backups"


@pytest.fixture
def quick_verify(monkeypatch: Any) -> None:
    """For the tests whose subject is not verification: check the archive by decrypting it
    and every member's checksum (read_manifest) instead of restoring it into a scratch
    database (~30 s of migrations each); the first test here verifies for real."""
    from kluis.backups import archive

    def checked(path: Path) -> Any:
        return archive.VerifyReport(True, [], read_manifest(path))

    monkeypatch.setattr(archive, "verify_archive", checked)


def _noon_zone() -> str:
    """A time zone where it is now about noon: an hour or seven later is still today."""
    offset = 12 - timezone.now().hour  # -11..12; Etc/GMT-N is N hours ahead of UTC
    return f"Etc/GMT{-offset:+d}" if offset else "UTC"


def _ready(client: Any) -> dict[str, Any]:
    beat("w1", "host", 1, timezone.now())
    response = client.get("/health/ready")
    assert response.status_code == 200  # backups never take Kluis out of the balancer
    body: dict[str, Any] = response.json()
    return body


def test_the_job_is_registered_to_look_every_quarter_hour() -> None:
    job = next(j for j in schedule.jobs() if j.name == "backups.daily")
    assert job.task == TASK and job.every_seconds == 900


def test_the_daily_backup_is_stored_in_both_destinations_verified_and_taken_once(
    demo: Any, on: Path, s3_settings: dict[str, str], client: Any
) -> None:
    # Two workers look in the same second: the job is queued once.
    now = timezone.now()
    schedule.run_due(now)
    schedule.run_due(now + dt.timedelta(milliseconds=300))
    assert DBTaskResult.objects.filter(task_path=TASK).count() == 1
    result = scheduled_backup.call()  # as the worker runs it
    assert result["taken"] is True and result["ok"] is True
    # The same job run again (the next quarter hour, or a second worker): nothing more.
    assert scheduled_backup.call() == {"taken": False}

    run = BackupRun.objects.get()
    assert run.good and run.trigger == "scheduled" and run.slot.endswith("#1")
    assert run.destinations == ["local", "s3"] and run.error == ""
    with rls.unnarrowed():
        employees = Employee.objects.count()
    assert run.summary["tables"]["people_employee"] == employees > 0
    assert run.summary["vendor"] in {"sqlite", "postgresql"}
    local = [a.name for a in destinations.local_directory().list()]
    in_s3 = destinations.s3_bucket().list()
    assert local == [run.archive_name] == [a.name for a in in_s3]
    assert in_s3[0].size == run.size_bytes == (on / run.archive_name).stat().st_size
    # The copy in S3 is the archive: its manifest counts the same rows.
    fetched = destinations.s3_bucket().get(run.archive_name)
    try:
        assert read_manifest(fetched).tables["people_employee"]["rows"] == employees
    finally:
        fetched.unlink()
    backups = _ready(client)["checks"]["backups"]
    assert backups["ok"] and backups["last_success_seconds_ago"] < 600
    assert mail.outbox == []
    logged = OperatorEvent.objects.get(object_type="backups.backuprun", object_id=str(run.pk))
    assert logged.action == "backups.taken" and logged.actor_kind == "system"
    assert logged.changes["destinations"] == ["local", "s3"]


def test_a_failed_destination_degrades_health_and_e_mails_the_operators_once(
    demo: Any, on: Path, quick_verify: None, settings: Any, client: Any
) -> None:
    settings.BACKUP_S3_BUCKET = "bucket-that-is-not-there"
    run = services.run_if_due()
    assert run is not None and not run.ok
    assert run.destinations == ["local"]  # redundancy: the local copy is still made
    assert OperatorEvent.objects.get(object_id=str(run.pk)).action == "backups.failed"
    assert "NoSuchBucket" in run.error and "bucket-that-is-not-there" in run.error
    body = _ready(client)
    assert body["status"] == "degraded" and body["degraded"] == ["backups"]
    assert body["checks"]["backups"]["detail"] == "the last backup failed"
    (message,) = mail.outbox
    assert message.to == ["ops@kluis.test", "oncall@kluis.test"]
    assert "backup" in message.subject and "failed" in message.subject
    assert "only some of its destinations: local" in message.body
    assert "NoSuchBucket" in message.body
    # No personal data and no secret in the message.
    with rls.unnarrowed():
        someone = Employee.objects.order_by("pk").first()
    assert someone is not None and someone.last_name not in message.body
    assert settings.BACKUP_S3_SECRET_KEY not in message.body
    # The next quarter hour does not try again at once (nor e-mail again); an hour later
    # the second attempt is made.
    assert services.run_if_due() is None
    assert len(mail.outbox) == 1
    later = services.run_if_due(timezone.now() + dt.timedelta(hours=1, minutes=1))
    assert later is not None and later.slot.endswith("#2") and len(mail.outbox) == 2


def test_a_backup_that_fails_verification_is_recorded_and_reported(
    demo: Any, on: Path, settings: Any, monkeypatch: Any, client: Any
) -> None:
    """One byte of the stored archive changed before it is verified: the real verification
    refuses it."""
    from kluis.backups import archive

    real = archive.verify_archive

    def after_damage(path: Path) -> Any:
        data = bytearray(path.read_bytes())
        data[len(data) // 2] ^= 0xFF
        path.write_bytes(bytes(data))
        return real(path)

    monkeypatch.setattr(archive, "verify_archive", after_damage)
    settings.BACKUP_DESTINATIONS = ["local"]
    run = services.take_backup()
    assert run.ok and run.verified is False and run.verify_problems
    assert _ready(client)["checks"]["backups"]["detail"] == "the last backup failed verification"
    (message,) = mail.outbox
    assert "failed its verification" in message.body
    assert run.pruned == {}  # retention never runs after a bad backup


def _plant(targets: list[destinations.Destination], at: dt.datetime, tmp: Path) -> str:
    name = destinations.archive_name(at, "kluisbackup")
    source = tmp / "planted"
    source.write_bytes(b"an older archive")
    for target in targets:
        target.put(name, source)
    BackupRun.objects.create(
        trigger="scheduled", started_at=at, finished_at=at, ok=True, verified=True,
        archive_name=name, destinations=[t.label for t in targets],
    )  # fmt: skip
    return name


def test_retention_keeps_7_daily_4_weekly_12_monthly_in_every_destination(
    demo: Any, on: Path, quick_verify: None, tmp_path: Path
) -> None:
    targets = destinations.configured()
    start = timezone.now() - dt.timedelta(days=60)
    planted = {}
    for n in range(0, 60, 2):  # every other day for two months
        at = start + dt.timedelta(days=n)
        planted[_plant(targets, at, tmp_path)] = at
    stranger = tmp_path / "x"
    stranger.write_bytes(b"made by `kluis backup`, not by the schedule")
    foreign = destinations.archive_name(start - dt.timedelta(days=400), "kluisbackup")
    targets[0].put(foreign, stranger)

    run = services.take_backup()
    assert run.good
    taken = destinations.taken_at(run.archive_name)
    kept = retention.to_keep([*planted.values(), taken], tz=services.backup_timezone())
    expected = {destinations.archive_name(at, "kluisbackup") for at in kept}
    assert run.archive_name in expected and len(expected) < len(planted)
    for target in targets:
        assert {a.name for a in target.list()} - {foreign} == expected
        assert sorted(run.pruned[target.label]) == sorted(set(planted) - expected)
    assert foreign in {a.name for a in targets[0].list()}  # not ours to delete


def test_an_interrupted_backup_is_failed_and_reported_and_a_claimed_one_not_repeated(
    demo: Any, on: Path, quick_verify: None, settings: Any
) -> None:
    settings.BACKUP_DESTINATIONS = ["local"]
    now = timezone.now()
    day = now.date().isoformat()
    # Another worker claimed today's first attempt a minute ago and is still at it.
    BackupRun.objects.create(trigger="scheduled", slot=f"{day}#1", started_at=now)
    assert services.run_if_due(now) is None
    # Seven hours later it has not finished: its worker died.
    later = now + dt.timedelta(hours=7)
    run = services.run_if_due(later)
    stale = BackupRun.objects.get(slot=f"{day}#1")
    assert stale.ok is False and "interrupted" in stale.error and stale.alerted
    assert run is not None and run.slot == f"{day}#2" and run.good


def test_the_commands_list_archives_and_take_one_now(
    demo: Any, on: Path, quick_verify: None, settings: Any
) -> None:
    out = io.StringIO()
    call_command("backups_run", stdout=out)
    run = BackupRun.objects.get()
    assert run.trigger == "manual" and run.archive_name in out.getvalue()
    assert "stored in local, s3 and verified" in out.getvalue()
    listed = io.StringIO()
    call_command("backups_list", stdout=listed)
    text = listed.getvalue()
    assert f"local ({on}): 1 archive(s)" in text
    assert text.count(run.archive_name) == 2 and text.count("verified") == 2
    settings.BACKUP_S3_BUCKET = "bucket-that-is-not-there"
    with pytest.raises(CommandError, match="1 destination"):
        call_command("backups_list", stdout=io.StringIO())
    with pytest.raises(CommandError, match="backup failed: s3: cannot store"):
        call_command("backups_run", stdout=io.StringIO())
