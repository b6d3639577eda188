"""`kluis backups run`: take a backup now, as the daily job does (every destination,
verified, retention applied); exit 1 when it failed (the operators are e-mailed too)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kluis.backups import services
from kluis.backups.listing import human_size
from kluis.backups.models import BackupRun


class Command(BaseCommand):
    help = "Take a backup now into every destination, verify it and apply retention."

    def handle(self, *args: Any, **options: Any) -> None:
        run = services.take_backup(trigger=BackupRun.MANUAL)
        if not run.good:
            raise CommandError(f"backup failed: {run.error or 'verification failed'}", returncode=1)
        pruned = sum(len(names) for names in run.pruned.values())
        self.stdout.write(
            f"{run.archive_name} ({human_size(run.size_bytes or 0)}, "
            f"{run.summary.get('rows', 0)} rows) stored in {', '.join(run.destinations)} "
            f"and verified; retention deleted {pruned} older archive(s)."
        )
