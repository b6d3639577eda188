"""Rotate keys: a new master key for every company's data keys, or a company's data key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kluis.crypto import vault
from kluis.crypto.rotation import ACTOR_LABEL, rotate_master_key
from kluis.tenancy.models import Tenant


class Command(BaseCommand):
    help = (
        "Add a new master key and re-wrap every company's data keys under it (--retire-old: "
        "then remove the old master keys), or make a new data key version for one company "
        "(--tenant SLUG --data-key)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--new-key-file", type=Path, help="the new master key (base64)")
        parser.add_argument("--retire-old", action="store_true")
        parser.add_argument("--tenant", metavar="SLUG")
        parser.add_argument("--data-key", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if options.get("data_key"):
            if options.get("new_key_file") or options.get("retire_old"):
                raise CommandError(
                    "--data-key makes a company's data key; --new-key-file and --retire-old "
                    "are for the master key",
                    returncode=2,
                )
            if not options.get("tenant"):
                raise CommandError("--data-key needs --tenant SLUG", returncode=2)
            self._rotate_data_key(options["tenant"])
            return
        if options.get("tenant"):
            raise CommandError(
                "--tenant goes with --data-key; a master key rotation covers every company",
                returncode=2,
            )
        result = rotate_master_key(
            new_key_file=options.get("new_key_file"),
            retire_old=bool(options.get("retire_old")),
            say=self.stdout.write,
        )
        self.stdout.write(
            f"Done: {result.rewrapped} data key{'s' if result.rewrapped != 1 else ''} "
            f"re-wrapped under {result.new_key_id}."
        )

    def _rotate_data_key(self, slug: str) -> None:
        tenant = Tenant.objects.filter(slug=slug.strip().lower()).first()
        if tenant is None:
            raise CommandError(f"no company with slug {slug!r}", returncode=1)
        version = vault.rotate_data_key(tenant.pk, actor_label=ACTOR_LABEL)
        older = ""
        if version == 2:
            older = "; v1 still opens what it sealed"
        elif version > 2:
            older = f"; v1-v{version - 1} still open what they sealed"
        self.stdout.write(f"{tenant.slug}: data key v{version} now seals new values{older}.")
