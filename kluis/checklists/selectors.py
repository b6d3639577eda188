"""Reads of checklists, through the restricting querysets: the template that matches an
employee, who is responsible for a task, what a member may see and do, and progress.

Who sees a checklist: a holder of `checklists.view` over the employee (HR the company, a
manager their team, an employee their own), and whoever is responsible for one of its
tasks. Who completes or reopens a task: the person responsible for it, or HR
(`checklists.manage`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from kluis.access.actor import Actor
from kluis.access.authorization import can_for
from kluis.access.models import RoleAssignment, RolePermission
from kluis.checklists.models import (
    Checklist,
    ChecklistSettings,
    ChecklistTask,
    ChecklistTemplate,
    Kind,
    OwnerRole,
    Status,
)
from kluis.people.models import Employee, Employment
from kluis.people.permissions import can_on, scoped_by_employee
from kluis.tenancy.models import Membership, Tenant

VIEW = "checklists.view"
MANAGE = "checklists.manage"


def anchor_employment(employee: Employee, kind: str) -> Employment | None:
    """The contract a checklist is about: for an onboarding the newest one (a hire's
    first, a returning employee's new one); for an offboarding the one in force (or, for
    someone who already left, their last)."""
    employments = Employment.objects.for_tenant(employee.tenant_id).filter(employee=employee)
    if kind == Kind.ONBOARDING:
        return employments.order_by("-start_date", "-pk").first()
    today = timezone.localdate()
    current = (
        employments.filter(start_date__lte=today)
        .exclude(end_date__lt=today)
        .order_by("-start_date")
        .first()
    )
    return current or employments.order_by("-start_date", "-pk").first()


def default_anchor(employee: Employee, kind: str) -> dt.date | None:
    """The start date (onboarding) or the last working day (offboarding) by default:
    None when the contract does not say (no contract, or no end date yet)."""
    employment = anchor_employment(employee, kind)
    if employment is None:
        return None
    return employment.start_date if kind == Kind.ONBOARDING else employment.end_date


def matching_template(
    tenant: Tenant | int, kind: str, employee: Employee
) -> ChecklistTemplate | None:
    """The company's active template of `kind` that fits the employee best: one for their
    department and contract type before one for either, before one for everyone; a
    template for another department or contract type never matches. Ties: the oldest."""
    employment = anchor_employment(employee, kind)
    department_id = (employment.department_id if employment else None) or employee.department_id
    contract_type = employment.contract_type if employment else ""
    best: tuple[int, int] | None = None
    found = None
    for template in ChecklistTemplate.objects.for_tenant(tenant).filter(kind=kind, is_active=True):
        if template.department_id is not None and template.department_id != department_id:
            continue
        if template.contract_type and template.contract_type != contract_type:
            continue
        score = (2 if template.department_id else 0) + (1 if template.contract_type else 0)
        rank = (score, -template.pk)
        if best is None or rank > best:
            best, found = rank, template
    return found


def active_templates(actor: Actor, kind: str) -> QuerySet[ChecklistTemplate]:
    return ChecklistTemplate.objects.for_actor(actor).filter(kind=kind, is_active=True)


def settings_of(tenant: Tenant | int) -> ChecklistSettings | None:
    return ChecklistSettings.objects.for_tenant(tenant).select_related("it_contact").first()


def hr_members(tenant: Tenant | int) -> list[Membership]:
    """The active members holding `checklists.manage` (company-wide): HR."""
    roles = (
        RolePermission.objects.for_tenant(tenant)
        .filter(permission=MANAGE, scope="company")
        .values("role_id")
    )
    holders = (
        RoleAssignment.objects.for_tenant(tenant).filter(role_id__in=roles).values("membership_id")
    )
    return list(
        Membership.objects.for_tenant(tenant)
        .filter(pk__in=holders, is_active=True)
        .select_related("user")
        .order_by("pk")
    )


def own_membership_id(actor: Actor) -> int | None:
    return actor.membership.pk if actor.membership is not None else None


def responsible_q(actor: Actor) -> Q:
    """The tasks the actor is responsible for: assigned to them, the employee's own tasks
    of their own checklists, and (for HR) the tasks assigned to nobody."""
    member = own_membership_id(actor)
    mine = Q(pk__in=[])
    if member is not None:
        mine = Q(assignee_id=member) | Q(
            owner_role=OwnerRole.EMPLOYEE, checklist__employee__membership_id=member
        )
    if can_for(actor, MANAGE):
        mine |= Q(assignee__isnull=True) & ~Q(owner_role=OwnerRole.EMPLOYEE)
    return mine


def is_responsible(actor: Actor, task: ChecklistTask) -> bool:
    return ChecklistTask.objects.for_actor(actor).filter(responsible_q(actor), pk=task.pk).exists()


def may_complete(actor: Actor, task: ChecklistTask) -> bool:
    if actor.is_system or can_for(actor, MANAGE):
        return True
    return is_responsible(actor, task)


def visible_checklists(actor: Actor) -> QuerySet[Checklist]:
    """The checklists the actor may see (for_actor: their company's)."""
    everyone = Checklist.objects.for_actor(actor)
    seen = scoped_by_employee(actor, VIEW, everyone)
    tasks = ChecklistTask.objects.for_actor(actor).filter(responsible_q(actor))
    return everyone.filter(Q(pk__in=seen.values("pk")) | Q(pk__in=tasks.values("checklist_id")))


def visible_tasks(actor: Actor) -> QuerySet[ChecklistTask]:
    return ChecklistTask.objects.for_actor(actor).filter(
        checklist_id__in=visible_checklists(actor).values("pk")
    )


def may_view(actor: Actor, checklist: Checklist) -> bool:
    if actor.is_system or can_on(actor, VIEW, checklist.employee):
        return True
    return (
        ChecklistTask.objects.for_actor(actor)
        .filter(responsible_q(actor), checklist=checklist)
        .exists()
    )


def my_tasks(actor: Actor, *, done: bool = False) -> QuerySet[ChecklistTask]:
    """The tasks the actor is responsible for, open ones (or done ones), of running
    checklists, soonest due first."""
    return (
        ChecklistTask.objects.for_actor(actor)
        .filter(responsible_q(actor), done=done)
        .exclude(checklist__status=Status.CANCELLED)
        .select_related("checklist", "checklist__employee", "assignee__user")
        .order_by("-completed_at" if done else "due_date", "position", "pk")
    )


@dataclass(frozen=True)
class Progress:
    done: int
    total: int
    overdue: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 100


def progress(checklist: Checklist, today: dt.date | None = None) -> Progress:
    today = today or timezone.localdate()
    counts: dict[str, Any] = (
        ChecklistTask.objects.for_tenant(checklist.tenant_id)
        .filter(checklist=checklist)
        .aggregate(
            n_total=Count("pk"),
            n_done=Count("pk", filter=Q(done=True)),
            n_overdue=Count("pk", filter=Q(done=False, due_date__lt=today)),
        )
    )
    return Progress(counts["n_done"], counts["n_total"], counts["n_overdue"])


def is_overdue(task: ChecklistTask, today: dt.date | None = None) -> bool:
    return not task.done and task.due_date < (today or timezone.localdate())


def checklists_of(actor: Actor, employee: Employee) -> list[Checklist]:
    """The employee's checklists the actor may see, newest first."""
    return list(visible_checklists(actor).filter(employee=employee).order_by("-started_at", "-pk"))


def open_checklist(employee: Employee, kind: str) -> Checklist | None:
    return (
        Checklist.objects.for_tenant(employee.tenant_id)
        .filter(employee=employee, kind=kind, status=Status.OPEN)
        .first()
    )
