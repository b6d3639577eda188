"""/api/v1/webhooks/ over real HTTP: Zapier's REST hook subscribes (POST, the secret shown
once), is pinged, receives changes signed per Standard Webhooks (checked with the
`standardwebhooks` library) and unsubscribes (DELETE); changes, secret rotation, pings
and replays go through the services."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from kluis.audit.models import AuditEvent
from kluis.integrations.webhooks.delivery import drain
from kluis.integrations.webhooks.models import WebhookDelivery, WebhookSubscription
from kluis.integrations.webhooks.services import update_subscription
from tests.api_client import assert_problem
from tests.integrations.webhooks.api_helpers import (
    HOOKS,
    body,
    change_employee,
    delete,
    hooks_client,
    subscribe,
)
from tests.integrations.webhooks.receiver import running_receiver


def test_subscribing_shows_the_secret_once_and_the_hook_is_active_after_its_ping(demo, receiver):
    zapier = hooks_client()
    response = zapier.post(
        HOOKS,
        {"url": receiver.url, "event_types": ["employee.created"], "description": "Zap"},
    )
    assert response.status_code == 201, response.content
    assert "no-store" in response["Cache-Control"]
    made = body(response)
    assert made["secret"].startswith("whsec_")
    assert made["status"] == "pending_ping" and made["verified_at"] is None
    assert made["event_types"] == ["employee.created"] and made["description"] == "Zap"
    assert made["enabled"] is True and made["full_objects"] is False
    assert made["disabled_reason"] is None and made["failing_since"] is None
    assert response["Location"] == f"/api/v1/webhooks/{made['id']}/"
    stored = WebhookSubscription.objects.get(pk=made["id"])
    assert stored.api_base == "http://testserver"
    assert made["secret"] not in stored.secret_sealed
    read = zapier.get(f"{HOOKS}{made['id']}/")
    assert read.status_code == 200
    assert "secret" not in body(read) and made["secret"].encode() not in read.content
    assert [row["id"] for row in body(zapier.get(HOOKS))["results"]] == [made["id"]]
    audit = AuditEvent.objects.get(action="webhook.created", object_id=str(made["id"]))
    assert made["secret"] not in str(audit.changes)

    drain(made["id"])  # the worker sends the ping
    [ping] = receiver.wait_for(1, pings=True)
    assert ping.verify(made["secret"])["type"] == "ping"
    assert body(zapier.get(f"{HOOKS}{made['id']}/"))["status"] == "active"


def test_a_change_reaches_the_hook_and_after_unsubscribing_nothing_more_does(demo, receiver):
    zapier = hooks_client()
    made = subscribe(zapier, receiver.url)
    drain(made["id"])
    worker = change_employee()
    drain(made["id"])
    [got] = receiver.wait_for(1)
    payload = got.verify(made["secret"])
    assert payload["type"] == "employee.updated"
    assert payload["data"]["url"] == f"http://testserver/api/v1/employees/{worker}/"
    assert payload["data"]["changed_fields"] == ["first_name"]

    gone = delete(zapier, f"{HOOKS}{made['id']}/")
    assert gone.status_code == 204
    assert not WebhookSubscription.objects.filter(pk=made["id"]).exists()
    assert_problem(zapier.get(f"{HOOKS}{made['id']}/"), 404)
    change_employee(first_name="Again")
    assert drain(made["id"]) == 0
    assert len(receiver.events()) == 1


def test_bad_input_is_a_422_naming_each_field_and_makes_nothing(demo, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    zapier = hooks_client()
    public = "https://93.184.215.14/hook"
    for sent, fields in (
        ({"url": public, "event_types": ["employee.promoted"]}, {"event_types"}),
        ({"event_types": ["employee.created"]}, {"url"}),
        ({"url": "https://127.0.0.1/hook", "event_types": ["employee.created"]}, {"url"}),
        ({"url": "https://10.1.2.3/hook", "event_types": ["*"]}, {"url"}),
        ({"url": "ftp://93.184.215.14/", "event_types": ["*"]}, {"url"}),
        ({"url": "https://93.184.215.14/h", "event_types": []}, {"event_types"}),
        ({"url": "https://93.184.215.14/h", "event_types": ["*"], "secret": "x"}, {"secret"}),
        ({"url": "https://93.184.215.14/h", "event_types": ["*"], "enabled": "yes"}, {"enabled"}),
    ):
        problem = assert_problem(zapier.post(HOOKS, sent), 422)
        assert {e["field"] for e in problem["errors"]} == fields, (sent, problem)
    assert not WebhookSubscription.objects.exists()
    assert_problem(zapier.post(HOOKS, ["not", "an", "object"]), 400)


def test_a_public_target_is_taken_and_waits_for_its_ping(demo, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    made = subscribe(hooks_client(), "https://93.184.215.14/hook", ["*"])
    assert made["event_types"] == ["*"] and made["status"] == "pending_ping"
    assert WebhookDelivery.objects.get(subscription_id=made["id"]).event_type == "ping"


def test_patch_changes_what_is_sent_and_a_new_url_is_pinged_again(demo, receiver):
    zapier = hooks_client()
    made = subscribe(zapier, receiver.url)
    drain(made["id"])
    url = f"{HOOKS}{made['id']}/"
    changed = zapier.patch(url, {"description": "Payroll", "event_types": ["*"]})
    assert changed.status_code == 200, changed.content
    assert body(changed)["description"] == "Payroll" and body(changed)["status"] == "active"
    off = body(zapier.patch(url, {"enabled": False}))
    assert (off["status"], off["disabled_reason"]) == ("disabled", "by_member")
    on = body(zapier.patch(url, {"enabled": True}))
    assert (on["status"], on["disabled_reason"]) == ("active", None)
    with running_receiver() as other:
        moved = body(zapier.patch(url, {"url": other.url}))
        assert moved["status"] == "pending_ping" and moved["url"] == other.url
        drain(made["id"])
        [ping] = other.wait_for(1, pings=True)
        assert ping.verify(made["secret"])["type"] == "ping"
    assert body(zapier.get(url))["status"] == "active"
    problem = assert_problem(zapier.patch(url, {"event_types": ["nope.never"]}), 422)
    assert [e["field"] for e in problem["errors"]] == ["event_types"]
    assert body(zapier.get(url))["event_types"] == ["*"]
    updates = AuditEvent.objects.filter(action="webhook.updated", object_id=str(made["id"]))
    assert updates.count() == 4


def test_a_rotated_secret_signs_with_the_old_one_for_a_day(demo, receiver):
    zapier = hooks_client()
    made = subscribe(zapier, receiver.url)
    drain(made["id"])
    rotated = zapier.post(f"{HOOKS}{made['id']}/rotate-secret/", {})
    assert rotated.status_code == 200, rotated.content
    assert "no-store" in rotated["Cache-Control"]
    new = body(rotated)
    assert new["secret"].startswith("whsec_") and new["secret"] != made["secret"]
    expires = dt.datetime.fromisoformat(new["previous_secret_expires_at"])
    assert abs(expires - timezone.now() - dt.timedelta(hours=24)) < dt.timedelta(minutes=1)
    assert body(zapier.get(f"{HOOKS}{made['id']}/"))["previous_secret_expires_at"]
    pinged = zapier.post(f"{HOOKS}{made['id']}/ping/", {})
    assert pinged.status_code == 202, pinged.content
    assert body(pinged)["event_type"] == "ping" and body(pinged)["status"] == "pending"
    drain(made["id"])
    latest = receiver.wait_for(2, pings=True)[-1]
    assert latest.headers["webhook-id"] == body(pinged)["message_id"]
    assert latest.verify(new["secret"])["type"] == "ping"
    assert latest.verify(made["secret"])["type"] == "ping"  # both signatures sent
    assert AuditEvent.objects.filter(action="webhook.secret_rotated").count() == 1
    assert_problem(zapier.post(f"{HOOKS}{made['id']}/ping/", {"now": True}), 422)


def test_replay_since_sends_what_was_missed_while_the_hook_was_off(demo, receiver):
    zapier = hooks_client()
    made = subscribe(zapier, receiver.url)
    drain(made["id"])
    url = f"{HOOKS}{made['id']}/"
    zapier.patch(url, {"enabled": False})
    since = timezone.now() - dt.timedelta(seconds=1)
    change_employee(first_name="One")
    change_employee(first_name="Two", index=1)
    zapier.patch(url, {"enabled": True})
    drain(made["id"])
    assert receiver.events() == []
    stamp = since.isoformat().replace("+00:00", "Z")
    replayed = zapier.post(f"{url}replay/", {"since": stamp})
    assert replayed.status_code == 202, replayed.content
    assert body(replayed) == {"queued": 2}
    drain(made["id"])
    got = receiver.wait_for(2)
    assert [g.verify(made["secret"])["type"] for g in got] == ["employee.updated"] * 2
    naive = assert_problem(zapier.post(f"{url}replay/", {"since": "2026-03-01T08:00:00"}), 422)
    assert [e["field"] for e in naive["errors"]] == ["since"]
    assert_problem(zapier.post(f"{url}replay/", {}), 422)


def test_an_api_client_sees_and_changes_only_the_hooks_it_made(demo, receiver):
    zapier, other = hooks_client(), hooks_client()
    made = subscribe(zapier, receiver.url)
    drain(made["id"])
    change_employee()
    drain(made["id"])
    delivery = WebhookDelivery.objects.filter(subscription_id=made["id"]).latest("pk")
    url = f"{HOOKS}{made['id']}/"
    assert body(other.get(HOOKS))["results"] == []
    for response in (
        other.get(url),
        other.patch(url, {"enabled": False}),
        delete(other, url),
        other.post(f"{url}rotate-secret/", {}),
        other.post(f"{url}ping/", {}),
        other.post(f"{url}replay/", {"since": "2026-01-01T00:00:00Z"}),
        other.get(f"{url}deliveries/"),
        other.get(f"{url}deliveries/{delivery.pk}/"),
        other.post(f"{url}deliveries/{delivery.pk}/replay/", {}),
    ):
        assert_problem(response, 404)
    assert body(zapier.get(url))["enabled"] is True
    assert WebhookDelivery.objects.filter(subscription_id=made["id"]).count() == 2


def test_the_list_pages_by_cursor_and_refuses_bad_parameters(demo, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    zapier = hooks_client()
    made = [subscribe(zapier, f"https://93.184.215.14/hook/{n}")["id"] for n in range(5)]
    first = body(zapier.get(f"{HOOKS}?page_size=2"))
    seen = [row["id"] for row in first["results"]]
    link = first["next"]
    while link:
        page = body(zapier.get(link.replace("http://testserver", "")))
        seen += [row["id"] for row in page["results"]]
        link = page["next"]
    assert seen == made
    newest = body(zapier.get(f"{HOOKS}?ordering=-created_at"))["results"]
    assert [row["id"] for row in newest] == made[::-1]
    for query, field in (
        ("no_such_filter=1", "no_such_filter"),
        ("cursor=made-up", "cursor"),
        ("page_size=0", "page_size"),
        ("ordering=url", "ordering"),
    ):
        problem = assert_problem(zapier.get(f"{HOOKS}?{query}"), 400)
        assert [e["field"] for e in problem["errors"]] == [field]
    problem = assert_problem(zapier.get(f"{HOOKS}not-an-id/"), 400)
    assert [e["field"] for e in problem["errors"]] == ["id"]
    assert_problem(zapier.get(f"{HOOKS}987654321/"), 404)


# Addresses inside the network, in the forms an attacker writes them: decimal, octal and
# short IPv4, IPv4 in IPv6 (mapped, compatible, NAT64, 6to4), unspecified, metadata, CGNAT,
# unique-local and (deprecated, still routed by some networks) site-local IPv6.
INSIDE = (
    "http://2130706433/",
    "http://0177.0.0.1/",
    "http://0x7f.0.0.1/",
    "http://127.1/",
    "http://0/",
    "http://0.0.0.0/",
    "http://[::]/",
    "http://[::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:7f00:1]/",
    "http://[::127.0.0.1]/",
    "http://[64:ff9b::a9fe:a9fe]/",
    "http://[2002:a9fe:a9fe::1]/",
    "http://169.254.169.254/latest/meta-data/",
    "http://100.64.0.1/",
    "http://192.168.1.1/",
    "http://[fd00::1]/",
    "http://[fd00:ec2::254]/",
    "http://[fe80::1]/",
    "http://[fec0::1]/",
    "http://[ff02::1]/",
    "http://224.0.0.1/",
)


def test_every_form_of_an_inside_address_is_refused_on_create_and_on_a_new_url(
    demo, receiver, settings
):
    zapier = hooks_client()
    made = subscribe(zapier, receiver.url)
    url = f"{HOOKS}{made['id']}/"
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    for target in INSIDE:
        problem = assert_problem(zapier.post(HOOKS, {"url": target, "event_types": ["*"]}), 422)
        assert [e["field"] for e in problem["errors"]] == ["url"], (target, problem)
        problem = assert_problem(zapier.patch(url, {"url": target}), 422)
        assert [e["field"] for e in problem["errors"]] == ["url"], (target, problem)
    assert WebhookSubscription.objects.count() == 1
    assert body(zapier.get(url))["url"] == receiver.url


def test_a_hook_a_member_pointed_elsewhere_is_no_longer_the_clients(demo, receiver):
    """Its deliveries now carry the member's reading, which the key may not have."""
    from tests.conftest import actor_for

    zapier = hooks_client()
    made = subscribe(zapier, receiver.url)
    url = f"{HOOKS}{made['id']}/"
    subscription = WebhookSubscription.objects.get(pk=made["id"])
    with running_receiver() as theirs:
        update_subscription(actor_for("hr@demo-bv.test"), subscription, {"url": theirs.url})
    assert_problem(zapier.get(url), 404)
    assert_problem(zapier.get(f"{url}deliveries/"), 404)
    assert_problem(zapier.patch(url, {"url": receiver.url}), 404)
    assert body(zapier.get(HOOKS))["results"] == []
