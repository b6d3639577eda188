"""Reads about sandboxes. `is_sandbox` answers on every page and API response, so it
remembers its answers: whether a company is a sandbox is fixed when the company is made
(the sandbox's record is written in the same transaction) and never changes, and a
company's (id, created_at) is never reused; so the answer is a fact, not shared state, and
each process asks the database at most once per company."""

from __future__ import annotations

from functools import lru_cache

from django.db.models import QuerySet

from kluis.sandbox.models import Sandbox
from kluis.tenancy import rls
from kluis.tenancy.models import Tenant

# Where the synthetic people of a sandbox get their addresses: a reserved top-level domain
# (RFC 2606), so nothing is ever delivered to a real mailbox.
MAIL_DOMAIN = "sandbox.kluis.invalid"


def is_sandbox(tenant: Tenant | None) -> bool:
    """Whether `tenant` is a sandbox company (no query after the first per company)."""
    if tenant is None or tenant.pk is None:
        return False
    return _is_sandbox(int(tenant.pk), tenant.created_at.isoformat())


@lru_cache(maxsize=4096)
def _is_sandbox(tenant_id: int, _created_at: str) -> bool:
    return is_sandbox_id(tenant_id)


def is_sandbox_id(tenant_id: int) -> bool:
    """Whether the company with this id is a sandbox (asks the database)."""
    with rls.unnarrowed():
        return Sandbox.objects.filter(company_id=tenant_id).exists()


def sandboxes_of(source: Tenant) -> QuerySet[Sandbox]:
    """The sandboxes made from `source`, soonest to expire first (their companies joined:
    read unnarrowed, since a request is narrowed to the source)."""
    return Sandbox.objects.filter(source_id=source.pk).select_related("company")


def record_of(company: Tenant) -> Sandbox | None:
    """The sandbox record of `company`, or None when it is not a sandbox."""
    with rls.unnarrowed():
        return Sandbox.objects.filter(company_id=company.pk).select_related("source").first()


def is_synthetic_address(address: str) -> bool:
    return address.strip().lower().rstrip(">").endswith("." + MAIL_DOMAIN)
