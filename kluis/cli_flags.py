"""`kluis flags ...` commands."""

from __future__ import annotations

import argparse
from collections.abc import Callable

Add = Callable[..., argparse.ArgumentParser]


def cmd_flags(args: argparse.Namespace) -> int:
    from kluis.cli import setup_django

    setup_django()
    from django.core.management import call_command

    options = {
        key: getattr(args, key, None)
        for key in ("company", "user", "role", "percent")
        if getattr(args, key, None) not in (None, "")
    }
    if getattr(args, "everyone", False):
        options["everyone"] = True
    call_command("feature_flags", args.flags_command, getattr(args, "name", ""), **options)
    return 0


def add_target_arguments(parser: argparse.ArgumentParser, *, required: bool) -> None:
    group = parser.add_mutually_exclusive_group(required=required)
    group.add_argument("--company", metavar="SLUG", help="one company")
    group.add_argument("--user", metavar="EMAIL", help="one user, in every company")
    group.add_argument("--role", metavar="ROLE", help="members holding this built-in role")
    group.add_argument("--percent", metavar="N", help="N%% of companies (the same ones each time)")
    group.add_argument("--everyone", action="store_true", help="everyone")


def register(add: Add) -> None:
    """Add this area's commands to the `kluis` parser (`add(name, summary, description)`)."""
    flags = add(
        "flags",
        "feature flags: `kluis flags list|show NAME|on NAME|off NAME|clear NAME`",
        "Feature flags are declared in code; these commands turn them on or off per company, "
        "user, role or percentage of companies, or for everyone. A matching 'off' beats any "
        "'on'; without rules a flag has its declared default. Every change is audited.",
    )
    actions = flags.add_subparsers(dest="flags_command", metavar="<action>", required=True)
    listing = actions.add_parser("list", help="every flag with its rules", allow_abbrev=False)
    listing.set_defaults(handler=cmd_flags)
    show = actions.add_parser("show", help="one flag: description, owner, expiry, rules")
    show.add_argument("name")
    show.set_defaults(handler=cmd_flags)
    for action, summary, required in (
        ("on", "turn a flag on for a company, user, role, percentage or everyone", True),
        ("off", "turn a flag off for a company, user, role, percentage or everyone", True),
        ("clear", "remove the rule for one target (all rules without one)", False),
    ):
        sub = actions.add_parser(action, help=summary, description=summary, allow_abbrev=False)
        sub.add_argument("name")
        add_target_arguments(sub, required=required)
        sub.set_defaults(handler=cmd_flags)
