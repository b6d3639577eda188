"""CSV and JSON exports of the audit log: filtered, streamed, attachments, audited, safe."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.db import transaction
from django.http import StreamingHttpResponse
from django.utils import timezone

from kluis.access.actor import Actor
from kluis.audit.exports import safe_cell
from kluis.audit.models import AuditEvent
from kluis.audit.services import record
from kluis.company.services import create_role, grant_role
from tests.conftest import actor_for, member

AUDITOR = "auditor@demo-bv.test"


def _body(response) -> str:  # type: ignore[no-untyped-def]
    assert isinstance(response, StreamingHttpResponse)
    return b"".join(response.streaming_content).decode()


def _csv_rows(response) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    return list(csv.DictReader(io.StringIO(_body(response))))


def test_csv_export_is_an_attachment_with_the_filtered_rows(demo, login):
    response = login(AUDITOR).get("/audit/export.csv", {"action": "role.created"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="kluis-audit-demo-bv-{today}.csv"'
    )
    rows = _csv_rows(response)
    assert len(rows) == 5
    assert {r["action"] for r in rows} == {"role.created"}
    expected = AuditEvent.objects.filter(tenant__slug="demo-bv", action="role.created")
    assert {r["hash"] for r in rows} == set(expected.values_list("hash", flat=True))


def test_json_export_is_one_json_array_with_the_filtered_rows(demo, login):
    response = login(AUDITOR).get("/audit/export.json", {"action": "role.granted"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith("attachment; ")
    assert response["Content-Disposition"].endswith('.json"')
    data = json.loads(_body(response))
    assert isinstance(data, list)
    expected = AuditEvent.objects.filter(tenant__slug="demo-bv", action="role.granted").count()
    assert len(data) == expected
    assert {row["action"] for row in data} == {"role.granted"}
    assert isinstance(data[0]["changes"], dict)


def test_json_export_of_nothing_is_an_empty_array(demo, login):
    response = login(AUDITOR).get("/audit/export.json", {"actor": "nobody-at-all"})
    assert json.loads(_body(response)) == []


def test_exports_leave_out_other_companies(demo, login):
    data = json.loads(_body(login(AUDITOR).get("/audit/export.json")))
    other = member("owner@other-nv.test").tenant
    other_hashes = set(AuditEvent.objects.filter(tenant=other).values_list("hash", flat=True))
    assert data
    assert not other_hashes & {row["hash"] for row in data}


def test_csv_export_neutralises_formula_injection(demo, login):
    tenant = member(AUDITOR).tenant
    with transaction.atomic():
        record(
            Actor.system('=HYPERLINK("http://evil.test")', tenant),
            "test.injection",
            tenant=tenant,
            object_type="tenancy.tenant",  # a type whose label and name every reader sees
            object_id="-1",
            object_repr="@SUM(A1:A9)",
            changes={"name": {"old": "+1", "new": "\tcmd"}},
        )
    rows = _csv_rows(login(AUDITOR).get("/audit/export.csv", {"action": "test.injection"}))
    assert len(rows) == 1
    row = rows[0]
    assert row["actor_label"] == '\'=HYPERLINK("http://evil.test")'
    assert row["object_id"] == "'-1"
    assert row["object_repr"] == "'@SUM(A1:A9)"
    for value in row.values():
        assert not value.startswith(("=", "+", "-", "@", "\t", "\r"))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+31 6", "'+31 6"),
        ("-5", "'-5"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("plain", "plain"),
        (None, ""),
        (42, "42"),
    ],
)
def test_safe_cell_prefixes_formula_starts(value, expected):
    assert safe_cell(value) == expected


def test_export_is_itself_audited_with_the_filter(demo, login):
    login(AUDITOR).get("/audit/export.csv", {"action": "role.granted", "actor": "demo"})
    event = AuditEvent.objects.filter(tenant__slug="demo-bv", action="audit.exported").get()
    assert event.actor_label == AUDITOR
    assert event.changes == {
        "filters": {"action": "role.granted", "actor": "demo"},
        "format": "csv",
    }


def test_json_export_is_audited_too(demo, login):
    login(AUDITOR).get("/audit/export.json")
    event = AuditEvent.objects.filter(tenant__slug="demo-bv", action="audit.exported").get()
    assert event.changes == {"filters": {}, "format": "json"}


def test_export_is_forbidden_without_audit_export(demo, login):
    before = AuditEvent.objects.count()
    client = login("hr@demo-bv.test")
    assert client.get("/audit/export.csv").status_code == 403
    assert client.get("/audit/export.json").status_code == 403
    assert AuditEvent.objects.count() == before


def test_audit_reader_without_export_permission_sees_no_export_and_is_refused(demo, login):
    owner = actor_for("owner@demo-bv.test")
    target = member("member1@demo-bv.test")
    with transaction.atomic():
        role = create_role(
            owner, target.tenant, name="Log reader", grants={"audit.view": "company"}
        )
        grant_role(owner, target, role)
    client = login("member1@demo-bv.test")
    page = client.get("/audit/")
    assert page.status_code == 200
    assert b'data-testid="export-csv"' not in page.content
    assert client.get("/audit/export.csv").status_code == 403


def test_export_with_an_invalid_filter_is_refused_and_not_audited(demo, login):
    before = AuditEvent.objects.count()
    response = login(AUDITOR).get("/audit/export.csv", {"date_to": "not-a-date"})
    assert response.status_code == 400
    assert "date_to" in response.context["filter"].errors
    assert AuditEvent.objects.count() == before
