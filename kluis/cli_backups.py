"""`kluis backups ...` commands."""

from __future__ import annotations

import argparse
from collections.abc import Callable

Add = Callable[..., argparse.ArgumentParser]


def register(add: Add) -> None:
    """Add this area's commands to the `kluis` parser (`add(name, summary, description)`)."""
    from kluis.cli_backup_ops import register_ops  # `kluis backups list|run`

    register_ops(add)
