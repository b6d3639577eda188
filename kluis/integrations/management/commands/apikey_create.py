"""Create an API key for a company and print it once (`kluis apikey create`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from kluis.access.actor import Actor
from kluis.integrations.services import create_api_key
from kluis.operations.terminal import error_lines
from kluis.tenancy.models import Tenant


class Command(BaseCommand):
    help = "Create an API key for a company; the key is printed once and never stored."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", required=True, help="the company's slug")
        parser.add_argument("--name", required=True, help='what uses the key, e.g. "Payroll"')
        parser.add_argument("--scopes", required=True, help="comma-separated scopes")
        parser.add_argument("--expires-days", type=int, default=None, dest="expires_days")

    def handle(self, *args: Any, **options: Any) -> None:
        tenant = Tenant.objects.filter(slug=options["tenant"]).first()
        if tenant is None:
            raise CommandError(f"no company with slug {options['tenant']!r}", returncode=1)
        days = options["expires_days"]
        if days is not None and days < 1:
            raise CommandError("--expires-days must be at least 1", returncode=1)
        try:
            key, plaintext = create_api_key(
                Actor.system("cli:apikey", tenant),
                tenant,
                options["name"],
                options["scopes"].split(","),
                expires_at=timezone.now() + dt.timedelta(days=days) if days else None,
            )
        except ValidationError as exc:
            raise CommandError("\n".join(error_lines(exc)), returncode=1) from None
        expiry = f", expires {key.expires_at:%Y-%m-%d}" if key.expires_at else ""
        self.stderr.write(
            f"Created API key {key.prefix}… for {tenant.slug} ({', '.join(key.client.scopes)}"
            f"{expiry}). It is shown once, below; store it now."
        )
        self.stdout.write(plaintext)
