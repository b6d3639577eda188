"""Templates: the matching one (most specific wins), validation of tasks, ordering, and
reminders sent once per task, overdue ones with their event."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kluis.access.actor import Actor
from kluis.audit.models import AuditEvent
from kluis.checklists.models import ChecklistTask, ChecklistTemplate, TemplateTask
from kluis.checklists.selectors import matching_template
from kluis.checklists.services import (
    add_task,
    create_template,
    move_task,
    send_reminders,
    start_checklist,
    update_template,
)
from kluis.company.models import Notice
from kluis.integrations.models import DomainEvent
from kluis.people.models import Department, Employee
from kluis.tenancy.models import Tenant
from tests.checklists.conftest import START
from tests.conftest import actor_for, member

pytestmark = pytest.mark.django_db


def test_the_most_specific_active_template_matches(
    bv: Tenant, hr: Actor, worker: Employee, template: ChecklistTemplate
) -> None:
    job = worker.employments.order_by("-start_date").first()
    assert job.contract_type == "permanent" and job.department_id is not None
    demo_default = ChecklistTemplate.objects.get(tenant=bv, kind="onboarding", name="Onboarding")
    everyone = matching_template(bv, "offboarding", worker)
    assert everyone is not None and everyone.kind == "offboarding"
    assert matching_template(bv, "onboarding", worker) == template  # contract type beats none
    department = create_template(
        hr, bv, {"kind": "onboarding", "name": "Dept", "department": job.department_id}
    )
    assert matching_template(bv, "onboarding", worker) == department  # department beats type
    elsewhere = Department.objects.filter(tenant=bv).exclude(pk=job.department_id).first()
    update_template(hr, department, {"department": elsewhere.pk})
    assert matching_template(bv, "onboarding", worker) == template  # never another department's
    update_template(hr, template, {"is_active": False})
    assert matching_template(bv, "onboarding", worker) == demo_default
    assert AuditEvent.objects.filter(
        action="checklist_template.archived", object_id=str(template.pk)
    )


def test_a_task_is_checked_before_anything_is_written(
    bv: Tenant, hr: Actor, template: ChecklistTemplate
) -> None:
    before = TemplateTask.objects.filter(template=template).count()
    for bad, field in (
        ({"title": "", "owner_role": "hr"}, "title"),
        ({"title": "X", "owner_role": "boss"}, "owner_role"),
        ({"title": "X", "owner_role": "member"}, "member"),
        ({"title": "X", "owner_role": "hr", "due_offset_days": 400}, "due_offset_days"),
        (
            {
                "title": "X",
                "owner_role": "hr",
                "completion": "path",
                "completion_path": "https://evil.example/",
            },
            "completion_path",
        ),
        (
            {
                "title": "X",
                "owner_role": "hr",
                "completion": "path",
                "completion_path": "/no/such/page/",
            },
            "completion_path",
        ),
    ):
        with pytest.raises(ValidationError) as error:
            add_task(hr, template, bad)
        assert field in error.value.message_dict, bad
    assert TemplateTask.objects.filter(template=template).count() == before
    ok = add_task(
        hr,
        template,
        {
            "title": "Calendar",
            "owner_role": "member",
            "member": member("owner@demo-bv.test").pk,
            "completion": "path",
            "completion_path": "/time-off/",
        },
    )
    assert ok.position == before + 1
    with pytest.raises(PermissionDenied):
        add_task(actor_for("manager@demo-bv.test"), template, {"title": "X", "owner_role": "hr"})


def test_tasks_move_up_and_down(hr: Actor, template: ChecklistTemplate) -> None:
    titles = lambda: list(  # noqa: E731
        TemplateTask.objects.filter(template=template).values_list("title", flat=True)
    )
    first, second = titles()[:2]
    move_task(hr, TemplateTask.objects.get(template=template, title=second), up=True)
    assert titles()[:2] == [second, first]
    template.refresh_from_db()
    assert template.version > 1


def test_reminders_are_sent_once_and_an_overdue_task_is_an_event(
    hr: Actor, worker: Employee, template: ChecklistTemplate
) -> None:
    checklist = start_checklist(hr, worker, template, anchor_date=START)
    bank = ChecklistTask.objects.get(checklist=checklist, title="Bank account")  # due START-1
    due_day = START - dt.timedelta(days=1)
    first = send_reminders(due_day)
    assert first["due"] == 1 and first["overdue"] >= 2  # laptop and welcome mail are late
    again = send_reminders(due_day)
    assert again == {"due": 0, "overdue": 0}
    notices = Notice.objects.filter(membership=member("member1@demo-bv.test"))
    assert notices.filter(topic="checklist_task.due").count() == 1
    later = send_reminders(START + dt.timedelta(days=2))
    assert later["overdue"] == 2  # the bank account and HR's contract check
    assert send_reminders(START + dt.timedelta(days=3)) == {"due": 0, "overdue": 0}
    assert notices.filter(topic="checklist_task.overdue").count() == 1
    assert DomainEvent.objects.filter(name="task.overdue", object_id=str(bank.pk)).count() == 1
    assert AuditEvent.objects.filter(action="checklist_task.overdue", object_id=str(bank.pk))
    bank.refresh_from_db()
    assert bank.overdue_reminded_at is not None


def test_a_done_task_is_not_reminded(
    hr: Actor, worker: Employee, template: ChecklistTemplate
) -> None:
    from kluis.checklists.services import complete_task

    checklist = start_checklist(hr, worker, template, anchor_date=START)
    for task in ChecklistTask.objects.filter(checklist=checklist):
        complete_task(hr, task)
    send_reminders(START + dt.timedelta(days=10))
    mine = ChecklistTask.objects.filter(checklist=checklist)
    assert not mine.filter(overdue_reminded_at__isnull=False).exists()
    assert not Notice.objects.filter(topic="checklist_task.overdue", title__contains="Laptop ready")
