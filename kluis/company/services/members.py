"""Writes to companies and memberships.

Neither service is `durable`: the demo loader (kluis/company/demo.py) makes its companies
and people in one outer transaction (all of the demo or none), so these may run nested."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from kluis.access.actor import Actor
from kluis.access.authorization import authorize
from kluis.access.models import Role
from kluis.audit.services import record
from kluis.company.services.roles import grant_role, install_builtin_roles
from kluis.integrations.events import emit
from kluis.tenancy.models import Membership, Tenant

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?$")


# A domain app's part of every new company (the calendar: the country's leave types and
# public holidays), registered from its AppConfig.ready: part(actor, tenant, country=).
_NEW_COMPANY_PARTS: dict[str, Callable[..., None]] = {}
COUNTRY_RE = re.compile(r"^[A-Z]{2}$")


def on_new_company(app_label: str, part: Callable[..., None]) -> None:
    """Run `part(actor, tenant, country=...)` in the transaction that makes each company."""
    _NEW_COMPANY_PARTS[app_label] = part


def create_tenant(actor: Actor, *, name: str, slug: str, country: str = "BE") -> Tenant:
    """A new company with its built-in roles, and each app's start for the company's
    country (ISO 3166 code). Only the platform (CLI, demo) creates companies."""
    if not actor.is_system:
        raise PermissionDenied(_("Companies are created by the platform operator."))
    name, slug = (name or "").strip(), (slug or "").strip().lower()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("A company needs a name.")]
    country = (country or "").strip().upper()
    if not COUNTRY_RE.match(country):
        errors["country"] = [_("Give the country as a two-letter code, e.g. BE or NL.")]
    if not SLUG_RE.match(slug):
        errors["slug"] = [_("Use 1-60 lowercase letters, digits and hyphens.")]
    elif Tenant.objects.filter(slug=slug).exists():
        errors["slug"] = [_("A company with slug %(slug)r already exists.") % {"slug": slug}]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        tenant = Tenant.objects.create(name=name, slug=slug)
        record(
            actor,
            "tenant.created",
            tenant=tenant,
            target=tenant,
            changes={"name": {"old": None, "new": name}, "slug": {"old": None, "new": slug}},
        )
        emit("tenant.created", tenant=tenant, target=tenant)
        install_builtin_roles(actor, tenant)
        for part in _NEW_COMPANY_PARTS.values():
            part(actor, tenant, country=country)
    return tenant


def add_member(
    actor: Actor,
    tenant: Tenant,
    *,
    email: str,
    first_name: str = "",
    last_name: str = "",
    password: str | None = None,
    job_title: str = "",
    roles: list[Role] | None = None,
    manager: Membership | None = None,
) -> Membership:
    """Give a person access to a company, creating their user on first use."""
    if not actor.is_system:
        if actor.tenant is None or actor.tenant.pk != tenant.pk:
            raise PermissionDenied(_("Not a member of this company."))
        authorize(actor, "tenancy.manage_members")
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": [_("Enter a valid e-mail address.")]}) from None
    if manager is not None and manager.tenant_id != tenant.pk:
        raise ValidationError({"manager": [_("The manager must work for the same company.")]})
    user_model = get_user_model()
    with transaction.atomic():
        user = user_model.objects.filter(email__iexact=email).first()
        if user is None:
            user = user_model(
                email=email, first_name=first_name.strip(), last_name=last_name.strip()
            )
            if password:
                validate_password(password, user)
                user.set_password(password)
            else:
                user.set_unusable_password()
            user.save()
        if Membership.objects.for_tenant(tenant).filter(user=user).exists():
            message = _("%(email)s is already a member of %(company)s.")
            raise ValidationError({"email": [message % {"email": email, "company": tenant}]})
        membership = Membership.objects.create(
            tenant=tenant, user=user, job_title=job_title.strip(), manager=manager
        )
        record(
            actor,
            "membership.created",
            tenant=tenant,
            target=membership,
            changes={
                "email": {"old": None, "new": email},
                "manager": {"old": None, "new": manager.pk if manager else None},
            },
        )
        emit("member.created", tenant=tenant, target=membership)
        for role in roles or []:
            grant_role(actor, membership, role)
    return membership
