"""Create a company: the platform operator's job, done through the company service."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kluis.access.actor import Actor
from kluis.company.services import create_tenant
from kluis.operations.terminal import error_lines


class Command(BaseCommand):
    help = "Create a company (tenant) with its built-in roles."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--slug", required=True, help="short name in URLs, e.g. acme-bv")
        parser.add_argument("--name", required=True, help='display name, e.g. "Acme BV"')
        parser.add_argument(
            "--country",
            default="BE",
            help="ISO country code: public holidays and default leave types (BE, NL, ...)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            tenant = create_tenant(
                Actor.system("cli:createtenant"),
                name=options["name"],
                slug=options["slug"],
                country=options["country"],
            )
        except ValidationError as exc:
            raise CommandError("\n".join(error_lines(exc)), returncode=1) from None
        self.stdout.write(f"Created company {tenant.slug} ({tenant.name}).")
