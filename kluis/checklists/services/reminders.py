"""Reminders of checklist tasks, sent by a scheduled job (kluis/checklists/tasks.py): once
on the day a task is due, once when it is overdue (the day after, or the first run after
that), each recorded on the task before it is sent. A worker claims a reminder with one
conditional UPDATE (only where nothing was sent yet) in the transaction that writes the
notices, so any number of workers running the job at once send each reminder once.

An overdue task also emits `task.overdue` and is audited, by the system."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from kluis.access.actor import Actor
from kluis.audit.services import record
from kluis.checklists import notifications
from kluis.checklists.models import ChecklistTask, Status
from kluis.integrations.events import emit


def _open_tasks() -> QuerySet[ChecklistTask]:
    # Every company's (the worker's job runs unnarrowed, as each company's system).
    return ChecklistTask.objects.filter(done=False, checklist__status=Status.OPEN)


def _claim(task_id: int, column: str, now: dt.datetime, **also: dt.datetime) -> bool:
    """Mark the reminder sent; False when another worker did first."""
    claimed = ChecklistTask.objects.filter(
        pk=task_id, done=False, **{f"{column}__isnull": True}
    ).update(**{column: now}, **also)
    return claimed == 1


def send_reminders(today: dt.date | None = None) -> dict[str, int]:
    """Overdue reminders, then today's due reminders: how many of each were sent."""
    today = today or timezone.localdate()
    now = timezone.now()
    sent = {"overdue": 0, "due": 0}
    overdue = _open_tasks().filter(due_date__lt=today, overdue_reminded_at__isnull=True)
    for task_id in overdue.order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            if not _claim(task_id, "overdue_reminded_at", now):
                continue
            ChecklistTask.objects.filter(pk=task_id, due_reminded_at__isnull=True).update(
                due_reminded_at=now
            )
            task = ChecklistTask.objects.select_related(
                "checklist__employee__membership", "checklist__tenant", "assignee"
            ).get(pk=task_id)
            actor = Actor.system("checklist reminders", task.checklist.tenant)
            record(
                actor,
                "checklist_task.overdue",
                tenant=task.checklist.tenant,
                target=task,
                changes={"due_date": {"old": None, "new": task.due_date.isoformat()}},
            )
            emit(
                "task.overdue",
                tenant=task.checklist.tenant,
                target=task,
                payload={"checklist": task.checklist_id, "employee": task.checklist.employee_id},
            )
            notifications.tell_due(task, overdue=True)
            sent["overdue"] += 1
    due = _open_tasks().filter(due_date=today, due_reminded_at__isnull=True)
    for task_id in due.order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            if not _claim(task_id, "due_reminded_at", now):
                continue
            task = ChecklistTask.objects.select_related(
                "checklist__employee__membership", "assignee"
            ).get(pk=task_id)
            notifications.tell_due(task, overdue=False)
            sent["due"] += 1
    return sent
