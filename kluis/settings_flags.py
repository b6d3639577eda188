"""What an operator sets about flags, from KLUIS_* environment variables.

Flags are declared in code (kluis/flags/catalogue.py); their rules live in the database
(django-flags' FlagState rows), so there is nothing to configure per host. django-flags
reads the declarations and the rules through these two sources, in this order.
"""

from __future__ import annotations

FLAG_SOURCES = (
    "kluis.flags.sources.DeclaredFlagsSource",
    "flags.sources.DatabaseFlagsSource",
)
FLAGS: dict[str, list[object]] = {}  # declarations come from kluis.flags.catalogue
