"""What an operator sets about backups, from KLUIS_* environment variables."""

from __future__ import annotations
