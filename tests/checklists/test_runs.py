"""Starting a checklist: due dates, assignees, inbox notices, one open per kind; completing
and reopening tasks, who may, and the checklist completing itself."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kluis.access.actor import Actor
from kluis.audit.models import AuditEvent
from kluis.checklists.models import Checklist, ChecklistTask, ChecklistTemplate, Status
from kluis.checklists.selectors import my_tasks, progress
from kluis.checklists.services import (
    ChecklistConflictError,
    cancel_checklist,
    complete_task,
    reopen_task,
    start_checklist,
    update_settings,
)
from kluis.company.models import Notice
from kluis.integrations.models import DomainEvent
from kluis.people.models import Employee
from kluis.tenancy.models import Tenant
from tests.checklists.conftest import START
from tests.conftest import actor_for, member

pytestmark = pytest.mark.django_db


def _tasks(checklist: Checklist) -> dict[str, ChecklistTask]:
    return {t.title: t for t in ChecklistTask.objects.filter(checklist=checklist)}


def test_tasks_are_due_relative_to_the_anchor_and_fall_to_their_owners(
    bv: Tenant, hr: Actor, worker: Employee, template: ChecklistTemplate
) -> None:
    update_settings(hr, bv, it_contact=member("owner@demo-bv.test"))
    checklist = start_checklist(hr, worker, template, anchor_date=START)
    tasks = _tasks(checklist)
    assert tasks["Laptop ready"].due_date == START - dt.timedelta(days=5)
    assert tasks["Welcome e-mail"].due_date == START - dt.timedelta(days=3)
    assert tasks["Check the contract"].due_date == START
    assert tasks["Laptop ready"].assignee == member("owner@demo-bv.test")
    assert tasks["Welcome e-mail"].assignee == member("manager@demo-bv.test")
    assert tasks["Bank account"].assignee == member("member1@demo-bv.test")
    assert tasks["Check the contract"].assignee is None  # HR's
    # Each owner finds theirs in the inbox and on My tasks; HR's task reaches HR.
    for email, title in (
        ("manager@demo-bv.test", "Welcome e-mail"),
        ("member1@demo-bv.test", "Bank account"),
        ("hr@demo-bv.test", "Check the contract"),
        ("owner@demo-bv.test", "Laptop ready"),
    ):
        notices = Notice.objects.filter(membership=member(email), topic="checklist_task.assigned")
        assert any(title in n.title for n in notices), email
        assert title in [t.title for t in my_tasks(actor_for(email))], email
    assert "Welcome e-mail" not in [t.title for t in my_tasks(actor_for("member1@demo-bv.test"))]
    assert DomainEvent.objects.filter(
        name="checklist.started", object_id=str(checklist.pk)
    ).exists()
    assert AuditEvent.objects.filter(
        action="checklist.started", object_id=str(checklist.pk)
    ).exists()


def test_the_anchor_defaults_to_the_contracts_start_date(
    hr: Actor, worker: Employee, template: ChecklistTemplate
) -> None:
    checklist = start_checklist(hr, worker, template)
    first = worker.employments.order_by("-start_date").first()
    assert checklist.anchor_date == first.start_date


def test_without_an_it_contact_or_a_manager_the_task_is_hrs(
    bv: Tenant, hr: Actor, template: ChecklistTemplate
) -> None:
    boss = employee_of_email("owner@demo-bv.test")
    assert boss.manager_id is None
    checklist = start_checklist(hr, boss, template, anchor_date=START)
    tasks = _tasks(checklist)
    assert tasks["Laptop ready"].assignee is None
    assert tasks["Welcome e-mail"].assignee is None
    assert "Welcome e-mail" in [t.title for t in my_tasks(hr)]


def employee_of_email(email: str) -> Employee:
    return Employee.objects.get(work_email=email)


def test_one_open_checklist_of_a_kind_per_employee_and_only_hr_starts_one(
    hr: Actor, worker: Employee, template: ChecklistTemplate
) -> None:
    start_checklist(hr, worker, template, anchor_date=START)
    with pytest.raises(ValidationError):
        start_checklist(hr, worker, template, anchor_date=START)
    with pytest.raises(PermissionDenied):
        start_checklist(actor_for("manager@demo-bv.test"), worker, template, anchor_date=START)


def test_an_archived_template_or_one_without_tasks_is_not_started(
    bv: Tenant, hr: Actor, worker: Employee, template: ChecklistTemplate
) -> None:
    from kluis.checklists.services import create_template, update_template

    empty = create_template(hr, bv, {"kind": "onboarding", "name": "Empty"})
    with pytest.raises(ValidationError):
        start_checklist(hr, worker, empty, anchor_date=START)
    update_template(hr, template, {"is_active": False})
    template.refresh_from_db()
    with pytest.raises(ValidationError):
        start_checklist(hr, worker, template, anchor_date=START)
    assert not Checklist.objects.filter(employee=worker).exists()


def test_the_owner_or_hr_completes_a_task_and_nobody_else(
    hr: Actor, worker: Employee, template: ChecklistTemplate
) -> None:
    checklist = start_checklist(hr, worker, template, anchor_date=START)
    tasks = _tasks(checklist)
    with pytest.raises(PermissionDenied):
        complete_task(actor_for("member2@demo-bv.test"), tasks["Bank account"])
    with pytest.raises(PermissionDenied):  # the manager, not their task
        complete_task(actor_for("manager@demo-bv.test"), tasks["Bank account"])
    done = complete_task(actor_for("member1@demo-bv.test"), tasks["Bank account"])
    assert done.done and done.completed_by == "member1@demo-bv.test"
    with pytest.raises(ChecklistConflictError):
        complete_task(hr, done)
    reopened = reopen_task(hr, done)
    assert not reopened.done
    assert DomainEvent.objects.filter(name="task.completed", object_id=str(done.pk)).exists()
    assert DomainEvent.objects.filter(name="task.reopened", object_id=str(done.pk)).exists()
    assert AuditEvent.objects.filter(action="checklist_task.reopened", object_id=str(done.pk))


def test_the_last_task_completes_the_checklist_and_reopening_opens_it(
    hr: Actor, worker: Employee, template: ChecklistTemplate
) -> None:
    checklist = start_checklist(hr, worker, template, anchor_date=START)
    tasks = list(ChecklistTask.objects.filter(checklist=checklist))
    for task in tasks:
        complete_task(hr, task)
    checklist.refresh_from_db()
    assert checklist.status == Status.COMPLETED
    assert progress(checklist).done == progress(checklist).total == 4
    assert DomainEvent.objects.filter(name="checklist.completed", object_id=str(checklist.pk))
    assert Notice.objects.filter(topic="checklist.completed", membership=member("hr@demo-bv.test"))
    reopen_task(hr, tasks[0])
    checklist.refresh_from_db()
    assert checklist.status == Status.OPEN


def test_a_cancelled_checklists_tasks_are_nobodys(
    hr: Actor, worker: Employee, template: ChecklistTemplate
) -> None:
    checklist = start_checklist(hr, worker, template, anchor_date=START)
    cancel_checklist(hr, checklist)
    task = ChecklistTask.objects.filter(checklist=checklist).first()
    with pytest.raises(ChecklistConflictError):
        complete_task(hr, task)
    assert not list(my_tasks(actor_for("member1@demo-bv.test")))
    # A new onboarding may start once the other is cancelled.
    start_checklist(hr, worker, template, anchor_date=START)


def test_another_company_reaches_nothing(
    demo: dict[str, Tenant], hr: Actor, worker: Employee, template: ChecklistTemplate
) -> None:
    checklist = start_checklist(hr, worker, template, anchor_date=START)
    task = ChecklistTask.objects.filter(checklist=checklist).first()
    foreign = actor_for("owner@other-nv.test")
    with pytest.raises(PermissionDenied):
        complete_task(foreign, task)
    with pytest.raises(PermissionDenied):
        start_checklist(foreign, worker, template, anchor_date=START)
    assert not ChecklistTask.objects.for_actor(foreign).filter(pk=task.pk).exists()
    other = Employee.objects.filter(tenant=demo["other-nv"]).first()
    with pytest.raises((PermissionDenied, ValidationError)):
        start_checklist(hr, other, template, anchor_date=START)
