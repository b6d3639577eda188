"""Who reaches the webhook API: another company's client gets the 404 of an id that does
not exist on every URL (and changes nothing); a key without webhooks:write is refused
before any lookup; a member reaches it with their app token only with the permission
integrations.manage_webhooks, and then sees every subscription of the company."""

from __future__ import annotations

from django.test import Client

from kluis.integrations.webhooks.delivery import drain
from kluis.integrations.webhooks.models import WebhookDelivery, WebhookSubscription
from tests.api_client import Api, assert_problem
from tests.identity.app_token_helpers import tokens
from tests.integrations.webhooks.api_helpers import (
    HOOKS,
    body,
    change_employee,
    delete,
    hooks_client,
    subscribe,
)


def every_request(api: Api, hook: int, delivery: int) -> list[tuple[str, object]]:
    url = f"{HOOKS}{hook}/"
    return [
        ("GET item", api.get(url)),
        ("PATCH item", api.patch(url, {"enabled": False})),
        ("DELETE item", delete(api, url)),
        ("rotate", api.post(f"{url}rotate-secret/", {})),
        ("ping", api.post(f"{url}ping/", {})),
        ("replay", api.post(f"{url}replay/", {"since": "2026-01-01T00:00:00Z"})),
        ("deliveries", api.get(f"{url}deliveries/")),
        ("delivery", api.get(f"{url}deliveries/{delivery}/")),
        ("delivery replay", api.post(f"{url}deliveries/{delivery}/replay/", {})),
    ]


def stored(pk: int) -> tuple:
    hook = WebhookSubscription.objects.filter(pk=pk).values().get()
    deliveries = list(WebhookDelivery.objects.filter(subscription_id=pk).values().order_by("pk"))
    return hook, deliveries


def a_hook_with_a_delivery(receiver) -> tuple[Api, int, int]:  # type: ignore[no-untyped-def]
    zapier = hooks_client()
    made = subscribe(zapier, receiver.url)
    drain(made["id"])
    change_employee()
    drain(made["id"])
    delivery = WebhookDelivery.objects.filter(subscription_id=made["id"]).latest("pk").pk
    return zapier, made["id"], delivery


def test_another_companys_client_gets_404_everywhere_and_changes_nothing(demo, receiver):
    _zapier, hook, delivery = a_hook_with_a_delivery(receiver)
    before = stored(hook)
    stranger = hooks_client("other-nv")
    got = every_request(stranger, hook, delivery)
    missing = every_request(stranger, 987654321, 987654322)
    for (what, response), (_same, absent) in zip(got, missing, strict=True):
        problem = assert_problem(response, 404)
        assert problem["detail"] == assert_problem(absent, 404)["detail"], what
    assert body(stranger.get(HOOKS))["results"] == []
    assert stored(hook) == before


def test_a_key_without_webhooks_write_is_refused_before_any_lookup(demo, receiver):
    _zapier, hook, delivery = a_hook_with_a_delivery(receiver)
    before = stored(hook)
    everything_else = ["employees:read", "employees:write", "wages:read", "roles:read"]
    reader = hooks_client(scopes=everything_else)
    for hook_id, delivery_id in ((hook, delivery), (987654321, 987654322)):
        for what, response in every_request(reader, hook_id, delivery_id):
            assert_problem(response, 403), what
    assert_problem(reader.get(HOOKS), 403)
    assert_problem(reader.post(HOOKS, {"url": receiver.url, "event_types": ["*"]}), 403)
    assert_problem(reader.get("/api/v1/webhook-event-types/employee.created/samples/"), 403)
    assert stored(hook) == before
    assert WebhookSubscription.objects.count() == 1


def app(email: str) -> Api:
    """The API as a member's app (an app token from signing in)."""
    return Api(Client(), tokens(email)["access_token"])


def test_a_member_needs_the_permission_and_then_sees_every_hook_of_the_company(demo, receiver):
    _zapier, hook, delivery = a_hook_with_a_delivery(receiver)
    before = stored(hook)
    manager = app("manager@demo-bv.test")
    assert_problem(manager.get(HOOKS), 403)
    assert_problem(manager.post(HOOKS, {"url": receiver.url, "event_types": ["*"]}), 403)
    for what, response in every_request(manager, hook, delivery):
        assert_problem(response, 403), what
    assert stored(hook) == before

    hr = app("hr@demo-bv.test")
    assert [row["id"] for row in body(hr.get(HOOKS))["results"]] == [hook]
    assert body(hr.get(f"{HOOKS}{hook}/deliveries/{delivery}/"))["status"] == "delivered"
    mine = hr.post(HOOKS, {"url": receiver.url, "event_types": ["employee.created"]})
    assert mine.status_code == 201, mine.content
    assert body(mine)["created_by"] == "hr@demo-bv.test"
    turned_off = hr.patch(f"{HOOKS}{hook}/", {"enabled": False})
    assert body(turned_off)["status"] == "disabled"
