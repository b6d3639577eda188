"""Seal the stored files that are not sealed yet (photos stored before sealing), where they
lie: needed before files on the local disk move to S3-compatible storage."""

from __future__ import annotations

from typing import Any

from django.core.files.storage import FileSystemStorage
from django.core.management.base import BaseCommand
from django.db import transaction

from kluis.access.actor import Actor
from kluis.audit.platform import record_operator
from kluis.crypto.stored_files import seal_unsealed
from kluis.operations.storage import describe, raw_storage


class Command(BaseCommand):
    help = (
        "Seal every stored file that is not sealed yet under its company's data key, in "
        "place (idempotent). Run it before copying files from the local disk to S3."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        report = seal_unsealed()
        where = "local" if isinstance(raw_storage(), FileSystemStorage) else "s3"
        if report.sealed:
            with transaction.atomic():
                record_operator(
                    Actor.system("cli:seal_stored_files"),
                    "storage.files_sealed",
                    object_type="storage",
                    object_id=where,
                    object_repr="stored files",
                    changes={"sealed": report.sealed, "unowned": len(report.unowned)},
                )
        self.stdout.write(
            f"Sealed {report.sealed} file(s) in {describe()}; {report.already} already sealed."
        )
        for name in report.unowned:
            self.stdout.write(self.style.WARNING(f"left as it is (no company claims it): {name}"))
