"""The OpenAPI document lists every webhook event of the catalogue under `webhooks`, with
the Standard Webhooks headers, a thin and a full example, and the payload's schema."""

from __future__ import annotations

from jsonschema import Draft202012Validator

from kluis.integrations.webhooks import catalogue
from tests.api.test_schema import resolve, schema


def test_every_catalogue_event_is_a_webhook_of_the_openapi_document(db):
    document = schema()
    webhooks = document["webhooks"]
    assert set(webhooks) == {event.name for event in catalogue.event_types()}
    assert "tenant.created" not in webhooks and "api_key.created" not in webhooks
    for event in catalogue.event_types():
        operation = webhooks[event.name]["post"]
        assert operation["summary"] == str(event.summary)
        headers = {p["name"]: p for p in operation["parameters"] if p["in"] == "header"}
        assert set(headers) == {"webhook-id", "webhook-timestamp", "webhook-signature"}
        assert all(header["required"] for header in headers.values())
        assert {"2XX", "410"} <= set(operation["responses"])
        body = operation["requestBody"]["content"]["application/json"]
        payload = resolve(document, body["schema"])
        assert set(payload["required"]) == {"id", "type", "timestamp", "company", "data"}
        thin, full = body["examples"]["thin"]["value"], body["examples"]["full"]["value"]
        for example in (thin, full):
            Draft202012Validator(payload).validate(example)
            assert example["type"] == event.name
            assert example["id"].startswith("evt_")
            assert set(example["company"]) == {"id", "slug"}
            assert set(payload["required"]) <= set(example)
            assert set(payload["properties"]["data"]["required"]) <= set(example["data"])
        assert "object" not in thin["data"]
        assert full["data"]["object"] == (event.example_object or None)
        if event.resource:
            assert thin["data"]["url"].endswith(f"/api/v1/{event.resource}/{thin['data']['id']}/")
        else:
            assert thin["data"]["url"] is None
        if event.example_fields:
            assert thin["data"]["changed_fields"] == list(event.example_fields)
        if event.parent:
            assert isinstance(thin["data"][event.parent], int)


def test_a_webhooks_example_names_what_its_event_adds(db):
    webhooks = schema()["webhooks"]
    role = webhooks["member.role_changed"]["post"]["requestBody"]["content"]["application/json"]
    data = role["examples"]["thin"]["value"]["data"]
    assert (data["type"], data["change"]) == ("member", "granted")
    assert data["changed_fields"] == ["roles"]
    assert isinstance(data["role"], int)
    left = webhooks["employee.left"]["post"]["requestBody"]["content"]["application/json"]
    assert isinstance(left["examples"]["thin"]["value"]["data"]["employment"], int)
    wage = webhooks["wage.changed"]["post"]
    assert "employee" in wage["description"]
