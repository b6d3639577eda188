"""Helpers of the webhook API tests: keys with scope webhooks:write (and employees:read, to
be told of employees: a webhook tells only what its owner may read), subscribing through
the API, and a change to an employee made through the services."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from kluis.people.models import Employee
from kluis.people.services import update_employee
from tests.api_client import Api, make_key
from tests.conftest import actor_for

HOOKS = "/api/v1/webhooks/"
WRITE = ["webhooks:write", "employees:read"]


def hooks_client(slug: str = "demo-bv", scopes: list[str] | None = None) -> Api:
    """A new API client (its own key) of a company, by default with webhooks:write and
    employees:read."""
    return Api(Client(), make_key(slug, scopes if scopes is not None else WRITE))


def delete(api: Api, url: str) -> Any:
    return api.client.delete(url, headers=api._headers(None))


def subscribe(api: Api, url: str, events: list[str] | None = None, **extra: Any) -> dict:
    response = api.post(HOOKS, {"url": url, "event_types": events or ["employee.updated"], **extra})
    assert response.status_code == 201, response.content[:500]
    return dict(json.loads(response.content))


def body(response: Any) -> Any:
    return json.loads(response.content)


def change_employee(slug: str = "demo-bv", first_name: str = "Chiefina", index: int = 0) -> int:
    """An HR admin changes an employee's first name (through the service); its id."""
    hr = actor_for(f"hr@{slug}.test")
    employee = Employee.objects.filter(tenant__slug=slug).order_by("pk")[index]
    update_employee(hr, employee, {"first_name": first_name}, expected_version=employee.version)
    return employee.pk
