"""Every webhook event type of the catalogue: a change that commits produces its domain
event and a delivery to a subscription that wants every event; a change that rolls back
produces neither. The changes are made through the services on the demo company
(event_cases.py), one per event type; a new event type without a case fails here."""

from __future__ import annotations

import json

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone
from jsonschema import Draft202012Validator

from kluis.integrations.models import DomainEvent
from kluis.integrations.webhooks import catalogue
from kluis.integrations.webhooks.models import WebhookDelivery, WebhookSubscription
from kluis.integrations.webhooks.openapi import event_schema, example_body
from kluis.integrations.webhooks.payloads import encode, event_body
from kluis.integrations.webhooks.services import create_subscription
from tests.api_client import Api, make_key
from tests.conftest import actor_for
from tests.integrations.webhooks.event_cases import CASES, OWNER

NAMES = sorted(CASES)


class RolledBack(Exception):
    """Raised after the change, inside its transaction, to roll it back."""


@pytest.fixture
def everything(demo, settings) -> WebhookSubscription:
    """An active subscription of Demo BV to every event (loopback: never sent here)."""
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    subscription, _secret = create_subscription(
        actor_for(OWNER),
        demo["demo-bv"],
        {"url": "http://127.0.0.1:9/x", "event_types": ["*"]},
        api_base="https://kluis.test",
    )
    subscription.verified_at = timezone.now()
    subscription.save(update_fields=["verified_at"])
    return subscription


def counts(name: str) -> tuple[int, int]:
    return (
        DomainEvent.objects.filter(name=name).count(),
        WebhookDelivery.objects.filter(event_type=name).count(),
    )


def test_the_cases_cover_exactly_the_catalogue():
    assert set(CASES) == {event.name for event in catalogue.event_types()}


@pytest.mark.parametrize("name", NAMES)
def test_a_change_that_commits_produces_its_event_and_delivery(name, demo, everything):
    kind = catalogue.get(name)
    assert kind is not None
    object_id = CASES[name](demo["demo-bv"])
    event = DomainEvent.objects.filter(name=name, object_id=str(object_id)).last()
    assert event is not None, f"{name} was not emitted for {object_id}"
    assert event.tenant_id == demo["demo-bv"].pk
    assert event.object_type == kind.object_type
    delivery = WebhookDelivery.objects.get(subscription=everything, event=event)
    assert delivery.event_type == name
    assert delivery.status == WebhookDelivery.Status.PENDING
    # What the subscriber gets has the shape the OpenAPI document shows for the event.
    body = event_body(everything, event, None)
    Draft202012Validator(event_schema()).validate(json.loads(encode(body)))
    assert set(body) == set(example_body(kind))
    assert set(body["data"]) == set(example_body(kind)["data"])
    assert body["data"]["id"] == object_id
    if kind.parent:
        assert isinstance(body["data"][kind.parent], int)
    if kind.resource:
        assert body["data"]["url"] == f"https://kluis.test/api/v1/{kind.resource}/{object_id}/"
    for changed in body["data"].get("changed_fields", []):
        assert isinstance(changed, str)


@pytest.mark.parametrize("name", NAMES)
def test_the_url_an_event_names_reads_its_object_through_the_api(name, demo, everything):
    """`data.url` is where the subscriber fetches the object: with a key of every scope it
    answers 200 with that object (404 once deleted), never a route that does not exist."""
    kind = catalogue.get(name)
    assert kind is not None
    object_id = CASES[name](demo["demo-bv"])
    event = DomainEvent.objects.filter(name=name, object_id=str(object_id)).last()
    assert event is not None
    url = event_body(everything, event, None)["data"]["url"]
    if url is None:
        assert not kind.resource
        return
    if kind.resource == "webhooks":
        return  # a subscription is read only by the client that made it (test_api.py)
    response = Api(Client(), make_key("demo-bv")).get(url.removeprefix("https://kluis.test"))
    if name.endswith(".deleted"):
        assert response.status_code == 404, (name, url, response.status_code)
        return
    assert response.status_code == 200, (name, url, response.status_code, response.content[:300])
    assert json.loads(response.content)["id"] == object_id


@pytest.mark.parametrize("name", NAMES)
def test_a_change_that_rolls_back_produces_neither(name, demo, everything):
    before = counts(name)
    block = transaction.atomic()
    # A service that nothing composes runs `atomic(durable=True)`, which refuses to nest
    # in any block but a test case's: marked as one, the services run as in every test.
    block._from_testcase = True
    with pytest.raises(RolledBack), block:
        CASES[name](demo["demo-bv"])
        events, deliveries = counts(name)
        assert events > before[0] and deliveries > before[1], "the change emitted nothing"
        raise RolledBack
    assert counts(name) == before


def test_another_companys_change_reaches_no_subscription_of_demo_bv(demo, everything):
    """The fan-out stays in the event's company (Other NV has no subscription)."""
    from kluis.people.models import Employee
    from kluis.people.services import update_employee

    other = demo["other-nv"]
    employee = Employee.objects.for_tenant(other).order_by("pk").first()
    update_employee(
        actor_for("hr@other-nv.test"),
        employee,
        {"work_phone": "+31205550123"},
        expected_version=employee.version,
    )
    event = DomainEvent.objects.filter(name="employee.updated", tenant=other).last()
    assert event is not None
    assert not WebhookDelivery.objects.filter(event=event).exists()
