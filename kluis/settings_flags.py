"""What an operator sets about flags, from KLUIS_* environment variables."""

from __future__ import annotations
