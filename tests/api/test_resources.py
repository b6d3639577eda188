"""The harness every API resource passes, made from the registry (kluis/api/registry.py):
a resource cannot be registered without these tests running over it.

- a key without the scope a method needs gets 403, before any object is looked up;
- every declared filter narrows a list to exactly the rows the database holds for it;
- bad query input is a 400 problem document naming the parameter, on every list;
- an object URL gives an ETag, and a write with a stale If-Match is 412 and changes
  nothing;
- a missing object is a 404 problem document.
Tenant isolation (another company's object is 404 for every method) is walked by
tests/api/test_isolation.py, paging in every ordering by tests/api/test_compiled_pages.py,
both over the same registry."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from django.utils import timezone
from django_filters import BooleanFilter, IsoDateTimeFilter, NumberFilter

import kluis.api.urls  # noqa: F401  (the apps register their resources)
from kluis.access.actor import Actor
from kluis.access.permissions import API_SCOPES
from kluis.api.registry import Resource, resources
from kluis.approvals.services import submit
from kluis.offboarding.api.offboardings import OFFBOARDINGS
from kluis.people.models import Department, Employee
from kluis.people.services import organisation, pay
from kluis.tenancy.models import Tenant
from tests.api_client import Api, assert_problem
from tests.checklists.api_data import CHECKLIST_BODIES
from tests.offboarding.support import an_offboarding
from tests.timeoff.api.data import CREATE_BODIES, calendar_rows

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def _every_kind_of_row(demo_for_module: dict[str, Tenant], django_db_blocker) -> None:  # type: ignore[no-untyped-def]
    """What the demo company lacks for every filter to have something to find: a
    sub-department and wage components of two kinds, made through the services once for
    the module (tests/conftest.py puts the demo back after its last test)."""
    with django_db_blocker.unblock():
        _make_every_kind_of_row(demo_for_module)


def _make_every_kind_of_row(demo: dict[str, Tenant]) -> None:
    tenant = demo["demo-bv"]
    actor = Actor.system("resource harness", tenant)
    parent = Department.objects.filter(tenant=tenant).order_by("pk").first()
    assert parent is not None
    organisation.create_department(actor, tenant, name="Harness unit", parent=parent)
    people = list(Employee.objects.filter(tenant=tenant).order_by("pk")[:2])
    for person, kind in zip(people, ("bonus", "car"), strict=True):
        pay.add_wage_component(
            actor,
            person,
            {"kind": kind, "amount": "100", "start_date": "2026-01-15", "recurring": False},
        )
    for company in demo.values():  # the calendar's rows (the demo has leave types only)
        calendar_rows(company)
    for company in demo.values():  # an offboarding waiting for approval (member3's)
        an_offboarding(company)
        # A request held for a second approver (the two-person rule's own action).
        submit(
            Actor.system("resource harness", company),
            "approvals.policy",
            tenant=company,
            payload={},
        )


RESOURCES = resources()
LISTS = [r for r in RESOURCES if r.collection.get("get") == "list"]
ITEMS = [r for r in RESOURCES if r.item.get("get") == "retrieve"]
WRITABLE_ITEMS = [r for r in ITEMS if {"patch", "put", "delete"} & set(r.item)]


def model_of(resource: Resource) -> Any:
    return resource.viewset.filterset_class._meta.model


def scopes_without(permission: str) -> list[str]:
    """Every scope except those that grant `permission`."""
    return [scope for scope, grants in API_SCOPES.items() if permission not in grants]


def all_rows(api: Api, url: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    while url:
        response = api.get(url)
        assert response.status_code == 200, (url, response.content[:300])
        body = json.loads(response.content)
        rows.extend(body["results"])
        link = body["next"]
        url = f"{urlsplit(link).path}?{urlsplit(link).query}" if link else ""
    return rows


def an_object(resource: Resource, tenant: Tenant) -> Any:
    return model_of(resource)._default_manager.filter(tenant=tenant).order_by("pk").first()


def item_url(resource: Resource, pk: int) -> str:
    return f"/api/v1/{resource.prefix}/{pk}/"


@pytest.mark.parametrize("resource", RESOURCES, ids=lambda r: r.prefix)
def test_a_key_without_the_methods_scope_is_refused_before_any_lookup(
    api: Callable[..., Api], demo: dict[str, Tenant], resource: Resource
) -> None:
    needed = resource.viewset.required_permissions["GET"]
    client = api(scopes_without(needed))
    assert_problem(client.get(f"/api/v1/{resource.prefix}/"), 403)
    if resource.item:
        # The same 403 for an object that exists and one that does not: nothing learnt.
        row = an_object(resource, demo["demo-bv"])
        for pk in ([row.pk] if row is not None else []) + [987654321]:
            assert_problem(client.get(item_url(resource, pk)), 403)
    for method in resource.collection:
        if method == "post":
            needed = resource.viewset.required_permissions["POST"]
            response = api(scopes_without(needed)).post(f"/api/v1/{resource.prefix}/", {})
            assert_problem(response, 403)


def _sample(declared: Any, rows: list[Any], name: str) -> Any:
    """A value for filter `declared` that some row has, as the query parameter's text."""
    field = declared.field_name
    values = [
        getattr(row, field.replace("__", "_") if "__" in field else field, None) for row in rows
    ]
    values = [v for v in values if v not in (None, "")]
    if isinstance(declared, BooleanFilter):
        return "true" if any(values) else "false"
    if not values:
        return None
    value = sorted(values, key=str)[len(values) // 2]
    if isinstance(declared, IsoDateTimeFilter):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(declared, NumberFilter):
        return str(int(value))
    if isinstance(value, dt.datetime):
        # A date filter on an instant reads the date where the company is (the server's
        # time zone): between 23:00 and 24:00 UTC, Brussels is already on the next day.
        return timezone.localtime(value).date().isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if declared.lookup_expr == "icontains":
        return str(value)[1:4]
    return str(value)


def _expected(resource: Resource, declared: Any, text: str, tenant: Tenant) -> set[int]:
    queryset = model_of(resource)._default_manager.filter(tenant=tenant)
    form_value = declared.field.clean(text)
    return set(declared.filter(queryset, form_value).values_list("pk", flat=True))


FILTERED = [
    (resource, name)
    for resource in LISTS
    if resource.viewset.filterset_class is not None
    for name in resource.viewset.filterset_class.base_filters
]


@pytest.mark.parametrize("resource,name", FILTERED, ids=lambda x: getattr(x, "prefix", x))
def test_every_declared_filter_gives_exactly_the_matching_rows(
    api: Callable[..., Api], demo: dict[str, Tenant], resource: Resource, name: str
) -> None:
    tenant = demo["demo-bv"]
    declared = resource.viewset.filterset_class.base_filters[name]
    if "__" in declared.field_name:  # a filter across a relation: sample from it
        rows = list(
            model_of(resource)
            ._default_manager.filter(tenant=tenant)
            .values_list(declared.field_name, flat=True)
        )
        values = sorted({v for v in rows if v is not None})
        if not values:
            pytest.skip(f"the demo company has no {name} to filter on")
        text = str(values[0])
    else:
        rows = list(model_of(resource)._default_manager.filter(tenant=tenant))
        text = _sample(declared, rows, name)
        if text is None:
            pytest.skip(f"the demo company has no {resource.prefix} with a {name}")
    client = api()
    got = [
        row["id"] for row in all_rows(client, f"/api/v1/{resource.prefix}/?{name}={quote(text)}")
    ]
    assert len(got) == len(set(got))
    expected = _expected(resource, declared, text, tenant)
    assert expected, (resource.prefix, name, text)  # the value was taken from a row
    assert set(got) == expected, (resource.prefix, name, text)


@pytest.mark.parametrize("resource", LISTS, ids=lambda r: r.prefix)
def test_bad_list_input_is_a_400_problem_naming_the_parameter(
    api: Callable[..., Api], resource: Resource
) -> None:
    client = api()
    base = f"/api/v1/{resource.prefix}/"
    for query, parameter in (
        ("no_such_filter=1", "no_such_filter"),
        ("cursor=made-up", "cursor"),
        ("page_size=0", "page_size"),
        ("page_size=201", "page_size"),
        ("ordering=no_such_field", "ordering"),
    ):
        body = assert_problem(client.get(f"{base}?{query}"), 400)
        assert [e["field"] for e in body["errors"]] == [parameter], (resource.prefix, query)


@pytest.mark.parametrize("resource", ITEMS, ids=lambda r: r.prefix)
def test_an_object_has_an_etag_and_a_missing_one_is_a_404_problem(
    api: Callable[..., Api], demo: dict[str, Tenant], resource: Resource
) -> None:
    client = api()
    row = an_object(resource, demo["demo-bv"])
    if row is not None:
        response = client.get(item_url(resource, row.pk))
        assert response.status_code == 200
        assert json.loads(response.content)["id"] == row.pk
        assert response["ETag"].startswith('W/"')
    assert_problem(client.get(item_url(resource, 987654321)), 404)
    body = assert_problem(client.get(f"/api/v1/{resource.prefix}/not-an-id/"), 400)
    assert [e["field"] for e in body["errors"]] == ["id"]


@pytest.mark.parametrize("resource", WRITABLE_ITEMS, ids=lambda r: r.prefix)
def test_a_write_with_a_stale_if_match_is_412_and_changes_nothing(
    api: Callable[..., Api], demo: dict[str, Tenant], resource: Resource
) -> None:
    client = api()
    row = an_object(resource, demo["demo-bv"])
    if row is None:
        pytest.skip(f"the demo company has no {resource.prefix}")
    url = item_url(resource, row.pk)
    before = client.get(url).content
    stale = {"If-Match": 'W/"0-stale"'}
    for method in ("patch", "put", "delete"):
        if method not in resource.item:
            continue
        if method == "delete":
            response = client.client.delete(url, headers=client._headers(stale))
        else:
            body = json.dumps({"name": "Stale", "last_name": "Stale", "end_date": "2099-01-01"})
            response = getattr(client.client, method)(
                url, body, content_type="application/json", headers=client._headers(stale)
            )
        # 412, or a 422 for a body this resource cannot take (checked before the version).
        assert response.status_code in (412, 422), (resource.prefix, method, response.content)
        assert response["Content-Type"] == "application/problem+json"
    assert client.get(url).content == before


def _foreign_object(resource: Resource, demo: dict[str, Tenant]) -> Any:
    """An object of the other company, made through the services when the demo has none."""
    other = demo["other-nv"]
    row = an_object(resource, other)
    if row is None and model_of(resource).__name__ == "WageComponent":
        person = Employee.objects.filter(tenant=other).order_by("pk").first()
        assert person is not None
        pay.add_wage_component(
            Actor.system("resource harness", other),
            person,
            {"kind": "bonus", "amount": "50", "start_date": "2026-02-01", "recurring": False},
        )
        row = an_object(resource, other)
    return row


@pytest.mark.parametrize("resource", ITEMS, ids=lambda r: r.prefix)
def test_another_companys_object_is_a_404_for_every_operation_and_stays_as_it_was(
    api: Callable[..., Api], demo: dict[str, Tenant], resource: Resource
) -> None:
    """Tenant isolation, for every registered resource and every method of its item: an
    object of another company is answered exactly as a missing one (404, never 403), by a
    key holding every scope, and nothing of it changes."""
    row = _foreign_object(resource, demo)
    assert row is not None, f"other-nv has no {resource.prefix}: the harness must make one"
    client = api()
    url = item_url(resource, row.pk)
    missing = item_url(resource, 987654321)
    stored = model_of(resource)._default_manager.filter(pk=row.pk).values().get()
    for method in [m for m in list(resource.item) if m != "head"]:
        answers = []
        for target in (url, missing):
            if method == "get":
                response = client.get(target)
            elif method == "delete":
                response = client.client.delete(target, headers=client._headers(None))
            else:
                response = getattr(client.client, method)(
                    target,
                    json.dumps({"name": "Taken over"}),
                    content_type="application/json",
                    headers=client._headers(None),
                )
            body = assert_problem(response, 404)
            answers.append((body["title"], body["detail"]))
        assert answers[0] == answers[1], (resource.prefix, method, answers)
    assert model_of(resource)._default_manager.filter(pk=row.pk).values().get() == stored


@pytest.mark.parametrize("resource", LISTS, ids=lambda r: r.prefix)
def test_every_list_walks_forward_and_back_by_cursor_without_gaps_or_repeats(
    api: Callable[..., Api], demo: dict[str, Tenant], resource: Resource
) -> None:
    client = api()
    url = f"/api/v1/{resource.prefix}/"
    everything = [row["id"] for row in all_rows(client, f"{url}?page_size=200")]
    assert everything, f"{url} lists nothing in the demo company"
    walked = [row["id"] for row in all_rows(client, f"{url}?page_size=2")]
    assert walked == everything  # the same rows, in the same order, each once
    if len(everything) > 2:
        first = json.loads(client.get(f"{url}?page_size=2").content)
        assert first["previous"] is None
        link = urlsplit(first["next"])
        second = json.loads(client.get(f"{link.path}?{link.query}").content)
        back = urlsplit(second["previous"])
        again = json.loads(client.get(f"{back.path}?{back.query}").content)
        assert [r["id"] for r in again["results"]] == [r["id"] for r in first["results"]]
    tampered = assert_problem(client.get(f"{url}?cursor=bm90LWEtY3Vyc29y"), 400)
    assert [e["field"] for e in tampered["errors"]] == ["cursor"]


DECLARED_CREATES = [
    r for r in RESOURCES if r.declaration is not None and r.collection.get("post") == "create"
]


def _contract_after_the_last(demo: dict[str, Tenant]) -> dict[str, object]:
    """The example's contract, for a demo leaver, starting the day after their last one."""
    from kluis.people.models import Employment

    ended = (
        Employment.objects.filter(tenant=demo["demo-bv"])
        .exclude(employee__employments__end_date__isnull=True)
        .order_by("-end_date", "pk")
        .first()
    )
    assert ended is not None and ended.end_date is not None, "the demo has no leaver"
    start = ended.end_date + dt.timedelta(days=1)
    return {"employee": ended.employee_id, "start_date": start.isoformat(), "job_title": "Lead"}


def _offboarding_body(demo: dict[str, Tenant]) -> dict[str, Any]:
    tenant = demo["demo-bv"]
    leaver = Employee.objects.get(tenant=tenant, work_email="member2@demo-bv.test")
    owner = Employee.objects.get(tenant=tenant, work_email="owner@demo-bv.test")
    return {
        **OFFBOARDINGS.create_example,
        "employee": leaver.pk,
        "handover_to": owner.membership_id,
    }


@pytest.mark.parametrize("resource", DECLARED_CREATES, ids=lambda r: r.prefix)
def test_a_create_repeated_with_its_idempotency_key_is_replayed_not_made_twice(
    api: Callable[..., Api], demo: dict[str, Tenant], resource: Resource
) -> None:
    """Every declared resource that creates: its documented example body (links left out)
    makes one object; the same Idempotency-Key and body replays the first answer; the same
    key with another body is a 422."""
    declaration = resource.declaration
    body = {k: v for k, v in declaration.create_example.items() if k not in declaration.links}
    bodies = {**CREATE_BODIES, **CHECKLIST_BODIES}
    if resource.prefix in bodies:  # its example names ids: the company's own rows
        body = bodies[resource.prefix](demo)
    if resource.prefix == "employments":  # a new contract for someone whose last one ended
        body = _contract_after_the_last(demo)
    if resource.prefix == "offboardings":  # a leaver and the member their integrations go to
        body = _offboarding_body(demo)
    for name, value in list(body.items()):
        if isinstance(value, str) and name in ("name", "key", "label"):
            body[name] = f"{value}_harness" if name == "key" else f"{value} (harness)"
    client = api()
    url = f"/api/v1/{resource.prefix}/"
    model = model_of(resource)
    count = model._default_manager.filter(tenant=demo["demo-bv"]).count()
    headers = {"Idempotency-Key": "harness-create-1"}
    first = client.post(url, body, headers)
    assert first.status_code == 201, (resource.prefix, first.content)
    again = client.post(url, body, headers)
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert json.loads(again.content) == json.loads(first.content)
    assert model._default_manager.filter(tenant=demo["demo-bv"]).count() == count + 1
    other = client.post(url, {**body, "name": "Another body"}, headers)
    assert_problem(other, 422)
