"""Flags are declared in code: a name, what it guards, who owns it and when it must go.

`declare()` is called at import time by kluis/flags/catalogue.py (and by any app's
`feature_flags` module); django-flags learns the declared flags and their defaults from
`kluis.flags.sources.DeclaredFlagsSource`. A flag past its expiry fails the test suite
(tests/flags/test_expiry.py), so flags are removed or renewed instead of rotting.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

NAME = re.compile(r"^[a-z][a-z0-9_]{1,62}$")


class UnknownFlag(LookupError):
    """A flag name no code declared."""

    def __init__(self, name: str) -> None:
        super().__init__(f"no feature flag named {name!r} is declared (kluis/flags/catalogue.py)")
        self.name = name


@dataclass(frozen=True)
class Declaration:
    name: str
    description: str
    owner: str
    expires: date
    default: bool = False


_declared: dict[str, Declaration] = {}


def declare(
    name: str, *, description: str, owner: str, expires: date, default: bool = False
) -> Declaration:
    """Declare a flag. A name is declared once; description and owner may not be empty."""
    if not NAME.match(name):
        raise ValueError(f"flag name {name!r}: lower-case letters, digits and _ (2-63)")
    if not description.strip() or not owner.strip():
        raise ValueError(f"flag {name!r}: a description and an owner are required")
    if not isinstance(expires, date):
        raise TypeError(f"flag {name!r}: expires must be a date")
    existing = _declared.get(name)
    declaration = Declaration(name, description.strip(), owner.strip(), expires, default)
    if existing is not None and existing != declaration:
        raise ValueError(f"flag {name!r} is declared twice, differently")
    _declared[name] = declaration
    return declaration


def declared() -> list[Declaration]:
    """Every declared flag, by name."""
    return [_declared[name] for name in sorted(_declared)]


def get(name: str) -> Declaration:
    try:
        return _declared[name]
    except KeyError:
        raise UnknownFlag(name) from None


def is_declared(name: str) -> bool:
    return name in _declared


def expired(today: date) -> list[Declaration]:
    """The declared flags whose expiry date lies before `today`."""
    return [d for d in declared() if d.expires < today]
