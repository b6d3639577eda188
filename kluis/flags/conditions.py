"""The conditions Kluis adds to django-flags: company, user, role and percentage of companies.

A rule that turns a flag on is a plain condition ("kluis company" = 42): the flag is on
when any plain condition holds. A rule that turns it off is a *required* negated condition
("kluis not company" = 42): django-flags turns a flag off when any required condition
fails. So an "off" that matches beats every "on" (see rules.py for the encoding). The
conditions read a `Subject` (who is asking: company, user, their roles) that
`kluis.flags.evaluation` passes as keyword argument `subject`, and the flag's name as `flag`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from flags.conditions import register


def bucket(flag: str, company_id: int) -> int:
    """A company's place (0-99) in a flag's percentage rollout: the same on every node and
    every run, and independent between flags (a company early for one is not for all)."""
    digest = hashlib.sha256(f"{flag}:{company_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % 100


def in_percentage(flag: str, company_id: int | None, percent: int) -> bool:
    return company_id is not None and bucket(flag, company_id) < percent


@dataclass
class Subject:
    """Who a flag is evaluated for. `role_keys` are loaded once, only if a role rule asks."""

    tenant_id: int | None = None
    user_id: int | None = None
    membership_id: int | None = None
    _role_keys: frozenset[str] | None = field(default=None, repr=False)

    @property
    def role_keys(self) -> frozenset[str]:
        if self._role_keys is None:
            self._role_keys = self._load_role_keys()
        return self._role_keys

    def _load_role_keys(self) -> frozenset[str]:
        if self.tenant_id is None or (self.membership_id is None and self.user_id is None):
            return frozenset()
        from kluis.access.models import RoleAssignment

        rows = RoleAssignment.objects.for_tenant(self.tenant_id).filter(membership__is_active=True)
        if self.membership_id is not None:
            rows = rows.filter(membership_id=self.membership_id)
        elif self.user_id is not None:
            rows = rows.filter(membership__user_id=self.user_id)
        return frozenset(k for k in rows.values_list("role__builtin_key", flat=True) if k)


def _int(value: object) -> int:
    return int(str(value))


def _validate_id(value: object) -> None:
    if not str(value).isdigit():
        raise ValidationError("Enter the id of a row (digits).")


def _validate_role(value: object) -> None:
    from kluis.access.permissions import BUILTIN_ROLES

    if str(value) not in BUILTIN_ROLES:
        raise ValidationError(f"Enter a built-in role: {', '.join(sorted(BUILTIN_ROLES))}.")


def _validate_percent(value: object) -> None:
    if not str(value).isdigit() or not 0 <= int(str(value)) <= 100:
        raise ValidationError("Enter a whole percentage from 0 to 100.")


def _company(value: Any, subject: Subject | None) -> bool:
    return subject is not None and subject.tenant_id == _int(value)


def _user(value: Any, subject: Subject | None) -> bool:
    return subject is not None and subject.user_id == _int(value)


def _role(value: Any, subject: Subject | None) -> bool:
    return subject is not None and str(value) in subject.role_keys


def _percent(value: Any, subject: Subject | None, flag: str) -> bool:
    return subject is not None and in_percentage(flag, subject.tenant_id, _int(value))


Match = Callable[..., bool]


def _register_pair(kind: str, match: Match, validator: Callable[[object], None]) -> None:
    """Register "kluis KIND" (holds when the subject matches) and "kluis not KIND"."""

    def on(value: Any, subject: Subject | None = None, flag: str = "", **kwargs: Any) -> bool:
        if kind == "percent":
            return match(value, subject, flag)
        return match(value, subject)

    def off(value: Any, subject: Subject | None = None, flag: str = "", **kwargs: Any) -> bool:
        return not on(value, subject=subject, flag=flag)

    register(f"kluis {kind}", fn=on, validator=validator)
    register(f"kluis not {kind}", fn=off, validator=validator)


_register_pair("company", _company, _validate_id)
_register_pair("user", _user, _validate_id)
_register_pair("role", _role, _validate_role)
_register_pair("percent", _percent, _validate_percent)
