"""The worker's part of the two-person rule: requests nobody decided in time expire."""

from __future__ import annotations

from django.tasks import task

from kluis.approvals.services import expire_due


@task()
def expire_requests() -> int:
    return expire_due()
