"""What an operator sets about releases, from KLUIS_* environment variables."""

from __future__ import annotations
