"""Rotate the keys that sign app tokens: a new key signs from now on, older ones verify
the tokens they signed until those have expired, keys no token needs are deleted."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from kluis.identity import app_tokens, signing_keys
from kluis.identity.app_token_models import AppSigningKey


class Command(BaseCommand):
    help = (
        "Make a new app token signing key (ES256) and delete the retired keys whose "
        "tokens have all expired; --status only lists the keys (never a private key)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--status", action="store_true", help="list the keys, change nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["status"]:
            key, deleted = signing_keys.rotate()
            purged = app_tokens.purge()
            self.stdout.write(
                f"New signing key {key.kid} ({key.algorithm}); "
                f"{deleted} expired key{'s' if deleted != 1 else ''} deleted; "
                f"{purged} expired token record{'s' if purged != 1 else ''} deleted."
            )
        now = timezone.now()
        for row in AppSigningKey.objects.all():
            if row.retired_at is None:
                state = f"signs (since {row.created_at:%Y-%m-%d %H:%M} UTC)"
            else:
                state = f"verifies until {row.verify_until:%Y-%m-%d %H:%M} UTC"
            if row.verify_until is not None and row.verify_until <= now:
                state = "expired"
            self.stdout.write(
                f"{row.kid}  {row.algorithm}  {state}  master key {row.master_key_id}"
            )
