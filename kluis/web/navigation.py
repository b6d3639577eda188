"""The main navigation: each entry names the permission (and the least scope) that shows it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kluis.access.permissions import Scope
from kluis.sandbox.services import sandbox_allowed
from kluis.tenancy.models import Tenant


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    permission: str | None  # None: every member sees it
    min_scope: Scope = Scope.SELF  # e.g. TEAM: only for those whose grant reaches a team
    # Shown only where this holds for the company (a feature behind a flag, say).
    available: Callable[[Tenant], bool] | None = None


NAVIGATION = [
    NavItem(_("Dashboard"), "web:dashboard", None),
    NavItem(_("My profile"), "people:my_profile", None),
    NavItem(_("My team"), "people:my_team", "people.view", Scope.TEAM),
    NavItem(_("People"), "people:list", "people.view", Scope.COMPANY),
    NavItem(_("Org chart"), "people:org_chart", "people.view", Scope.TEAM),
    NavItem(_("My calendar"), "timeoff:my_calendar", "timeoff.request"),
    NavItem(_("Approvals"), "timeoff:approvals", "timeoff.approve", Scope.TEAM),
    NavItem(_("Team calendar"), "timeoff:team_calendar", "timeoff.view_calendar"),
    NavItem(_("Company calendar"), "timeoff:company_overview", "timeoff.view", Scope.COMPANY),
    NavItem(_("Sick periods"), "timeoff:absences", "timeoff.view_sickness", Scope.COMPANY),
    NavItem(_("Members"), "members:members", "tenancy.view_members"),
    NavItem(_("Roles"), "roles:roles", "access.view_roles"),
    NavItem(_("Audit log"), "audit:events", "audit.view"),
    NavItem(_("People settings"), "people:settings", "people.edit", Scope.COMPANY),
    NavItem(_("Time off settings"), "timeoff:settings", "timeoff.manage"),
    NavItem(_("API keys"), "integrations:api_keys", "integrations.manage"),
    NavItem(_("Webhooks"), "integrations:webhooks", "integrations.manage_webhooks"),
    NavItem(_("Sign-in settings"), "signin_settings", "identity.manage_signin"),
    NavItem(_("Single sign-on"), "identity_sso:settings", "identity.manage_sso"),
    # Owners only (the page itself checks the Owner role), where the `sandboxes` flag is on.
    NavItem(_("Sandboxes"), "sandbox:sandboxes", "access.manage_roles", available=sandbox_allowed),
]
