"""Register a third-party app for OAuth 2.0 authorization code + PKCE
(`kluis oauthapp create`); companies then connect it on the consent screen."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kluis.access.actor import Actor
from kluis.integrations.services import register_oauth_app
from kluis.operations.terminal import error_lines


class Command(BaseCommand):
    help = "Register a third-party OAuth app; its client_id and secret are printed once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True, help="the app's name, shown on consent")
        parser.add_argument(
            "--redirect-uri", required=True, action="append", dest="redirect_uris",
            help="an https:// redirect URI (repeat for more)",
        )  # fmt: skip
        parser.add_argument(
            "--public", action="store_true", help="a public client (no secret; PKCE only)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            application, secret = register_oauth_app(
                Actor.system("cli:oauthapp"),
                options["name"],
                options["redirect_uris"],
                public=options["public"],
            )
        except ValidationError as exc:
            raise CommandError("\n".join(error_lines(exc)), returncode=1) from None
        self.stderr.write(
            f"Registered OAuth app {application.name!r}. Its client_id (first line) and "
            "client_secret (second line, none for a public app) are shown once; store them now."
        )
        self.stdout.write(str(application.client_id))
        if secret:
            self.stdout.write(secret)
