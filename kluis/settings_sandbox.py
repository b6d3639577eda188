"""What an operator sets about sandbox, from KLUIS_* environment variables."""

from __future__ import annotations
