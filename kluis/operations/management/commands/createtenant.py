"""Create a company: the platform operator's job, done through the tenancy service."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kluis.access.actor import Actor
from kluis.tenancy.services import create_tenant


def error_lines(exc: ValidationError, default_field: str = "") -> list[str]:
    """One line per problem, `field: message`, for a terminal."""
    if hasattr(exc, "error_dict"):
        return [f"{name}: {msg}" for name, msgs in exc.message_dict.items() for msg in msgs]
    prefix = f"{default_field}: " if default_field else ""
    return [f"{prefix}{msg}" for msg in exc.messages]


class Command(BaseCommand):
    help = "Create a company (tenant) with its built-in roles."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--slug", required=True, help="short name in URLs, e.g. acme-bv")
        parser.add_argument("--name", required=True, help='display name, e.g. "Acme BV"')

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            tenant = create_tenant(
                Actor.system("cli:createtenant"), name=options["name"], slug=options["slug"]
            )
        except ValidationError as exc:
            raise CommandError("\n".join(error_lines(exc)), returncode=1) from None
        self.stdout.write(f"Created company {tenant.slug} ({tenant.name}).")
