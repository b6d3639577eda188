"""`kluis backups list`: the archives in every configured destination."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kluis.backups import destinations
from kluis.backups.listing import human_age, human_size, listing

VERIFIED = {True: "verified", False: "FAILED verification", None: "not verified here"}


class Command(BaseCommand):
    help = "List the backup archives in each destination with age, size and verification."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            targets = destinations.configured()
        except destinations.DestinationError as exc:
            raise CommandError(str(exc), returncode=2) from None
        unreachable = 0
        for found in listing(targets):
            where = _where(found.label)
            if found.error:
                unreachable += 1
                self.stdout.write(self.style.ERROR(f"{found.label} ({where}): {found.error}"))
                continue
            count = len(found.archives)
            self.stdout.write(f"{found.label} ({where}): {count} archive(s)")
            for row in found.archives:
                self.stdout.write(
                    f"  {row.archive.name}  {human_age(row.taken_at):>12}  "
                    f"{human_size(row.archive.size):>10}  {VERIFIED[row.verified]}"
                )
        if unreachable:
            raise CommandError(f"{unreachable} destination(s) could not be listed", returncode=1)


def _where(label: str) -> str:
    from django.conf import settings

    if label == "local":
        return str(destinations.local_directory().root)
    return f"bucket {settings.BACKUP_S3_BUCKET}, prefix {settings.BACKUP_S3_PREFIX or '/'}"
