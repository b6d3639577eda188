"""The floor of bench/api_bench.py: the cheapest way to serve the same page of employees.

A bare WSGI app (no Django): one SQL query fetching the columns the API returns for an
`employees:read` key, for the same page (`?page_size=N&after=<id>`, keyset like the API's
cursor), and `json.dumps`. Served by granian exactly like Kluis, so Kluis/floor is what
Django, DRF and Kluis's checks cost on top of TLS, HTTP and the database.

Configured by the benchmark through the environment: KLUIS_BENCH_FLOOR_DB (the SQLite file)
and KLUIS_BENCH_FLOOR_TENANT (the company id). Not a benchmark itself (`make bench` skips
bench/_*.py).
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

# The API's names, and the columns they come from.
FIELDS = {
    "id": "id",
    "version": "version",
    "created_at": "created_at",
    "updated_at": "updated_at",
    "employee_number": "employee_number",
    "status": "status",
    "first_name": "first_name",
    "last_name": "last_name",
    "preferred_name": "preferred_name",
    "work_email": "work_email",
    "work_phone": "work_phone",
    "job_title": "job_title",
    "department": "department_id",
    "team": "team_id",
    "manager": "manager_id",
    "custom_fields": "custom_fields",
}
NAMES = tuple(FIELDS)
SQL = (
    f"SELECT {', '.join(FIELDS.values())} FROM people_employee "  # noqa: S608 (constants)
    "WHERE tenant_id = ? AND id > ? ORDER BY id LIMIT ?"
)
CUSTOM = NAMES.index("custom_fields")
_local = threading.local()


def _connection() -> sqlite3.Connection:
    """One connection per server thread, opened on first use."""
    connection: sqlite3.Connection | None = getattr(_local, "connection", None)
    if connection is None:
        connection = sqlite3.connect(os.environ["KLUIS_BENCH_FLOOR_DB"], timeout=30)
        _local.connection = connection
    return connection


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    query = parse_qs(environ.get("QUERY_STRING", ""))
    size = int(query.get("page_size", ["50"])[0])
    after = int(query.get("after", ["0"])[0])
    tenant = int(os.environ["KLUIS_BENCH_FLOOR_TENANT"])
    rows = _connection().execute(SQL, (tenant, after, size + 1)).fetchall()
    more = len(rows) > size
    results = []
    for row in rows[:size]:
        item = dict(zip(NAMES, row, strict=True))
        item["custom_fields"] = json.loads(row[CUSTOM] or "{}")
        results.append(item)
    next_url = f"/?page_size={size}&after={results[-1]['id']}" if more and results else None
    body = json.dumps({"next": next_url, "previous": None, "results": results}).encode()
    start_response(
        "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]
