"""The demo data's settings: the demo logins' password and the demo companies' calendar of
leave, from KLUIS_DEMO_CALENDAR (docs/operations.md). Imported by kluis/settings.py."""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

from kluis.settings_env import ENV

__all__ = ["DEMO_CALENDAR", "DEMO_PASSWORD"]

DEMO_PASSWORD = "kluis-demo-password-2026"  # noqa: S105  (demo data is refused in production)

# --- Time off: the demo's calendar ------------------------------------------------------
# The demo companies get a year of leave, sick periods, a closing day and a month lock
# (kluis/timeoff/demo/); not in the test settings, where each test lays out its own.
# KLUIS_DEMO_CALENDAR=0 leaves it out (1 puts it in) whatever the environment.
_demo_calendar = os.environ.get("KLUIS_DEMO_CALENDAR", "0" if ENV == "test" else "1").strip()
if _demo_calendar not in ("0", "1"):
    raise ImproperlyConfigured(f"KLUIS_DEMO_CALENDAR must be 0 or 1, not {_demo_calendar!r}")
DEMO_CALENDAR = _demo_calendar == "1"
