"""The worker's part: every minute (kluis/operations/schedule.py, registered in apps.py),
and once when a worker starts, every approved offboarding whose moment has come is carried
out, so a moment missed while no worker ran is caught up at the next start. Approving one
whose moment is now queues its execution at once as well."""

from __future__ import annotations

from django.tasks import task

from kluis.offboarding import revocation


def run_due() -> list[int]:
    """Carry out every due offboarding; the ids this call carried out."""
    return [pk for pk in revocation.due() if revocation.execute(pk)]


@task()
def execute_due() -> list[int]:
    return run_due()


@task()
def execute_offboarding(offboarding_id: int) -> bool:
    return revocation.execute(offboarding_id)
