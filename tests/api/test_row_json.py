"""The employee list's rows are written as JSON by the database (kluis/api/rowjson.py);
one employee read alone is written by the serializer. Both are the API's answer for the
same person, so they must agree, key for key and in the same order, also for awkward
values."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.db.models import JSONField, Value

from kluis.people.models import Employee
from kluis.tenancy.models import Tenant
from tests.api_client import Api
from tests.offboarding.support import an_offboarding
from tests.timeoff.api.data import calendar_rows

pytestmark = pytest.mark.django_db

AWKWARD = [
    'Quote " and back\\slash',
    "line\nbreak\ttab\x01control",
    "separators \u2028 and \u2029",
    "emoji 🧑‍💼 and accents éàü",
    "<script>alert(1)</script> & markup",
]


def listed(api: Api, url: str) -> list[dict[str, Any]]:
    rows = []
    while url:
        response = api.get(url)
        assert response.status_code == 200, response.content[:300]
        body = json.loads(response.content)
        rows.extend(body["results"])
        url = body["next"] and body["next"].split("testserver", 1)[-1]
    return rows


@pytest.mark.parametrize(
    "scopes",
    [
        ["employees:read"],
        ["employees:read", "personal:read"],
        # Sealed values and the wage opened and added to the database's text.
        ["employees:read", "personal:read", "identity:read", "wages:read"],
    ],
)
def test_a_listed_employee_is_the_same_as_the_employee_read_alone(
    api: Callable[..., Api], demo: dict[str, Tenant], scopes: list[str]
) -> None:
    tenant = demo["demo-bv"]
    people = list(Employee.objects.filter(tenant=tenant).order_by("id")[:6])
    for person, text in zip(people, AWKWARD, strict=False):
        Employee.objects.filter(pk=person.pk).update(
            preferred_name=text,
            job_title=text[::-1],
            custom_fields={"note": text, "nested": {"list": [1, None, text]}, "empty": None},
        )
    # Datetimes with and without microseconds; custom fields a JSON null.
    moment = dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC)
    Employee.objects.filter(pk=people[0].pk).update(updated_at=moment)
    Employee.objects.filter(pk=people[1].pk).update(
        updated_at=moment.replace(microsecond=123),
        custom_fields=Value(None, output_field=JSONField()),  # JSON null
    )
    client = api(scopes)
    rows = listed(client, "/api/v1/employees/?page_size=7")
    assert len(rows) == Employee.objects.filter(tenant=tenant).count()
    for row in rows:
        alone = json.loads(client.get(f"/api/v1/employees/{row['id']}/").content)
        assert row == {key: alone[key] for key in row}, row["id"]
        assert list(row) == [key for key in alone if key in row], row["id"]
    by_id = {row["id"]: row for row in rows}
    assert by_id[people[0].pk]["updated_at"] == "2026-03-01T08:00:00Z"
    assert by_id[people[1].pk]["updated_at"] == "2026-03-01T08:00:00.000123Z"
    assert by_id[people[1].pk]["custom_fields"] == {}
    assert by_id[people[2].pk]["preferred_name"] == AWKWARD[2]


def test_the_page_body_escapes_line_separators_as_the_serializer_does(
    api: Callable[..., Api], demo: dict[str, Tenant]
) -> None:
    person = Employee.objects.filter(tenant=demo["demo-bv"]).order_by("id").first()
    assert person is not None
    Employee.objects.filter(pk=person.pk).update(preferred_name="a\u2028b\u2029c")
    body = api(["employees:read"]).get("/api/v1/employees/?page_size=1").content
    assert "\u2028".encode() not in body and "\u2029".encode() not in body
    assert json.loads(body)["results"][0]["preferred_name"] == "a\u2028b\u2029c"


def _written_by_the_database() -> list[Any]:
    import kluis.api.urls  # noqa: F401  (the apps register their resources)
    from kluis.api.registry import resources

    return [r for r in resources() if getattr(r.viewset, "columns", None)]


def test_declared_resources_have_their_pages_written_by_the_database() -> None:
    assert {r.prefix for r in _written_by_the_database()} >= {"teams", "departments"}


@pytest.mark.parametrize("resource", _written_by_the_database(), ids=lambda r: r.prefix)
def test_a_row_written_by_the_database_is_the_row_read_alone(
    api: Callable[..., Api], demo: dict[str, Tenant], resource: Any
) -> None:
    """Every resource whose list the database writes (kluis/api/views.py `_text_page`):
    each listed row equals the same object read alone (written from the instance), key for
    key and in order, with every field and with a `?fields=` subset; and the page really
    was written by the database (else this test would hold the serializer to itself)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kluis.access.actor import Actor
    from kluis.access.permissions import API_SCOPES
    from kluis.approvals.services import submit
    from kluis.people.services import pay

    tenant = demo["demo-bv"]
    people = Employee.objects.filter(tenant=tenant)[:2]
    for person, kind in zip(people, ("bonus", "car"), strict=True):
        # The demo has no wage components: two, one recurring, through the service.
        pay.add_wage_component(
            Actor.system("row json", tenant),
            person,
            {
                "kind": kind,
                "amount": "12.5",
                "start_date": "2026-01-15",
                "recurring": kind == "car",
            },
        )
    calendar_rows(tenant)  # the demo has leave types only
    an_offboarding(tenant)  # the demo has none
    # A request held for a second approver (the demo has none).
    submit(Actor.system("row json", tenant), "approvals.policy", tenant=tenant, payload={})
    needed = resource.viewset.required_permissions["GET"]
    client = api([scope for scope, grants in API_SCOPES.items() if needed in grants])
    url = f"/api/v1/{resource.prefix}/"
    with CaptureQueriesContext(connection) as queries:
        rows = listed(client, f"{url}?page_size=3")
    assert rows, f"{url} lists nothing in the demo company"
    written = any("json_" in query["sql"] for query in queries.captured_queries)
    columns = resource.viewset.columns
    # Written by the database when every field is a column or a sealed column (opened and
    # added to the database's text).
    stored = set(columns) | set(resource.viewset.sealed_columns)
    assert written == (set(resource.viewset.serializer_class().fields) <= stored)
    for row in rows:
        alone = json.loads(client.get(f"{url}{row['id']}/").content)
        assert row == alone, row["id"]
        assert list(row) == list(alone), row["id"]
    some = sorted(columns)[-1]
    with CaptureQueriesContext(connection) as queries:
        subset = listed(client, f"{url}?page_size=50&fields={some}")
    assert any("json_" in query["sql"] for query in queries.captured_queries)
    for row in subset:
        alone = json.loads(client.get(f"{url}{row['id']}/?fields={some}").content)
        assert row == alone and set(row) == {"id", some}
