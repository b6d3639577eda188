"""Delivery to a real HTTP receiver on loopback, checked with the `standardwebhooks`
library exactly as a receiver would."""

from __future__ import annotations

from kluis.integrations.webhooks.delivery import drain
from kluis.integrations.webhooks.models import WebhookDelivery
from kluis.integrations.webhooks.services import create_subscription
from kluis.people.models import Employee
from kluis.people.services import update_employee
from tests.conftest import actor_for


def subscribe(demo, receiver, **extra):  # type: ignore[no-untyped-def]
    owner = actor_for("owner@demo-bv.test")
    subscription, secret = create_subscription(
        owner,
        demo["demo-bv"],
        {"url": receiver.url, "event_types": ["employee.updated"], **extra},
        api_base="https://kluis.test",
    )
    drain(subscription.pk)  # the ping
    subscription.refresh_from_db()
    return subscription, secret


def test_a_new_subscription_is_active_once_its_ping_is_answered_and_signed(demo, receiver):
    subscription, secret = subscribe(demo, receiver)
    assert subscription.verified_at is not None
    ping = receiver.wait_for(1, pings=True)[0]
    assert ping.verify(secret)["type"] == "ping"
    assert ping.headers["webhook-id"].startswith("msg_")


def test_a_change_is_delivered_thin_and_signed(demo, receiver):
    subscription, secret = subscribe(demo, receiver)
    hr = actor_for("hr@demo-bv.test")
    employee = Employee.objects.for_tenant(demo["demo-bv"]).order_by("pk").first()
    update_employee(hr, employee, {"first_name": "Chiefina"}, expected_version=employee.version)
    drain(subscription.pk)
    [got] = receiver.wait_for(1)
    body = got.verify(secret)
    assert body["type"] == "employee.updated"
    assert body["data"]["id"] == employee.pk
    assert body["data"]["changed_fields"] == ["first_name"]
    assert body["data"]["url"] == f"https://kluis.test/api/v1/employees/{employee.pk}/"
    assert "Chiefina" not in got.body.decode()
    delivery = WebhookDelivery.objects.get(message_id=got.headers["webhook-id"])
    assert delivery.status == "delivered"
    assert delivery.tries.get().status_code == 200
