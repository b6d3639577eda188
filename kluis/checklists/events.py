"""The webhook events of checklists (kluis/integrations/webhooks/catalogue.py).

- `checklist_template.created` / `checklist_template.updated` (its fields, its tasks, or
  archived: `is_active`).
- `checklist.started` when HR starts one for an employee, `checklist.completed` when its
  last task is done, `checklist.reopened` when a task of a completed one is reopened,
  `checklist.cancelled` when HR stops it.
- `task.completed` / `task.reopened`: a task marked done or open again;
  `task.overdue`: a task passed its due date undone (sent once, by the reminders job).
- `checklist_settings.updated`: someone else does the IT tasks (no API resource: the
  payload names the changed field, never the member).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from kluis.integrations.webhooks.catalogue import EventType, register

TEMPLATE = "checklists.checklisttemplate"
CHECKLIST = "checklists.checklist"
TASK = "checklists.checklisttask"
SETTINGS = "checklists.checklistsettings"


def register_all() -> None:
    from kluis.checklists.api import examples

    template: dict[str, Any] = {
        "object_type": TEMPLATE,
        "resource": "checklist-templates",
        "example_object": dict(examples.TEMPLATE),
    }
    checklist: dict[str, Any] = {
        "object_type": CHECKLIST,
        "resource": "checklists",
        "parent": "employee",
        "example_object": dict(examples.CHECKLIST),
    }
    task: dict[str, Any] = {
        "object_type": TASK,
        "resource": "checklist-tasks",
        "parent": "employee",
        "example_object": dict(examples.TASK),
        "details": {"checklist": 12},
    }
    done = dict(examples.TASK) | {
        "done": True,
        "completed_at": "2026-03-25T14:03:00Z",
        "completed_by": "member1@demo-bv.test",
        "version": 2,
    }
    for event in (
        EventType("checklist_template.created", _("A checklist template was created"), **template),
        EventType(
            "checklist_template.updated",
            _("A checklist template changed (its tasks, or archived)"),
            **template,
            example_fields=("tasks",),
        ),
        EventType(
            "checklist.started", _("An onboarding or offboarding checklist started"), **checklist
        ),
        EventType(
            "checklist.completed",
            _("Every task of a checklist is done"),
            **(
                checklist
                | {
                    "example_object": dict(examples.CHECKLIST)
                    | {"status": "completed", "completed_at": "2026-04-06T16:00:00Z"}
                }
            ),
        ),
        EventType(
            "checklist.reopened", _("A task of a completed checklist was reopened"), **checklist
        ),
        EventType("checklist.cancelled", _("A checklist was cancelled"), **checklist),
        EventType(
            "task.completed", _("A checklist task was done"), **(task | {"example_object": done})
        ),
        EventType("task.reopened", _("A done checklist task was reopened"), **task),
        EventType("task.overdue", _("A checklist task passed its due date undone"), **task),
        EventType(
            "checklist_settings.updated",
            _("Who does the IT tasks of checklists changed"),
            SETTINGS,
            example_fields=("it_contact",),
            read="checklists.view",
        ),
    ):
        register(event)
