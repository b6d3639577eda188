"""A leaver with every kind of door open, and the steps of an offboarding, for the tests."""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.test import Client, override_settings
from django.utils import timezone
from oauth2_provider.models import AccessToken, RefreshToken

from kluis.access.actor import Actor
from kluis.access.models import RoleAssignment
from kluis.approvals import services as approvals
from kluis.approvals.models import ApprovalRequest
from kluis.company.services import create_role
from kluis.integrations.models import ApiClient, ApiKey, OAuthConnection, WebhookSubscription
from kluis.integrations.services import (
    connect_app,
    create_api_client,
    create_api_key,
    create_oauth_client,
    register_oauth_app,
)
from kluis.integrations.webhooks.services import create_subscription
from kluis.offboarding import services
from kluis.offboarding.models import Offboarding
from kluis.people.models import Employee
from kluis.tenancy.models import Membership
from tests.conftest import actor_for, member
from tests.identity.app_token_helpers import tokens

LEAVER = "member1@demo-bv.test"
HR = "hr@demo-bv.test"
OWNER = "owner@demo-bv.test"
INTEGRATIONS = {
    "integrations.manage": "company",
    "integrations.manage_webhooks": "company",
    "people.view": "company",
}


@dataclass
class Doors:
    """What the leaver holds: a browser, an app sign-in, an API key, the company's
    clients and a webhook they made, an app they connected with its tokens."""

    browser: Client
    app_access: str
    key: ApiKey
    key_plaintext: str
    basic: ApiClient
    basic_secret: str
    oauth_client: ApiClient
    webhook: WebhookSubscription
    connection: OAuthConnection
    oauth_access: AccessToken
    oauth_refresh: RefreshToken
    extra: dict[str, Any] = field(default_factory=dict)


def may_manage_integrations(email: str, slug: str = "demo-bv") -> Membership:
    found = member(email, slug)
    owner = actor_for(OWNER if slug == "demo-bv" else "owner@other-nv.test", slug)
    role = create_role(owner, found.tenant, name=f"Integrations {email}", grants=INTEGRATIONS)
    RoleAssignment.objects.create(tenant=found.tenant, membership=found, role=role)
    return found


def signed_in_browser(email: str) -> Client:
    browser = Client(HTTP_USER_AGENT="The leaver's browser")
    response = browser.post(
        "/accounts/login/", {"login": email, "password": settings.DEMO_PASSWORD}, secure=True
    )
    assert response.status_code == 302, response.content[:300]
    assert browser.get("/", secure=True).status_code == 200
    return browser


def open_doors(email: str = LEAVER, slug: str = "demo-bv") -> Doors:
    leaver = may_manage_integrations(email, slug)
    actor = Actor.for_member(member(email, slug))
    tenant = leaver.tenant
    key, plaintext = create_api_key(actor, tenant, "My script", ["employees:read"])
    basic, secret = create_api_client(actor, tenant, "Payroll sync", ["employees:read"])
    oauth_client, _id, _secret = create_oauth_client(actor, tenant, "BI", ["employees:read"])
    with override_settings(WEBHOOK_ALLOW_PRIVATE_TARGETS=True):
        webhook, _whsec = create_subscription(
            actor, tenant, {"url": "http://127.0.0.1:9/hook", "event_types": ["*"]}
        )
    application, _app_secret = register_oauth_app(
        Actor.system("tests"), f"Planner {slug}", ["https://app.example.com/cb"]
    )
    connection = connect_app(actor, tenant, leaver.user, application, ["employees:read"])
    expires = timezone.now() + dt.timedelta(hours=1)
    access = AccessToken.objects.create(
        user=leaver.user, application=application, token=f"oauth-{slug}-a", expires=expires
    )
    refresh = RefreshToken.objects.create(
        user=leaver.user, application=application, token=f"oauth-{slug}-r", access_token=access
    )
    return Doors(
        browser=signed_in_browser(email),
        app_access=tokens(email)["access_token"],
        key=key,
        key_plaintext=plaintext,
        basic=basic,
        basic_secret=secret,
        oauth_client=oauth_client,
        webhook=webhook,
        connection=connection,
        oauth_access=access,
        oauth_refresh=refresh,
    )


def employee_of(email: str, slug: str = "demo-bv") -> Employee:
    return Employee.objects.get(membership=member(email, slug))


def request_offboarding(
    employee: Employee,
    *,
    by: str = HR,
    moment: str = "immediately",
    last_day: dt.date | None = None,
    handover_to: Membership | None = None,
) -> Offboarding:
    slug = employee.tenant.slug
    return services.request_offboarding(
        actor_for(by, slug),
        employee,
        {
            "last_day": last_day or timezone.localdate(),
            "reason": "Resigned",
            "moment": moment,
            "handover_to": handover_to.pk if handover_to else None,
        },
    )


def approve(offboarding: Offboarding, by: str = OWNER) -> Offboarding:
    """The second person approves the offboarding's request through the approvals core."""
    approver = actor_for(by, offboarding.tenant.slug)
    request = ApprovalRequest.objects.get(pk=offboarding.approval_request_id)
    approvals.approve(approver, request)
    offboarding.refresh_from_db()
    return offboarding


def api_status(credential: str, *, basic: bool = False) -> int:
    header = (
        "Basic " + base64.b64encode(credential.encode()).decode()
        if basic
        else f"Bearer {credential}"
    )
    return Client().get("/api/v1/employees/", secure=True, HTTP_AUTHORIZATION=header).status_code


def an_offboarding(tenant: Any, email_local: str = "member3") -> Offboarding:
    """One offboarding waiting for approval in `tenant` (the demo has none), for the API
    tests that need a row of every resource."""
    people = Employee.objects.filter(tenant=tenant)
    domain = f"{tenant.slug}.test"
    return services.request_offboarding(
        Actor.system("tests", tenant),
        people.get(work_email=f"{email_local}@{domain}"),
        {
            "last_day": "2026-12-31",
            "reason": "Resigned",
            "moment": "end_of_last_day",
            "handover_to": people.get(work_email=f"owner@{domain}").membership_id,
        },
    )
