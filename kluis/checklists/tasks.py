"""The checklists' scheduled work (registered in apps.py, queued once an hour across every
worker by kluis/operations/schedule.py): reminders of tasks due today and overdue, each
sent once (kluis/checklists/services/reminders.py); an hour the worker missed is caught up
by the next run."""

from __future__ import annotations

from django.tasks import task

from kluis.checklists.services.reminders import send_reminders


@task()
def checklist_reminders() -> dict[str, int]:
    return send_reminders()
