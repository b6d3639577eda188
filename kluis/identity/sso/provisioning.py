"""Just-in-time accounts: identity sits below the company app that adds members, so the
company app registers how a person is added (kluis/company/apps.py), as lower layers
learn of higher ones by registration."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured

from kluis.identity.models import User
from kluis.tenancy.models import Tenant

# (company, e-mail, first name, last name) -> the new member's user
AddMember = Callable[[Tenant, str, str, str], User]
_add_member: list[AddMember] = []


def register(add_member: AddMember) -> None:
    _add_member[:] = [add_member]


def add_member(tenant: Tenant, email: str, first_name: str, last_name: str) -> User:
    if not _add_member:
        raise ImproperlyConfigured("no service registered to add members (kluis.company)")
    return _add_member[0](tenant, email, first_name, last_name)
