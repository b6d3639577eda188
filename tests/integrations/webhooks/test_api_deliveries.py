"""/api/v1/webhooks/{id}/deliveries/: what was sent to a hook, newest first, each with
every attempt, filtered by state and event type, and one delivery sent again with its
first webhook-id; against a real receiver on loopback."""

from __future__ import annotations

import datetime as dt
import json

from django.utils import timezone

from kluis.integrations.webhooks.delivery import drain
from kluis.integrations.webhooks.maintenance import purge
from kluis.integrations.webhooks.models import WebhookDelivery
from tests.api_client import assert_problem
from tests.integrations.webhooks.api_helpers import (
    HOOKS,
    body,
    change_employee,
    hooks_client,
    subscribe,
)


def test_a_refused_delivery_shows_its_attempt_and_a_replay_delivers_it_with_the_same_id(
    demo, receiver
):
    zapier = hooks_client()
    made = subscribe(zapier, receiver.url)
    drain(made["id"])  # the ping: 200
    receiver.answer = lambda got: (400, {}, b'{"error":"unknown employee"}')
    worker = change_employee()
    drain(made["id"])
    url = f"{HOOKS}{made['id']}/deliveries/"
    listed = body(zapier.get(url))["results"]
    assert [row["event_type"] for row in listed] == ["employee.updated", "ping"]  # newest first
    failed = listed[0]
    assert failed["status"] == "failed" and failed["attempt_count"] == 1
    assert failed["last_status_code"] == 400 and failed["next_attempt_at"] is None
    assert "payload" not in failed
    one = body(zapier.get(f"{url}{failed['id']}/"))
    [attempt] = one["attempts"]
    assert attempt["status_code"] == 400 and attempt["outcome"] == "final"
    assert attempt["response_excerpt"] == '{"error":"unknown employee"}'
    assert attempt["duration_ms"] >= 0 and attempt["error"] == ""
    [sent] = receiver.events()
    assert one["payload"] == json.loads(sent.body)
    assert one["payload"]["data"]["id"] == worker
    assert one["message_id"] == sent.headers["webhook-id"]

    receiver.answer = lambda got: (200, {}, b"ok")
    again = zapier.post(f"{url}{failed['id']}/replay/", {})
    assert again.status_code == 202, again.content
    assert body(again)["status"] == "pending"
    drain(made["id"])
    resent = receiver.events()[-1]
    assert resent.headers["webhook-id"] == sent.headers["webhook-id"]
    assert resent.body == sent.body
    assert resent.verify(made["secret"])["type"] == "employee.updated"
    after = body(zapier.get(f"{url}{failed['id']}/"))
    assert after["status"] == "delivered" and after["finished_at"]
    assert [a["outcome"] for a in after["attempts"]] == ["final", "delivered"]


def test_deliveries_filter_by_state_and_event_type_and_page_by_cursor(demo, receiver):
    zapier = hooks_client()
    made = subscribe(zapier, receiver.url)
    drain(made["id"])
    for n in range(3):
        change_employee(first_name=f"Name {n}", index=n)
    url = f"{HOOKS}{made['id']}/deliveries/"
    pending = body(zapier.get(f"{url}?status=pending"))["results"]
    assert len(pending) == 3 and {row["status"] for row in pending} == {"pending"}
    assert all(row["next_attempt_at"] for row in pending)
    [ping] = body(zapier.get(f"{url}?event_type=ping"))["results"]
    assert ping["status"] == "delivered"
    assert body(zapier.get(f"{url}?status=failed"))["results"] == []
    stored = list(
        WebhookDelivery.objects.filter(subscription_id=made["id"])
        .order_by("-pk")
        .values_list("pk", flat=True)
    )
    walked, link = [], f"{url}?page_size=2"
    while link:
        page = body(zapier.get(link.replace("http://testserver", "")))
        walked += [row["id"] for row in page["results"]]
        link = page["next"]
    assert walked == stored
    oldest = body(zapier.get(f"{url}?ordering=id"))["results"]
    assert [row["id"] for row in oldest] == stored[::-1]
    for query, field in (("status=lost", "status"), ("nope=1", "nope"), ("cursor=x", "cursor")):
        problem = assert_problem(zapier.get(f"{url}?{query}"), 400)
        assert [e["field"] for e in problem["errors"]] == [field]
    assert_problem(zapier.get(f"{url}987654321/"), 404)
    assert_problem(zapier.get(f"{HOOKS}987654321/deliveries/"), 404)


def test_a_purged_payload_reads_as_null_and_its_attempts_stay(demo, receiver, settings):
    zapier = hooks_client()
    made = subscribe(zapier, receiver.url)
    drain(made["id"])
    ping = WebhookDelivery.objects.get(subscription_id=made["id"])
    WebhookDelivery.objects.filter(pk=ping.pk).update(
        created_at=timezone.now() - dt.timedelta(days=settings.WEBHOOK_RETENTION_DAYS + 1)
    )
    assert purge() == 1
    one = body(zapier.get(f"{HOOKS}{made['id']}/deliveries/{ping.pk}/"))
    assert one["payload"] is None and one["purged_at"]
    assert [a["status_code"] for a in one["attempts"]] == [200]


def test_a_delivery_of_another_hook_is_not_found_under_this_one(demo, receiver):
    zapier = hooks_client()
    first, second = subscribe(zapier, receiver.url), subscribe(zapier, receiver.url)
    ping = WebhookDelivery.objects.get(subscription_id=second["id"])
    url = f"{HOOKS}{first['id']}/deliveries/{ping.pk}/"
    assert_problem(zapier.get(url), 404)
    assert_problem(zapier.post(f"{url}replay/", {}), 404)
    assert body(zapier.get(f"{HOOKS}{second['id']}/deliveries/{ping.pk}/"))["id"] == ping.pk
