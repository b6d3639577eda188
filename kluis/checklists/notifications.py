"""What checklists put in members' inboxes (kinds registered in apps.py): a task
assigned, due today, overdue, and a checklist completed. Each text is composed in its
reader's language and names the task and the employee, nothing more."""

from __future__ import annotations

from collections.abc import Iterable

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kluis.checklists.models import Checklist, ChecklistTask, OwnerRole
from kluis.checklists.selectors import hr_members
from kluis.company.notices import notify
from kluis.tenancy.models import Membership

ASSIGNED = "checklist_task.assigned"
DUE = "checklist_task.due"
OVERDUE = "checklist_task.overdue"
COMPLETED = "checklist.completed"


def responsible_members(task: ChecklistTask, *, reminder: bool = False) -> list[Membership]:
    """Who is told of a task: its assignee; the employee for their own task once they have
    an account (a reminder of it before then goes to HR); HR otherwise."""
    if task.assignee_id is not None and task.assignee is not None and task.assignee.is_active:
        return [task.assignee]
    employee = task.checklist.employee
    if task.owner_role == OwnerRole.EMPLOYEE:
        own = employee.membership
        if own is not None and own.is_active:
            return [own]
        return hr_members(task.tenant_id) if reminder else []
    return hr_members(task.tenant_id)


def checklist_url(checklist: Checklist) -> str:
    return reverse("checklists:checklist", args=[checklist.pk])


def tell_assigned(tasks: Iterable[ChecklistTask], *, mail: bool = True) -> None:
    for task in tasks:
        name = task.checklist.employee.display_name

        def compose(task: ChecklistTask = task, name: str = name) -> tuple[str, str]:
            return (
                _("New task: %(task)s (%(name)s)") % {"task": task.title, "name": name},
                _("Due %(date)s, for the %(checklist)s of %(name)s.")
                % {
                    "date": date_format(task.due_date, "DATE_FORMAT"),
                    "checklist": task.checklist.get_kind_display().lower(),
                    "name": name,
                },
            )

        notify(
            responsible_members(task),
            topic=ASSIGNED,
            compose=compose,
            url=checklist_url(task.checklist),
            mail=mail,
        )


def tell_due(task: ChecklistTask, *, overdue: bool) -> None:
    name = task.checklist.employee.display_name

    def compose() -> tuple[str, str]:
        values = {
            "task": task.title,
            "name": name,
            "date": date_format(task.due_date, "DATE_FORMAT"),
        }
        if overdue:
            return (
                _("Overdue: %(task)s (%(name)s)") % values,
                _("This task was due %(date)s and is not done yet.") % values,
            )
        return (
            _("Due today: %(task)s (%(name)s)") % values,
            _("This task is due today, %(date)s.") % values,
        )

    notify(
        responsible_members(task, reminder=True),
        topic=OVERDUE if overdue else DUE,
        compose=compose,
        url=checklist_url(task.checklist),
    )


def tell_completed(checklist: Checklist) -> None:
    name = checklist.employee.display_name

    def compose() -> tuple[str, str]:
        return (
            _("Checklist completed: %(checklist)s (%(name)s)")
            % {"checklist": checklist.name, "name": name},
            _("Every task of this checklist is done."),
        )

    notify(
        hr_members(checklist.tenant_id),
        topic=COMPLETED,
        compose=compose,
        url=checklist_url(checklist),
    )
