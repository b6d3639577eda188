"""Onboarding and offboarding checklists: a company's templates (each with its tasks, due
some days before or after the start or the last working day), and the checklists started
from them for one employee (a copy of the template's tasks, each with its due date, its
assignee and whether it is done).

A task's assignee is resolved when the checklist starts: the manager's, the IT contact's,
a named member's or the employee's own membership. A task left without one (HR's tasks,
and any whose person is not there) belongs to HR: every member holding
`checklists.manage`. The employee's own tasks also reach them once they have an account
(their first sign-in through the invitation). Reminders sent are stored on the task
(`due_reminded_at`, `overdue_reminded_at`), so several workers send each once."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from kluis.people.models import ContractType, Department, Employee
from kluis.tenancy.models import Membership, Tenant
from kluis.tenancy.querysets import TenantManager


class Kind(models.TextChoices):
    ONBOARDING = "onboarding", _("Onboarding")
    OFFBOARDING = "offboarding", _("Offboarding")


class OwnerRole(models.TextChoices):
    HR = "hr", _("HR")
    MANAGER = "manager", _("The manager")
    IT = "it", _("IT")
    EMPLOYEE = "employee", _("The employee")
    MEMBER = "member", _("A named person")


class Completion(models.TextChoices):
    """The Kluis page where a task is done (linked from the task)."""

    NONE = "", _("No link")
    MY_PROFILE = "my_profile", _("The employee fills in their profile")
    BANK_ACCOUNT = "bank_account", _("The employee fills in their bank account")
    EMERGENCY_CONTACT = "emergency_contact", _("The employee adds an emergency contact")
    HR_FILE = "hr_file", _("HR completes the employee's file")
    CONTRACT = "contract", _("HR checks the contract")
    PATH = "path", _("Another page of Kluis")


class Status(models.TextChoices):
    OPEN = "open", _("Open")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class ChecklistSettings(models.Model):
    """A company's settings of its checklists: who does the IT tasks."""

    tenant = models.OneToOneField(Tenant, on_delete=models.CASCADE, related_name="+")
    it_contact = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    objects = TenantManager()

    def __str__(self) -> str:
        return "checklist settings"


class ChecklistTemplate(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    name = models.CharField(max_length=120)
    # Applies only to employees of this department / with this contract type (blank: all);
    # the most specific active template of a kind is the matching one.
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    contract_type = models.CharField(
        max_length=12, choices=ContractType.choices, blank=True, default=""
    )
    is_active = models.BooleanField(default=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    objects = TenantManager()

    class Meta:
        ordering = ["kind", "name", "pk"]
        indexes = [models.Index(fields=["tenant", "kind", "is_active"])]

    def __str__(self) -> str:
        return self.name


class TemplateTask(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    template = models.ForeignKey(ChecklistTemplate, on_delete=models.CASCADE, related_name="tasks")
    position = models.PositiveIntegerField(default=0)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, default="")
    owner_role = models.CharField(max_length=10, choices=OwnerRole.choices)
    member = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Days after the anchor (the start date, or the last working day): -5 is 5 days before.
    due_offset_days = models.IntegerField(default=0)
    completion = models.CharField(max_length=20, choices=Completion.choices, blank=True, default="")
    completion_path = models.CharField(max_length=200, blank=True, default="")
    objects = TenantManager()

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title


class Checklist(models.Model):
    """One employee's onboarding or offboarding, started from a template."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="+")
    template = models.ForeignKey(
        ChecklistTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    name = models.CharField(max_length=120)
    anchor_date = models.DateField()  # the start date, or the last working day
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    started_by = models.CharField(max_length=254, blank=True, default="")
    started_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)
    objects = TenantManager()

    class Meta:
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["tenant", "employee", "kind"])]

    def __str__(self) -> str:
        return self.name


class ChecklistTask(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    checklist = models.ForeignKey(Checklist, on_delete=models.CASCADE, related_name="tasks")
    position = models.PositiveIntegerField(default=0)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, default="")
    owner_role = models.CharField(max_length=10, choices=OwnerRole.choices)
    # Null: HR's (every holder of checklists.manage); the employee's own tasks also reach
    # the employee's membership once they have one.
    assignee = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    due_date = models.DateField()
    completion = models.CharField(max_length=20, choices=Completion.choices, blank=True, default="")
    completion_path = models.CharField(max_length=200, blank=True, default="")
    done = models.BooleanField(default=False)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.CharField(max_length=254, blank=True, default="")
    due_reminded_at = models.DateTimeField(null=True, blank=True)
    overdue_reminded_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)
    objects = TenantManager()

    class Meta:
        ordering = ["due_date", "position", "pk"]
        indexes = [
            models.Index(fields=["tenant", "assignee", "done"]),
            models.Index(fields=["done", "due_date"]),
        ]

    def __str__(self) -> str:
        return self.title
