"""A small company with figures worked out by hand (tests/reports/README in the module
docstrings): Rapport BV, 13 people in Engineering and Sales hired, moved to a permanent
contract and leaving on known days in 2025, with birth dates, sick periods and leave.

Made once per module through the services (hire, contracts, sick periods), committed, and
put back to the demo after the module's last test (tests/conftest.py, demo_for_module).
Every person works 38 hours, Monday to Friday (7.6 hours a day); the company is Belgian,
so Belgian public holidays are no working days.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from kluis.access.actor import Actor
from kluis.access.models import Role
from kluis.company.demo import _demo_sign_in_policy
from kluis.company.services import add_member, create_tenant
from kluis.people.models import Employee, Employment
from kluis.people.services import add_employment, create_department, hire_employee
from kluis.tenancy.models import Membership, Tenant
from kluis.timeoff.models import LeaveType, LedgerEntry
from kluis.timeoff.services import register_absence
from tests.conftest import member

D = dt.date
SLUG = "rapport-bv"

# name: (department, manager?, contract type, start, end, birth date); a second contract
# for Dirk follows his fixed-term one without a gap.
PEOPLE: dict[str, tuple[str, bool, str, dt.date, dt.date | None, dt.date | None]] = {
    "Mara": ("Engineering", False, "permanent", D(2015, 3, 1), None, D(1980, 6, 15)),
    "Ann": ("Engineering", True, "permanent", D(2020, 1, 6), None, D(1990, 1, 1)),
    "Bart": ("Engineering", True, "permanent", D(2023, 5, 1), None, D(2001, 2, 1)),
    "Cleo": ("Engineering", True, "permanent", D(2025, 2, 1), None, D(1995, 7, 20)),
    "Dirk": ("Engineering", True, "fixed_term", D(2024, 9, 1), D(2025, 8, 31), D(1985, 3, 3)),
    "Eva": ("Engineering", True, "permanent", D(2018, 1, 1), D(2025, 6, 30), D(1970, 12, 31)),
    "Lars": ("Engineering", True, "interim", D(2025, 3, 1), D(2026, 5, 31), D(1960, 1, 1)),
    "Fien": ("Sales", False, "permanent", D(2019, 4, 1), None, D(1962, 5, 5)),
    "Gert": ("Sales", False, "permanent", D(2021, 10, 1), None, D(1999, 9, 9)),
    "Hanne": ("Sales", False, "permanent", D(2025, 10, 1), None, D(2003, 3, 3)),
    "Ivo": ("Sales", False, "fixed_term", D(2025, 1, 1), D(2026, 3, 31), D(1992, 2, 2)),
    "Jo": ("Sales", False, "student", D(2025, 7, 1), D(2026, 8, 31), None),
    "Kim": ("Sales", False, "permanent", D(2016, 6, 1), D(2025, 11, 30), D(1975, 1, 1)),
}
# Sick periods (kind Sickness unless named): who, first and last day.
SICK = [
    ("Ann", D(2025, 3, 10), D(2025, 3, 14), "sickness"),  # Mon-Fri: 5 days
    ("Bart", D(2025, 3, 27), D(2025, 4, 2), "sickness"),  # 3 in March, 2 in April
    ("Gert", D(2025, 3, 3), D(2025, 3, 4), "sickness"),  # 2 days, Sales (4 people)
    ("Cleo", D(2025, 5, 5), D(2025, 5, 9), "maternity"),  # not sickness: not counted
]
# Ledger lines of the legal holiday, in hours (7.6 a day): (who, kind, hours, year).
LEDGER = [
    ("Ann", "grant", "152", 2025),
    ("Ann", "use", "-76", 2025),
    ("Ann", "cancellation", "7.6", 2025),
    ("Ann", "grant", "152", 2024),  # another year: not counted in 2025
    ("Bart", "grant", "152", 2025),
    ("Bart", "use", "-38", 2025),
    ("Bart", "expiry", "-15.2", 2025),
    ("Cleo", "grant", "136.8", 2025),
    ("Cleo", "correction", "7.6", 2025),
    ("Cleo", "use", "-22.8", 2025),
    ("Eva", "grant", "76", 2025),
    ("Eva", "use", "-76", 2025),
    ("Fien", "grant", "152", 2025),
    ("Fien", "use", "-152", 2025),
]


def make_company() -> Tenant:
    system = Actor.system("reports test")
    tenant = create_tenant(system, name="Rapport BV", slug=SLUG)
    system.tenant = tenant
    # As in the demo companies: no second factor required, so HR's pages answer at once.
    _demo_sign_in_policy(system, tenant)
    roles = {r.builtin_key: r for r in Role.objects.for_tenant(tenant)}
    add_member(
        system,
        tenant,
        email="hr@rapport.test",
        first_name="Hilde",
        last_name="HR",
        roles=[roles["hr_admin"]],
    )
    departments = {
        name: create_department(system, tenant, name=name) for name in ("Engineering", "Sales")
    }
    people: dict[str, Employee] = {}
    for name, (department, managed, kind, start, end, born) in PEOPLE.items():
        data: dict[str, Any] = {
            "first_name": name,
            "last_name": "Rapport",
            "birth_date": born,
            "employment": {
                "contract_type": kind,
                "start_date": start,
                "end_date": end,
                "hours_per_week": "38",
                "job_title": "Staff",
                "department": departments[department],
                "manager": people["Mara"] if managed else None,
            },
        }
        if name == "Mara":
            data["membership"] = add_member(
                system,
                tenant,
                email="manager@rapport.test",
                first_name="Mara",
                last_name="Rapport",
                roles=[roles["manager"], roles["employee"]],
            )
        if name == "Ann":
            data["membership"] = add_member(
                system,
                tenant,
                email="ann@rapport.test",
                first_name="Ann",
                last_name="Rapport",
                roles=[roles["employee"]],
            )
        people[name] = hire_employee(system, tenant, data)
    add_employment(
        system,
        people["Dirk"],
        {
            "contract_type": "permanent",
            "start_date": D(2025, 9, 1),
            "hours_per_week": "38",
            "job_title": "Staff",
            "department": departments["Engineering"],
            "manager": people["Mara"],
        },
    )
    for name, first, last, kind in SICK:
        register_absence(
            system, people[name], {"start_date": first, "end_date": last, "kind": kind}
        )
    holiday = LeaveType.objects.for_tenant(tenant).get(code="legal-holiday")
    for name, kind, hours, year in LEDGER:
        LedgerEntry.objects.create(
            tenant=tenant,
            employee=people[name],
            leave_type=holiday,
            kind=kind,
            hours=Decimal(hours),
            effective=D(year, 6, 1),
            year=year,
            tranche=str(year),
            actor_label="reports test",
        )
    assert Employment.objects.for_tenant(tenant).count() == 14
    return tenant


@pytest.fixture(scope="module")
def rapport(demo_for_module: dict[str, Tenant], django_db_blocker: Any) -> Tenant:
    with django_db_blocker.unblock():
        return make_company()


def actor_of(email: str) -> Actor:
    return Actor.for_member(member(email, SLUG))


@pytest.fixture
def sign_in(login: Any, rapport: Tenant) -> Any:
    def _sign_in(email: str) -> Client:
        return login(email, SLUG)

    return _sign_in


def membership_of(email: str) -> Membership:
    return member(email, SLUG)
