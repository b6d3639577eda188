"""The main navigation, grouped by what people do (Home, People, Time off, Organisation,
Reports, Settings). Each item names the permission (and the least scope) that shows it;
a group whose items are all hidden is not shown. Every page a member can open is an item
here or in the user menu (tests/web/test_navigation_complete.py walks the URL patterns)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kluis.access.actor import Actor
from kluis.access.permissions import Scope
from kluis.approvals.selectors import waiting_count
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
    # A count shown beside the label (what waits for the person), 0 for none.
    badge: Callable[[Actor], int] | None = None


@dataclass(frozen=True)
class NavGroup:
    key: str  # stable: ids and test ids (`nav-group-<key>`)
    label: str | Promise
    items: tuple[NavItem, ...]


NAVIGATION: list[NavGroup] = [
    NavGroup(
        "home",
        _("Home"),
        (
            NavItem(_("Dashboard"), "web:dashboard", None),
            NavItem(_("Inbox"), "web:notices", None),
            NavItem(_("My tasks"), "checklists:my_tasks", None),
            NavItem(_("My profile"), "people:my_profile", None),
            NavItem(_("What's new"), "releases:history", None),
        ),
    ),
    NavGroup(
        "people",
        _("People"),
        (
            NavItem(_("My team"), "people:my_team", "people.view", Scope.TEAM),
            NavItem(_("All people"), "people:list", "people.view", Scope.COMPANY),
            NavItem(_("Add a person"), "people:new", "people.edit", Scope.COMPANY),
            NavItem(_("Import people"), "people:import", "people.edit", Scope.COMPANY),
            NavItem(_("Export (Excel)"), "people:export_xlsx", "people.view", Scope.COMPANY),
            NavItem(_("Export (CSV)"), "people:export_csv", "people.view", Scope.COMPANY),
            NavItem(_("Change feed"), "people:changes", "people.view", Scope.COMPANY),
        ),
    ),
    NavGroup(
        "timeoff",
        _("Time off"),
        (
            NavItem(_("My calendar"), "timeoff:my_calendar", "timeoff.request"),
            NavItem(_("Request leave"), "timeoff:request_leave", "timeoff.request"),
            NavItem(_("Report sick"), "timeoff:report_sick", "timeoff.register_sickness"),
            NavItem(_("Approvals"), "timeoff:approvals", "timeoff.approve", Scope.TEAM),
            NavItem(_("Team calendar"), "timeoff:team_calendar", "timeoff.view_calendar"),
            NavItem(
                _("Company calendar"), "timeoff:company_overview", "timeoff.view", Scope.COMPANY
            ),
            NavItem(_("Sick periods"), "timeoff:absences", "timeoff.view_sickness", Scope.COMPANY),
            NavItem(_("Payroll export"), "timeoff:export", "timeoff.manage"),
            NavItem(_("Calendar feeds"), "timeoff:feeds", "timeoff.view_calendar"),
        ),
    ),
    NavGroup(
        "organisation",
        _("Organisation"),
        (
            NavItem(_("Org chart"), "people:org_chart", "people.view", Scope.TEAM),
            NavItem(_("Departments"), "people:departments", "people.edit", Scope.COMPANY),
            NavItem(_("Teams"), "people:teams", "people.edit", Scope.COMPANY),
            NavItem(_("Members"), "members:members", "tenancy.view_members"),
            NavItem(_("Roles"), "roles:roles", "access.view_roles"),
            # The two-person rule's requests (waiting for me, mine, all).
            NavItem(
                _("Change approvals"), "approvals:list", "access.view_roles", badge=waiting_count
            ),
        ),
    ),
    NavGroup(
        "reports",
        _("Reports"),
        (
            NavItem(_("Reports"), "reports:index", "people.view", Scope.TEAM),
            NavItem(_("Audit log"), "audit:events", "audit.view"),
        ),
    ),
    NavGroup(
        "settings",
        _("Settings"),
        (
            NavItem(_("People settings"), "people:settings", "people.edit", Scope.COMPANY),
            NavItem(_("Custom fields"), "people:custom_fields", "people.edit", Scope.COMPANY),
            NavItem(_("Time off settings"), "timeoff:settings", "timeoff.manage"),
            NavItem(_("Leave types"), "timeoff:leave_types", "timeoff.manage"),
            NavItem(_("Closing days"), "timeoff:closing_days", "timeoff.manage"),
            NavItem(_("Month locks"), "timeoff:month_locks", "timeoff.manage"),
            NavItem(_("Checklists"), "checklists:templates", "checklists.manage"),
            NavItem(_("Sign-in settings"), "signin_settings", "identity.manage_signin"),
            NavItem(_("Single sign-on"), "identity_sso:settings", "identity.manage_sso"),
            NavItem(_("Two-person rule"), "approvals:settings", "approvals.manage"),
            NavItem(_("API keys"), "integrations:api_keys", "integrations.manage"),
            NavItem(_("Connected apps"), "integrations:connected_apps", "integrations.manage"),
            NavItem(_("Webhooks"), "integrations:webhooks", "integrations.manage_webhooks"),
            # Owners only (the page itself checks the Owner role), where the `sandboxes`
            # flag is on.
            NavItem(
                _("Sandboxes"),
                "sandbox:sandboxes",
                "access.manage_roles",
                available=sandbox_allowed,
            ),
        ),
    ),
]

# The user menu (the person's name in the header): their own account, for every signed-in
# person, with or without a company.
USER_MENU: list[NavItem] = [
    NavItem(_("Password"), "account_change_password", None),
    NavItem(_("Two-factor authentication"), "mfa_index", None),
    NavItem(_("Sessions"), "usersessions_list", None),
]


def nav_items() -> list[NavItem]:
    """Every item of the main navigation and the user menu."""
    return [item for group in NAVIGATION for item in group.items] + USER_MENU
