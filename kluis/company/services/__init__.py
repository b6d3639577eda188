"""Every write to companies, memberships, roles and role grants (one module per concept)."""

from kluis.company.services.deactivation import deactivate_member, reactivate_member
from kluis.company.services.members import add_member, create_tenant
from kluis.company.services.mfa import reset_member_mfa
from kluis.company.services.roles import (
    create_role,
    delete_role,
    grant_employee_role,
    grant_role,
    install_builtin_roles,
    revoke_role,
    update_role,
)

__all__ = [
    "add_member",
    "create_role",
    "create_tenant",
    "deactivate_member",
    "delete_role",
    "grant_employee_role",
    "grant_role",
    "install_builtin_roles",
    "reactivate_member",
    "reset_member_mfa",
    "revoke_role",
    "update_role",
]
