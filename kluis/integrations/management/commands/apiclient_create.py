"""Create an API client for HTTP Basic and print its id and secret once
(`kluis apiclient create`)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kluis.access.actor import Actor
from kluis.integrations.services import create_api_client
from kluis.operations.terminal import error_lines
from kluis.tenancy.models import Tenant


def company(slug: str) -> Tenant:
    tenant = Tenant.objects.filter(slug=slug).first()
    if tenant is None:
        raise CommandError(f"no company with slug {slug!r}", returncode=1)
    return tenant


class Command(BaseCommand):
    help = "Create an API client (HTTP Basic); its id and secret are printed once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", required=True, help="the company's slug")
        parser.add_argument("--name", required=True, help='what uses it, e.g. "Payroll"')
        parser.add_argument("--scopes", required=True, help="comma- or space-separated scopes")

    def handle(self, *args: Any, **options: Any) -> None:
        tenant = company(options["tenant"])
        try:
            client, secret = create_api_client(
                Actor.system("cli:apiclient", tenant),
                tenant,
                options["name"],
                options["scopes"].replace(",", " ").split(),
            )
        except ValidationError as exc:
            raise CommandError("\n".join(error_lines(exc)), returncode=1) from None
        self.stderr.write(
            f"Created API client {client.name!r} for {tenant.slug} ({', '.join(client.scopes)}). "
            "Its id and secret are shown once, below (id on the first line, secret on the "
            "second); store them now."
        )
        self.stdout.write(str(client.client_id))
        self.stdout.write(secret)
