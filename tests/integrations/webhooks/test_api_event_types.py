"""/api/v1/webhook-event-types/: the catalogue for any valid credential, in the reader's
language; its samples (Zapier's perform list): the latest thin payloads of the caller's
company, or the documented example while there is none."""

from __future__ import annotations

from django.utils import translation

from kluis.integrations.webhooks import catalogue, openapi
from kluis.people.models import Employee
from tests.api_client import assert_problem
from tests.conftest import actor_for
from tests.integrations.webhooks.api_helpers import body, change_employee, hooks_client

TYPES = "/api/v1/webhook-event-types/"


def test_every_catalogue_event_is_listed_for_any_valid_credential(demo):
    reader = hooks_client(scopes=["employees:read"])
    response = reader.get(TYPES)
    assert response.status_code == 200, response.content
    listed = body(response)["results"]
    assert [row["name"] for row in listed] == [e.name for e in catalogue.event_types()]
    assert "ping" not in {row["name"] for row in listed}
    by_name = {row["name"]: row for row in listed}
    hired = by_name["employee.created"]
    assert hired["summary"] == "An employee was hired"
    assert (hired["object_type"], hired["resource"]) == ("people.employee", "employees")
    for kind in catalogue.event_types():  # the examples of the OpenAPI document's webhooks
        assert by_name[kind.name]["example"] == openapi.example_body(kind)
    example = hired["example"]
    assert example["type"] == "employee.created" and example["id"].startswith("evt_")
    assert example["data"]["url"].endswith(f"/api/v1/employees/{example['data']['id']}/")
    assert by_name["employee.updated"]["example"]["data"]["changed_fields"]
    assert by_name["emergency_contact.created"]["resource"] is None
    assert by_name["emergency_contact.created"]["example"]["data"]["employee"]
    assert hooks_client(scopes=["roles:read"]).get(TYPES).status_code == 200
    assert_problem(hooks_client().client.get(TYPES), 401)
    assert_problem(reader.get(f"{TYPES}?page_size=5"), 400)


def test_summaries_are_in_the_readers_language(demo):
    reader = hooks_client(scopes=["employees:read"])
    for language in ("nl", "fr", "en"):
        response = reader.get(TYPES, headers={"Accept-Language": language})
        assert response["Content-Language"] == language
        with translation.override(language):
            expected = {e.name: str(e.summary) for e in catalogue.event_types()}
        assert {row["name"]: row["summary"] for row in body(response)["results"]} == expected


def test_samples_are_the_latest_thin_payloads_of_the_callers_company(demo):
    zapier = hooks_client()
    url = f"{TYPES}employee.updated/samples/"
    [example] = body(zapier.get(url))["results"]  # nothing happened yet: the example
    assert example == openapi.example_body(catalogue.get("employee.updated"))
    ids = [change_employee(first_name=f"N{n}", index=n) for n in range(4)]
    change_employee("other-nv", first_name="Elsewhere")
    samples = body(zapier.get(url))["results"]
    assert [s["data"]["id"] for s in samples] == ids[:0:-1]  # the 3 newest, newest first
    for sample in samples:
        assert sample["type"] == "employee.updated"
        assert sample["company"]["slug"] == "demo-bv"
        assert sample["data"]["changed_fields"] == ["first_name"]
        assert sample["data"]["url"].startswith("http://testserver/api/v1/employees/")
        assert "first_name" not in sample["data"]  # thin: names of fields, never values
    other = body(hooks_client("other-nv").get(url))["results"]
    assert [s["company"]["slug"] for s in other] == ["other-nv"]
    assert_problem(zapier.get(f"{TYPES}employee.promoted/samples/"), 404)
    assert_problem(zapier.get(f"{TYPES}ping/samples/"), 404)
    assert_problem(hooks_client(scopes=["employees:read"]).get(url), 403)


def test_samples_tell_a_client_only_what_its_webhooks_would(demo):
    """A key that may not read wages gets the catalogue's example, not the company's
    recent wage changes."""
    from datetime import date, timedelta

    from kluis.people.services.pay import set_wage

    employee = Employee.objects.for_tenant(demo["demo-bv"]).order_by("pk").first()
    set_wage(
        actor_for("hr@demo-bv.test"),
        employee,
        {"amount": "9999.00", "effective_from": date.today() + timedelta(days=40)},
    )
    blind = hooks_client()  # webhooks:write and employees:read, no wages:read
    seeing = hooks_client(scopes=["webhooks:write", "wages:read"])
    url = "/api/v1/webhook-event-types/wage.created/samples/"
    [example] = body(blind.get(url))["results"]
    assert example["id"] == openapi.example_body(catalogue.get("wage.created"))["id"]
    found = body(seeing.get(url))["results"]
    assert found[0]["data"]["employee"] == employee.pk
