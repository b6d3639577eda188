"""Reading KLUIS_* environment variables for the settings modules (kluis/settings.py and
the modules it imports): which environment Kluis runs in, and checked values. A value that
does not fit refuses the start with a message naming the variable."""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

ENV = os.environ.get("KLUIS_ENV", "development").strip().lower()
if ENV not in {"development", "production", "test"}:
    raise ImproperlyConfigured(f"KLUIS_ENV must be development, production or test, not {ENV!r}")
PRODUCTION = ENV == "production"

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_path(name: str, default: Path) -> Path:
    """A directory from the environment; set but empty (`KLUIS_DATA_DIR=`) means the
    default, never the current directory."""
    value = os.environ.get(name, "").strip()
    return Path(value or default).resolve()


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_whole_number(name: str, default: int, least: int, most: int | None = None) -> int:
    """A whole number from `least` (to `most`, when given)."""
    value = os.environ.get(name, str(default)).strip()
    if not value.isdigit() or int(value) < least or (most is not None and int(value) > most):
        bounds = f"from {least} to {most}" if most is not None else f"of at least {least}"
        raise ImproperlyConfigured(f"{name} must be a whole number {bounds}")
    return int(value)


DATA_DIR = env_path("KLUIS_DATA_DIR", BASE_DIR / "var")  # empty means the default
