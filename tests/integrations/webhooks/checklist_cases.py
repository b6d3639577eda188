"""The checklists' webhook event cases (kluis/checklists/events.py): one service call per
event type in Demo BV, returning the id of the object the event is about. Merged into
event_cases.CASES."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from kluis.checklists import services
from kluis.checklists.models import Checklist, ChecklistTask, ChecklistTemplate
from kluis.people.models import Employee
from kluis.tenancy.models import Tenant
from tests.conftest import actor_for

HR = "hr@demo-bv.test"
START = dt.date(2027, 3, 1)


def _template(tenant: Tenant) -> ChecklistTemplate:
    return services.create_template(
        actor_for(HR),
        tenant,
        {
            "kind": "onboarding",
            "name": "Probe",
            "tasks": [{"title": "One", "owner_role": "hr"}, {"title": "Two", "owner_role": "hr"}],
        },
    )


def _started(tenant: Tenant) -> Checklist:
    person = Employee.objects.for_tenant(tenant).get(work_email="member1@demo-bv.test")
    return services.start_checklist(actor_for(HR), person, _template(tenant), anchor_date=START)


def _first_task(checklist: Checklist) -> ChecklistTask:
    return ChecklistTask.objects.filter(checklist=checklist).order_by("pk").first()


def create_template(tenant: Tenant) -> int:
    return _template(tenant).pk


def update_template(tenant: Tenant) -> int:
    template = _template(tenant)
    services.add_task(actor_for(HR), template, {"title": "Three", "owner_role": "it"})
    return template.pk


def start(tenant: Tenant) -> int:
    return _started(tenant).pk


def complete(tenant: Tenant) -> int:
    checklist = _started(tenant)
    for task in ChecklistTask.objects.filter(checklist=checklist):
        services.complete_task(actor_for(HR), task)
    return checklist.pk


def reopen_checklist(tenant: Tenant) -> int:
    checklist = Checklist.objects.get(pk=complete(tenant))
    services.reopen_task(actor_for(HR), _first_task(checklist))
    return checklist.pk


def cancel(tenant: Tenant) -> int:
    checklist = _started(tenant)
    services.cancel_checklist(actor_for(HR), checklist)
    return checklist.pk


def complete_task(tenant: Tenant) -> int:
    task = _first_task(_started(tenant))
    services.complete_task(actor_for(HR), task)
    return task.pk


def reopen_task(tenant: Tenant) -> int:
    task = _first_task(_started(tenant))
    services.complete_task(actor_for(HR), task)
    services.reopen_task(actor_for(HR), task)
    return task.pk


def overdue(tenant: Tenant) -> int:
    task = _first_task(_started(tenant))
    services.send_reminders(START + dt.timedelta(days=1))
    return task.pk


def change_it_contact(tenant: Tenant) -> int:
    """Someone else does the IT tasks (the settings row is made on first use)."""
    from kluis.checklists.models import ChecklistSettings
    from kluis.tenancy.models import Membership

    current = ChecklistSettings.objects.for_tenant(tenant).first()
    members = Membership.objects.for_tenant(tenant).filter(is_active=True).order_by("pk")
    member = members.exclude(pk=current.it_contact_id).first() if current else members.first()
    assert member is not None
    return services.update_settings(actor_for(HR), tenant, it_contact=member.pk).pk


CHECKLIST_CASES: dict[str, Callable[[Tenant], int]] = {
    "checklist_template.created": create_template,
    "checklist_template.updated": update_template,
    "checklist.started": start,
    "checklist.completed": complete,
    "checklist.reopened": reopen_checklist,
    "checklist.cancelled": cancel,
    "task.completed": complete_task,
    "task.reopened": reopen_task,
    "task.overdue": overdue,
    "checklist_settings.updated": change_it_contact,
}
