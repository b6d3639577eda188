"""Checklist fixtures: the demo company's people as actors and employees, and a fresh
template (the demo's own templates and checklist are there too)."""

from __future__ import annotations

import datetime as dt

import pytest

from kluis.access.actor import Actor
from kluis.checklists.models import Checklist, ChecklistTemplate
from kluis.checklists.services import create_template
from kluis.people.models import Employee
from kluis.tenancy.models import Tenant
from tests.conftest import actor_for

START = dt.date(2027, 3, 1)
TASKS = [
    {"title": "Laptop ready", "owner_role": "it", "due_offset_days": -5},
    {"title": "Welcome e-mail", "owner_role": "manager", "due_offset_days": -3},
    {
        "title": "Bank account",
        "owner_role": "employee",
        "due_offset_days": -1,
        "completion": "bank_account",
    },
    {"title": "Check the contract", "owner_role": "hr", "due_offset_days": 0},
]


def employee_of(email: str) -> Employee:
    return Employee.objects.get(work_email=email)


@pytest.fixture
def bv(demo: dict[str, Tenant]) -> Tenant:
    return demo["demo-bv"]


@pytest.fixture
def hr(bv: Tenant) -> Actor:
    return actor_for("hr@demo-bv.test")


@pytest.fixture
def worker() -> Employee:
    """member1: reports to the demo manager, has an account; no checklist of their own."""
    person = employee_of("member1@demo-bv.test")
    assert not Checklist.objects.filter(employee=person).exists()
    return person


@pytest.fixture
def template(bv: Tenant, hr: Actor) -> ChecklistTemplate:
    return create_template(
        hr,
        bv,
        {
            "kind": "onboarding",
            "name": "Test onboarding",
            "tasks": TASKS,
            "contract_type": "permanent",
        },
    )
