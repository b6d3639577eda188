"""What an operator sets about status, from KLUIS_* environment variables."""

from __future__ import annotations
