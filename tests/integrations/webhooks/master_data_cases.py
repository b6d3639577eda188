"""The changes that emit the archiving events of departments and teams (issue 17), one per
event type, on the demo company (merged into event_cases.CASES)."""

from __future__ import annotations

from typing import Any

from kluis.people.services import organisation
from kluis.tenancy.models import Tenant
from tests.conftest import actor_for

HR = "hr@demo-bv.test"


def archive_department(tenant: Tenant) -> int:
    department = organisation.create_department(actor_for(HR), tenant, name="Probe dept")
    organisation.archive_department(actor_for(HR), department)
    return department.pk


def unarchive_department(tenant: Tenant) -> int:
    department = organisation.create_department(actor_for(HR), tenant, name="Probe dept")
    organisation.archive_department(actor_for(HR), department)
    organisation.archive_department(actor_for(HR), department, archived=False)
    return department.pk


def archive_team(tenant: Tenant) -> int:
    team = organisation.create_team(actor_for(HR), tenant, name="Probe team")
    organisation.archive_team(actor_for(HR), team)
    return team.pk


def unarchive_team(tenant: Tenant) -> int:
    team = organisation.create_team(actor_for(HR), tenant, name="Probe team")
    organisation.archive_team(actor_for(HR), team)
    organisation.archive_team(actor_for(HR), team, archived=False)
    return team.pk


MASTER_DATA_CASES: dict[str, Any] = {
    "department.archived": archive_department,
    "department.unarchived": unarchive_department,
    "team.archived": archive_team,
    "team.unarchived": unarchive_team,
}
