"""List pages are compiled once per shape of request (kluis/api/compiled.py) and run with
each request's company, filter values and cursor position. These tests walk every
registered list resource through the API and hold the pages to the rows the database
holds, so a slot filled with the wrong value (another company, another filter value, a
stale position) shows up as wrong rows."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest

import kluis.api.urls  # noqa: F401  (the apps register their resources)
from kluis.api import compiled
from kluis.api.registry import resources
from kluis.audit.models import AuditEvent
from kluis.people.models import Employee, Team
from kluis.tenancy.models import Tenant
from tests.api_client import Api

pytestmark = pytest.mark.django_db

LISTS = [r for r in resources() if r.collection.get("get") == "list"]


def pages(api: Api, url: str) -> list[dict[str, Any]]:
    """Every page from `url` on, following `next`."""
    out = []
    while url:
        response = api.get(url)
        assert response.status_code == 200, (url, response.content[:300])
        body = json.loads(response.content)
        out.append(body)
        link = body["next"]
        url = f"{urlsplit(link).path}?{urlsplit(link).query}" if link else ""
    return out


def ids_of(bodies: list[dict[str, Any]]) -> list[int]:
    return [row["id"] for body in bodies for row in body["results"]]


def model_of(prefix: str) -> Any:
    resource = next(r for r in LISTS if r.prefix == prefix)
    return resource.viewset.filterset_class._meta.model


@pytest.mark.parametrize("resource", LISTS, ids=lambda r: r.prefix)
def test_every_list_pages_through_its_rows_once_in_each_ordering(
    api: Callable[..., Api], demo: dict[str, Tenant], resource: Any
) -> None:
    client = api()
    model = resource.viewset.filterset_class._meta.model
    expected = set(
        model._default_manager.filter(tenant=demo["demo-bv"]).values_list("pk", flat=True)
    )
    for field in resource.viewset.ordering_fields:
        for ordering in (field, f"-{field}"):
            bodies = pages(client, f"/api/v1/{resource.prefix}/?page_size=3&ordering={ordering}")
            got = ids_of(bodies)
            assert len(got) == len(set(got)), (resource.prefix, ordering, "a row twice")
            if resource.prefix != "employments" and resource.prefix not in (
                "wages",
                "wage-components",
            ):
                assert set(got) == expected, (resource.prefix, ordering)
            else:  # those of employees the client sees: all of them, with all scopes
                assert set(got) <= expected, (resource.prefix, ordering)
                assert got or not expected, (resource.prefix, ordering)
            # And back again through `previous` from the last page: the same rows.
            back: list[int] = []
            body = bodies[-1]
            back = [row["id"] for row in body["results"]] + back
            while body["previous"]:
                link = urlsplit(body["previous"])
                body = json.loads(client.get(f"{link.path}?{link.query}").content)
                back = [row["id"] for row in body["results"]] + back
            assert back == got, (resource.prefix, ordering)


def test_each_shape_is_compiled_once_and_every_list_shape_compiles(
    api: Callable[..., Api],
) -> None:
    client = api()
    earlier = set(compiled._plans)
    for resource in LISTS:
        url = f"/api/v1/{resource.prefix}/?page_size=2"
        assert client.get(url).status_code == 200
        before = dict(compiled._plans)
        body = json.loads(client.get(url).content)
        assert dict(compiled._plans) == before, resource.prefix  # nothing new made
        model = resource.viewset.filterset_class._meta.model
        assert body["results"] or not model._default_manager.exists(), resource.prefix
        if body["next"]:  # and the next page's shape (after a position)
            link = urlsplit(body["next"])
            assert client.get(f"{link.path}?{link.query}").status_code == 200
    plain = [k for k, plan in compiled._plans.items() if plan is None and k not in earlier]
    assert plain == [], f"list shapes that could not be compiled: {plain}"


def test_two_companies_asking_the_same_shape_each_get_their_own_rows(
    api: Callable[..., Api], demo: dict[str, Tenant]
) -> None:
    for slug in ("demo-bv", "other-nv", "demo-bv"):
        got = ids_of(pages(api(slug=slug), "/api/v1/teams/?page_size=2"))
        assert sorted(got) == sorted(
            Team.objects.filter(tenant=demo[slug]).values_list("pk", flat=True)
        )


def test_filter_values_are_the_requests_own(
    api: Callable[..., Api], demo: dict[str, Tenant]
) -> None:
    client = api()
    tenant = demo["demo-bv"]
    used = Employee.objects.filter(tenant=tenant, team__isnull=False).values("team")
    teams = list(Team.objects.filter(tenant=tenant, pk__in=used)[:2])
    assert len(teams) == 2
    for team in teams:  # one shape, two values
        got = ids_of(pages(client, f"/api/v1/employees/?team={team.pk}&page_size=5"))
        assert got == list(
            Employee.objects.filter(tenant=tenant, team=team)
            .order_by("id")
            .values_list("pk", flat=True)
        )
    moment = Employee.objects.filter(tenant=tenant).order_by("updated_at")[3].updated_at
    since = moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    got = ids_of(pages(client, f"/api/v1/employees/?updated_since={since}&status=active"))
    assert got == list(
        Employee.objects.filter(tenant=tenant, updated_at__gte=moment, status="active")
        .order_by("id")
        .values_list("pk", flat=True)
    )
    actions = list(
        AuditEvent.objects.filter(tenant=tenant).values_list("action", flat=True).distinct()[:2]
    )
    for action in actions:
        got = ids_of(pages(client, f"/api/v1/audit-events/?action={action}&page_size=50"))
        assert sorted(got) == sorted(
            AuditEvent.objects.filter(tenant=tenant, action=action).values_list("pk", flat=True)
        )
    for flag in ("true", "false"):  # a boolean is part of the shape: two plans
        got = ids_of(pages(client, f"/api/v1/custom-fields/?is_active={flag}"))
        model = model_of("custom-fields")
        assert sorted(got) == sorted(
            model.objects.filter(tenant=tenant, is_active=flag == "true").values_list(
                "pk", flat=True
            )
        )
