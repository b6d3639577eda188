"""`kluis sandbox ...` commands: make, list and delete sandbox companies."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

Add = Callable[..., argparse.ArgumentParser]


def register(add: Add) -> None:
    """Add this area's commands to the `kluis` parser (`add(name, summary, description)`)."""
    sandbox = add(
        "sandbox",
        "test companies with synthetic people: `kluis sandbox create --from COMPANY`",
        "A sandbox is a company shaped like a real one (departments, teams, custom fields, "
        "roles, headcount) with made-up people and wages; no personal data or secrets are "
        "copied. It is deleted with all its data after its lifetime.",
    )
    actions = sandbox.add_subparsers(dest="sandbox_command", metavar="<action>", required=True)
    create = actions.add_parser(
        "create",
        help="make a sandbox of a company (prints its slug)",
        description="Make a sandbox of COMPANY (its slug), owned by --owner (a member of "
        "it; default: its first owner), deleted after --lifetime-days.",
        allow_abbrev=False,
    )
    create.add_argument("--from", dest="source", required=True, metavar="COMPANY")
    create.add_argument("--lifetime-days", type=int, default=None, metavar="N")
    create.add_argument("--owner", default=None, metavar="EMAIL")
    create.set_defaults(handler=cmd_create)
    listing = actions.add_parser(
        "list", help="every sandbox, its source and when it goes", allow_abbrev=False
    )
    listing.set_defaults(handler=cmd_list)
    delete = actions.add_parser(
        "delete", help="delete a sandbox and all its data now", allow_abbrev=False
    )
    delete.add_argument("slug", metavar="SLUG")
    delete.set_defaults(handler=cmd_delete)


def _company(slug: str) -> Any:
    from django.core.management.base import CommandError

    from kluis.tenancy.models import Tenant

    tenant = Tenant.objects.filter(slug=slug).first()
    if tenant is None:
        raise CommandError(f"no company with slug {slug!r}")
    return tenant


def _one_line(error: Exception) -> str:
    from django.core.exceptions import ValidationError

    if isinstance(error, ValidationError):
        return "; ".join(error.messages)
    return str(error)


def cmd_create(args: argparse.Namespace) -> int:
    from kluis.cli import setup_django

    setup_django()
    from django.core.exceptions import PermissionDenied, ValidationError
    from django.core.management.base import CommandError

    from kluis.access.actor import Actor
    from kluis.sandbox import services

    source = _company(args.source)
    interactive = sys.stderr.isatty()

    def progress(done: int) -> None:
        if interactive:
            print(f"\rpeople: {done}", end="", file=sys.stderr, flush=True)

    try:
        made = services.create_sandbox(
            Actor.system("cli"),
            source,
            lifetime_days=args.lifetime_days,
            owner_email=args.owner,
            background=False,
            progress=progress,
        )
    except (ValidationError, PermissionDenied) as error:
        raise CommandError(_one_line(error)) from None
    if interactive:
        print(file=sys.stderr)
    print(
        f"{made.company.slug}\t{made.people_made} people\t"
        f"deleted after {made.expires_at:%Y-%m-%d %H:%M} UTC"
    )
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from kluis.cli import setup_django

    setup_django()
    from kluis.sandbox.models import Sandbox

    rows = Sandbox.objects.select_related("company", "source").order_by("expires_at", "pk")
    for row in rows:
        print(
            f"{row.company.slug}\tfrom {row.source.slug}\t{row.status}\t"
            f"expires {row.expires_at:%Y-%m-%d %H:%M} UTC"
        )
    if not rows:
        print("no sandboxes")
    return 0


def cmd_delete(args: argparse.Namespace) -> int:
    from kluis.cli import setup_django

    setup_django()
    from django.core.exceptions import ValidationError
    from django.core.management.base import CommandError

    from kluis.access.actor import Actor
    from kluis.sandbox import services
    from kluis.sandbox.models import Sandbox

    company = _company(args.slug)
    record = Sandbox.objects.filter(company=company).first()
    if record is None:
        raise CommandError(f"{args.slug!r} is not a sandbox; only sandboxes are deleted here")
    try:
        removed = services.delete_sandbox(Actor.system("cli"), record)
    except ValidationError as error:
        raise CommandError(_one_line(error)) from None
    print(f"deleted {args.slug} ({removed} rows)")
    return 0
