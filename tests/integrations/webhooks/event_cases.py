"""One service call per webhook event type, on the demo company: the change that emits it.

CASES maps every event name of the catalogue to a function that makes such a change in
Demo BV through the services and returns the id of the object the event is about
(test_event_types.py checks that the table covers the catalogue exactly)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from kluis.access.models import Role
from kluis.company.services import members as member_services
from kluis.company.services import roles as role_services
from kluis.company.services.deactivation import deactivate_member, reactivate_member
from kluis.company.services.mfa import reset_member_mfa
from kluis.integrations.webhooks import services as webhooks
from kluis.integrations.webhooks.models import WebhookSubscription
from kluis.people.models import (
    CustomFieldDefinition,
    Employee,
    Employment,
    Wage,
    WageComponent,
)
from kluis.people.services import (
    add_emergency_contact,
    add_employment,
    custom_fields,
    end_employment,
    hire_employee,
    organisation,
    pay,
    remove_emergency_contact,
    update_employee,
)
from kluis.tenancy.models import Membership, Tenant
from tests.conftest import actor_for, member
from tests.integrations.webhooks.approval_cases import APPROVAL_CASES
from tests.integrations.webhooks.checklist_cases import CHECKLIST_CASES
from tests.integrations.webhooks.master_data_cases import MASTER_DATA_CASES
from tests.integrations.webhooks.offboarding_cases import OFFBOARDING_CASES
from tests.integrations.webhooks.timeoff_cases import TIMEOFF_CASES

HR = "hr@demo-bv.test"
OWNER = "owner@demo-bv.test"
WORKER = "member1@demo-bv.test"

Case = Callable[[Tenant], Any]


def days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


def worker(tenant: Tenant) -> Employee:
    return Employee.objects.for_tenant(tenant).get(work_email=WORKER)


def open_contract(employee: Employee) -> Employment:
    return Employment.objects.get(employee=employee, end_date__isnull=True)


# --- people ---------------------------------------------------------------------------------


def hire(tenant: Tenant) -> int:
    employee = hire_employee(
        actor_for(HR),
        tenant,
        {
            "first_name": "Webhook",
            "last_name": "Probe",
            "employment": {"start_date": days(10).isoformat(), "job_title": "Tester"},
            "wage": {"amount": "3000"},
        },
    )
    return employee.pk


def update(tenant: Tenant) -> int:
    employee = worker(tenant)
    update_employee(
        actor_for(HR), employee, {"work_phone": "+3225550123"}, expected_version=employee.version
    )
    return employee.pk


def leave(tenant: Tenant) -> int:
    employee = worker(tenant)
    end_employment(actor_for(HR), open_contract(employee), days(30))
    return employee.pk


def add_contact(tenant: Tenant) -> int:
    contact = add_emergency_contact(
        actor_for(HR), worker(tenant), {"name": "Probe Contact", "phone": "+32470123456"}
    )
    return contact.pk


def remove_contact(tenant: Tenant) -> int:
    contact = add_emergency_contact(
        actor_for(HR), worker(tenant), {"name": "Probe Contact", "phone": "+32470123456"}
    )
    pk = contact.pk
    remove_emergency_contact(actor_for(HR), contact)
    return pk


def end_contract(tenant: Tenant) -> int:
    contract = open_contract(worker(tenant))
    end_employment(actor_for(HR), contract, days(30))
    return contract.pk


def move_contract_end(tenant: Tenant) -> int:
    contract = end_employment(actor_for(HR), open_contract(worker(tenant)), days(30))
    end_employment(actor_for(HR), contract, days(60))
    return contract.pk


def add_contract(tenant: Tenant) -> int:
    employee = worker(tenant)
    end_employment(actor_for(HR), open_contract(employee), days(30))
    contract = add_employment(
        actor_for(HR), employee, {"start_date": days(31).isoformat(), "job_title": "Lead"}
    )
    return contract.pk


def set_wage(tenant: Tenant) -> int:
    wage = pay.set_wage(
        actor_for(HR), worker(tenant), {"amount": "9999.00", "effective_from": days(40)}
    )
    return wage.pk


def withdraw_wage(tenant: Tenant) -> int:
    pk = set_wage(tenant)
    pay.delete_planned_wage(actor_for(HR), Wage.objects.get(pk=pk))
    return pk


def add_component(tenant: Tenant, start: int = -10) -> int:
    component = pay.add_wage_component(
        actor_for(HR),
        worker(tenant),
        {"kind": "meal_vouchers", "amount": "8", "start_date": days(start), "recurring": True},
    )
    return component.pk


def end_component(tenant: Tenant) -> int:
    pk = add_component(tenant)
    pay.end_wage_component(actor_for(HR), WageComponent.objects.get(pk=pk), days(20))
    return pk


def withdraw_component(tenant: Tenant) -> int:
    pk = add_component(tenant, start=15)
    pay.delete_planned_wage_component(actor_for(HR), WageComponent.objects.get(pk=pk))
    return pk


def add_department(tenant: Tenant) -> int:
    return organisation.create_department(actor_for(HR), tenant, name="Probe dept").pk


def change_department(tenant: Tenant) -> int:
    department = organisation.create_department(actor_for(HR), tenant, name="Probe dept")
    organisation.update_department(actor_for(HR), department, {"name": "Probe dept 2"})
    return department.pk


def remove_department(tenant: Tenant) -> int:
    department = organisation.create_department(actor_for(HR), tenant, name="Probe dept")
    organisation.delete_department(actor_for(HR), department)
    return department.pk


def add_team(tenant: Tenant) -> int:
    return organisation.create_team(actor_for(HR), tenant, name="Probe team").pk


def change_team(tenant: Tenant) -> int:
    team = organisation.create_team(actor_for(HR), tenant, name="Probe team")
    organisation.update_team(actor_for(HR), team, {"name": "Probe team 2"})
    return team.pk


def remove_team(tenant: Tenant) -> int:
    team = organisation.create_team(actor_for(HR), tenant, name="Probe team")
    organisation.delete_team(actor_for(HR), team)
    return team.pk


def define_field(tenant: Tenant) -> int:
    definition = custom_fields.define_custom_field(
        actor_for(HR), tenant, key="probe_size", label="Probe size", field_type="text"
    )
    return definition.pk


def change_field(tenant: Tenant) -> int:
    pk = define_field(tenant)
    definition = CustomFieldDefinition.objects.get(pk=pk)
    custom_fields.update_custom_field(actor_for(HR), definition, {"label": "Probe sizes"})
    return pk


def remove_field(tenant: Tenant) -> int:
    pk = define_field(tenant)
    definition = CustomFieldDefinition.objects.get(pk=pk)
    custom_fields.delete_custom_field(actor_for(HR), definition)
    return pk


def change_settings(tenant: Tenant) -> int:
    row = organisation.update_people_settings(
        actor_for(HR), tenant, self_editable_fields=["private_phone"]
    )
    return row.pk


# --- members and roles ----------------------------------------------------------------------


def add_member(tenant: Tenant) -> int:
    return member_services.add_member(actor_for(OWNER), tenant, email="probe@example.com").pk


def deactivate(tenant: Tenant) -> int:
    return deactivate_member(actor_for(OWNER), member(WORKER)).pk


def reactivate(tenant: Tenant) -> int:
    deactivated = deactivate_member(actor_for(OWNER), member(WORKER))
    return reactivate_member(actor_for(OWNER), Membership.objects.get(pk=deactivated.pk)).pk


def reset_mfa(tenant: Tenant) -> int:
    import pyotp
    from allauth.mfa.totp.internal.auth import TOTP

    target = member(WORKER)
    TOTP.activate(target.user, pyotp.random_base32())
    reset_member_mfa(actor_for(OWNER), target)
    return target.pk


def grant_role(tenant: Tenant) -> int:
    target = member(WORKER)
    auditor = Role.objects.for_tenant(tenant).get(builtin_key="auditor")
    role_services.grant_role(actor_for(OWNER), target, auditor)
    return target.pk


def add_role(tenant: Tenant) -> int:
    role = role_services.create_role(
        actor_for(OWNER), tenant, name="Probe role", grants={"audit.view": "company"}
    )
    return role.pk


def change_role(tenant: Tenant) -> int:
    role = Role.objects.get(pk=add_role(tenant))
    role_services.update_role(
        actor_for(OWNER), role, name="Probe role 2", grants={"audit.view": "company"}
    )
    return role.pk


def remove_role(tenant: Tenant) -> int:
    pk = add_role(tenant)
    role_services.delete_role(actor_for(OWNER), Role.objects.get(pk=pk))
    return pk


# --- webhooks ------------------------------------------------------------------------------


def subscribe(tenant: Tenant) -> int:
    subscription, _secret = webhooks.create_subscription(
        actor_for(OWNER),
        tenant,
        {"url": "http://127.0.0.1:9/probe", "event_types": ["employee.created"]},
    )
    return subscription.pk


def change_subscription(tenant: Tenant) -> int:
    subscription = WebhookSubscription.objects.get(pk=subscribe(tenant))
    webhooks.update_subscription(actor_for(OWNER), subscription, {"description": "Probe"})
    return subscription.pk


def unsubscribe(tenant: Tenant) -> int:
    pk = subscribe(tenant)
    webhooks.delete_subscription(actor_for(OWNER), WebhookSubscription.objects.get(pk=pk))
    return pk


CASES: dict[str, Case] = {
    "employee.created": hire,
    "employee.updated": update,
    "employee.left": leave,
    "emergency_contact.created": add_contact,
    "emergency_contact.deleted": remove_contact,
    "employment.created": add_contract,
    "employment.updated": move_contract_end,
    "employment.ended": end_contract,
    "wage.created": set_wage,
    "wage.changed": set_wage,
    "wage.deleted": withdraw_wage,
    "wage_component.created": add_component,
    "wage_component.updated": end_component,
    "wage_component.deleted": withdraw_component,
    "department.created": add_department,
    "department.updated": change_department,
    "department.deleted": remove_department,
    "team.created": add_team,
    "team.updated": change_team,
    "team.deleted": remove_team,
    "custom_field.created": define_field,
    "custom_field.updated": change_field,
    "custom_field.deleted": remove_field,
    "people_settings.updated": change_settings,
    "member.created": add_member,
    "member.deactivated": deactivate,
    "member.reactivated": reactivate,
    "member.mfa_reset": reset_mfa,
    "member.role_changed": grant_role,
    "role.created": add_role,
    "role.updated": change_role,
    "role.deleted": remove_role,
    "webhook.created": subscribe,
    "webhook.updated": change_subscription,
    "webhook.deleted": unsubscribe,
    **TIMEOFF_CASES,  # the calendar's (issue 15)
    **MASTER_DATA_CASES,  # archiving departments and teams (issue 17)
    **CHECKLIST_CASES,  # onboarding and offboarding checklists (issue 18)
    **OFFBOARDING_CASES,  # a leaver's access revoked under four eyes (issue 18)
    **APPROVAL_CASES,  # the two-person rule (issue 18)
}
