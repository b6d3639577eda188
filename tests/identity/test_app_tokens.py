"""App tokens: an app signs in through allauth headless and calls the REST API with a
short-lived JWT access token (ES256, kid) as the member, with the member's own
permissions; refresh tokens rotate and a reused one revokes its family."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from kluis.audit.models import AuditEvent
from kluis.identity import signing_keys
from kluis.identity.models import AppTokenFamily
from kluis.people.models import Employee
from tests.api_client import assert_problem
from tests.identity.app_token_helpers import api_get, part, refresh, sign_in, tokens

EMPLOYEES = "/api/v1/employees/"


pytestmark = pytest.mark.usefixtures("fresh_signing_keys")


def test_sign_in_gives_an_es256_access_token_with_kid_and_a_refresh_token(demo):
    meta = tokens("hr@demo-bv.test")
    access, refresh_token = meta["access_token"], meta["refresh_token"]
    header, claims = part(access, 0), part(access, 1)
    assert header["alg"] == "ES256"
    assert header["kid"] == signing_keys.signer().kid
    assert claims["token_use"] == "access"
    assert claims["exp"] - claims["iat"] == 15 * 60
    assert claims["company"] == demo["demo-bv"].pk
    assert part(refresh_token, 1)["token_use"] == "refresh"
    assert part(refresh_token, 1)["fam"] == claims["fam"]


def test_a_wrong_password_gives_no_tokens(demo):
    response = sign_in("hr@demo-bv.test", "not the password at all")
    assert response.status_code == 400
    assert "access_token" not in response.json().get("meta", {})


def test_the_api_answers_with_the_members_own_permissions(demo):
    hr = tokens("hr@demo-bv.test")["access_token"]
    employee = tokens("member1@demo-bv.test")["access_token"]
    everyone = api_get(EMPLOYEES, hr)
    assert everyone.status_code == 200, everyone.content[:300]
    own = api_get(EMPLOYEES, employee)
    assert own.status_code == 200, own.content[:300]
    hr_emails = {row["work_email"] for row in everyone.json()["results"]}
    own_rows = own.json()["results"]
    assert len(hr_emails) > 5
    assert [row["work_email"] for row in own_rows] == ["member1@demo-bv.test"]
    # An employee sees no one else's record, by id either.
    other = next(
        r["id"] for r in everyone.json()["results"] if r["work_email"] == "hr@demo-bv.test"
    )
    assert api_get(f"{EMPLOYEES}{other}/", employee).status_code == 404
    assert api_get(f"{EMPLOYEES}{other}/", hr).status_code == 200


def test_the_member_acts_in_the_tokens_company_only(demo):
    """A token of a company A member reaches nothing of company B, not even by naming it."""
    access = tokens("hr@demo-bv.test")["access_token"]
    rows = api_get(EMPLOYEES, access).json()["results"]
    assert all(row["work_email"].endswith("@demo-bv.test") for row in rows)
    other_ids = list(Employee.objects.for_tenant(demo["other-nv"]).values_list("pk", flat=True))
    assert other_ids
    for pk in other_ids[:3]:
        assert api_get(f"{EMPLOYEES}{pk}/", access).status_code == 404
    refused = api_get(EMPLOYEES, access, HTTP_X_KLUIS_COMPANY="other-nv")
    assert refused.status_code == 401
    assert refused["Content-Type"] == "application/problem+json"


def test_a_member_of_two_companies_chooses_one_per_request(demo):
    access = tokens("consultant@kluis.test")["access_token"]
    default = api_get(EMPLOYEES, access).json()["results"]
    chosen = api_get(EMPLOYEES, access, HTTP_X_KLUIS_COMPANY="other-nv").json()["results"]
    assert all(row["work_email"].endswith("@demo-bv.test") for row in default if row["work_email"])
    emails = {row["work_email"] for row in chosen}
    assert "hr@other-nv.test" in emails and "hr@demo-bv.test" not in emails


def test_refresh_rotates_and_reuse_revokes_the_family(demo):
    meta = tokens("hr@demo-bv.test")
    first_refresh = meta["refresh_token"]
    response = refresh(first_refresh)
    assert response.status_code == 200, response.content[:300]
    data = response.json()["data"]
    second_access, second_refresh = data["access_token"], data["refresh_token"]
    assert second_refresh != first_refresh
    assert api_get(EMPLOYEES, second_access).status_code == 200
    # The old refresh token again: someone copied it. The whole family goes.
    assert refresh(first_refresh).status_code == 400
    family = AppTokenFamily.objects.get(pk=part(first_refresh, 1)["fam"])
    assert family.revoked_at is not None and family.revoked_reason == "refresh token reused"
    event = AuditEvent.objects.filter(action="app_tokens.revoked", tenant=demo["demo-bv"]).get()
    assert event.object_id == str(family.user_id) and first_refresh not in str(event.changes)
    assert api_get(EMPLOYEES, second_access).status_code == 401
    assert api_get(EMPLOYEES, meta["access_token"]).status_code == 401
    assert refresh(second_refresh).status_code == 400
    # Other sign-ins of the same member are not touched.
    assert api_get(EMPLOYEES, tokens("hr@demo-bv.test")["access_token"]).status_code == 200


def _list_paths() -> list[str]:
    document = Client().get("/api/v1/schema/?format=json").json()
    return [path for path, ops in document["paths"].items() if "{" not in path and "get" in ops]


@pytest.mark.parametrize(
    "email", ["hr@demo-bv.test", "member1@demo-bv.test", "auditor@demo-bv.test"]
)
def test_every_list_answers_a_member_without_errors_and_only_their_company(demo, email):
    access = tokens(email)["access_token"]
    other = demo["other-nv"].pk
    paths = _list_paths()
    assert EMPLOYEES in paths and len(paths) > 5
    for path in paths:
        response = api_get(path, access)
        assert response.status_code in (200, 403), (path, response.status_code)
        if response.status_code == 200:
            text = response.content.decode()
            assert "other-nv.test" not in text, path
            for row in response.json().get("results", []):
                assert row.get("tenant", row.get("company")) in (None, demo["demo-bv"].pk), path
                assert row.get("tenant_id") != other, path


def test_each_sign_in_has_its_own_rate_limit(demo, settings):
    settings.API_RATE_PER_KEY = "3/hour"  # not a minute: its window could end mid-test
    first = tokens("hr@demo-bv.test")
    second = tokens("member1@demo-bv.test")["access_token"]
    for _ in range(3):
        assert api_get(EMPLOYEES, first["access_token"]).status_code == 200
    throttled = api_get(EMPLOYEES, first["access_token"])
    assert throttled.status_code == 429 and int(throttled["Retry-After"]) > 0
    # A new access token of the same sign-in counts with it; another sign-in does not.
    renewed = refresh(first["refresh_token"]).json()["data"]["access_token"]
    assert api_get(EMPLOYEES, renewed).status_code == 429
    assert api_get(EMPLOYEES, second).status_code == 200


HIRE = {
    "first_name": "Ilse",
    "last_name": "Wouters",
    "work_email": "ilse.wouters@demo-bv.test",
    "employment": {"start_date": "2026-04-01", "job_title": "Payroll officer"},
}


def _post(access: str, body: dict[str, object], **headers: str) -> Any:
    return Client().post(
        EMPLOYEES,
        json.dumps(body),
        content_type="application/json",
        secure=True,
        HTTP_AUTHORIZATION=f"Bearer {access}",
        **headers,
    )


def test_writes_are_the_members_own_and_audited_as_them(demo):
    employee = tokens("member1@demo-bv.test")["access_token"]
    assert_problem(_post(employee, HIRE), 403)
    hr = tokens("hr@demo-bv.test")["access_token"]
    response = _post(hr, HIRE)
    assert response.status_code == 201, response.content[:300]
    event = AuditEvent.objects.filter(action="employee.hired", tenant=demo["demo-bv"]).latest("id")
    assert event.actor_label == "hr@demo-bv.test" and event.actor_kind == "user"
    # Idempotency keys are stored per API client: an app's request says so.
    refused = _post(hr, {**HIRE, "work_email": "x@demo-bv.test"}, HTTP_IDEMPOTENCY_KEY="k-1")
    assert_problem(refused, 400)


def test_an_app_token_of_other_nv_gets_404_for_every_demo_bv_object_url(demo):
    """The API isolation walk (tests/api/test_isolation.py) with an app token of Other NV's
    HR admin instead of a key: every method on every Demo BV object answers as for an id
    that does not exist, and nothing changes."""
    from tests.api.test_isolation import _answers, api_routes
    from tests.tenancy.test_isolation import _url, demo_objects, object_routes, snapshot

    ids = demo_objects(demo["demo-bv"])
    access = tokens("hr@other-nv.test")["access_token"]
    client = Client()
    before = snapshot()
    for ns, route in api_routes():
        pattern = next(p for n, r, p in object_routes() if r == route)
        args = pattern.pattern.converters
        url = _url(route, {arg: ids[(ns, arg)]() for arg in args})
        missing = _url(route, dict.fromkeys(args, 987654321))
        got = _answers(client, access, url)
        assert got == _answers(client, access, missing), url
        assert {status for _m, status, _c in got} <= {403, 404, 405}, (url, got)
    assert snapshot() == before


def test_an_app_cannot_hand_in_a_providers_id_token(demo):
    """allauth's `provider/token` (an ID token an app got from a provider on its own) is
    not offered: single sign-on goes through the web's redirect flow, with Kluis's own
    token checks and failure counts (kluis/identity/sso/)."""
    import json

    from django.test import Client

    response = Client().post(
        "/auth/app/v1/auth/provider/token",
        json.dumps(
            {
                "provider": "kluis-1",
                "process": "login",
                "token": {"client_id": "x", "id_token": "a.b.c"},
            }
        ),
        content_type="application/json",
        secure=True,
    )
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "not_offered"
    assert "meta" not in response.json()  # no session token, no access token
