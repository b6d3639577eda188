"""The event catalogue: only documented events are emitted, each documented completely,
and the events with a meaning of their own (employee.left, employment.ended, wage.changed,
member.role_changed) are sent exactly when kluis/people/events.py and
kluis/company/events.py say."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import transaction

from kluis.access.models import Role
from kluis.api.registry import resources
from kluis.company.services.roles import grant_role, revoke_role, update_role
from kluis.integrations.events import emit
from kluis.integrations.models import DomainEvent
from kluis.integrations.webhooks import catalogue
from kluis.people.models import Employee, Employment, Wage
from kluis.people.services import (
    add_employment,
    end_employment,
    hire_employee,
    pay,
    update_employee,
)
from kluis.people.services.organisation import update_people_settings
from tests.conftest import actor_for, member
from tests.integrations.webhooks.event_cases import HR, OWNER, WORKER, days, open_contract

QUIET = [
    "tenant.created",
    "api_client.created",
    "oauth_client.created",
    "api_client.revoked",
    "api_key.created",
    "api_key.revoked",
    "oauth_connection.created",
    "oauth_connection.updated",
    "oauth_connection.revoked",
]


def names(tenant, *, since: int = 0, name: str | None = None) -> list[str]:
    events = DomainEvent.objects.filter(tenant=tenant, pk__gt=since)
    if name:
        events = events.filter(name=name)
    return list(events.values_list("name", flat=True))


def last_pk() -> int:
    return DomainEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


# --- what emit() accepts --------------------------------------------------------------------


def test_emit_refuses_an_event_that_is_not_in_the_catalogue(demo):
    tenant = demo["demo-bv"]
    before = DomainEvent.objects.count()
    with transaction.atomic(), pytest.raises(ValueError, match="not in the event catalogue"):
        emit("employee.fired", tenant=tenant, target=tenant)
    assert DomainEvent.objects.count() == before


def test_emit_refuses_an_update_without_the_names_of_the_changed_fields(demo):
    employee = Employee.objects.for_tenant(demo["demo-bv"]).first()
    with transaction.atomic(), pytest.raises(ValueError, match="changed fields"):
        emit("employee.updated", tenant=demo["demo-bv"], target=employee)
    with transaction.atomic():
        emit(
            "employee.updated",
            tenant=demo["demo-bv"],
            target=employee,
            payload={"fields": ["job_title"]},
        )


def test_bookkeeping_events_are_known_but_no_subscription_may_pick_them():
    offered = {event.name for event in catalogue.event_types()}
    for name in QUIET:
        assert catalogue.known(name)
        assert not catalogue.is_webhook(name)
        assert name not in offered
    assert catalogue.unknown_names(["*", "employee.left", "api_key.created", "nope.x"]) == [
        "api_key.created",
        "nope.x",
    ]


# --- every event documented -----------------------------------------------------------------


def test_every_event_type_is_documented_with_its_object_and_resource():
    served = {resource.prefix for resource in resources()}
    for event in catalogue.event_types():
        assert str(event.summary).strip(), event.name
        assert event.name == event.name.lower() and event.entity, event.name
        app_label, model = event.object_type.split(".")
        assert apps.get_model(app_label, model), event.name
        # /api/v1/webhooks/ is served by the webhooks API (its own branch of issue 14).
        assert not event.resource or event.resource in served | {"webhooks"}, event.name
        if event.resource:
            assert event.example_object.get("id"), event.name
        if event.name.endswith(".updated"):
            assert event.example_fields, event.name
        if event.parent and event.example_object:
            assert event.parent in event.example_object, event.name


def test_the_events_the_api_declarations_name_are_in_the_catalogue():
    declared = {
        name
        for resource in resources()
        if resource.declaration is not None
        for name in resource.declaration.events
    }
    assert declared
    assert [name for name in sorted(declared) if not catalogue.is_webhook(name)] == []


def test_the_issues_names_are_in_the_catalogue():
    for name in (
        "employee.created",
        "employee.updated",
        "employee.left",
        "employment.created",
        "employment.ended",
        "wage.changed",
        "wage_component.created",
        "member.role_changed",
    ):
        assert catalogue.is_webhook(name), name
    for entity in ("team", "department", "custom_field"):
        verbs = {e.name for e in catalogue.event_types() if e.entity == entity}
        archiving = (
            {f"{entity}.archived", f"{entity}.unarchived"} if entity != "custom_field" else set()
        )
        assert verbs == {f"{entity}.created", f"{entity}.updated", f"{entity}.deleted", *archiving}


# --- employee.left, employment.ended --------------------------------------------------------


def test_ending_the_last_contract_is_the_employees_departure_sent_once(demo):
    tenant = demo["demo-bv"]
    employee = Employee.objects.for_tenant(tenant).get(work_email=WORKER)
    contract = open_contract(employee)
    since = last_pk()
    end_employment(actor_for(HR), contract, days(30))
    assert sorted(set(names(tenant, since=since)) - {"employee.updated"}) == [
        "employee.left",
        "employment.ended",
    ]
    left = DomainEvent.objects.get(pk__gt=since, name="employee.left")
    assert (left.object_id, left.payload["employment"]) == (str(employee.pk), contract.pk)
    ended = DomainEvent.objects.get(pk__gt=since, name="employment.ended")
    assert ended.payload["fields"] == ["end_date"]

    # Moving the last day is a change of the contract, not a second departure.
    since = last_pk()
    end_employment(actor_for(HR), Employment.objects.get(pk=contract.pk), days(45))
    assert names(tenant, since=since) == ["employment.updated"]
    moved = DomainEvent.objects.get(pk__gt=since)
    assert moved.payload["fields"] == ["end_date"]

    # Marking them left afterwards: their departure was already sent.
    since = last_pk()
    employee.refresh_from_db()
    update_employee(actor_for(HR), employee, {"status": "left"}, expected_version=employee.version)
    assert names(tenant, since=since) == ["employee.updated"]


def test_marking_someone_left_whose_contract_is_open_is_their_departure_sent_once(demo):
    tenant = demo["demo-bv"]
    employee = Employee.objects.for_tenant(tenant).get(work_email=WORKER)
    since = last_pk()
    update_employee(actor_for(HR), employee, {"status": "left"}, expected_version=employee.version)
    assert names(tenant, since=since) == ["employee.updated", "employee.left"]
    # Ending their contract then: the departure was already sent.
    since = last_pk()
    end_employment(actor_for(HR), open_contract(employee), days(10))
    assert "employee.left" not in names(tenant, since=since)
    assert "employment.ended" in names(tenant, since=since)


def test_a_fixed_term_employee_marked_left_leaves_and_a_rehire_leaves_again(demo):
    tenant = demo["demo-bv"]
    employee = hire_employee(
        actor_for(HR),
        tenant,
        {
            "first_name": "Fixed",
            "last_name": "Term",
            "employment": {
                "contract_type": "fixed_term",
                "start_date": days(-100).isoformat(),
                "end_date": days(-1).isoformat(),
                "job_title": "Temp",
            },
        },
    )
    first = Employment.objects.get(employee=employee)
    since = last_pk()
    update_employee(actor_for(HR), employee, {"status": "left"}, expected_version=employee.version)
    [left] = DomainEvent.objects.filter(pk__gt=since, name="employee.left")
    assert left.payload["employment"] == first.pk
    # Hired again, and that contract ended: a second departure.
    again = add_employment(
        actor_for(HR), employee, {"start_date": days(5).isoformat(), "job_title": "Temp"}
    )
    since = last_pk()
    end_employment(actor_for(HR), again, days(50))
    [left] = DomainEvent.objects.filter(pk__gt=since, name="employee.left")
    assert left.payload["employment"] == again.pk


# --- wage.changed ---------------------------------------------------------------------------


def test_a_wage_that_differs_from_the_one_before_it_is_a_change_named_not_shown(demo):
    tenant = demo["demo-bv"]
    employee = Employee.objects.for_tenant(tenant).get(work_email=WORKER)
    since = last_pk()
    wage = pay.set_wage(actor_for(HR), employee, {"amount": "9876.54", "effective_from": days(40)})
    assert names(tenant, since=since, name="wage.changed") == ["wage.changed"]
    changed = DomainEvent.objects.get(pk__gt=since, name="wage.changed")
    assert (changed.object_id, changed.payload["employee"]) == (str(wage.pk), employee.pk)
    assert changed.payload["fields"] == ["amount"]
    assert "9876" not in str(changed.payload)

    # The same wage again from a later date changes nothing: no wage.changed.
    since = last_pk()
    pay.set_wage(actor_for(HR), employee, {"amount": "9876.54", "effective_from": days(80)})
    assert names(tenant, since=since, name="wage.created") == ["wage.created"]
    assert names(tenant, since=since, name="wage.changed") == []

    # Withdrawing the planned raise: the wage before it applies again.
    since = last_pk()
    pay.delete_planned_wage(actor_for(HR), Wage.objects.get(pk=wage.pk))
    assert names(tenant, since=since) == ["wage.deleted", "wage.changed"]
    assert DomainEvent.objects.get(pk__gt=since, name="wage.changed").payload["fields"] == [
        "amount"
    ]


# --- member.role_changed, role.updated ------------------------------------------------------


def test_a_role_granted_or_taken_away_is_one_member_role_changed(demo):
    tenant = demo["demo-bv"]
    target = member(WORKER)
    auditor = Role.objects.for_tenant(tenant).get(builtin_key="auditor")
    since = last_pk()
    grant_role(actor_for(OWNER), target, auditor)
    revoke_role(actor_for(OWNER), target, auditor)
    events = list(DomainEvent.objects.filter(pk__gt=since))
    assert [e.name for e in events] == ["member.role_changed", "member.role_changed"]
    assert [e.object_id for e in events] == [str(target.pk)] * 2
    assert [(e.payload["role"], e.payload["change"]) for e in events] == [
        (auditor.pk, "granted"),
        (auditor.pk, "revoked"),
    ]
    assert all(e.payload["fields"] == ["roles"] for e in events)


def test_a_roles_changed_fields_are_the_apis_not_permission_codes(demo):
    tenant = demo["demo-bv"]
    from kluis.company.services.roles import create_role

    role = create_role(actor_for(OWNER), tenant, name="Probe", grants={"audit.view": "company"})
    since = last_pk()
    update_role(
        actor_for(OWNER),
        role,
        name="Probe 2",
        grants={"audit.view": "company", "people.view": "company"},
    )
    [event] = DomainEvent.objects.filter(pk__gt=since)
    assert event.payload["fields"] == ["grants", "name"]


def test_saving_unchanged_people_settings_sends_nothing(demo):
    tenant = demo["demo-bv"]
    update_people_settings(actor_for(HR), tenant, self_editable_fields=["private_phone"])
    since = last_pk()
    update_people_settings(actor_for(HR), tenant, self_editable_fields=["private_phone"])
    assert names(tenant, since=since, name="people_settings.updated") == []
