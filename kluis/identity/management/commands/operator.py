"""`kluis operator create --email E` / `kluis operator remove --email E`."""

from __future__ import annotations

import getpass
import sys
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kluis.access.actor import Actor
from kluis.identity.operators import make_operator, remove_operator


class Command(BaseCommand):
    help = "Make a user a platform operator (or stop them being one)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", nargs="?", choices=["create", "remove"], default="create")
        parser.add_argument("--email", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        actor = Actor.system("kluis operator")
        try:
            if options["action"] == "remove":
                remove_operator(actor, options["email"])
                self.stdout.write(f"{options['email']} is no longer an operator.")
                return
            password = None
            if sys.stdin.isatty():
                password = getpass.getpass("Password (empty: set one later): ") or None
                if password and getpass.getpass("Again: ") != password:
                    raise CommandError("the passwords differ", returncode=1)
            user, created = make_operator(actor, options["email"], password=password)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages), returncode=1) from None
        what = "made" if created else "now"
        self.stdout.write(f"{user.email} is {what} an operator: /operator/")
        if created and password is None:
            self.stdout.write("They set a password through 'Forgot password' on the sign-in page.")
