"""One visibility policy for every reader: each field of each audited model x each built-in
role x each reader (audit detail page, audit CSV and JSON, the API's audit events, the
change feed in HTML and JSON, the History tab). A value is shown only where the role (or
the API key's scopes) holds the permission that reveals it; company-level readers (the
audit log) need it company-wide, the change feed and History take team and self scopes
for their subject."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from kluis.access import visibility
from kluis.access.actor import Actor
from kluis.access.permissions import API_SCOPES, BUILTIN_ROLES, SCOPE_RANK, Scope
from kluis.audit.models import AuditEvent
from kluis.audit.selectors import events_for
from kluis.people import services
from kluis.people.fields import EMPLOYEE_FIELDS
from kluis.people.models import Employee, EmployeeVersion
from kluis.people.services import custom_fields, pay
from kluis.people.views.display import format_phone
from kluis.tenancy.models import Tenant
from tests.api_client import make_key
from tests.conftest import member

HIDDEN = visibility.HIDDEN
SINCE = "2000-01-01T00:00:00Z"

# Each demo login and the built-in roles it holds (every built-in role is among them).
LOGINS: dict[str, tuple[str, ...]] = {
    "owner@demo-bv.test": ("owner",),
    "hr@demo-bv.test": ("hr_admin", "employee"),
    "manager@demo-bv.test": ("manager", "employee"),
    "member1@demo-bv.test": ("employee",),
    "auditor@demo-bv.test": ("auditor",),
}
assert {r for roles in LOGINS.values() for r in roles} == set(BUILTIN_ROLES)

API_SCOPE_SETS = [
    ["audit:read"],
    ["audit:read", "employees:read"],
    ["audit:read", "personal:read"],
    ["audit:read", "wages:read"],
    ["audit:read", "identity:read", "roles:read"],
    list(API_SCOPES),
]

# Distinct values the scenario writes, so a leak cannot hide among the demo data.
PRIVATE = {
    "private_email": "vera.private@leak.example",
    "private_phone": "+32470998877",
    "birth_date": "1987-04-23",
    "nationality": "PT",
    "gender": "non_binary",
}
PRIVATE_AFTER = {"private_email": "vera.changed@leak.example", "private_phone": "+32470112233"}


# --- the oracle: what a role may see, from the role table itself -------------------------


def scopes_of(roles: tuple[str, ...]) -> dict[str, Scope]:
    """Widest scope per permission over the roles (as kluis.access does, stated apart)."""
    out: dict[str, Scope] = {}
    for role in roles:
        for permission, scope in BUILTIN_ROLES[role].grants.items():
            if permission not in out or SCOPE_RANK[scope] > SCOPE_RANK[out[permission]]:
                out[permission] = scope
    return out


def company_may_see(grants: dict[str, Scope], object_type: str, field: str) -> bool:
    permission = visibility.permission_for(object_type, field)
    if permission is None:
        return False
    return permission == visibility.PLAIN or grants.get(permission) == Scope.COMPANY


def may_see_of(grants: dict[str, Scope], own: int | None, field: str, employee: Employee) -> bool:
    permission = visibility.permission_for("people.employee", field)
    if permission is None:
        return False
    if permission == visibility.PLAIN:
        return True
    scope = grants.get(permission)
    if scope == Scope.COMPANY:
        return True
    if scope is None or own is None:
        return False
    return employee.pk == own or (scope == Scope.TEAM and employee.manager_id == own)


def own_employee(email: str) -> int | None:
    return Employee.objects.filter(membership=member(email)).values_list("pk", flat=True).first()


# --- the scenario: a change of every kind, with values nobody else has ---------------------


@pytest.fixture
def scenario(demo: dict[str, Tenant]) -> dict[str, Any]:
    cache.clear()
    tenant = demo["demo-bv"]
    hr = Actor.for_member(member("hr@demo-bv.test"))
    manager = Employee.objects.get(tenant=tenant, work_email="manager@demo-bv.test")
    custom_fields.define_custom_field(hr, tenant, key="locker", label="Locker", field_type="text")
    vera = services.hire_employee(
        hr,
        tenant,
        {
            "first_name": "Vera",
            "last_name": "Leaktest",
            "work_email": "vera@demo-bv.test",
            **PRIVATE,
            "national_id": "85073003328",
            "iban": "BE71096123456769",
            "address": {
                "street": "Meir",
                "number": "1",
                "postal_code": "2000",
                "city": "Antwerpen",
                "country": "BE",
            },
            "custom_fields": {"locker": "L-4711"},
            "employment": {
                "contract_type": "permanent",
                "start_date": "2025-01-06",
                "job_title": "Analyst",
                "manager": manager.pk,
            },
            "wage": {"amount": "4123.45", "currency": "EUR", "period": "month"},
        },
    )
    vera.refresh_from_db()
    assert vera.manager_id == manager.pk
    vera = services.update_employee(
        hr,
        vera,
        {**PRIVATE_AFTER, "work_phone": "+3225550199", "custom_fields": {"locker": "L-4712"}},
        expected_version=vera.version,
    )
    services.add_emergency_contact(
        hr, vera, {"name": "Zeno Noodcontact", "relationship": "partner", "phone": "+32470556677"}
    )
    pay.set_wage(
        hr,
        vera,
        {"amount": "4500", "currency": "EUR", "period": "month", "effective_from": "2030-01-01"},
    )
    pay.add_wage_component(
        hr, vera, {"kind": "car", "amount": "450.00", "start_date": "2025-02-01"}
    )
    events = list(
        AuditEvent.objects.filter(tenant=tenant, actor_label="hr@demo-bv.test").order_by("sequence")
    )
    return {"tenant": tenant, "vera": vera, "events": events}


# --- readers: each gives {event id: (object label, changes as shown)} --------------------


def _csv(response: Any) -> dict[int, tuple[str, Any]]:
    text = b"".join(response.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    by_hash = dict(AuditEvent.objects.values_list("hash", "pk"))
    return {
        by_hash[row["hash"]]: (row["object_repr"], json.loads(row["changes"] or "{}"))
        for row in rows
    }


def _json(response: Any) -> dict[int, tuple[str, Any]]:
    rows = json.loads(b"".join(response.streaming_content))
    by_hash = dict(AuditEvent.objects.values_list("hash", "pk"))
    return {by_hash[r["hash"]]: (r["object_repr"], r["changes"]) for r in rows}


def _api(scopes: list[str]) -> dict[int, tuple[str, Any]]:
    client, key = Client(), make_key("demo-bv", scopes)
    url: str | None = "/api/v1/audit-events/?page_size=200"
    out: dict[int, tuple[str, Any]] = {}
    while url:
        response = client.get(url, headers={"authorization": f"Bearer {key}"})
        assert response.status_code == 200, response.content[:300]
        page = json.loads(response.content)
        out.update({r["id"]: (r["object_repr"], r["changes"]) for r in page["results"]})
        url = page["next"]
    return out


ROW = re.compile(r'<tr><th scope="row">(.*?)</th><td>(.*?)</td><td>(.*?)</td></tr>', re.S)


def _detail(client: Client, event: AuditEvent) -> dict[str, tuple[str, str]]:
    """The changes table of /audit/<id>/: field -> (old cell, new cell)."""
    page = client.get(f"/audit/{event.pk}/", secure=True).content.decode()
    table = page.partition('data-testid="audit-changes"')[2].partition("</table>")[0]
    return {html.unescape(f): (old, new) for f, old, new in ROW.findall(table)}


def _is_hidden(value: Any) -> bool:
    if isinstance(value, dict) and value and set(value) <= {"old", "new"}:
        return all(v == HIDDEN for v in value.values())
    return value == HIDDEN


def check_audit_view(shown: dict[int, tuple[str, Any]], grants: dict[str, Scope], who: str) -> None:
    """Every stored field of every event: its value exactly when the grants reveal it."""
    events = AuditEvent.objects.filter(tenant__slug="demo-bv")
    assert set(shown) == set(events.values_list("pk", flat=True)), who
    for event in events:
        label, changes = shown[event.pk]
        where = f"{who}: #{event.sequence} {event.action}"
        if not isinstance(event.changes, dict):
            continue
        assert set(changes) == set(event.changes), where  # names always listed
        for field, stored in event.changes.items():
            if company_may_see(grants, event.object_type, field):
                assert changes[field] == stored, f"{where}: {field} over-hidden"
            else:
                assert _is_hidden(changes[field]), f"{where}: {field} leaks {changes[field]!r}"
        declared = visibility.declared(event.object_type)
        protected = declared is not None and declared.label != visibility.PLAIN
        if protected and grants.get(declared.label) != Scope.COMPANY:
            assert label == HIDDEN, where
        else:
            assert label == event.object_repr, where


# --- the tests ------------------------------------------------------------------------------


def test_every_audited_type_and_field_is_declared(scenario):
    """Deny by default hides what nobody declared; here nothing of ours is left undeclared."""
    for event in AuditEvent.objects.filter(tenant__slug="demo-bv"):
        if not event.object_type or not isinstance(event.changes, dict):
            continue
        for field in event.changes:
            assert visibility.permission_for(event.object_type, field), (
                event.action,
                event.object_type,
                field,
            )


def test_the_policy_follows_the_field_table():
    for name, spec in EMPLOYEE_FIELDS.items():
        assert visibility.permission_for("people.employee", name) == spec.permission
    for field in ("private_email", "private_phone", "birth_date", "gender", "nationality"):
        assert visibility.permission_for("people.employee", field) == "people.view_personal"
    for object_type, field in [
        ("people.employee", "wage"),
        ("people.employee", "wage_component"),
        ("people.wage", "amount"),
        ("people.wage", "effective_from"),
        ("people.wagecomponent", "kind"),
    ]:
        assert visibility.permission_for(object_type, field) == "people.view_salary"
    assert visibility.permission_for("people.emergencycontact", "phone") == "people.view_personal"
    assert visibility.permission_for("people.employee", "no_such_field") is None
    assert visibility.permission_for("no.such_model", "name") is None


@pytest.mark.parametrize("email", list(LOGINS))
def test_audit_readers_show_each_role_only_what_it_may_see(scenario, login, email):
    grants = scopes_of(LOGINS[email])
    client = login(email)
    if grants.get("audit.view") is None:
        sample = scenario["events"][0]
        assert client.get(f"/audit/{sample.pk}/", secure=True).status_code == 403
        assert client.get("/audit/export.csv", secure=True).status_code == 403
        assert client.get("/audit/export.json", secure=True).status_code == 403
        return
    if grants.get("audit.export") is not None:
        check_audit_view(_csv(client.get("/audit/export.csv", secure=True)), grants, f"{email} csv")
        check_audit_view(
            _json(client.get("/audit/export.json", secure=True)), grants, f"{email} json"
        )
    # The detail page of each event of the scenario and of each kind in the demo log; a
    # reader without audit.view_all opens only the kinds its other grants cover (404 else).
    readable = set(events_for(Actor.for_member(member(email))).values_list("pk", flat=True))
    first_of_each = {}
    for event in AuditEvent.objects.filter(tenant__slug="demo-bv").order_by("sequence"):
        first_of_each.setdefault(event.action, event)
    for event in {e.pk: e for e in [*scenario["events"], *first_of_each.values()]}.values():
        if event.pk not in readable:
            assert grants.get("audit.view_all") is None, (email, event.action)
            assert client.get(f"/audit/{event.pk}/", secure=True).status_code == 404
            continue
        rows = _detail(client, event)
        if not isinstance(event.changes, dict):
            continue
        assert set(rows) == set(event.changes), event.action
        for field in event.changes:
            old, new = rows[field]
            hidden = "data-hidden" in old and "data-hidden" in new
            expected = not company_may_see(grants, event.object_type, field)
            assert hidden == expected, (email, event.action, field, old, new)


@pytest.mark.parametrize("scopes", API_SCOPE_SETS, ids=lambda s: "+".join(s))
def test_api_audit_events_show_what_the_scopes_reveal(scenario, scopes):
    cache.clear()
    grants = {permission: Scope.COMPANY for scope in scopes for permission in API_SCOPES[scope]}
    check_audit_view(_api(scopes), grants, "api " + " ".join(scopes))


FEED_ROW = re.compile(r'href="/people/(\d+)/"[^>]*>[^<]*</a></td><td data-field="([^"]*)">')


@pytest.mark.parametrize("email", list(LOGINS))
def test_change_feed_shows_each_role_only_what_it_may_see(scenario, login, email):
    grants = scopes_of(LOGINS[email])
    client = login(email)
    response = client.get("/people/changes/", {"since": SINCE, "format": "json"}, secure=True)
    if grants.get("people.view") is None:
        assert response.status_code == 403
        return
    own = own_employee(email)
    expected = set()
    versions = {}
    for version in EmployeeVersion.objects.filter(tenant=scenario["tenant"]).select_related(
        "employee"
    ):
        employee = version.employee
        versions[employee.pk, version.version] = version
        if not may_see_of(grants, own, "first_name", employee):
            continue  # not a person this role reads at all
        for field in version.changed_fields:
            if may_see_of(grants, own, field, employee):
                expected.add((employee.pk, version.version, field))
    rows = response.json()["changes"]
    # The feed pages by 500 versions: the whole company's history fits on this one.
    assert EmployeeVersion.objects.filter(tenant=scenario["tenant"]).count() < 500
    assert {(r["employee"], r["version"], r["field"]) for r in rows} == expected
    for row in rows:  # a field shown is shown as it is (sealed ones masked)
        spec = EMPLOYEE_FIELDS.get(row["field"])
        if spec is not None and not spec.sealed:
            version = versions[row["employee"], row["version"]]
            assert row["new"] == version.snapshot.get(row["field"]), row
    page = client.get("/people/changes/", {"since": SINCE}, secure=True).content.decode()
    assert {(int(e), f) for e, f in FEED_ROW.findall(page)} == {(e, f) for e, _v, f in expected}


FEED_SCOPE_SETS = [
    ["employees:read"],
    ["employees:read", "personal:read"],
    ["employees:read", "wages:read"],
    ["employees:read", "identity:read"],
    ["audit:read"],
    list(API_SCOPES),
]


@pytest.mark.parametrize("scopes", FEED_SCOPE_SETS, ids=lambda s: "+".join(s))
def test_api_change_feed_shows_what_the_scopes_reveal_and_nothing_of_hidden_versions(
    scenario, scopes
):
    """/api/v1/changes/ applies the policy as the page does, with the key's company-wide
    grants; a version none of whose changes the key may see is not listed at all."""
    cache.clear()
    grants = {permission: Scope.COMPANY for scope in scopes for permission in API_SCOPES[scope]}
    client, key = Client(), make_key("demo-bv", scopes)
    headers = {"authorization": f"Bearer {key}"}
    url: str | None = f"/api/v1/changes/?since={SINCE}&page_size=7"
    if grants.get("people.view") is None:
        assert client.get(url, headers=headers).status_code == 403
        return
    rows: list[dict[str, Any]] = []
    while url:
        response = client.get(url, headers=headers)
        assert response.status_code == 200, response.content[:300]
        page = json.loads(response.content)
        rows += page["results"]
        url = page["next"]
    expected: dict[int, set[str]] = {}
    versions = {}
    for version in EmployeeVersion.objects.filter(tenant=scenario["tenant"]).select_related(
        "employee"
    ):
        versions[version.pk] = version
        shown = {f for f in version.changed_fields if may_see_of(grants, None, f, version.employee)}
        if shown:
            expected[version.pk] = shown
    assert {r["id"]: {c["field"] for c in r["changes"]} for r in rows} == expected
    for row in rows:  # shown as the page shows it: plain values as they are, sealed masked
        version = versions[row["id"]]
        assert (row["employee"], row["version"]) == (version.employee_id, version.version)
        for change in row["changes"]:
            spec = EMPLOYEE_FIELDS.get(change["field"])
            if spec is None:
                assert change["old"] is change["new"] is None
            elif spec.sealed:
                assert change["old"] == change["new"] == "••••••"
            else:
                assert change["new"] == version.snapshot.get(change["field"]), change
    body = json.dumps(rows)
    if grants.get("people.view_personal") is None:
        for value in [*PRIVATE.values(), *PRIVATE_AFTER.values()]:
            assert value not in body
    if grants.get("people.view_salary") is None:
        assert '"wage' not in body


@pytest.mark.parametrize("email", list(LOGINS))
def test_history_tab_shows_private_values_only_to_who_may_see_them(scenario, login, email):
    grants = scopes_of(LOGINS[email])
    vera = scenario["vera"]
    own = own_employee(email)
    response = login(email).get(
        reverse("people:detail", args=[vera.pk]), {"tab": "history"}, secure=True
    )
    if not may_see_of(grants, own, "first_name", vera):
        assert response.status_code in (403, 404)
        return
    page = response.content.decode()
    shows_private = may_see_of(grants, own, "private_email", vera)
    for value in PRIVATE_AFTER.values():
        present = value in page or format_phone(value) in page  # phones show grouped
        assert present == shows_private, (email, value)


# --- the two leaks found by probing, as plain regressions --------------------------------


def shows(text: str, value: str) -> bool:
    """Whether `value` stands in `text` as a value of its own, not inside a random token
    (a CSRF token or nonce can hold "PT")."""
    return re.search(rf"(?<![A-Za-z0-9]){re.escape(value)}(?![A-Za-z0-9])", text) is not None


def test_auditor_sees_that_private_data_changed_not_the_values(scenario, login):
    client = login("auditor@demo-bv.test")
    hired = next(e for e in scenario["events"] if e.action == "employee.hired")
    updated = next(e for e in scenario["events"] if e.action == "employee.updated")
    values = [*PRIVATE.values(), *PRIVATE_AFTER.values()]
    for event in (hired, updated):
        page = client.get(f"/audit/{event.pk}/", secure=True).content.decode()
        assert "private_email" in page and "data-hidden" in page
        for value in values:
            assert not shows(page, value), (event.action, value)
    for url in ("/audit/export.csv", "/audit/export.json"):
        body = b"".join(client.get(url, secure=True).streaming_content).decode()
        assert "private_email" in body
        for value in values:
            assert not shows(body, value), (url, value)
    contact = next(e for e in scenario["events"] if e.action == "emergency_contact.added")
    assert (
        "Zeno Noodcontact" not in client.get(f"/audit/{contact.pk}/", secure=True).content.decode()
    )


def test_owner_still_sees_the_private_values_in_the_audit_log(scenario, login):
    hired = next(e for e in scenario["events"] if e.action == "employee.hired")
    client = login("owner@demo-bv.test")
    page = client.get(f"/audit/{hired.pk}/", secure=True).content.decode()
    assert PRIVATE["private_email"] in page and "data-hidden" not in page
    assert "Zeno Noodcontact" in client.get("/", secure=True).content.decode()  # dashboard


def test_manager_change_feed_leaves_out_the_team_wages(scenario, login):
    client = login("manager@demo-bv.test")
    vera = scenario["vera"]
    rows = client.get("/people/changes/", {"since": SINCE, "format": "json"}, secure=True).json()[
        "changes"
    ]
    mine = [r for r in rows if r["employee"] == vera.pk]
    assert mine  # the manager does follow their report's job changes
    assert not {"wage", "wage_component"} & {r["field"] for r in rows}
    assert not set(PRIVATE) & {r["field"] for r in mine}
    page = client.get("/people/changes/", {"since": SINCE}, secure=True).content.decode()
    assert "<code>wage" not in page
    hr_rows = (
        login("hr@demo-bv.test")
        .get("/people/changes/", {"since": SINCE, "format": "json"}, secure=True)
        .json()["changes"]
    )
    assert {"wage", "wage_component"} <= {r["field"] for r in hr_rows if r["employee"] == vera.pk}


def test_api_etag_names_what_the_client_is_shown(scenario):
    cache.clear()
    hired = next(e for e in scenario["events"] if e.action == "employee.hired")
    tags = {}
    for scopes in (["audit:read"], list(API_SCOPES)):
        response = Client().get(
            f"/api/v1/audit-events/{hired.pk}/",
            headers={"authorization": f"Bearer {make_key('demo-bv', scopes)}"},
        )
        assert response.status_code == 200
        tags[len(scopes)] = response["ETag"]
    assert tags[len(API_SCOPES)] == f'W/"{hired.pk}-{hired.hash[:16]}"'  # nothing hidden
    assert tags[1] != tags[len(API_SCOPES)]
