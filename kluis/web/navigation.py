"""The main navigation: each entry names the permission that shows it."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    permission: str | None  # None: every member sees it


NAVIGATION = [
    NavItem(_("Dashboard"), "web:dashboard", None),
    NavItem(_("Members"), "tenancy:members", "tenancy.view_members"),
    NavItem(_("Roles"), "access:roles", "access.view_roles"),
    NavItem(_("Audit log"), "audit:events", "audit.view"),
]
