"""Zapier's REST hook pattern end to end over real HTTP, signed in as Zapier is: a member
connects the app (OAuth 2.0 authorization code with PKCE, the connected-apps flow) for
scopes webhooks:write and employees:read; the app subscribes a hook, reads the samples of
its trigger, a change in Kluis reaches the hook signed, the app reads the object the
payload links to, and unsubscribes."""

from __future__ import annotations

import requests

from kluis.integrations.webhooks.delivery import drain
from kluis.integrations.webhooks.models import WebhookSubscription
from tests.integrations.test_oauth_authorization_code import app, consent, exchange  # noqa: F401
from tests.integrations.webhooks.api_helpers import change_employee

SCOPES = "employees:read webhooks:write"


def test_a_connected_app_subscribes_gets_the_change_and_unsubscribes(
    demo,
    live_server,
    login,
    app,  # noqa: F811
    receiver,
):
    application, secret = app
    code, verifier = consent(login("owner@demo-bv.test"), application, SCOPES)
    tokens = exchange(
        live_server, application, secret, grant_type="authorization_code", code=code,
        code_verifier=verifier,
    )  # fmt: skip
    assert tokens.status_code == 200, tokens.text
    zapier = requests.Session()
    zapier.headers["Authorization"] = f"Bearer {tokens.json()['access_token']}"
    api = f"{live_server.url}/api/v1"

    samples = zapier.get(f"{api}/webhook-event-types/employee.updated/samples/", timeout=30)
    assert samples.status_code == 200, samples.text
    assert samples.json()["results"][0]["type"] == "employee.updated"
    made = zapier.post(
        f"{api}/webhooks/",
        json={"url": receiver.url, "event_types": ["employee.updated"], "description": "Zap"},
        timeout=30,
    )
    assert made.status_code == 201, made.text
    hook = made.json()
    assert WebhookSubscription.objects.get(pk=hook["id"]).api_base == live_server.url

    drain(hook["id"])  # the worker: the ping, then the change
    worker = change_employee()
    drain(hook["id"])
    [got] = receiver.wait_for(1)
    payload = got.verify(hook["secret"])
    assert payload["data"]["url"] == f"{api}/employees/{worker}/"
    read = zapier.get(payload["data"]["url"], timeout=30)
    assert read.status_code == 200 and read.json()["first_name"] == "Chiefina"
    latest = zapier.get(f"{api}/webhook-event-types/employee.updated/samples/", timeout=30)
    assert latest.json()["results"][0] == payload

    gone = zapier.delete(f"{api}/webhooks/{hook['id']}/", timeout=30)
    assert gone.status_code == 204
    change_employee(first_name="After")
    assert drain(hook["id"]) == 0
    assert len(receiver.events()) == 1
