"""Clients of the calendar's API for its tests: keys of given scopes (tests/api_client.py)
and members signed in as an app (an access token carrying the member's own roles)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.test import Client

from kluis.access.actor import Actor
from kluis.people.models import Employee
from kluis.tenancy.models import Tenant
from kluis.timeoff import services
from kluis.timeoff.models import LeaveRequest, LeaveType, Rule
from tests.api_client import Api
from tests.identity.app_token_helpers import tokens
from tests.timeoff.conftest import employee_of, next_weekday


class MemberApi(Api):
    """A member's app token over HTTPS, as an app calls the API."""

    def __init__(self, email: str) -> None:
        super().__init__(Client(), tokens(email)["access_token"])

    def get(self, url: str, headers: dict[str, str] | None = None) -> Any:
        return self.client.get(url, headers=self._headers(headers), secure=True)

    def post(self, url: str, body: Any, headers: dict[str, str] | None = None) -> Any:
        return self.client.post(
            url,
            json.dumps(body),
            content_type="application/json",
            headers=self._headers(headers),
            secure=True,
        )

    def patch(self, url: str, body: Any, headers: dict[str, str] | None = None) -> Any:
        return self.client.patch(
            url,
            json.dumps(body),
            content_type="application/json",
            headers=self._headers(headers),
            secure=True,
        )

    def delete(self, url: str, headers: dict[str, str] | None = None) -> Any:
        return self.client.delete(url, headers=self._headers(headers), secure=True)


def delete(api: Api, url: str, headers: dict[str, str] | None = None) -> Any:
    if isinstance(api, MemberApi):
        return api.delete(url, headers)
    return api.client.delete(url, headers=api._headers(headers))


def body(response: Any) -> Any:
    return json.loads(response.content)


def probe_type(
    tenant: Tenant, *, reason_visible_to: str = "approvers", code: str = ""
) -> LeaveType:
    """A leave type without a balance that the manager approves (any request fits)."""
    code = code or f"probe-{reason_visible_to}"
    found = LeaveType.objects.for_tenant(tenant).filter(code=code).first()
    if found is not None:
        return found
    return services.create_leave_type(
        Actor.system("tests", tenant),
        tenant,
        {
            "code": code,
            "name": code.title(),
            "rule": Rule.NONE,
            "approval": "manager",
            "reason_visible_to": reason_visible_to,
        },
    )


def a_day(tenant: Tenant, weeks: int = 6, weekday: int = 1) -> dt.date:
    return next_weekday(dt.date.today() + dt.timedelta(weeks=weeks), weekday, tenant=tenant)


def ask(
    tenant: Tenant,
    email: str,
    *,
    weeks: int = 6,
    reason: str = "Family visit",
    reason_visible_to: str = "approvers",
) -> LeaveRequest:
    """A pending one-day request of `email`, made by the system."""
    day = a_day(tenant, weeks)
    person: Employee = employee_of(email)
    return services.request_leave(
        Actor.system("tests", tenant),
        person,
        {
            "leave_type": probe_type(tenant, reason_visible_to=reason_visible_to),
            "start_date": day,
            "end_date": day,
            "reason": reason,
        },
    )
