"""The floor of bench/api_bench.py: the cheapest way to serve the same pages as the API.

A bare WSGI app (no Django): per request one SQL statement fetching the columns the API
returns for the same page (`/<resource>/?page_size=N&after=<key>`, keyset like the API's
cursor, plus the resource's filters), and `json.dumps`. One resource per API list, in
RESOURCES; `/<resource>/one/?id=N` reads one row; `PATCH /employees/<id>/` with a JSON
body of plain columns is one `UPDATE ... RETURNING` and a commit. Sealed columns are sent
as they are stored (ciphertext): the floor has no vault, so Kluis/floor on a sealed page
includes the decryption and the audit event of the read. Served by granian exactly like
Kluis, so Kluis/floor is what Django, DRF and Kluis's checks cost on top of TLS, HTTP and
the database.

Configured by the benchmark through the environment: KLUIS_BENCH_FLOOR_DB (the SQLite file)
and KLUIS_BENCH_FLOOR_TENANT (the company id). Not a benchmark itself (`make bench` skips
bench/_*.py).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs


@dataclass(frozen=True)
class Resource:
    table: str
    fields: dict[str, str]  # the API's names -> the SQL expressions they come from
    key: str = "id"  # the keyset column (the API's ordering)
    descending: bool = False
    json_fields: tuple[str, ...] = ()  # stored as JSON text, sent as JSON
    filters: dict[str, str] = field(default_factory=dict)  # query parameter -> condition

    def sql(self, filters: list[str]) -> str:
        where = " AND ".join(
            ["tenant_id = ?", f"{self.key} {'<' if self.descending else '>'} ?"]
            + [self.filters[name] for name in filters]
        )
        return (
            f"SELECT {', '.join(self.fields.values())} FROM {self.table}"  # noqa: S608 (constants)
            f" WHERE {where} ORDER BY {self.key} {'DESC' if self.descending else 'ASC'} LIMIT ?"
        )


EMPLOYEE = {
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
# What a key with employees:read, personal:read, identity:read and wages:read reads.
EMPLOYEE_SEALED = {
    **EMPLOYEE,
    "private_email": "private_email",
    "private_phone": "private_phone",
    "birth_date": "birth_date",
    "nationality": "nationality",
    "gender": "gender",
    "address": "address_sealed",
    "national_id": "national_id_sealed",
    "iban": "iban_sealed",
    "wage": (
        "(SELECT json_array(w.amount_sealed, w.currency, w.period, w.effective_from)"
        " FROM people_wage w WHERE w.employee_id = people_employee.id"
        " AND w.effective_from <= date('now') ORDER BY w.effective_from DESC LIMIT 1)"
    ),
}
EMPLOYEE_FILTERS = {"team": "team_id = ?", "updated_since": "updated_at >= ?"}
RESOURCES = {
    "employees": Resource(
        "people_employee", EMPLOYEE, json_fields=("custom_fields",), filters=EMPLOYEE_FILTERS
    ),
    "employees_sealed": Resource(
        "people_employee", EMPLOYEE_SEALED, json_fields=("custom_fields", "wage")
    ),
    "employments": Resource(
        "people_employment",
        {
            "id": "id",
            "employee": "employee_id",
            "contract_type": "contract_type",
            "start_date": "start_date",
            "end_date": "end_date",
            "hours_per_week": "hours_per_week",
            "job_title": "job_title",
            "cost_centre": "cost_centre",
            "department": "department_id",
            "team": "team_id",
            "manager": "manager_id",
            "created_at": "created_at",
        },
    ),
    "wages": Resource(
        "people_wage",
        {
            "id": "id",
            "employee": "employee_id",
            "effective_from": "effective_from",
            "amount": "amount_sealed",
            "currency": "currency",
            "period": "period",
            "created_at": "created_at",
        },
    ),
    "wage_components": Resource(
        "people_wagecomponent",
        {
            "id": "id",
            "employee": "employee_id",
            "kind": "kind",
            "label": "label",
            "amount": "amount_sealed",
            "currency": "currency",
            "recurring": "recurring",
            "period": "period",
            "start_date": "start_date",
            "end_date": "end_date",
            "created_at": "created_at",
        },
    ),
    "teams": Resource("people_team", {"id": "id", "name": "name", "department": "department_id"}),
    # What a key with timeoff:read sees of a leave request (no reason).
    "leave_requests": Resource(
        "timeoff_leaverequest",
        {
            "id": "id",
            "employee": "employee_id",
            "leave_type": "leave_type_id",
            "start_date": "start_date",
            "end_date": "end_date",
            "start_part": "start_part",
            "end_part": "end_part",
            "hours": "printf('%.2f', hours)",
            "status": "status",
            "stage": "stage",
            "decided_by": "decided_by",
            "decided_at": "decided_at",
            "decision_comment": "decision_comment",
            "version": "version",
            "created_at": "created_at",
            "updated_at": "updated_at",
        },
    ),
    "departments": Resource(
        "people_department", {"id": "id", "name": "name", "code": "code", "parent": "parent_id"}
    ),
    "custom_fields": Resource(
        "people_customfielddefinition",
        {
            "id": "id",
            "key": "key",
            "label": "label",
            "field_type": "field_type",
            "choices": "choices",
            "required": "required",
            "position": "position",
            "is_active": "is_active",
        },
        json_fields=("choices",),
    ),
    # The change feed: each version with its changes as {field, old, new}, made by the
    # database from the changed fields' names, old values and snapshot. No visibility
    # rule: every change of the bench's versions (a contract each) is one employees:read
    # may see, so the same rows as the API's for that key.
    "changes": Resource(
        "people_employeeversion",
        {
            "id": "id",
            "employee": "employee_id",
            "version": "version",
            "changed_at": "changed_at",
            "actor": "actor_label",
            "changes": (
                "(SELECT json_group_array(json_object('field', f.value,"
                " 'old', json_extract(people_employeeversion.old_values, '$.' || f.value),"
                " 'new', json_extract(people_employeeversion.snapshot, '$.' || f.value)))"
                " FROM json_each(people_employeeversion.changed_fields) f)"
            ),
        },
        json_fields=("changes",),
    ),
    "audit_events": Resource(
        "audit_auditevent",
        {
            "id": "id",
            "sequence": "sequence",
            "occurred_at": "occurred_at",
            "actor_kind": "actor_kind",
            "actor_label": "actor_label",
            "action": "action",
            "object_type": "object_type",
            "object_id": "object_id",
            "object_repr": "object_repr",
            "changes": "changes",
            "ip": "ip",
            "request_id": "request_id",
            "hash": "hash",
            "prev_hash": "prev_hash",
        },
        key="sequence",
        descending=True,
        json_fields=("changes",),
    ),
}
PATCHABLE = {"work_phone", "work_email", "job_title", "preferred_name"}  # plain columns
_local = threading.local()


def _connection() -> sqlite3.Connection:
    """One connection per server thread, opened on first use."""
    connection: sqlite3.Connection | None = getattr(_local, "connection", None)
    if connection is None:
        connection = sqlite3.connect(os.environ["KLUIS_BENCH_FLOOR_DB"], timeout=30)
        _local.connection = connection
    return connection


def _rows(resource: Resource, cursor: sqlite3.Cursor) -> list[dict[str, Any]]:
    names = tuple(resource.fields)
    results = []
    for row in cursor:
        item = dict(zip(names, row, strict=True))
        for name in resource.json_fields:
            item[name] = json.loads(item[name]) if item[name] else None
        results.append(item)
    return results


def _page(name: str, resource: Resource, query: dict[str, list[str]]) -> dict[str, Any]:
    size = int(query.get("page_size", ["50"])[0])
    start = 2**62 if resource.descending else 0
    after = int(query.get("after", [str(start)])[0])
    filters = sorted(set(query) & set(resource.filters))
    tenant = int(os.environ["KLUIS_BENCH_FLOOR_TENANT"])
    parameters = [tenant, after, *(query[f][0] for f in filters), size + 1]
    results = _rows(resource, _connection().execute(resource.sql(filters), parameters))
    more = len(results) > size
    results = results[:size]
    next_url = None
    if more and results:
        extra = "".join(f"&{f}={query[f][0]}" for f in filters)
        next_url = f"/{name}/?page_size={size}&after={results[-1][resource.key]}{extra}"
    return {"next": next_url, "previous": None, "results": results}


def _one(resource: Resource, pk: int) -> dict[str, Any] | None:
    tenant = int(os.environ["KLUIS_BENCH_FLOOR_TENANT"])
    sql = (
        f"SELECT {', '.join(resource.fields.values())} FROM {resource.table}"  # noqa: S608
        " WHERE tenant_id = ? AND id = ?"
    )
    rows = _rows(resource, _connection().execute(sql, (tenant, pk)))
    return rows[0] if rows else None


def _patch(pk: int, body: dict[str, Any]) -> dict[str, Any] | None:
    """One UPDATE ... RETURNING of the plain columns sent, the version and updated_at."""
    resource = RESOURCES["employees"]
    names = sorted(set(body) & PATCHABLE)
    tenant = int(os.environ["KLUIS_BENCH_FLOOR_TENANT"])
    sets = "".join(f"{n} = ?, " for n in names)
    sql = (
        f"UPDATE people_employee SET {sets}version = version + 1, updated_at = ?"  # noqa: S608
        f" WHERE tenant_id = ? AND id = ? RETURNING {', '.join(resource.fields.values())}"
    )
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    connection = _connection()
    with connection:  # commits
        rows = _rows(
            resource, connection.execute(sql, [*(body[n] for n in names), now, tenant, pk])
        )
    return rows[0] if rows else None


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    name, _sep, rest = environ.get("PATH_INFO", "/").strip("/").partition("/")
    resource = RESOURCES.get(name)
    query = parse_qs(environ.get("QUERY_STRING", ""))
    data: dict[str, Any] | None
    if name == "health":  # the liveness probe the benchmark waits on
        data = {"status": "ok"}
    elif resource is None:
        data = None
    elif environ["REQUEST_METHOD"] == "PATCH" and name == "employees" and rest.isdigit():
        length = int(environ.get("CONTENT_LENGTH") or 0)
        data = _patch(int(rest), json.loads(environ["wsgi.input"].read(length)))
    elif rest == "one":
        data = _one(resource, int(query["id"][0]))
    else:
        data = _page(name, resource, query)
    status = "200 OK" if data is not None else "404 Not Found"
    body = json.dumps(data).encode()
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]
