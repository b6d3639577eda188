"""The end of probation in the contract services: the shared rules keep it within the
contract (an error that names the field, nothing written), a change is audited with its
old and new day, versioned, and emitted as `employment.updated` naming only the field;
the webhook sent for it says `changed_fields: ["probation_end_date"]`, no values."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from jsonschema import Draft202012Validator

from kluis.audit.models import AuditEvent
from kluis.integrations.models import DomainEvent
from kluis.integrations.webhooks import catalogue
from kluis.integrations.webhooks.models import WebhookDelivery
from kluis.integrations.webhooks.openapi import event_schema
from kluis.integrations.webhooks.payloads import encode, event_body
from kluis.integrations.webhooks.services import create_subscription
from kluis.people.models import Employee, EmployeeVersion, Employment
from kluis.people.services import contracts
from tests.conftest import actor_for

HR = "hr@demo-bv.test"
TODAY = timezone.localdate()


def day(days: int) -> dt.date:
    return TODAY + dt.timedelta(days=days)


def open_contract(email: str) -> Employment:
    person = Employee.objects.get(tenant__slug="demo-bv", work_email=email)
    return Employment.objects.select_related("employee__tenant").get(
        employee=person, end_date__isnull=True
    )


def written() -> tuple[int, int, int, int]:
    return (
        Employment.objects.count(),
        EmployeeVersion.objects.count(),
        AuditEvent.objects.count(),
        DomainEvent.objects.count(),
    )


def refused(call, field: str) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as caught:
        call()
    assert list(caught.value.message_dict) == [field], caught.value.message_dict
    return " ".join(caught.value.message_dict[field])


def test_the_shared_rules_keep_the_end_of_probation_within_the_contract(demo):
    tenant = demo["demo-bv"]
    base = {"start_date": day(10).isoformat(), "job_title": "Analyst"}
    ok = contracts.clean_employment(
        tenant, {**base, "probation_end_date": day(10).isoformat()}, employee=None
    )
    assert ok["probation_end_date"] == day(10)  # the first day itself is allowed
    assert contracts.clean_employment(tenant, base, employee=None)["probation_end_date"] is None
    fixed = {**base, "contract_type": "fixed_term", "end_date": day(40).isoformat()}
    last = contracts.clean_employment(
        tenant, {**fixed, "probation_end_date": day(40)}, employee=None
    )
    assert last["probation_end_date"] == day(40)  # up to the contract's last day
    for data, message in (
        ({**base, "probation_end_date": day(9)}, "comes before the contract's start"),
        ({**fixed, "probation_end_date": day(41)}, "comes after the contract's end"),
        ({**base, "probation_end_date": "31/12/2026"}, "Enter a date as YYYY-MM-DD."),
        ({**base, "probation_end_date": "0066-01-01"}, "comes before the contract's start"),
    ):
        said = refused(
            lambda data=data: contracts.clean_employment(tenant, data, employee=None),
            "probation_end_date",
        )
        assert message in said


def test_adding_a_contract_with_a_bad_end_of_probation_writes_nothing(demo):
    hr = actor_for(HR)
    contract = open_contract("member2@demo-bv.test")
    contracts.end_employment(hr, contract, day(20))
    before = written()
    data = {"start_date": day(21).isoformat(), "job_title": "Lead", "probation_end_date": day(5)}
    said = refused(
        lambda: contracts.add_employment(hr, contract.employee, data), "probation_end_date"
    )
    assert f"{day(21).day} {day(21):%B %Y}" in said  # the start it is measured against
    assert written() == before
    added = contracts.add_employment(hr, contract.employee, {**data, "probation_end_date": day(80)})
    assert added.probation_end_date == day(80)
    audit = AuditEvent.objects.get(action="employment.created", object_id=str(added.pk))
    assert audit.changes["probation_end_date"] == {"old": None, "new": day(80).isoformat()}


def test_a_change_is_audited_versioned_and_emitted_by_field_name(demo, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    subscription, _secret = create_subscription(
        actor_for("owner@demo-bv.test"),
        demo["demo-bv"],
        {"url": "http://127.0.0.1:9/x", "event_types": ["employment.updated"]},
        api_base="https://kluis.test",
    )
    subscription.verified_at = timezone.now()
    subscription.save(update_fields=["verified_at"])
    hr = actor_for(HR)
    contract = open_contract("member1@demo-bv.test")
    versions = EmployeeVersion.objects.filter(employee=contract.employee).count()
    changed = contracts.set_probation_end(hr, contract, day(45).isoformat())
    assert changed.probation_end_date == day(45) and changed.end_date is None
    contract.refresh_from_db()
    assert contract.probation_end_date == day(45)
    audit = AuditEvent.objects.get(action="employment.updated", object_id=str(contract.pk))
    assert audit.changes == {"probation_end_date": {"old": None, "new": day(45).isoformat()}}
    version = EmployeeVersion.objects.filter(employee=contract.employee).latest("pk")
    assert EmployeeVersion.objects.filter(employee=contract.employee).count() == versions + 1
    assert "probation_end_date" in version.changed_fields
    event = DomainEvent.objects.get(name="employment.updated", object_id=str(contract.pk))
    assert event.payload["fields"] == ["probation_end_date"]
    assert event.payload["employee"] == contract.employee_id
    delivery = WebhookDelivery.objects.get(subscription=subscription, event=event)
    body = json.loads(encode(event_body(subscription, event, None)))
    Draft202012Validator(event_schema()).validate(body)
    assert delivery.event_type == "employment.updated"
    assert body["data"]["changed_fields"] == ["probation_end_date"]
    assert day(45).isoformat() not in json.dumps(body)  # names, never values
    # The catalogue's example of the object shows the field, as the API reads it.
    kind = catalogue.get("employment.updated")
    assert kind is not None and "probation_end_date" in kind.example_object
    # The same day again changes nothing: no audit event, no domain event.
    before = written()
    contracts.set_probation_end(hr, contract, day(45))
    assert written() == before
    # Cleared with an empty value.
    contracts.set_probation_end(hr, contract, "")
    contract.refresh_from_db()
    assert contract.probation_end_date is None
    cleared = AuditEvent.objects.filter(action="employment.updated", object_id=str(contract.pk))
    assert cleared.latest("pk").changes == {
        "probation_end_date": {"old": day(45).isoformat(), "new": None}
    }


def test_changing_dates_keeps_the_end_of_probation_within_the_contract(demo):
    hr = actor_for(HR)
    contract = open_contract("member3@demo-bv.test")
    before = written()
    start = contract.start_date
    said = refused(
        lambda: contracts.set_probation_end(hr, contract, start - dt.timedelta(days=1)),
        "probation_end_date",
    )
    assert "comes before the contract's start" in said
    assert written() == before
    contracts.set_probation_end(hr, contract, day(50))
    before = written()
    # A new end before the end of probation: refused on the date that was sent.
    said = refused(lambda: contracts.end_employment(hr, contract, day(49)), "end_date")
    assert "comes after the contract's end" in said
    # Both together: the probation sent is measured against the new end.
    both = {"end_date": day(30), "probation_end_date": day(31)}
    refused(lambda: contracts.change_employment(hr, contract, both), "probation_end_date")
    assert written() == before
    contract.refresh_from_db()
    assert (contract.end_date, contract.probation_end_date) == (None, day(50))
    contracts.change_employment(hr, contract, {**both, "probation_end_date": day(30)})
    contract.refresh_from_db()
    assert (contract.end_date, contract.probation_end_date) == (day(30), day(30))


def test_nobody_sets_their_own_or_another_companys_end_of_probation(demo):
    own = open_contract("member1@demo-bv.test")
    with pytest.raises(PermissionDenied):
        contracts.set_probation_end(actor_for("member1@demo-bv.test"), own, day(10))
    other = Employment.objects.filter(tenant__slug="other-nv").select_related("employee").first()
    assert other is not None
    with pytest.raises(PermissionDenied):
        contracts.set_probation_end(actor_for(HR), other, day(10))
    own.refresh_from_db()
    other.refresh_from_db()
    assert own.probation_end_date is None and other.probation_end_date is None
