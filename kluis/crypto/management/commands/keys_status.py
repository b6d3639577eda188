"""List the master key ids and each company's data key versions (never a key)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kluis.crypto import keyring
from kluis.crypto.rotation import company_status
from kluis.tenancy.models import Tenant


class Command(BaseCommand):
    help = "Show master key ids and each company's data keys; exit 1 when one cannot be opened."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", metavar="SLUG", help="only this company")

    def handle(self, *args: Any, **options: Any) -> None:
        ring = keyring.current()
        ids = ", ".join(
            f"{key_id} (active)" if key_id == ring.active_id else key_id for key_id in ring.keys
        )
        self.stdout.write(f"Master keys from {keyring.configured_source().describe()}: {ids}")
        tenants = Tenant.objects.order_by("slug")
        if options.get("tenant"):
            tenants = tenants.filter(slug=options["tenant"].strip().lower())
            if not tenants.exists():
                raise CommandError(f"no company with slug {options['tenant']!r}", returncode=1)
        broken = 0
        for tenant in tenants:
            status = company_status(tenant, ring)
            if status.problems:
                broken += 1
                for problem in status.problems:
                    self.stdout.write(self.style.ERROR(f"{tenant.slug}: CANNOT OPEN {problem}"))
            if status.lines:
                self.stdout.write(f"{tenant.slug}: " + "; ".join(status.lines))
            elif not status.problems:
                self.stdout.write(f"{tenant.slug}: no data key yet")
        if broken:
            raise CommandError(
                f"the data keys of {broken} company(ies) cannot be opened with this keyring",
                returncode=1,
            )
