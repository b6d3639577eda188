"""What an operator sets about metrics, from KLUIS_* environment variables."""

from __future__ import annotations
