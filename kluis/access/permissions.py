"""The catalogue of named permissions and the built-in roles made of them.

A permission is an `app.action` string. Anything not granted is denied: there is no
permission that is allowed because nobody declared it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class Scope(StrEnum):
    """How far a grant reaches: the whole company, the holder's own team, or only themselves."""

    COMPANY = "company"
    TEAM = "team"
    SELF = "self"


SCOPE_RANK = {Scope.SELF: 1, Scope.TEAM: 2, Scope.COMPANY: 3}
SCOPE_LABELS = {
    Scope.COMPANY: _("All of the company"),
    Scope.TEAM: _("Own team"),
    Scope.SELF: _("Self only"),
}


@dataclass(frozen=True)
class PermissionSpec:
    code: str
    label: StrOrPromise  # lazy: shown in the reader's language
    # Company-level actions (managing roles, reading the audit log) make no sense for a
    # team or a single person, so they can only be granted for the whole company.
    company_only: bool = False


def _p(code: str, label: StrOrPromise, company_only: bool = False) -> PermissionSpec:
    return PermissionSpec(code, label, company_only)


CATALOGUE: dict[str, PermissionSpec] = {
    spec.code: spec
    for spec in [
        _p("people.view", _("See people's names, contact and job data")),
        _p("people.edit", _("Change people's personal and job data")),
        _p("people.view_salary", _("See wages and salary history")),
        _p("people.view_identity", _("See national identification numbers")),
        _p("people.view_bank", _("See bank account numbers")),
        _p(
            "people.view_personal",
            _("See private contact data, address, birth date, emergency contacts"),
        ),
        _p("tenancy.view_members", _("See who has access to the company")),
        _p("tenancy.manage_members", _("Add and deactivate members"), company_only=True),
        _p("access.view_roles", _("See roles and their permissions"), company_only=True),
        _p("access.manage_roles", _("Create, change and grant roles"), company_only=True),
        _p(
            "audit.view",
            _("Read the audit log about what one's other permissions show"),
            company_only=True,
        ),
        _p("audit.view_all", _("Read every event of the audit log"), company_only=True),
        _p("audit.export", _("Export the audit log"), company_only=True),
        _p(
            "integrations.manage",
            _("Create and revoke API keys for integrations"),
            company_only=True,
        ),
        _p(
            "integrations.manage_webhooks",
            _("Subscribe other systems to changes (webhooks)"),
            company_only=True,
        ),
        _p(
            "identity.manage_signin",
            _("Change the company's sign-in settings (second factor, sessions, addresses)"),
            company_only=True,
        ),
        _p(
            "identity.manage_sso",
            _("Configure single sign-on (OpenID Connect) for the company"),
            company_only=True,
        ),
        _p(
            "identity.reset_mfa",
            _("Reset a member's two-factor authentication"),
            company_only=True,
        ),
        _p(
            "approvals.manage",
            _("Choose which sensitive actions need a second person's approval"),
            company_only=True,
        ),
        _p(
            "offboarding.request",
            _("Start an offboarding and ask for a leaver's access to be revoked"),
            company_only=True,
        ),
        _p(
            "offboarding.approve",
            _("Approve revoking a leaver's access (the second person of four eyes)"),
            company_only=True,
        ),
        _p("timeoff.view_calendar", _("See who is away (never why)")),
        _p("timeoff.view", _("See leave requests and balances")),
        _p("timeoff.request", _("Request and cancel leave")),
        _p("timeoff.approve", _("Approve and reject leave requests")),
        _p("timeoff.register_sickness", _("Register sick periods")),
        _p("timeoff.view_sickness", _("See the reason and notes of sick periods")),
        _p(
            "timeoff.manage",
            _("Set up leave types and closing days, correct balances, lock months, export"),
            company_only=True,
        ),
        _p("checklists.view", _("See onboarding and offboarding checklists")),
        _p(
            "checklists.manage",
            _("Keep checklist templates, start checklists and complete anyone's tasks"),
            company_only=True,
        ),
    ]
}

ALL = set(CATALOGUE)


def _all(scope: Scope = Scope.COMPANY) -> dict[str, Scope]:
    return {code: scope for code in CATALOGUE}


def gettext_noop(message: str) -> str:
    """Marks a message for translation (makemessages knows this name) and returns it as it
    is: Django's gettext_noop reads the settings, and the settings import this module."""
    return message


@dataclass(frozen=True)
class BuiltinRole:
    name: str
    description: str
    grants: dict[str, Scope]


def _timeoff_hr() -> dict[str, Scope]:
    """HR keeps everyone's calendar: every time off permission, company-wide."""
    return {code: Scope.COMPANY for code in CATALOGUE if code.startswith("timeoff.")}


# Built-in roles are installed in every company and cannot be changed or removed.
BUILTIN_ROLES: dict[str, BuiltinRole] = {
    "owner": BuiltinRole(
        name=gettext_noop("Owner"),
        description=gettext_noop("Full control of the company, including roles."),
        grants=_all(),
    ),
    "hr_admin": BuiltinRole(
        name=gettext_noop("HR admin"),
        description=gettext_noop("Keeps the HR file of everyone in the company."),
        grants={
            "people.view": Scope.COMPANY,
            "people.edit": Scope.COMPANY,
            "people.view_salary": Scope.COMPANY,
            "people.view_identity": Scope.COMPANY,
            "people.view_bank": Scope.COMPANY,
            "people.view_personal": Scope.COMPANY,
            "tenancy.view_members": Scope.COMPANY,
            "tenancy.manage_members": Scope.COMPANY,
            "access.view_roles": Scope.COMPANY,
            "integrations.manage": Scope.COMPANY,
            "integrations.manage_webhooks": Scope.COMPANY,
            "identity.reset_mfa": Scope.COMPANY,
            "offboarding.request": Scope.COMPANY,
            "offboarding.approve": Scope.COMPANY,
            # The log's events about what HR may see (kluis/audit/policy.py).
            "audit.view": Scope.COMPANY,
            **_timeoff_hr(),
            "checklists.view": Scope.COMPANY,
            "checklists.manage": Scope.COMPANY,
        },
    ),
    "manager": BuiltinRole(
        name=gettext_noop("Manager"),
        description=gettext_noop("Sees the contact and job data of their own team."),
        grants={
            "people.view": Scope.TEAM,
            "tenancy.view_members": Scope.TEAM,
            "timeoff.view_calendar": Scope.COMPANY,
            "timeoff.view": Scope.TEAM,
            "timeoff.approve": Scope.TEAM,
            "checklists.view": Scope.TEAM,
        },
    ),
    "employee": BuiltinRole(
        name=gettext_noop("Employee"),
        description=gettext_noop("Sees and keeps their own data."),
        grants={
            "people.view": Scope.SELF,
            "people.edit": Scope.SELF,
            "people.view_personal": Scope.SELF,
            "people.view_salary": Scope.SELF,
            "people.view_identity": Scope.SELF,
            "people.view_bank": Scope.SELF,
            "timeoff.view_calendar": Scope.COMPANY,
            "timeoff.view": Scope.SELF,
            "timeoff.request": Scope.SELF,
            "timeoff.register_sickness": Scope.SELF,
            "timeoff.view_sickness": Scope.SELF,
            "checklists.view": Scope.SELF,
        },
    ),
    "auditor": BuiltinRole(
        name=gettext_noop("Auditor"),
        description=gettext_noop("Reads and exports the audit log and the role set-up."),
        grants={
            "audit.view": Scope.COMPANY,
            "audit.view_all": Scope.COMPANY,
            "audit.export": Scope.COMPANY,
            "access.view_roles": Scope.COMPANY,
            "tenancy.view_members": Scope.COMPANY,
        },
    ),
}


# What an API credential's scopes grant. Always company-wide: a machine client acts for the
# company, never as a person. A scope not listed here grants nothing.
API_SCOPES: dict[str, tuple[str, ...]] = {
    "employees:read": ("people.view",),
    "employees:write": ("people.edit",),
    "wages:read": ("people.view_salary",),
    "identity:read": ("people.view_identity", "people.view_bank"),
    "personal:read": ("people.view_personal",),
    "audit:read": ("audit.view", "audit.view_all"),
    "roles:read": ("access.view_roles", "tenancy.view_members"),
    "webhooks:write": ("integrations.manage_webhooks",),
    "timeoff:read": ("timeoff.view_calendar", "timeoff.view"),
    "timeoff:write": (
        "timeoff.request",
        "timeoff.approve",
        "timeoff.register_sickness",
        "timeoff.manage",
    ),
    "absence:read": ("timeoff.view_sickness",),
    "checklists:read": ("checklists.view",),
    "checklists:write": ("checklists.manage",),
    "offboardings:write": ("offboarding.request",),
}


def grants_of_scopes(scopes: list[str] | tuple[str, ...]) -> dict[str, str]:
    """The company-wide grants a set of API scopes gives (unknown scopes give nothing)."""
    return {
        permission: Scope.COMPANY.value
        for scope in scopes
        for permission in API_SCOPES.get(scope, ())
        if permission in CATALOGUE
    }
