"""The checklists' part of the demo companies: an onboarding and an offboarding template
for everyone, and one onboarding under way (for the newest of the demo's hires)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from kluis.access.actor import Actor
from kluis.checklists.models import Checklist, ChecklistTemplate, Kind
from kluis.checklists.services import create_template, start_checklist
from kluis.people.models import Employee, EmployeeStatus
from kluis.tenancy.models import Tenant

ONBOARDING: list[dict[str, Any]] = [
    {"title": "Prepare the laptop and accounts", "owner_role": "it", "due_offset_days": -5},
    {"title": "Send the welcome e-mail", "owner_role": "manager", "due_offset_days": -3},
    {
        "title": "Fill in your bank account",
        "owner_role": "employee",
        "due_offset_days": -2,
        "completion": "bank_account",
        "description": "So your first wage reaches you.",
    },
    {
        "title": "Add an emergency contact",
        "owner_role": "employee",
        "due_offset_days": 0,
        "completion": "emergency_contact",
    },
    {
        "title": "Check the contract and the HR file",
        "owner_role": "hr",
        "due_offset_days": 0,
        "completion": "contract",
    },
    {"title": "First-week check-in", "owner_role": "manager", "due_offset_days": 5},
    {"title": "End-of-probation review planned", "owner_role": "hr", "due_offset_days": 30},
]
OFFBOARDING: list[dict[str, Any]] = [
    {"title": "Plan the handover", "owner_role": "manager", "due_offset_days": -10},
    {"title": "Exit interview", "owner_role": "hr", "due_offset_days": -3},
    {"title": "Return the laptop and badge", "owner_role": "employee", "due_offset_days": 0},
    {"title": "Close accounts and access", "owner_role": "it", "due_offset_days": 0},
    {
        "title": "Final pay and certificates",
        "owner_role": "hr",
        "due_offset_days": 5,
        "completion": "hr_file",
    },
]


def has_demo(tenant: Tenant) -> bool:
    return ChecklistTemplate.objects.for_tenant(tenant).exists()


def load(tenant: Tenant) -> None:
    actor = Actor.system("demo loader", tenant)
    onboarding = create_template(
        actor, tenant, {"kind": Kind.ONBOARDING, "name": "Onboarding", "tasks": ONBOARDING}
    )
    create_template(
        actor, tenant, {"kind": Kind.OFFBOARDING, "name": "Offboarding", "tasks": OFFBOARDING}
    )
    newcomer = (
        Employee.objects.for_tenant(tenant)
        .filter(status=EmployeeStatus.ONBOARDING)
        .order_by("pk")
        .first()
    ) or Employee.objects.for_tenant(tenant).order_by("-pk").first()
    if newcomer is not None and not Checklist.objects.for_tenant(tenant).exists():
        start_checklist(
            actor,
            newcomer,
            onboarding,
            anchor_date=timezone.localdate() + dt.timedelta(days=7),
            mail=False,  # the demo's people have no real mailboxes: in the app only
        )
