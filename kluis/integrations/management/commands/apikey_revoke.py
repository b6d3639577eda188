"""Revoke an API key by its prefix (`kluis apikey revoke`)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kluis.access.actor import Actor
from kluis.integrations.models import ApiKey
from kluis.integrations.services import revoke_api_key
from kluis.tenancy.models import Tenant


class Command(BaseCommand):
    help = "Revoke an API key of a company, named by its prefix (kluis_ and 6 characters)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", required=True, help="the company's slug")
        parser.add_argument("--prefix", required=True, help="the key's first 12 characters")

    def handle(self, *args: Any, **options: Any) -> None:
        tenant = Tenant.objects.filter(slug=options["tenant"]).first()
        key = (
            ApiKey.objects.for_tenant(tenant)
            .select_related("client", "client__tenant")
            .filter(prefix=options["prefix"][:12])
            .first()
            if tenant is not None
            else None
        )
        if key is None:
            raise CommandError(
                f"no API key {options['prefix']!r} in company {options['tenant']!r}", returncode=1
            )
        revoke_api_key(Actor.system("cli:apikey", key.client.tenant), key)
        self.stdout.write(f"Revoked API key {key.prefix}… ({key.client.name}).")
