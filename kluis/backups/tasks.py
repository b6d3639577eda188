"""The worker's backup job (registered in apps.py): queued every quarter of an hour once
across every worker by kluis/operations/schedule.py; it takes the day's backup when it is
due (timing.py) and this worker claims it."""

from __future__ import annotations

from django.tasks import task

from kluis.backups import services

# How often the job looks: the backup starts at most this long after KLUIS_BACKUP_HOUR.
EVERY_SECONDS = 900


@task()
def scheduled_backup() -> dict[str, object]:
    run = services.run_if_due()
    if run is None:
        return {"taken": False}
    return {"taken": True, "ok": run.good, "archive": run.archive_name}
