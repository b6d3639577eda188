"""Delivery to a real HTTP receiver on loopback, checked with the `standardwebhooks`
library exactly as a receiver would."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kluis.access.actor import Actor
from kluis.access.models import RoleAssignment
from kluis.crypto import vault
from kluis.integrations.models import DomainEvent
from kluis.integrations.services import create_api_key, revoke_api_client
from kluis.integrations.webhooks.delivery import drain
from kluis.integrations.webhooks.maintenance import expire, purge, sweep
from kluis.integrations.webhooks.models import WebhookDelivery, WebhookSubscription
from kluis.integrations.webhooks.notices import tell_admins_turned_off
from kluis.integrations.webhooks.services import (
    create_subscription,
    replay_delivery,
    rotate_secret,
    update_subscription,
)
from kluis.people.models import Employee
from kluis.people.services import update_employee
from kluis.people.services.pay import set_wage
from tests.conftest import actor_for
from tests.integrations.webhooks.receiver import running_receiver


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


def change(demo, first_name="Chiefina", company="demo-bv", nth=0):  # type: ignore[no-untyped-def]
    hr = actor_for(f"hr@{company}.test")
    employee = Employee.objects.for_tenant(demo[company]).order_by("pk")[nth]
    return update_employee(
        hr, employee, {"first_name": first_name}, expected_version=employee.version
    )


def test_a_full_object_has_what_the_owning_key_may_read_and_sealed_fields_only_with_their_scope(
    demo, receiver
):
    owner = actor_for("owner@demo-bv.test")
    tenant = demo["demo-bv"]
    seen = {}
    for scopes in (["employees:read"], ["employees:read", "identity:read"]):
        key, _plain = create_api_key(
            owner, tenant, f"Sync {len(scopes)}", [*scopes, "webhooks:write"]
        )
        subscription, secret = create_subscription(
            Actor.for_api_client(key.client),
            tenant,
            {"url": receiver.url, "event_types": ["employee.updated"], "full_objects": True},
            api_base="https://kluis.test",
        )
        drain(subscription.pk)
        seen[len(scopes)] = (subscription, secret)
    employee = change(demo)
    for subscription, _secret in seen.values():
        drain(subscription.pk)
    got = {r.headers["webhook-id"]: r for r in receiver.wait_for(2)}
    bodies = {}
    for count, (subscription, secret) in seen.items():
        delivery = WebhookDelivery.objects.get(subscription=subscription, event__isnull=False)
        bodies[count] = got[delivery.message_id].verify(secret)["data"]["object"]
    assert bodies[1]["id"] == employee.pk and bodies[1]["first_name"] == "Chiefina"
    assert "national_id" not in bodies[1] and "iban" not in bodies[1]
    opened = vault.unseal(
        employee.tenant_id, "people.employee.national_id", employee.national_id_sealed
    )
    assert opened and bodies[2]["national_id"] == opened


def test_a_receiver_down_for_a_while_gets_everything_in_order_per_object(demo, receiver):
    subscription, secret = subscribe(demo, receiver)
    down_until = time.monotonic() + 1.0
    receiver.answer = lambda r: (
        (503, {}, b"down") if time.monotonic() < down_until else (200, {}, b"")
    )
    for round_ in range(3):
        for nth in range(2):
            change(demo, f"Name{round_}", nth=nth)
    deadline = time.monotonic() + 15
    while (
        time.monotonic() < deadline
        and WebhookDelivery.objects.filter(subscription=subscription, status="pending").exists()
    ):
        drain(subscription.pk)
        time.sleep(0.1)
    delivered = [r for r in receiver.events() if r.headers]
    ok = {}
    for r in delivered:
        body = r.verify(secret)
        ok.setdefault(body["data"]["id"], []).append((r.headers["webhook-id"], body["id"]))
    sent = WebhookDelivery.objects.filter(subscription=subscription).exclude(event=None)
    assert [d.status for d in sent] == ["delivered"] * 6
    # Each object's events in the order they happened (the last arrival of each id counts).
    events = list(
        DomainEvent.objects.filter(name="employee.updated", tenant=demo["demo-bv"]).order_by("pk")
    )
    for object_id in ok:
        expected = [e.uid for e in events if e.object_id == str(object_id)]
        arrived = []
        for _msg, uid in ok[object_id]:
            if uid in arrived:
                arrived.remove(uid)
            arrived.append(uid)
        assert arrived == expected
    # The receiver was down: the retries carry the same webhook-id as the first attempt.
    first_tries = [r for r in delivered if r.at < delivered[-1].at]
    assert {r.headers["webhook-id"] for r in delivered} == set(
        WebhookDelivery.objects.filter(subscription=subscription, event__isnull=False).values_list(
            "message_id", flat=True
        )
    )
    assert len(first_tries) > 6  # some were sent more than once


def test_a_4xx_answer_is_final_and_410_turns_the_subscription_off(demo, receiver, mailoutbox):
    subscription, _secret = subscribe(demo, receiver)
    receiver.answer = lambda r: (400, {}, b"bad payload")
    change(demo)
    drain(subscription.pk)
    delivery = WebhookDelivery.objects.get(subscription=subscription, event__isnull=False)
    assert (delivery.status, delivery.attempts) == ("failed", 1)
    assert delivery.tries.get().response_excerpt == "bad payload"
    receiver.answer = lambda r: (410, {}, b"gone")
    change(demo, "Again")
    drain(subscription.pk)
    subscription.refresh_from_db()
    assert not subscription.enabled and subscription.disabled_reason == "gone"


def test_429_with_retry_after_waits_that_long(demo, receiver):
    subscription, _secret = subscribe(demo, receiver)
    answers = iter([(429, {"Retry-After": "2"}, b"slow down")])
    receiver.answer = lambda r: next(answers, (200, {}, b""))
    change(demo)
    drain(subscription.pk)
    delivery = WebhookDelivery.objects.get(subscription=subscription, event__isnull=False)
    assert delivery.status == "pending"
    wait = (delivery.next_attempt_at - delivery.tries.get().started_at).total_seconds()
    assert 1.9 <= wait <= 2.5
    drain(subscription.pk)  # not due yet: nothing sent
    assert len(receiver.events()) == 1
    time.sleep(2.1)
    subscription.refresh_from_db()
    drain(subscription.pk)
    delivery.refresh_from_db()
    assert delivery.status == "delivered" and len(receiver.events()) == 2


def test_private_targets_are_refused_when_not_allowed(demo, receiver, settings):
    subscription, _secret = subscribe(demo, receiver)
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    owner = actor_for("owner@demo-bv.test")
    port = receiver.url.split(":")[2].split("/")[0]
    for url in (
        receiver.url,
        f"http://localhost:{port}/hooks",  # a name that resolves to 127.0.0.1
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:8080/",
        "http://10.0.0.8/",
        "http://100.64.0.1/",
        "http://[::ffff:127.0.0.1]/",
        "http://0.0.0.0/",
    ):
        with pytest.raises(ValidationError) as refused:
            create_subscription(owner, demo["demo-bv"], {"url": url, "event_types": ["*"]})
        assert "url" in refused.value.message_dict
    # Checked again when sending: an existing subscription's target now refused.
    change(demo)
    drain(subscription.pk)
    delivery = WebhookDelivery.objects.get(subscription=subscription, event__isnull=False)
    assert "private network" in delivery.last_error
    assert receiver.events() == []


def test_a_subscription_of_one_company_never_gets_another_companys_events(demo, receiver):
    subscription, _secret = subscribe(demo, receiver)
    other = WebhookSubscription.objects.get(pk=subscription.pk)
    change(demo, "Elsewhere", company="other-nv")
    drain(other.pk)
    assert receiver.events() == []
    assert not WebhookDelivery.objects.filter(subscription=subscription, event__isnull=False)


def test_replay_sends_the_same_id_and_bytes_again(demo, receiver):
    subscription, secret = subscribe(demo, receiver)
    change(demo)
    drain(subscription.pk)
    [first] = receiver.wait_for(1)
    delivery = WebhookDelivery.objects.get(message_id=first.headers["webhook-id"])
    replay_delivery(actor_for("owner@demo-bv.test"), delivery)
    drain(subscription.pk)
    second = receiver.wait_for(2)[1]
    assert second.headers["webhook-id"] == first.headers["webhook-id"]
    assert second.body == first.body
    second.verify(secret)
    assert delivery.tries.count() == 2


def test_after_a_rotation_old_and_new_secrets_both_verify(demo, receiver):
    subscription, old = subscribe(demo, receiver)
    new = rotate_secret(actor_for("owner@demo-bv.test"), subscription)
    change(demo)
    drain(subscription.pk)
    [got] = receiver.wait_for(1)
    assert len(got.headers["webhook-signature"].split(" ")) == 2
    got.verify(old)
    got.verify(new)
    assert new != old and new.startswith("whsec_")


def test_a_subscription_failing_for_days_is_turned_off_and_its_admins_told(
    demo, receiver, mailoutbox
):
    subscription, _secret = subscribe(demo, receiver)
    WebhookSubscription.objects.filter(pk=subscription.pk).update(
        failing_since=timezone.now() - dt.timedelta(days=5, minutes=1)
    )
    sweep()
    subscription.refresh_from_db()
    assert not subscription.enabled and subscription.disabled_reason == "failing"
    # The e-mail is queued for the worker: run it as the worker would.
    tell_admins_turned_off.call(subscription.pk)
    assert {m.to[0] for m in mailoutbox} >= {"owner@demo-bv.test", "hr@demo-bv.test"}
    assert "turned off" in mailoutbox[-1].subject
    # Events keep being owed to it; turning it on again delivers them, in order.
    change(demo)
    update_subscription(actor_for("owner@demo-bv.test"), subscription, {"enabled": True})
    drain(subscription.pk)
    assert len(receiver.events()) == 1


def test_delivered_payloads_are_forgotten_after_the_retention_period(demo, receiver):
    subscription, _secret = subscribe(demo, receiver)
    change(demo)
    drain(subscription.pk)
    delivery = WebhookDelivery.objects.get(subscription=subscription, event__isnull=False)
    assert delivery.body and delivery.tries.get().response_excerpt == "ok"
    assert purge() == 0  # not old enough
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        created_at=timezone.now() - dt.timedelta(days=31)
    )
    assert purge() >= 1
    delivery.refresh_from_db()
    assert delivery.body == "" and delivery.purged_at is not None
    assert delivery.status == "delivered" and delivery.tries.get().response_excerpt == ""


def test_what_waits_past_the_retention_period_for_a_webhook_left_off_is_given_up(demo, receiver):
    subscription, _secret = subscribe(demo, receiver)
    WebhookSubscription.objects.filter(pk=subscription.pk).update(
        enabled=False, disabled_reason="failing"
    )
    change(demo)
    delivery = WebhookDelivery.objects.get(subscription=subscription, event__isnull=False)
    assert delivery.status == "pending"
    assert expire() == 0  # not old yet
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        created_at=timezone.now() - dt.timedelta(days=31)
    )
    assert expire() == 1
    delivery.refresh_from_db()
    assert delivery.status == "failed" and "was off" in delivery.last_error
    assert receiver.events() == []


def test_a_webhook_tells_its_owner_only_what_the_owner_may_read(demo, receiver):
    """A key without wages:read is refused wage events, and with "*" is not sent them; a
    key without identity:read does not learn that a bank account changed."""
    owner = actor_for("owner@demo-bv.test")
    tenant = demo["demo-bv"]
    key, _plain = create_api_key(owner, tenant, "Thin sync", ["employees:read", "webhooks:write"])
    client = Actor.for_api_client(key.client)
    with pytest.raises(ValidationError) as refused:
        create_subscription(client, tenant, {"url": receiver.url, "event_types": ["wage.changed"]})
    assert "wage.changed" in refused.value.message_dict["event_types"][0]
    subscription, secret = create_subscription(
        client, tenant, {"url": receiver.url, "event_types": ["*"]}, api_base="https://k.test"
    )
    drain(subscription.pk)  # the ping
    hr = actor_for("hr@demo-bv.test")
    employee = Employee.objects.for_tenant(tenant).order_by("pk").first()
    update_employee(
        hr,
        employee,
        {"iban": "BE68539007547034", "first_name": "Ibanna"},
        expected_version=employee.version,
    )
    employee.refresh_from_db()
    update_employee(hr, employee, {"iban": "BE71096123456769"}, expected_version=employee.version)
    set_wage(
        hr,
        employee,
        {"amount": "9999.00", "effective_from": dt.date.today() + dt.timedelta(days=40)},
    )
    drain(subscription.pk)
    bodies = [r.verify(secret) for r in receiver.events()]
    assert [b["type"] for b in bodies] == ["employee.updated"]  # not the bank-only change
    assert bodies[0]["data"]["changed_fields"] == ["first_name"]
    assert not WebhookDelivery.objects.filter(subscription=subscription, status="pending")


def test_a_revoked_clients_subscription_stops_and_sends_nothing(demo, receiver):
    owner = actor_for("owner@demo-bv.test")
    tenant = demo["demo-bv"]
    key, _plain = create_api_key(owner, tenant, "Leaving", ["employees:read", "webhooks:write"])
    subscription, _secret = create_subscription(
        Actor.for_api_client(key.client), tenant, {"url": receiver.url, "event_types": ["*"]}
    )
    drain(subscription.pk)  # the ping
    revoke_api_client(owner, key.client)
    change(demo)
    assert drain(subscription.pk) == 0
    subscription.refresh_from_db()
    assert not subscription.enabled and subscription.disabled_reason == "owner_gone"
    assert receiver.events() == []


def test_what_happens_while_a_new_url_awaits_its_ping_is_sent_once_the_ping_is_answered(
    demo, receiver
):
    """A subscription whose URL changed is verified again by a ping before it is sent
    events; the changes made meanwhile are owed to it, and follow the ping, in order."""
    subscription, secret = subscribe(demo, receiver)
    owner = actor_for("owner@demo-bv.test")
    with running_receiver() as moved:
        update_subscription(owner, subscription, {"url": moved.url})
        change(demo, first_name="Before the ping")
        change(demo, first_name="Still before")
        drain(subscription.pk)  # the ping, then what waited for it
        drain(subscription.pk)
        got = moved.wait_for(3, pings=True)
        assert [r.verify(secret)["type"] for r in got] == [
            "ping",
            "employee.updated",
            "employee.updated",
        ]
    assert receiver.events() == []


@pytest.mark.parametrize("made_by", ["member", "api_client"])
def test_a_member_who_points_a_webhook_at_a_new_url_gets_only_what_they_may_read(
    demo, receiver, made_by
):
    """Members who manage webhooks manage every subscription of the company. One whose role
    reads employees but not their identity or bank data may not turn another's full-object
    subscription (the owner's, or a key's with identity:read) to a URL of their own and so
    receive what only that other may read: the subscription is then theirs, and tells what
    they may read."""
    from kluis.company.services.roles import create_role
    from kluis.tenancy.models import Membership

    owner = actor_for("owner@demo-bv.test")
    tenant = demo["demo-bv"]
    if made_by == "member":
        maker = owner
    else:
        key, _plain = create_api_key(
            owner, tenant, "Identity sync", ["employees:read", "identity:read", "webhooks:write"]
        )
        maker = Actor.for_api_client(key.client)
    subscription, _secret = create_subscription(
        maker,
        tenant,
        {"url": receiver.url, "event_types": ["employee.updated"], "full_objects": True},
        api_base="https://kluis.test",
    )
    drain(subscription.pk)
    role = create_role(
        owner,
        tenant,
        name="Webhook keeper",
        grants={"people.view": "company", "integrations.manage_webhooks": "company"},
    )
    keeper = Membership.objects.for_tenant(tenant).get(user__email="member2@demo-bv.test")
    RoleAssignment.objects.create(tenant=tenant, membership=keeper, role=role)
    with running_receiver() as theirs:
        update_subscription(actor_for("member2@demo-bv.test"), subscription, {"url": theirs.url})
        employee = change(demo)
        drain(subscription.pk)
        drain(subscription.pk)
        [got] = theirs.wait_for(1)
        shown = got.json["data"]["object"]
    assert shown["id"] == employee.pk and shown["first_name"] == "Chiefina"
    assert "national_id" not in shown and "iban" not in shown
