"""Every write to roles and role grants. Each one authorises, validates, writes in one
transaction, records an audit event and emits a domain event.

A service that nothing composes runs `transaction.atomic(durable=True)` (it must be the
outermost transaction, so its audit row is committed when it returns). `install_builtin_roles`,
`grant_role` and `create_role` are not durable: `create_tenant` and `add_member` run the first
two inside their own transaction, and tests compose `create_role` with `grant_role`."""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kluis.access.actor import Actor
from kluis.access.authorization import authorize
from kluis.access.models import Role, RoleAssignment, RolePermission
from kluis.access.permissions import BUILTIN_ROLES, CATALOGUE, Scope
from kluis.audit.services import diff, record
from kluis.integrations.events import emit
from kluis.tenancy.models import Membership, Tenant

# Granting these is held for a second approver when the company chose so (an Owner grant
# always, once the company has two owners): kluis/company/approval_actions.py.
PRIVILEGED = ("owner", "hr_admin", "auditor")


def hold_privileged_grant(actor: Actor, membership: Membership, role: Role) -> None:
    from kluis.company.approval_actions import gate_role_grant

    gate_role_grant(actor, membership, role)


def _check_tenant(actor: Actor, tenant: Tenant) -> None:
    if not actor.is_system and (actor.tenant is None or actor.tenant.pk != tenant.pk):
        raise PermissionDenied(_("Not a member of this company."))


def _clean_grants(grants: Mapping[str, str]) -> dict[str, str]:
    errors: dict[str, list[str]] = {}
    clean: dict[str, str] = {}
    for code, scope in grants.items():
        spec = CATALOGUE.get(code)
        if spec is None:
            errors.setdefault("permissions", []).append(
                _("Unknown permission: %(code)s") % {"code": code}
            )
            continue
        try:
            scope_value = Scope(scope)
        except ValueError:
            errors.setdefault("permissions", []).append(
                _("Unknown scope for %(code)s: %(scope)s") % {"code": code, "scope": scope}
            )
            continue
        if spec.company_only and scope_value != Scope.COMPANY:
            errors.setdefault("permissions", []).append(
                _("%(code)s can only be granted for all of the company") % {"code": code}
            )
            continue
        clean[code] = scope_value.value
    if errors:
        raise ValidationError(errors)
    return clean


def _clean_name(tenant: Tenant, name: str, exclude: int | None = None) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [_("A role needs a name.")]})
    if len(name) > 100:
        raise ValidationError({"name": [_("Use at most 100 characters.")]})
    clash = Role.objects.for_tenant(tenant).filter(name__iexact=name)
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise ValidationError({"name": [_("Another role already has this name.")]})
    return name


def _grants_of(role: Role) -> dict[str, str]:
    return dict(role.permissions.values_list("permission", "scope"))


def _write_grants(role: Role, grants: dict[str, str]) -> None:
    RolePermission.objects.filter(role=role).delete()
    RolePermission.objects.bulk_create(
        RolePermission(tenant_id=role.tenant_id, role=role, permission=code, scope=scope)
        for code, scope in sorted(grants.items())
    )


def install_builtin_roles(actor: Actor, tenant: Tenant) -> list[Role]:
    """Give a new company the built-in roles (called by tenancy.services.create_tenant)."""
    roles = []
    with transaction.atomic():
        for key, spec in BUILTIN_ROLES.items():
            role, created = Role.objects.get_or_create(
                tenant=tenant,
                builtin_key=key,
                defaults={"name": spec.name, "description": spec.description},
            )
            if created:
                grants = {code: scope.value for code, scope in spec.grants.items()}
                _write_grants(role, grants)
                record(
                    actor,
                    "role.created",
                    tenant=tenant,
                    target=role,
                    changes={"name": {"old": None, "new": role.name}, "permissions": grants},
                )
                emit("role.created", tenant=tenant, target=role)
            roles.append(role)
    return roles


def create_role(
    actor: Actor, tenant: Tenant, *, name: str, description: str = "", grants: Mapping[str, str]
) -> Role:
    _check_tenant(actor, tenant)
    authorize(actor, "access.manage_roles")
    with transaction.atomic():
        clean_name = _clean_name(tenant, name)
        clean_grants = _clean_grants(grants)
        role = Role.objects.create(tenant=tenant, name=clean_name, description=description.strip())
        _write_grants(role, clean_grants)
        record(
            actor,
            "role.created",
            tenant=tenant,
            target=role,
            changes={"name": {"old": None, "new": role.name}, "permissions": clean_grants},
        )
        emit("role.created", tenant=tenant, target=role)
    return role


def update_role(
    actor: Actor,
    role: Role,
    *,
    name: str,
    description: str = "",
    grants: Mapping[str, str],
) -> Role:
    _check_tenant(actor, role.tenant)
    authorize(actor, "access.manage_roles")
    if role.is_builtin:
        raise ValidationError(_("Built-in roles cannot be changed; make a custom role instead."))
    with transaction.atomic(durable=True):
        role = Role.objects.for_tenant(role.tenant_id).select_for_update().get(pk=role.pk)
        clean_name = _clean_name(role.tenant, name, exclude=role.pk)
        clean_grants = _clean_grants(grants)
        before = {"name": role.name, "description": role.description, **_grants_of(role)}
        role.name, role.description = clean_name, description.strip()
        role.save(update_fields=["name", "description", "updated_at"])
        _write_grants(role, clean_grants)
        after = {"name": role.name, "description": role.description, **clean_grants}
        changes = diff(before, after)
        if changes:
            record(actor, "role.updated", tenant=role.tenant, target=role, changes=changes)
            # The names of what changed as the API shows a role (permissions are `grants`).
            fields = sorted({n if n in ("name", "description") else "grants" for n in changes})
            emit("role.updated", tenant=role.tenant, target=role, payload={"fields": fields})
    return role


def delete_role(actor: Actor, role: Role) -> None:
    _check_tenant(actor, role.tenant)
    authorize(actor, "access.manage_roles")
    if role.is_builtin:
        raise ValidationError(_("Built-in roles cannot be removed."))
    with transaction.atomic(durable=True):
        holders = role.assignments.count()
        if holders:
            raise ValidationError(
                _("%(count)d member(s) still hold this role; take it away from them first.")
                % {"count": holders}
            )
        record(actor, "role.deleted", tenant=role.tenant, target=role)
        emit("role.deleted", tenant=role.tenant, target=role)
        role.delete()


def _owner_count(tenant: Tenant) -> int:
    return (
        RoleAssignment.objects.for_tenant(tenant)
        .filter(role__builtin_key="owner", membership__is_active=True)
        .count()
    )


def _role_changed(membership: Membership, role: Role, change: str) -> None:
    """One webhook event for a role granted or taken away (the audit log keeps
    role.granted and role.revoked)."""
    emit(
        "member.role_changed",
        tenant=membership.tenant,
        target=membership,
        payload={"role": role.pk, "change": change, "fields": ["roles"]},
    )


def grant_role(actor: Actor, membership: Membership, role: Role) -> RoleAssignment:
    _check_tenant(actor, membership.tenant)
    authorize(actor, "access.manage_roles")
    if role.tenant_id != membership.tenant_id:
        raise ValidationError(_("That role belongs to another company."))
    if role.builtin_key in PRIVILEGED and not actor.is_system:
        if membership.role_assignments.filter(role=role).exists():
            raise ValidationError(
                _("%(member)s already has the role %(role)s.")
                % {"member": membership.display_name, "role": role}
            )
        hold_privileged_grant(actor, membership, role)  # may raise HeldForApproval
    with transaction.atomic():
        try:
            with transaction.atomic():
                assignment = RoleAssignment.objects.create(
                    tenant_id=membership.tenant_id, membership=membership, role=role
                )
        except IntegrityError:
            raise ValidationError(
                _("%(member)s already has the role %(role)s.")
                % {"member": membership.display_name, "role": role}
            ) from None
        record(
            actor,
            "role.granted",
            tenant=membership.tenant,
            target=membership,
            changes={"role": {"old": None, "new": role.name}},
        )
        _role_changed(membership, role, "granted")
    return assignment


def revoke_role(actor: Actor, membership: Membership, role: Role) -> None:
    """Take a role away. The role's assignments are locked first, so two revokes at once
    neither both record an event nor take away the company's last two owners."""
    _check_tenant(actor, membership.tenant)
    authorize(actor, "access.manage_roles")
    with transaction.atomic(durable=True):
        list(
            RoleAssignment.objects.for_tenant(membership.tenant_id)
            .select_for_update()
            .filter(role=role)
            .values_list("pk", flat=True)
        )
        assignment = membership.role_assignments.filter(role=role).first()
        if assignment is None:
            raise ValidationError(
                _("%(member)s does not have the role %(role)s.")
                % {"member": membership.display_name, "role": role}
            )
        if role.builtin_key == "owner" and _owner_count(membership.tenant) <= 1:
            raise ValidationError(_("A company needs at least one owner."))
        assignment.delete()
        record(
            actor,
            "role.revoked",
            tenant=membership.tenant,
            target=membership,
            changes={"role": {"old": role.name, "new": None}},
        )
        _role_changed(membership, role, "revoked")


def grant_employee_role(actor: Actor, membership: Membership) -> RoleAssignment | None:
    """The built-in Employee role (each permission reaching one's own data only) for the
    login HR makes when inviting an employee: whoever may add members gives it, without
    `access.manage_roles`, since it opens nobody else's data. None when already held."""
    _check_tenant(actor, membership.tenant)
    if not actor.is_system:
        authorize(actor, "tenancy.manage_members")
    role = Role.objects.for_tenant(membership.tenant_id).filter(builtin_key="employee").first()
    if role is None:
        return None
    with transaction.atomic():
        held = RoleAssignment.objects.for_tenant(membership.tenant_id).filter(
            membership=membership, role=role
        )
        if held.exists():
            return None
        assignment = RoleAssignment.objects.create(
            tenant_id=membership.tenant_id, membership=membership, role=role
        )
        record(
            actor,
            "role.granted",
            tenant=membership.tenant,
            target=membership,
            changes={"role": {"old": None, "new": role.name}},
        )
        _role_changed(membership, role, "granted")
    return assignment
