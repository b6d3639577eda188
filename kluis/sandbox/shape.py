"""The shape of a company, read for its sandbox: structure, counts, kinds and settings,
never a personal value. Names of departments, teams, roles, custom fields and leave types
are the company's own vocabulary and are kept; everything about a person is reduced to
what kind of thing it is (which team, which roles, which contract type, that there is a
wage and in which currency and period) and is made up again in the sandbox."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kluis.access.models import Role, RoleAssignment
from kluis.people.models import (
    CustomFieldDefinition,
    Department,
    Employee,
    Employment,
    Team,
    Wage,
)
from kluis.tenancy.models import Membership, Tenant
from kluis.timeoff.models import LeaveType, TimeoffSettings
from kluis.timeoff.services.types import FIELDS as LEAVE_TYPE_FIELDS


@dataclass
class MemberShape:
    source_id: int
    role_ids: list[int]
    manager_id: int | None  # the source membership of the manager
    job_title: str


@dataclass
class EmployeeShape:
    source_id: int
    membership_id: int | None  # the source membership it is linked to
    status: str
    department_id: int | None
    team_id: int | None
    manager_id: int | None  # the source employee of the manager
    custom_keys: list[str]
    contract_type: str
    job_title: str
    hours_per_week: str
    weekly_schedule: list[Any]
    term_days: int | None  # length of a contract with an end date
    ended: bool
    wage: tuple[str, str] | None  # (currency, period): never the amount


@dataclass
class Shape:
    country: str
    departments: list[tuple[int, str, str, int | None]] = field(default_factory=list)
    teams: list[tuple[int, str, int | None]] = field(default_factory=list)
    custom_fields: list[dict[str, Any]] = field(default_factory=list)
    roles: dict[int, tuple[str, str, str, dict[str, str]]] = field(default_factory=dict)
    members: list[MemberShape] = field(default_factory=list)
    employees: list[EmployeeShape] = field(default_factory=list)
    leave_types: list[dict[str, Any]] = field(default_factory=list)

    @property
    def headcount(self) -> int:
        return len(self.employees)


def read_shape(source: Tenant) -> Shape:
    """Everything the sandbox copies of `source`, in a few queries (no per-person query)."""
    config = TimeoffSettings.objects.for_tenant(source).first()
    shape = Shape(country=config.country if config else "BE")
    shape.departments = list(
        Department.objects.for_tenant(source)
        .order_by("pk")
        .values_list("pk", "name", "code", "parent_id")
    )
    shape.teams = list(
        Team.objects.for_tenant(source).order_by("pk").values_list("pk", "name", "department_id")
    )
    shape.custom_fields = [
        dict(row)
        for row in CustomFieldDefinition.objects.for_tenant(source)
        .filter(is_active=True)
        .order_by("position", "pk")
        .values("key", "label", "field_type", "choices", "required")
    ]
    grants: dict[int, dict[str, str]] = {}
    for role_id, permission, scope in Role.objects.for_tenant(source).values_list(
        "pk", "permissions__permission", "permissions__scope"
    ):
        grants.setdefault(role_id, {})
        if permission:
            grants[role_id][permission] = scope
    for role in Role.objects.for_tenant(source):
        shape.roles[role.pk] = (role.builtin_key, role.name, role.description, grants[role.pk])
    role_ids: dict[int, list[int]] = {}
    for membership_id, role_id in (
        RoleAssignment.objects.for_tenant(source)
        .order_by("pk")
        .values_list("membership_id", "role_id")
    ):
        role_ids.setdefault(membership_id, []).append(role_id)
    shape.members = [
        MemberShape(pk, role_ids.get(pk, []), manager_id, job_title)
        for pk, manager_id, job_title in Membership.objects.for_tenant(source)
        .filter(is_active=True)
        .order_by("pk")
        .values_list("pk", "manager_id", "job_title")
    ]
    shape.employees = _employees(source)
    shape.leave_types = [
        {name: getattr(kind, name) for name in LEAVE_TYPE_FIELDS}
        for kind in LeaveType.objects.for_tenant(source).order_by("position", "pk")
    ]
    return shape


def _employees(source: Tenant) -> list[EmployeeShape]:
    contracts: dict[int, Employment] = {}
    for row in Employment.objects.for_tenant(source).order_by("employee_id", "-start_date"):
        contracts.setdefault(row.employee_id, row)
    wages: dict[int, tuple[str, str]] = {}
    for employee_id, currency, period in (
        Wage.objects.for_tenant(source)
        .order_by("employee_id", "-effective_from")
        .values_list("employee_id", "currency", "period")
    ):
        wages.setdefault(employee_id, (currency, period))
    out = []
    for employee in Employee.objects.for_tenant(source).order_by("pk"):
        contract = contracts.get(employee.pk)
        term = None
        if contract is not None and contract.end_date is not None:
            term = (contract.end_date - contract.start_date).days
        out.append(
            EmployeeShape(
                source_id=employee.pk,
                membership_id=employee.membership_id,
                status=employee.status,
                department_id=employee.department_id,
                team_id=employee.team_id,
                manager_id=employee.manager_id,
                custom_keys=sorted(k for k, v in (employee.custom_fields or {}).items() if v != ""),
                contract_type=contract.contract_type if contract else "permanent",
                job_title=(contract.job_title if contract else employee.job_title) or "Employee",
                hours_per_week=str(contract.hours_per_week) if contract else "38",
                weekly_schedule=list(contract.weekly_schedule or []) if contract else [],
                term_days=term,
                ended=employee.status == "left",
                wage=wages.get(employee.pk),
            )
        )
    return _managers_first(out)


def _managers_first(employees: list[EmployeeShape]) -> list[EmployeeShape]:
    """Each employee after their manager, so the sandbox can hire them in this order."""
    by_id = {e.source_id: e for e in employees}

    def depth(employee: EmployeeShape) -> int:
        seen: set[int] = set()
        level = 0
        while employee.manager_id in by_id and employee.manager_id not in seen:
            seen.add(employee.manager_id)
            employee = by_id[employee.manager_id]
            level += 1
        return level

    return sorted(employees, key=lambda e: (depth(e), e.source_id))
