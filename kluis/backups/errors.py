"""The one error the backup and restore functions raise: a message an operator can act on."""

from __future__ import annotations


class BackupError(Exception):
    """One clear operator-facing line: a damaged archive, the wrong key, a newer schema,
    a non-empty database without --force, a missing pg_dump, ... Never a secret in it."""
