"""`/api/v1/offboardings/`: HR's integration requests an offboarding (it waits for a
second person's approval like one started in the web UI) and reads what was revoked."""

from __future__ import annotations

import json

from kluis.approvals.models import ApprovalRequest
from kluis.offboarding import tasks
from kluis.offboarding.models import Offboarding
from tests.api_client import assert_problem
from tests.conftest import member
from tests.offboarding.support import LEAVER, OWNER, approve, employee_of

URL = "/api/v1/offboardings/"


def test_a_request_through_the_api_waits_for_approval_then_shows_what_was_revoked(demo, api):
    client = api(["offboardings:write"])
    leaver = employee_of(LEAVER)
    body = {
        "employee": leaver.pk,
        "last_day": "2026-12-31",
        "reason": "Contract ended",
        "moment": "immediately",
        "handover_to": member(OWNER).pk,
    }

    response = client.post(URL, body)

    assert response.status_code == 201, response.content
    made = json.loads(response.content)
    assert made["status"] == "requested" and made["employee"] == leaver.pk
    request = ApprovalRequest.objects.get(pk=made["approval_request"])
    assert request.action == "offboarding.revoke_access" and request.status == "pending"
    assert member(LEAVER).is_active  # nothing happens before a person approves
    approve(Offboarding.objects.get(pk=made["id"]), by=OWNER)
    assert tasks.run_due() == [made["id"]]
    shown = json.loads(client.get(f"{URL}{made['id']}/").content)
    assert shown["status"] == "executed" and shown["approved_by"] == OWNER
    assert shown["revoked"]["membership"] == member(LEAVER).pk
    assert shown["revoked"]["counts"]["sessions"] == 0
    listed = json.loads(client.get(f"{URL}?status=executed").content)["results"]
    assert [row["id"] for row in listed] == [made["id"]]


def test_an_api_client_must_name_who_receives_the_integrations(demo, api):
    body = {
        "employee": employee_of(LEAVER).pk,
        "last_day": "2026-12-31",
        "reason": "Contract ended",
        "moment": "immediately",
    }

    problem = assert_problem(api(["offboardings:write"]).post(URL, body), 422)

    assert [e["field"] for e in problem["errors"]] == ["handover_to"]
    assert not Offboarding.objects.exists()


def test_reading_needs_the_scope(demo, api):
    assert_problem(api(["employees:read"]).get(URL), 403)
