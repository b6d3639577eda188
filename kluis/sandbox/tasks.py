"""The worker's sandbox work: preparing a large sandbox, and deleting expired ones."""

from __future__ import annotations

from django.tasks import task

from kluis.sandbox import services
from kluis.sandbox.models import Sandbox
from kluis.tenancy import rls


@task()
def prepare_sandbox(company_id: int, owner_email: str) -> int:
    """Make the people of a sandbox whose structure is made; how many."""
    with rls.unnarrowed():
        sandbox = Sandbox.objects.select_related("company", "source").get(company_id=company_id)
    return services.fill(sandbox, owner_email).people_made


@task()
def expire_sandboxes() -> int:
    return services.expire_sandboxes()
