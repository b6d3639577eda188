"""The employee list's cost does not grow with the page: a pinned number of SQL queries
(bench/api_bench.py measures the rest), and its fast path answers exactly what the full
one does, audits nothing and walks every ordering."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kluis.audit.models import AuditEvent
from kluis.people.models import Employee, EmployeeStatus
from kluis.tenancy.models import Tenant

URL = "/api/v1/employees/"
MAX_QUERIES = 3  # the credential with its client and company, the page; nothing per row
# On PostgreSQL the key lookup also narrows the connection to the client's company
# (row-level security) and one statement widens it again after the response.
RLS = "set_config"


def body(response: Any) -> Any:
    assert response.status_code == 200, response.content[:500]
    return json.loads(response.content)


def hire_in_bulk(n: int, slug: str = "demo-bv") -> None:
    tenant = Tenant.objects.get(slug=slug)
    Employee.objects.bulk_create(
        Employee(
            tenant=tenant,
            employee_number=f"Q{i:05d}",
            first_name="Bulk",
            last_name=f"Person {i % 37:05d}",  # repeats: an ordering with ties
            status=EmployeeStatus.ACTIVE,
            custom_fields={"badge": f"B{i}"} if i % 2 else {},
        )
        for i in range(n)
    )


def queries_of(client: Any, url: str) -> tuple[int, Any]:
    client.get(url)  # warm: the key's last use is written at most once a minute
    with CaptureQueriesContext(connection) as captured:
        page = body(client.get(url))
    statements = [q["sql"] for q in captured.captured_queries]
    rls = [sql for sql in statements if RLS in sql]
    if connection.vendor == "postgresql":
        assert len(rls) == 2, statements  # narrowed in the key lookup, widened at the end
        assert "integrations_apikey" in rls[0], statements
    else:
        assert not rls, statements
    return len(statements), page


@pytest.mark.parametrize("page_size", [20, 200])
def test_listing_employees_takes_at_most_three_queries_whatever_the_page_size(api, page_size):
    hire_in_bulk(450)
    client = api(["employees:read"])
    count, page = queries_of(client, f"{URL}?page_size={page_size}")
    assert len(page["results"]) == page_size
    assert count <= MAX_QUERIES
    deep, _page = queries_of(client, page["next"])
    assert deep <= MAX_QUERIES


def test_sensitive_scopes_keep_the_query_count_flat_too(api):
    hire_in_bulk(450)
    client = api(["employees:read", "wages:read", "identity:read", "personal:read"])
    small, _page = queries_of(client, f"{URL}?page_size=20")
    large, page = queries_of(client, f"{URL}?page_size=200")
    assert len(page["results"]) == 200
    # The key, the page (wages and sealed tokens written in by the database) and the
    # audit event of the sealed values read: one statement, once for the whole page (and
    # on PostgreSQL the statement widening the connection again after the response).
    widening = 1 if connection.vendor == "postgresql" else 0
    assert small == large <= MAX_QUERIES + widening
    # One event per request (two of each size), the last naming the 200-row page's people.
    events = list(AuditEvent.objects.filter(action="employee.sensitive_viewed"))
    assert len(events) == 4
    assert 20 < len(events[0].changes["employees"]) <= 200


def test_the_plain_list_answers_exactly_what_the_full_one_does(api):
    hire_in_bulk(60)
    plain = body(api(["employees:read"]).get(f"{URL}?page_size=200"))
    # wages:read takes the path that builds employees and opens wages (audited).
    full = body(api(["employees:read", "wages:read"]).get(f"{URL}?page_size=200"))
    for row in full["results"]:
        row.pop("wage", None)
    assert plain["results"] == full["results"]
    assert {"created_at", "updated_at", "custom_fields", "manager"} <= set(plain["results"][0])
    narrowed = body(api(["employees:read"]).get(f"{URL}?fields=first_name,updated_at"))
    rows = [{k: r[k] for k in ("id", "first_name", "updated_at")} for r in full["results"]]
    assert narrowed["results"] == rows[: len(narrowed["results"])]


def test_listing_with_employees_read_writes_no_audit_rows(api):
    hire_in_bulk(30)
    client = api(["employees:read", "personal:read"])
    before = AuditEvent.objects.count()
    with CaptureQueriesContext(connection) as captured:
        body(client.get(f"{URL}?page_size=200"))
    assert AuditEvent.objects.count() == before
    writes = [q["sql"] for q in captured.captured_queries if not q["sql"].startswith("SELECT")]
    assert all(RLS in sql or "last_used_at" in sql for sql in writes), writes


@pytest.mark.parametrize(
    "ordering", ["id", "-id", "last_name", "-first_name", "created_at", "-updated_at"]
)
def test_every_ordering_walks_every_employee_exactly_once(api, ordering):
    hire_in_bulk(95)
    client = api(["employees:read"])
    expected = set(Employee.objects.filter(tenant__slug="demo-bv").values_list("pk", flat=True))
    seen: list[int] = []
    url: str | None = f"{URL}?page_size=20&ordering={ordering}&fields=employee_number"
    while url:
        page = body(client.get(url))
        assert all(set(row) == {"id", "employee_number"} for row in page["results"])
        seen.extend(row["id"] for row in page["results"])
        url = page["next"]
    assert len(seen) == len(set(seen)) and set(seen) == expected
