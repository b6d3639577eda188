"""Give a person access to a company. The password never travels on the command line:
it is read from standard input (first line) or prompted for twice."""

from __future__ import annotations

import getpass
import sys
from typing import Any, TextIO

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email
from django.db.models import Q

from kluis.access.actor import Actor
from kluis.access.models import Role
from kluis.company.services import add_member
from kluis.operations.terminal import error_lines
from kluis.tenancy.models import Tenant


def read_password(stdin: TextIO) -> str:
    """First line of a pipe, or typed twice at a terminal without echo."""
    if not stdin.isatty():
        line = stdin.readline()
        password = line.rstrip("\r\n")
        if not password:
            raise CommandError("password: none on standard input (give it as the first line)")
        return password
    first = getpass.getpass("Password: ")
    second = getpass.getpass("Password (again): ")
    if first != second:
        raise CommandError("password: the two passwords differ")
    if not first:
        raise CommandError("password: a password is required")
    return first


class Command(BaseCommand):
    help = (
        "Add a person to a company. The password is read from standard input (first line) "
        "or prompted for; it is never accepted as an argument."
    )
    stealth_options = ("stdin",)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", required=True, metavar="SLUG", help="the company's slug")
        parser.add_argument("--email", required=True, help="sign-in e-mail address")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--job-title", default="")
        parser.add_argument(
            "--role",
            action="append",
            dest="roles",
            metavar="ROLE",
            help=(
                "owner, hr_admin, manager, employee, auditor or a custom role's name; "
                "repeat for several (default: employee)"
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        tenant = Tenant.objects.filter(slug=(options["tenant"] or "").strip().lower()).first()
        if tenant is None:
            raise CommandError(f"tenant: no company with slug {options['tenant']!r}", returncode=1)
        email = (options["email"] or "").strip().lower()
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError("email: enter a valid e-mail address", returncode=1) from None
        roles = self._roles(tenant, options["roles"] or ["employee"])

        user_model = get_user_model()
        existing = user_model.objects.filter(email__iexact=email).exists()
        password = None
        if not existing:
            password = read_password(options.get("stdin") or sys.stdin)
            candidate = user_model(
                email=email,
                first_name=options["first_name"].strip(),
                last_name=options["last_name"].strip(),
            )
            try:
                validate_password(password, candidate)
            except ValidationError as exc:
                raise CommandError("\n".join(error_lines(exc, "password")), returncode=1) from None
        try:
            add_member(
                Actor.system("cli:createuser", tenant),
                tenant,
                email=email,
                first_name=options["first_name"],
                last_name=options["last_name"],
                password=password,
                job_title=options["job_title"],
                roles=roles,
            )
        except ValidationError as exc:
            raise CommandError("\n".join(error_lines(exc)), returncode=1) from None
        names = ", ".join(role.name for role in roles)
        note = " (an existing user: their password is unchanged)" if existing else ""
        self.stdout.write(f"Added {email} to {tenant.slug} with roles: {names}.{note}")

    def _roles(self, tenant: Tenant, wanted: list[str]) -> list[Role]:
        found: list[Role] = []
        for name in wanted:
            name = name.strip()
            role = (
                Role.objects.for_tenant(tenant)
                .filter(Q(builtin_key=name) | Q(name__iexact=name))
                .first()
            )
            if role is None:
                known = ", ".join(r.builtin_key or r.name for r in Role.objects.for_tenant(tenant))
                raise CommandError(
                    f"role: {tenant.slug} has no role {name!r} (roles: {known})", returncode=1
                )
            if role not in found:
                found.append(role)
        return found
