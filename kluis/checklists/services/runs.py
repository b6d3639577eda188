"""Starting a checklist for an employee from a template, completing and reopening its
tasks, and cancelling it. Starting and cancelling are HR's (`checklists.manage`); a task
is completed or reopened by the person responsible for it or by HR. The checklist
completes itself when its last open task is done, and opens again when one is reopened.

Other apps start checklists through `start_checklist` (offboarding does, with the last
working day) and find the template with `kluis.checklists.selectors.matching_template`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kluis.access.actor import Actor
from kluis.access.authorization import authorize
from kluis.audit.services import record
from kluis.checklists import notifications
from kluis.checklists.models import (
    Checklist,
    ChecklistTask,
    ChecklistTemplate,
    OwnerRole,
    Status,
    TemplateTask,
)
from kluis.checklists.selectors import (
    MANAGE,
    default_anchor,
    may_complete,
    open_checklist,
    settings_of,
)
from kluis.checklists.services._kit import ChecklistConflictError, check_version, same_company
from kluis.integrations.events import emit
from kluis.people.models import Employee
from kluis.tenancy.models import Membership


def _active(member: Membership | None) -> Membership | None:
    return member if member is not None and member.is_active else None


def resolve_assignee(task: TemplateTask, employee: Employee) -> Membership | None:
    """The member a template task falls to for this employee; None: HR's (or, for the
    employee's own task, theirs once they have an account)."""
    if task.owner_role == OwnerRole.MANAGER:
        manager = employee.manager
        return _active(manager.membership) if manager is not None else None
    if task.owner_role == OwnerRole.IT:
        settings = settings_of(employee.tenant_id)
        return _active(settings.it_contact) if settings is not None else None
    if task.owner_role == OwnerRole.EMPLOYEE:
        return _active(employee.membership)
    if task.owner_role == OwnerRole.MEMBER:
        return _active(task.member)
    return None


def start_checklist(
    actor: Actor,
    employee: Employee,
    template: ChecklistTemplate,
    *,
    anchor_date: dt.date | None = None,
    mail: bool = True,
) -> Checklist:
    """Start `template` for `employee`: its tasks copied, each due `due_offset_days` after
    `anchor_date` (by default the contract's start date for an onboarding, its end date for
    an offboarding), assigned and announced in each owner's inbox (e-mailed as each chose;
    `mail=False`: in the app only, as the demo's are). One open checklist of a kind per
    employee."""
    same_company(actor, employee.tenant_id)
    authorize(actor, MANAGE)
    if template.tenant_id != employee.tenant_id:
        raise ValidationError({"template": [_("Choose one from the list.")]})
    if not template.is_active:
        raise ValidationError({"template": [_("This template is archived.")]})
    anchor = anchor_date or default_anchor(employee, template.kind)
    if anchor is None:
        field = "start_date" if template.kind == "onboarding" else "last_working_day"
        raise ValidationError(
            {
                "anchor_date": [
                    _("Give the date the tasks count from (%(field)s).")
                    % {"field": field.replace("_", " ")}
                ]
            }
        )
    tasks = list(
        TemplateTask.objects.for_tenant(template.tenant_id)
        .filter(template=template)
        .select_related("member")
    )
    if not tasks:
        raise ValidationError({"template": [_("This template has no tasks yet.")]})
    with transaction.atomic():
        Employee.objects.select_for_update(of=("self",)).filter(pk=employee.pk).first()
        if open_checklist(employee, template.kind) is not None:
            raise ValidationError(
                {
                    "template": [
                        _("%(name)s already has an open %(kind)s checklist.")
                        % {
                            "name": employee.display_name,
                            "kind": template.get_kind_display().lower(),
                        }
                    ]
                }
            )
        checklist = Checklist.objects.create(
            tenant_id=employee.tenant_id,
            employee=employee,
            template=template,
            kind=template.kind,
            name=template.name,
            anchor_date=anchor,
            started_by=actor.label[:254],
        )
        made = ChecklistTask.objects.bulk_create(
            ChecklistTask(
                tenant_id=employee.tenant_id,
                checklist=checklist,
                position=task.position,
                title=task.title,
                description=task.description,
                owner_role=task.owner_role,
                assignee=resolve_assignee(task, employee),
                due_date=anchor + dt.timedelta(days=task.due_offset_days),
                completion=task.completion,
                completion_path=task.completion_path,
            )
            for task in tasks
        )
        record(
            actor,
            "checklist.started",
            tenant=checklist.tenant,
            target=checklist,
            changes={
                "employee": {"old": None, "new": employee.pk},
                "template": {"old": None, "new": template.pk},
                "anchor_date": {"old": None, "new": anchor.isoformat()},
                "tasks": {"old": None, "new": len(made)},
            },
        )
        emit(
            "checklist.started",
            tenant=checklist.tenant,
            target=checklist,
            payload={"employee": employee.pk},
        )
        for task in made:
            task.checklist = checklist
        notifications.tell_assigned(made, mail=mail)
    return checklist


def _locked_task(task: ChecklistTask) -> tuple[ChecklistTask, Checklist]:
    checklist = (
        Checklist.objects.select_for_update(of=("self",))
        .select_related("tenant", "employee")
        .get(pk=task.checklist_id)
    )
    locked = (
        ChecklistTask.objects.select_for_update(of=("self",))
        .select_related("assignee")
        .get(pk=task.pk)
    )
    locked.checklist = checklist
    return locked, checklist


def _payload(task: ChecklistTask) -> dict[str, Any]:
    return {"checklist": task.checklist_id, "employee": task.checklist.employee_id}


def complete_task(
    actor: Actor, task: ChecklistTask, *, expected_version: int | None = None
) -> ChecklistTask:
    """Mark a task done (its owner or HR); the last one completes the checklist."""
    same_company(actor, task.tenant_id)
    if not may_complete(actor, task):
        raise PermissionDenied(_("Only the person responsible for this task, or HR, can do this."))
    with transaction.atomic():
        locked, checklist = _locked_task(task)
        check_version(locked, expected_version)
        if checklist.status == Status.CANCELLED:
            raise ChecklistConflictError(_("This checklist was cancelled."))
        if locked.done:
            raise ChecklistConflictError(_("This task is already done."))
        locked.done = True
        locked.completed_at = timezone.now()
        locked.completed_by = actor.label[:254]
        locked.version += 1
        locked.save()
        record(
            actor,
            "checklist_task.completed",
            tenant=checklist.tenant,
            target=locked,
            changes={"done": {"old": False, "new": True}},
        )
        emit("task.completed", tenant=checklist.tenant, target=locked, payload=_payload(locked))
        remaining = ChecklistTask.objects.for_tenant(checklist.tenant_id).filter(
            checklist=checklist, done=False
        )
        if not remaining.exists():
            checklist.status = Status.COMPLETED
            checklist.completed_at = locked.completed_at
            checklist.version += 1
            checklist.save()
            record(
                actor,
                "checklist.completed",
                tenant=checklist.tenant,
                target=checklist,
                changes={"status": {"old": Status.OPEN, "new": Status.COMPLETED}},
            )
            emit(
                "checklist.completed",
                tenant=checklist.tenant,
                target=checklist,
                payload={"employee": checklist.employee_id},
            )
            notifications.tell_completed(checklist)
    return locked


def reopen_task(
    actor: Actor, task: ChecklistTask, *, expected_version: int | None = None
) -> ChecklistTask:
    """Mark a done task open again (its owner or HR); a completed checklist opens again."""
    same_company(actor, task.tenant_id)
    if not may_complete(actor, task):
        raise PermissionDenied(_("Only the person responsible for this task, or HR, can do this."))
    with transaction.atomic():
        locked, checklist = _locked_task(task)
        check_version(locked, expected_version)
        if checklist.status == Status.CANCELLED:
            raise ChecklistConflictError(_("This checklist was cancelled."))
        if not locked.done:
            raise ChecklistConflictError(_("This task is not done."))
        locked.done = False
        locked.completed_at = None
        locked.completed_by = ""
        locked.version += 1
        locked.save()
        record(
            actor,
            "checklist_task.reopened",
            tenant=checklist.tenant,
            target=locked,
            changes={"done": {"old": True, "new": False}},
        )
        emit("task.reopened", tenant=checklist.tenant, target=locked, payload=_payload(locked))
        if checklist.status == Status.COMPLETED:
            checklist.status = Status.OPEN
            checklist.completed_at = None
            checklist.version += 1
            checklist.save()
            record(
                actor,
                "checklist.reopened",
                tenant=checklist.tenant,
                target=checklist,
                changes={"status": {"old": Status.COMPLETED, "new": Status.OPEN}},
            )
            emit(
                "checklist.reopened",
                tenant=checklist.tenant,
                target=checklist,
                payload={"employee": checklist.employee_id},
            )
    return locked


def cancel_checklist(
    actor: Actor, checklist: Checklist, *, expected_version: int | None = None
) -> Checklist:
    """Stop an open checklist (a hire that did not happen): HR only; its tasks stay as
    they were, no longer anyone's to do."""
    same_company(actor, checklist.tenant_id)
    authorize(actor, MANAGE)
    with transaction.atomic():
        locked = (
            Checklist.objects.select_for_update(of=("self",))
            .select_related("tenant")
            .get(pk=checklist.pk)
        )
        check_version(locked, expected_version)
        if locked.status != Status.OPEN:
            raise ChecklistConflictError(_("Only an open checklist can be cancelled."))
        locked.status = Status.CANCELLED
        locked.version += 1
        locked.save()
        record(
            actor,
            "checklist.cancelled",
            tenant=locked.tenant,
            target=locked,
            changes={"status": {"old": Status.OPEN, "new": Status.CANCELLED}},
        )
        emit(
            "checklist.cancelled",
            tenant=locked.tenant,
            target=locked,
            payload={"employee": locked.employee_id},
        )
    return locked
