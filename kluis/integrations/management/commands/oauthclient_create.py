"""Create an OAuth 2.0 client-credentials client and print its id and secret once
(`kluis oauthclient create`)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kluis.access.actor import Actor
from kluis.integrations.management.commands.apiclient_create import company
from kluis.integrations.services import create_oauth_client
from kluis.operations.terminal import error_lines


class Command(BaseCommand):
    help = "Create an OAuth 2.0 client (client credentials); id and secret are printed once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", required=True, help="the company's slug")
        parser.add_argument("--name", required=True, help='what uses it, e.g. "Payroll"')
        parser.add_argument("--scopes", required=True, help="comma- or space-separated scopes")

    def handle(self, *args: Any, **options: Any) -> None:
        tenant = company(options["tenant"])
        try:
            client, client_id, secret = create_oauth_client(
                Actor.system("cli:oauthclient", tenant),
                tenant,
                options["name"],
                options["scopes"].replace(",", " ").split(),
            )
        except ValidationError as exc:
            raise CommandError("\n".join(error_lines(exc)), returncode=1) from None
        self.stderr.write(
            f"Created OAuth client {client.name!r} for {tenant.slug} "
            f"({', '.join(client.scopes)}). Its client_id and client_secret are shown once, "
            "below (id on the first line, secret on the second); store them now."
        )
        self.stdout.write(client_id)
        self.stdout.write(secret)
