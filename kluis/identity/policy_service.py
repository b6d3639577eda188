"""Changing a company's sign-in policy: authorised, validated, written in one transaction,
audited with a diff (`signin_policy.changed`). Identity sits below integrations, so no
domain event is emitted here."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kluis.access.actor import Actor
from kluis.access.authorization import authorize
from kluis.access.models import Role
from kluis.audit.services import diff, record
from kluis.identity import policy as policies
from kluis.identity.models import SignInPolicy
from kluis.tenancy.models import Tenant

PERMISSION = "identity.manage_signin"


def clean_networks(entries: Iterable[str]) -> list[str]:
    """Addresses and networks, normalised ("10.1.2.3/24" -> "10.1.2.0/24", an address as
    itself); ValidationError naming every entry that is not one or is too wide."""
    cleaned: list[str] = []
    problems: list[str] = []
    for raw in entries:
        entry = raw.strip()
        if not entry:
            continue
        try:
            network = ipaddress.ip_network(entry, strict=False)
        except ValueError:
            problems.append(_("%(entry)s is not an IP address or network.") % {"entry": entry})
            continue
        widest = policies.WIDEST_PREFIX[network.version]
        if network.prefixlen < widest:
            problems.append(
                _("%(entry)s is too wide: use a network of at most /%(prefix)s.")
                % {"entry": entry, "prefix": widest}
            )
            continue
        text = (
            str(network.network_address)
            if network.prefixlen == network.max_prefixlen
            else str(network)
        )
        if text not in cleaned:
            cleaned.append(text)
    if len(cleaned) > policies.MAX_NETWORKS:
        problems.append(
            _("List at most %(count)s addresses or networks.") % {"count": policies.MAX_NETWORKS}
        )
    if problems:
        raise ValidationError({"allowed_networks": problems})
    return cleaned


def _clean_seconds(value: object, low: int, high: int, field: str) -> int:
    try:
        seconds = int(str(value))
    except (TypeError, ValueError):
        raise ValidationError({field: [_("Enter a whole number.")]}) from None
    if not low <= seconds <= high:
        raise ValidationError(
            {
                field: [
                    _("Choose between %(low)s and %(high)s minutes.")
                    % {"low": low // 60, "high": high // 60}
                ]
            }
        )
    return seconds


def _state(policy: policies.Policy, role_names: dict[int, str]) -> dict[str, object]:
    """What the audit diff compares (role names, not ids, for a reader)."""
    return {
        "mfa_required_for": policy.mfa_required_for,
        "mfa_roles": sorted(role_names.get(pk, str(pk)) for pk in policy.mfa_role_ids),
        "idle_timeout_seconds": policy.idle_timeout_seconds,
        "absolute_lifetime_seconds": policy.absolute_lifetime_seconds,
        "allowed_networks": list(policy.allowed_networks),
        "password_sign_in_allowed": policy.password_sign_in_allowed,
    }


def change_policy(
    actor: Actor,
    tenant: Tenant,
    *,
    mfa_required_for: str,
    mfa_roles: Iterable[Role | int] = (),
    idle_timeout_seconds: int,
    absolute_lifetime_seconds: int,
    allowed_networks: Iterable[str] = (),
    password_sign_in_allowed: bool = True,
) -> SignInPolicy:
    """Set the company's sign-in policy (all of it); nothing changes on a refusal."""
    if not actor.is_system:
        if actor.tenant is None or actor.tenant.pk != tenant.pk:
            raise PermissionDenied(_("Not a member of this company."))
        authorize(actor, PERMISSION)
    errors: dict[str, list[str]] = {}
    if mfa_required_for not in SignInPolicy.Mfa.values:
        errors["mfa_required_for"] = [_("Choose who must use a second factor.")]
    role_ids = {r.pk if isinstance(r, Role) else int(r) for r in mfa_roles}
    tenant_roles = dict(Role.objects.for_tenant(tenant).values_list("pk", "name"))
    if role_ids - set(tenant_roles):
        errors["mfa_roles"] = [_("Choose roles of this company.")]
    elif mfa_required_for == SignInPolicy.Mfa.ROLES and not role_ids:
        errors["mfa_roles"] = [_("Choose at least one role, or require a second factor of nobody.")]
    idle = absolute = 0
    try:
        idle = _clean_seconds(
            idle_timeout_seconds, policies.IDLE_MIN, policies.IDLE_MAX, "idle_timeout_seconds"
        )
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        absolute = _clean_seconds(
            absolute_lifetime_seconds,
            policies.ABSOLUTE_MIN,
            policies.ABSOLUTE_MAX,
            "absolute_lifetime_seconds",
        )
    except ValidationError as error:
        errors.update(error.message_dict)
    if idle and absolute and idle > absolute:
        errors.setdefault("idle_timeout_seconds", []).append(
            _("A session cannot stay idle longer than it may last at all.")
        )
    networks: list[str] = []
    try:
        networks = clean_networks(allowed_networks)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        before = policies.load_policy(tenant)
        row, _created = SignInPolicy.objects.select_for_update().get_or_create(tenant=tenant)
        row.mfa_required_for = mfa_required_for
        row.idle_timeout_seconds = idle
        row.absolute_lifetime_seconds = absolute
        row.allowed_networks = networks
        row.password_sign_in_allowed = bool(password_sign_in_allowed)
        row.save()
        row.mfa_roles.set(sorted(role_ids))
        after = policies.snapshot(row)
        changes = diff(_state(before, tenant_roles), _state(after, tenant_roles))
        if changes or not before.stored:
            record(actor, "signin_policy.changed", tenant=tenant, target=row, changes=changes)
        transaction.on_commit(lambda: policies.forget(tenant))
    policies.forget(tenant)
    return row
