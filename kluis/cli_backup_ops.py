"""`kluis backups list` and `kluis backups run`: the archives in every destination, and
the daily backup taken now (kluis/backups/services.py). Registered from
kluis/cli_backups.py."""

from __future__ import annotations

import argparse
from collections.abc import Callable

Add = Callable[..., argparse.ArgumentParser]


def _call(command: str) -> int:
    from kluis.cli import setup_django

    setup_django()
    from django.core.management import call_command

    call_command(command)
    return 0


def register_ops(add: Add) -> None:
    backups = add(
        "backups",
        "scheduled backups: `kluis backups list`, `kluis backups run`",
        "The archives the worker takes every day (KLUIS_BACKUP_HOUR) in each destination "
        "(KLUIS_BACKUP_DESTINATIONS: a local directory, S3-compatible storage or both).",
    )
    actions = backups.add_subparsers(dest="backups_command", metavar="<action>", required=True)
    listed = actions.add_parser(
        "list",
        help="archives per destination with age, size and whether they were verified",
        description="List the archives in every configured destination, newest first. "
        "Exit code 1 when a destination cannot be reached.",
        allow_abbrev=False,
    )
    listed.set_defaults(handler=lambda args: _call("backups_list"))
    run = actions.add_parser(
        "run",
        help="take a backup now into every destination, verify it, apply retention",
        description="What the worker does every day: make an archive, store it in every "
        "destination, verify it by restoring it into a scratch database, then keep 7 "
        "daily, 4 weekly and 12 monthly archives. Exit code 1 when it failed (the operators "
        "are e-mailed as for a scheduled backup).",
        allow_abbrev=False,
    )
    run.set_defaults(handler=lambda args: _call("backups_run"))
