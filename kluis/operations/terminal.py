"""Messages for a terminal, shared by every app's management commands."""

from __future__ import annotations

from django.core.exceptions import ValidationError


def error_lines(exc: ValidationError, default_field: str = "") -> list[str]:
    """One line per problem, `field: message`, for a terminal."""
    if hasattr(exc, "error_dict"):
        return [f"{name}: {msg}" for name, msgs in exc.message_dict.items() for msg in msgs]
    prefix = f"{default_field}: " if default_field else ""
    return [f"{prefix}{msg}" for msg in exc.messages]
