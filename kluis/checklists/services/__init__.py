"""Every write of the checklists (one module per concept): templates and settings
(templates.py), checklists and their tasks (runs.py), reminders (reminders.py)."""

from kluis.checklists.services._kit import ChecklistConflictError, StaleChecklistError
from kluis.checklists.services.reminders import send_reminders
from kluis.checklists.services.runs import (
    cancel_checklist,
    complete_task,
    reopen_task,
    resolve_assignee,
    start_checklist,
)
from kluis.checklists.services.templates import (
    add_task,
    create_template,
    move_task,
    remove_task,
    update_settings,
    update_task,
    update_template,
)

__all__ = [
    "ChecklistConflictError",
    "StaleChecklistError",
    "add_task",
    "cancel_checklist",
    "complete_task",
    "create_template",
    "move_task",
    "remove_task",
    "reopen_task",
    "resolve_assignee",
    "send_reminders",
    "start_checklist",
    "update_settings",
    "update_task",
    "update_template",
]
