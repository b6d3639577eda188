"""Shared steps of the two-person rule's tests: a second owner, a held Owner grant, a
signed-in browser per person."""

from __future__ import annotations

import time

import pytest
from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
from django.test import Client

from kluis.access.holds import HeldForApproval
from kluis.access.models import Role
from kluis.approvals.models import ApprovalRequest
from kluis.company.services.roles import grant_role
from kluis.tenancy.models import Tenant
from tests.conftest import actor_for, member

OWNER = "owner@demo-bv.test"
HR = "hr@demo-bv.test"
MEMBER = "member1@demo-bv.test"


def role(tenant: Tenant, key: str) -> Role:
    return Role.objects.for_tenant(tenant).get(builtin_key=key)


def second_owner(tenant: Tenant, email: str = HR) -> None:
    """HR becomes the company's second owner (not held: one owner so far)."""
    grant_role(actor_for(OWNER, "demo-bv"), member(email, "demo-bv"), role(tenant, "owner"))


def held_owner_grant(tenant: Tenant, by: str = OWNER, to: str = MEMBER) -> ApprovalRequest:
    """With two owners, granting Owner waits for the other one."""
    with pytest.raises(HeldForApproval) as held:
        grant_role(actor_for(by, "demo-bv"), member(to, "demo-bv"), role(tenant, "owner"))
    return ApprovalRequest.objects.get(pk=held.value.request_id)


def signed_in(email: str, slug: str = "demo-bv") -> Client:
    """A browser of its own for `email` (two people at once need two)."""
    person = member(email, slug)
    client = Client()
    client.force_login(person.user)
    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "password", "at": time.time(), "email": person.user.email}
    ]
    session["account_authentication_methods_user"] = str(person.user.pk)
    session["kluis_tenant_id"] = person.tenant_id
    session.save()
    return client
