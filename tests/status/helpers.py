"""Shared by the status page tests."""

from __future__ import annotations

from django.core.cache import cache
from django_tasks_db.models import DBTaskResult

from kluis.status.page import CACHE_KEY


def run_queued(name: str) -> int:
    """Run the queued tasks whose path ends with `name`, as the worker would; how many."""
    ran = 0
    for queued in DBTaskResult.objects.filter(task_path__endswith=name).order_by("enqueued_at"):
        queued.task.call(*queued.args_kwargs["args"], **queued.args_kwargs["kwargs"])
        queued.delete()
        ran += 1
    return ran


def fresh() -> None:
    """Forget the page's cached state (it is kept 15 seconds)."""
    cache.delete(CACHE_KEY)
