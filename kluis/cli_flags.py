"""`kluis flags ...` commands."""

from __future__ import annotations

import argparse
from collections.abc import Callable

Add = Callable[..., argparse.ArgumentParser]


def register(add: Add) -> None:
    """Add this area's commands to the `kluis` parser (`add(name, summary, description)`)."""
