"""What an operator sets about sandbox, from KLUIS_* environment variables."""

from __future__ import annotations

import os


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw else default


# Whether owners may make sandboxes (kluis.sandbox.services.sandbox_allowed).
SANDBOXES_ENABLED = os.environ.get("KLUIS_SANDBOXES_ENABLED", "1").strip().lower() not in {
    "0",
    "false",
    "no",
    "off",
}
SANDBOX_DEFAULT_DAYS = _int("KLUIS_SANDBOX_DEFAULT_DAYS", 30)
SANDBOX_MAX_DAYS = _int("KLUIS_SANDBOX_MAX_DAYS", 90)
SANDBOX_MAX_PER_COMPANY = _int("KLUIS_SANDBOX_MAX_PER_COMPANY", 3)
# A sandbox of a company with more people than this is prepared by the worker (the button
# answers at once, the page says "being prepared"); smaller ones are made while you wait.
SANDBOX_FOREGROUND_PEOPLE = _int("KLUIS_SANDBOX_FOREGROUND_PEOPLE", 300)

# Every e-mail passes kluis.operations.mailing.LabellingBackend on its way to the backend
# configured (KLUIS_EMAIL_BACKEND): mail on behalf of a sandbox is marked "[Sandbox]".
from kluis.operations.mailing import wrap as _wrap_mailer  # noqa: E402
from kluis.settings import MAILERS  # noqa: E402

MAILERS["default"] = _wrap_mailer(MAILERS["default"])

# The banner on every page of a sandbox (kluis/sandbox/templates/sandbox/_banner.html).
from kluis.settings import TEMPLATES  # noqa: E402

TEMPLATES[0]["OPTIONS"]["context_processors"].append("kluis.sandbox.labels.banner")  # type: ignore[has-type]
