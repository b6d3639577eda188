"""Tenant isolation: a member of Other NV reaches nothing of Demo BV, through every URL.

The walk is generated from the URL configuration: every pattern that takes an object id
must be listed in OBJECT_IDS below, so a new URL cannot be added without being walked.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver
from PIL import Image

from kluis.access.actor import Actor
from kluis.access.models import Role, RoleAssignment
from kluis.approvals.services import submit
from kluis.audit.models import AuditEvent
from kluis.company.notices import notify
from kluis.company.services import create_role
from kluis.integrations.models import ApiKey, DomainEvent
from kluis.integrations.services import create_api_key
from kluis.integrations.webhooks.models import WebhookDelivery, WebhookSubscription
from kluis.integrations.webhooks.services import create_subscription
from kluis.offboarding.models import Offboarding
from kluis.offboarding.services import request_offboarding
from kluis.people.models import (
    CustomFieldDefinition,
    Department,
    EmergencyContact,
    Employee,
    EmployeeVersion,
    Employment,
    Team,
    Wage,
    WageComponent,
)
from kluis.people.services import add_emergency_contact
from kluis.people.services.pay import add_wage_component
from kluis.people.services.photos import set_photo
from kluis.sandbox.services import create_sandbox
from kluis.tenancy.models import Membership, Tenant
from kluis.timeoff.models import (
    Absence,
    BalanceCorrection,
    ClosingDay,
    HolidayCertificate,
    LeaveRequest,
    LeaveType,
    MonthLock,
    Rule,
)
from tests.conftest import member
from tests.timeoff.api.data import calendar_rows


def tiny_png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "navy").save(buffer, format="PNG")
    return SimpleUploadedFile("probe.png", buffer.getvalue(), content_type="image/png")


# Parts of the site that hold no company objects.
SKIPPED_NAMESPACES = {"accounts"}
# The REST API takes API keys, not sessions: tests/api/test_isolation.py walks its object
# URLs (from the same mapping below) with a key of Other NV.
API_PREFIX = "api/"


def walk(
    patterns: list[URLPattern | URLResolver], prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, str, URLPattern]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            route = str(entry.pattern)
            if route.startswith("accounts/"):
                continue
            yield from walk(entry.url_patterns, prefix + route, ns)
        else:
            yield namespace, prefix + str(entry.pattern), entry


# URLs whose argument is a secret rather than an object id: the secret is the whole
# credential (whoever holds a calendar feed's token reads that feed, as with an API key),
# so a session of another company changes nothing. tests/timeoff/test_feeds.py proves an
# unknown or revoked token is 404 and what a feed shows. The status page's subscription
# links are signed tokens of platform data (tests/status/test_subscriptions.py).
SECRET_ARGUMENTS = {("timeoff", "feed"), ("status", "confirm"), ("status", "unsubscribe")}


def object_routes() -> list[tuple[str, str, URLPattern]]:
    return [
        (ns, route, p)
        for ns, route, p in walk(get_resolver().url_patterns)
        if p.pattern.converters
        and ns not in SKIPPED_NAMESPACES
        and (ns, p.name) not in SECRET_ARGUMENTS
    ]


def checklist_ids(tenant: Tenant) -> dict[tuple[str, ...], Callable[[], object]]:
    """The demo's checklist templates, their tasks and its checklist under way."""
    from kluis.checklists.models import Checklist, ChecklistTask, ChecklistTemplate, TemplateTask

    return {
        ("checklists", "checklist_pk"): lambda: Checklist.objects.filter(tenant=tenant)[0].pk,
        ("checklists", "template_pk"): lambda: (
            ChecklistTemplate.objects.filter(tenant=tenant)[0].pk
        ),
        ("checklists", "employee_pk"): lambda: Employee.objects.filter(tenant=tenant)[0].pk,
        ("checklists", "kind"): lambda: "onboarding",
        ("checklists", "task_pk"): lambda: ChecklistTask.objects.filter(tenant=tenant)[0].pk,
        **{
            ("checklists", name, "task_pk"): (
                lambda: TemplateTask.objects.filter(tenant=tenant)[0].pk
            )
            for name in ("template_task_edit", "template_task_move", "template_task_remove")
        },
        ("api", "checklist_template_pk"): lambda: (
            ChecklistTemplate.objects.filter(tenant=tenant)[0].pk
        ),
        ("api", "checklist_pk"): lambda: Checklist.objects.filter(tenant=tenant)[0].pk,
        ("api", "checklist_task_pk"): lambda: ChecklistTask.objects.filter(tenant=tenant)[0].pk,
    }


def demo_objects(tenant: Tenant) -> dict[tuple[str, ...], Callable[[], object]]:
    """Ids of Demo BV objects, by (URL namespace, URL argument)."""
    owner = Actor.for_member(member("owner@demo-bv.test"))
    custom = create_role(owner, tenant, name="Isolation probe", grants={"audit.view": "company"})
    target = member("member1@demo-bv.test")
    worker = Employee.objects.get(tenant=tenant, work_email="member1@demo-bv.test")
    set_photo(Actor.system("isolation probe", tenant), worker, tiny_png())
    contact = add_emergency_contact(
        Actor.system("isolation probe", tenant),
        worker,
        {"name": "Probe Contact", "phone": "+32470123456"},
    )
    component = add_wage_component(
        Actor.system("isolation probe", tenant),
        worker,
        {"kind": "bonus", "amount": "100", "start_date": "2026-01-15", "recurring": False},
    )
    api_key, _plaintext = create_api_key(
        Actor.system("isolation probe", tenant), tenant, "Isolation probe", ["employees:read"]
    )
    with override_settings(WEBHOOK_ALLOW_PRIVATE_TARGETS=True):
        webhook, _secret = create_subscription(
            owner, tenant, {"url": "http://127.0.0.1:9/probe", "event_types": ["*"]}
        )
    # (its URL is a public address: no name to resolve; nothing is sent in the tests)
    hook, _secret = create_subscription(
        owner, tenant, {"url": "https://93.184.215.14/hook", "event_types": ["*"]}
    )
    ping = WebhookDelivery.objects.get(subscription=hook)
    calendar_rows(tenant)
    # The calendar's self area: a pending request, a leave type with a balance, a notice.
    leave = LeaveRequest.objects.filter(tenant=tenant, status="pending").first()
    holiday = LeaveType.objects.filter(tenant=tenant).exclude(rule=Rule.NONE).first()
    notice = notify(
        [target], topic="leave_request.approved", compose=lambda: ("Probe", ""), mail=False
    )[0]
    # A sick period (calendar_rows registers one for member1).
    sick = Absence.objects.filter(tenant=tenant).first()
    # A sandbox of Demo BV (its structure; its people would be the worker's).
    sandbox = create_sandbox(owner, tenant, background=True)
    # Requests under the two-person rule whose approval hands something to the requester.
    held_export = submit(owner, "people.export_sensitive", tenant=tenant, payload={})
    held_key = submit(owner, "api_credentials.write", tenant=tenant, payload={})
    # An offboarding waiting for approval (member2's), and member1's start page.
    leaving = request_offboarding(
        Actor.for_member(member("hr@demo-bv.test")),
        Employee.objects.get(tenant=tenant, work_email="member2@demo-bv.test"),
        {"last_day": "2026-12-31", "reason": "Probe", "moment": "end_of_last_day"},
    )
    # A request held for a second approver (the two-person rule's own action).
    held = submit(owner, "approvals.policy", tenant=tenant, payload={})
    return {
        ("offboarding", "pk"): lambda: leaving.pk,
        ("offboarding", "employee_pk"): lambda: worker.pk,
        ("approvals", "pk"): lambda: held.pk,
        ("api", "approval_pk"): lambda: held.pk,
        ("timeoff", "pk"): lambda: leave.pk,
        ("timeoff", "absence_detail", "pk"): lambda: sick.pk,
        # HR's set-up pages name other objects by `pk` (ids by URL name, as above).
        ("timeoff", "leave_type_edit", "pk"): lambda: holiday.pk,
        ("timeoff", "leave_type_archive", "pk"): lambda: holiday.pk,
        ("timeoff", "leave_type_delete", "pk"): lambda: holiday.pk,
        ("timeoff", "closing_day_remove", "pk"): lambda: (
            ClosingDay.objects.filter(tenant=tenant).first().pk
        ),
        ("timeoff", "month_unlock", "pk"): lambda: (
            MonthLock.objects.filter(tenant=tenant).first().pk
        ),
        ("api", "pk"): lambda: worker.pk,
        ("api", "offboarding_pk"): lambda: leaving.pk,
        ("api", "webhook_pk"): lambda: hook.pk,
        ("api", "delivery_pk"): lambda: ping.pk,
        # not an object id (the API walk takes only <id:...>): the event type's name
        ("api", "event_type"): lambda: "employee.updated",
        ("api", "department_pk"): lambda: Department.objects.filter(tenant=tenant).first().pk,
        ("api", "employment_pk"): lambda: Employment.objects.filter(employee=worker).first().pk,
        ("api", "wage_pk"): lambda: Wage.objects.filter(tenant=tenant).first().pk,
        ("api", "wage_component_pk"): lambda: component.pk,
        ("api", "custom_field_pk"): lambda: (
            CustomFieldDefinition.objects.filter(tenant=tenant).first().pk
        ),
        ("api", "audit_event_pk"): lambda: AuditEvent.objects.filter(tenant=tenant).first().pk,
        ("api", "role_pk"): lambda: custom.pk,
        ("api", "membership_pk"): lambda: target.pk,
        ("api", "team_pk"): lambda: Team.objects.filter(tenant=tenant).first().pk,
        ("api", "change_pk"): lambda: EmployeeVersion.objects.filter(employee=worker).first().pk,
        ("api", "leave_type_pk"): lambda: LeaveType.objects.filter(tenant=tenant).first().pk,
        ("api", "leave_request_pk"): lambda: LeaveRequest.objects.filter(tenant=tenant).first().pk,
        ("api", "absence_pk"): lambda: Absence.objects.filter(tenant=tenant).first().pk,
        ("api", "closing_day_pk"): lambda: ClosingDay.objects.filter(tenant=tenant).first().pk,
        ("api", "month_lock_pk"): lambda: MonthLock.objects.filter(tenant=tenant).first().pk,
        ("api", "balance_correction_pk"): lambda: (
            BalanceCorrection.objects.filter(tenant=tenant).first().pk
        ),
        ("api", "holiday_certificate_pk"): lambda: (
            HolidayCertificate.objects.filter(tenant=tenant).first().pk
        ),
        ("api", "employee_pk"): lambda: worker.pk,
        ("integrations", "pk"): lambda: api_key.pk,
        ("integrations", "credential_secret", "pk"): lambda: held_key.pk,
        ("integrations", "webhook_pk"): lambda: webhook.pk,
        ("integrations", "delivery_pk"): lambda: webhook.deliveries.get(event_type="ping").pk,
        ("members", "pk"): lambda: target.pk,
        ("members", "role_pk"): lambda: Role.objects.get(tenant=tenant, builtin_key="employee").pk,
        ("roles", "pk"): lambda: custom.pk,
        ("audit", "pk"): lambda: AuditEvent.objects.filter(tenant=tenant).first().pk,
        ("people", "pk"): lambda: worker.pk,
        ("people", "export_approved", "pk"): lambda: held_export.pk,
        ("people", "contract_pk"): lambda: Employment.objects.filter(employee=worker).first().pk,
        ("people", "contact_pk"): lambda: contact.pk,
        ("people", "component_pk"): lambda: component.pk,
        ("people", "role_pk"): lambda: Role.objects.get(tenant=tenant, builtin_key="employee").pk,
        # People settings: each department, team and custom field's edit, archive, delete.
        **{
            ("people", f"{kind}_{step}", "pk"): (
                lambda model=model: model.objects.filter(tenant=tenant).first().pk
            )
            for kind, model in (
                ("department", Department),
                ("team", Team),
                ("custom_field", CustomFieldDefinition),
            )
            for step in ("edit", "archive", "delete")
        },
        ("timeoff", "leave_type_pk"): lambda: holiday.pk,
        ("timeoff", "employee_pk"): lambda: worker.pk,  # one employee's leave
        ("web", "pk"): lambda: notice.pk,
        **checklist_ids(tenant),
        ("sandbox", "pk"): lambda: sandbox.pk,
    }


def object_id(
    ids: dict[tuple[str, ...], Callable[[], object]], ns: str, name: str, arg: str
) -> object:
    """The id for one URL argument: by URL name first, else by namespace."""
    found = ids.get((ns, name, arg)) or ids[(ns, arg)]
    return found()


def snapshot() -> dict[str, int]:
    return {
        "roles": Role.objects.count(),
        "assignments": RoleAssignment.objects.count(),
        "memberships": Membership.objects.count(),
        "audit": AuditEvent.objects.count(),
        "events": DomainEvent.objects.count(),
        "employees": hash(tuple(Employee.objects.order_by("pk").values_list("pk", "version"))),
        "employments": hash(
            tuple(
                Employment.objects.order_by("pk").values_list(
                    "pk", "end_date", "probation_end_date"
                )
            )
        ),
        "contacts": EmergencyContact.objects.count(),
        "offboardings": hash(tuple(Offboarding.objects.order_by("pk").values_list("pk", "status"))),
        "organisation": Department.objects.count() + Team.objects.count(),
        "custom_fields": CustomFieldDefinition.objects.count(),
        "api_keys": hash(tuple(ApiKey.objects.order_by("pk").values_list("pk", "revoked_at"))),
        "wages": Wage.objects.count() + WageComponent.objects.count(),
        "calendar": hash(
            tuple(
                tuple(model.objects.order_by("pk").values_list("pk", "version"))
                for model in (LeaveType, LeaveRequest, Absence, MonthLock)
            )
        )
        + ClosingDay.objects.count(),
        "role_names": hash(tuple(Role.objects.order_by("pk").values_list("name", flat=True))),
        "webhooks": hash(
            tuple(
                WebhookSubscription.objects.order_by("pk").values_list(
                    "pk", "url", "enabled", "secret_sealed", "updated_at"
                )
            )
        ),
        "deliveries": hash(
            tuple(
                WebhookDelivery.objects.order_by("pk").values_list(
                    "pk", "status", "attempts", "next_attempt_at"
                )
            )
        ),
    }


def test_every_object_url_is_in_the_walk(demo):
    ids = demo_objects(demo["demo-bv"])
    missing = [
        f"{ns}:{p.name} ({route}) argument {arg}"
        for ns, route, p in object_routes()
        for arg in p.pattern.converters
        if (ns, arg) not in ids and (ns, p.name, arg) not in ids
    ]
    assert not missing, "add these URLs to OBJECT ids in the isolation walk: " + ", ".join(missing)
    assert len(object_routes()) >= 7


def _url(route: str, values: dict[str, int]) -> str:
    url = f"/{route}"
    for arg, value in values.items():
        url = re.sub(rf"<\w+:{arg}>", str(value), url)
    assert "<" not in url, url
    return url


def _probe(client, url: str, foreign_role: Role) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    get = client.get(url, secure=True)
    post = client.post(
        url,
        {"role": foreign_role.pk, "name": "Taken over", "description": "x", "confirm": "1"},
        secure=True,
    )
    return get.status_code, post.status_code


@pytest.mark.parametrize(
    ("email", "active_company"),
    [("owner@other-nv.test", "other-nv"), ("consultant@kluis.test", "other-nv")],
)
def test_member_of_other_company_gets_404_for_every_object_url(demo, login, email, active_company):
    """Owner of Other NV holds every permission, so every URL must answer 404 (405 for a GET
    on a POST-only URL). The consultant lacks some permissions there: a 403 is fine as long
    as it is exactly what a non-existent id gets, so the answer reveals nothing."""
    ids = demo_objects(demo["demo-bv"])
    client = login(email, active_company)
    foreign_role = Role.objects.get(tenant=demo["other-nv"], builtin_key="owner")
    before = snapshot()
    checked = 0
    for ns, route, pattern in object_routes():
        if route.startswith(API_PREFIX):
            continue
        args = pattern.pattern.converters
        url = _url(route, {arg: object_id(ids, ns, pattern.name, arg) for arg in args})
        missing_url = _url(route, dict.fromkeys(args, 987654321))
        got = _probe(client, url, foreign_role)
        assert got == _probe(client, missing_url, foreign_role), url
        get_status, post_status = got
        if email.startswith("owner@"):
            assert get_status in {404, 405}, f"GET {url} answered {get_status}"
            assert post_status == 404, f"POST {url} answered {post_status}"
        else:
            assert get_status in {403, 404, 405}, f"GET {url} answered {get_status}"
            assert post_status in {403, 404}, f"POST {url} answered {post_status}"
        checked += 1
    assert checked >= 7
    assert snapshot() == before


def test_owner_of_demo_reaches_the_same_urls(demo, login):
    """The walk's ids are real: the owner of Demo BV gets no 404 on them."""
    ids = demo_objects(demo["demo-bv"])
    client = login("owner@demo-bv.test", "demo-bv")
    for ns, route, pattern in object_routes():
        if route.startswith(API_PREFIX):
            continue
        url = f"/{route}"
        for arg in pattern.pattern.converters:
            url = re.sub(rf"<\w+:{arg}>", str(object_id(ids, ns, pattern.name, arg)), url)
        response = client.get(url, secure=True)
        assert response.status_code in {200, 302, 405}, f"GET {url} answered {response.status_code}"
