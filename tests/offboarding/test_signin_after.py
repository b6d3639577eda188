"""After the offboarding the leaver signs in nowhere in the company: not with a password,
not with a second factor (kept for the audit trail, but unusable), not through the
company's single sign-on; someone who works for another company too keeps that one."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.test import Client

from kluis.offboarding import tasks
from kluis.people.models import Employee
from tests.conftest import member
from tests.identity.mfa_helpers import add_totp, password_step, signed_in
from tests.identity.sso_support import (
    authorize_at_mock,
    configure,
    mock_provider,
    set_user,
    start,
)
from tests.identity.test_sso_signin import signed_in_as, sso_sign_in
from tests.offboarding.support import LEAVER, approve, employee_of, request_offboarding

CONSULTANT = "consultant@kluis.test"


@pytest.fixture
def issuer() -> Iterator[str]:
    with mock_provider() as url:
        yield url


def _offboard(employee: Employee, slug: str = "demo-bv") -> None:
    hr, owner = f"hr@{slug}.test", f"owner@{slug}.test"
    offboarding = approve(request_offboarding(employee, by=hr), by=owner)
    assert tasks.run_due() == [offboarding.pk]


def test_the_company_s_single_sign_on_refuses_the_leaver(demo, issuer):
    configure(demo["demo-bv"], issuer, "demo-bv.test")
    set_user(issuer, "sub-leaver", email=LEAVER, email_verified=True)
    client, _response = sso_sign_in(issuer, LEAVER, "sub-leaver")
    assert signed_in_as(client) == LEAVER  # linked, and working, before
    # A sign-in under way at the provider when the offboarding is carried out ...
    browser = Client(REMOTE_ADDR="127.0.0.9", HTTP_USER_AGENT="Browser SSO")
    under_way = start(browser, LEAVER)

    _offboard(employee_of(LEAVER))

    # ... comes back refused,
    response = browser.get(authorize_at_mock(under_way, "sub-leaver"), secure=True)
    assert signed_in_as(browser) is None
    assert response.status_code == 403 or "inactive" in response.get("Location", "")
    # and the address no longer leads to the company's provider at all.
    again = Client().post("/accounts/login/continue/", {"login": LEAVER}, secure=True)
    assert again.status_code == 200 and "provider_url" not in again.context
    assert b'name="password"' in again.content


def test_two_factor_devices_are_kept_but_sign_in_with_them_is_refused(demo):
    user = member(LEAVER).user
    add_totp(user)
    devices = set(Authenticator.objects.filter(user=user).values_list("pk", flat=True))

    _offboard(employee_of(LEAVER))

    assert set(Authenticator.objects.filter(user=user).values_list("pk", flat=True)) == devices
    client = Client()
    response = password_step(client, LEAVER)
    assert not signed_in(client)
    # The account is inactive: no second-factor step is even offered.
    assert response.status_code == 302 and "/2fa/authenticate/" not in response["Location"]
    assert "inactive" in response["Location"]


def test_someone_in_another_company_keeps_that_one(demo):
    here = member(CONSULTANT, "demo-bv")
    employee = Employee.objects.create(
        tenant=here.tenant,
        membership=here,
        employee_number="C-1",
        first_name="Chris",
        last_name="Consultant",
    )

    _offboard(employee)

    here.refresh_from_db()
    elsewhere = member(CONSULTANT, "other-nv")
    assert not here.is_active and elsewhere.is_active
    assert here.user.is_active  # the account still works for Other NV
    client = Client()
    response = client.post(
        "/accounts/login/",
        {"login": CONSULTANT, "password": settings.DEMO_PASSWORD},
        secure=True,
    )
    assert response.status_code == 302 and signed_in(client)
    page: Any = client.get("/", secure=True)
    assert page.status_code == 200
    assert "Other NV" in page.content.decode() and "Demo BV" not in page.content.decode()
