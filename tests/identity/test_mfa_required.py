"""A company requires a second factor of everyone or of chosen roles (default: Owner, HR
admin, Auditor): such a member without one is taken to enrolment from every page and can
do nothing else until enrolled; the API (credentials, not sessions) is not affected. TOTP
codes come from pyotp, an implementation independent of allauth's."""

from __future__ import annotations

import re

import pyotp
import pytest
from django.conf import settings
from django.test import Client

from kluis.access.actor import Actor
from kluis.access.models import Role
from kluis.identity.models import SignInPolicy, User
from kluis.identity.policy import has_second_factor, mfa_required, policy_for
from kluis.identity.policy_service import change_policy
from kluis.tenancy.models import Membership, Tenant
from tests.conftest import member

HR = "hr@demo-bv.test"
PAGES = ["/", "/people/", "/members/", "/roles/", "/accounts/sessions/", "/settings/sign-in/"]


def _require(tenant: Tenant, who: str, role_keys: tuple[str, ...] = ()) -> None:
    roles = Role.objects.for_tenant(tenant).filter(builtin_key__in=role_keys)
    change_policy(
        Actor.system("test", tenant),
        tenant,
        mfa_required_for=who,
        mfa_roles=list(roles),
        idle_timeout_seconds=3600,
        absolute_lifetime_seconds=12 * 3600,
    )


def _sign_in(email: str) -> Client:
    client = Client()
    response = client.post(
        "/accounts/login/", {"login": email, "password": settings.DEMO_PASSWORD}, secure=True
    )
    assert response.status_code == 302, response.content[:300]
    return client


def test_a_new_company_requires_it_of_owner_hr_admin_and_auditor(demo):
    from kluis.company.services import add_member, create_tenant

    system = Actor.system("test")
    tenant = create_tenant(system, name="New BV", slug="new-bv")
    system.tenant = tenant
    policy = policy_for(tenant)
    assert not policy.stored and policy.mfa_required_for == SignInPolicy.Mfa.ROLES
    keys = set(
        Role.objects.filter(pk__in=policy.mfa_role_ids).values_list("builtin_key", flat=True)
    )
    assert keys == {"owner", "hr_admin", "auditor"}
    roles = {r.builtin_key: r for r in Role.objects.for_tenant(tenant)}
    for key, expected in [("owner", True), ("hr_admin", True), ("auditor", True)]:
        one = add_member(system, tenant, email=f"{key}@new.test", roles=[roles[key]])
        assert mfa_required(one) is expected
    for key in ("manager", "employee"):
        one = add_member(system, tenant, email=f"{key}@new.test", roles=[roles[key]])
        assert mfa_required(one) is False


def test_the_demo_companies_require_it_of_nobody(demo):
    for tenant in demo.values():
        assert policy_for(tenant).mfa_required_for == SignInPolicy.Mfa.OFF
    assert mfa_required(member("owner@demo-bv.test")) is False


def test_an_hr_admin_without_a_second_factor_is_taken_to_enrolment_until_enrolled(demo):
    _require(demo["demo-bv"], SignInPolicy.Mfa.ROLES, ("owner", "hr_admin", "auditor"))
    client = _sign_in(HR)
    for page in PAGES:
        response = client.get(page, secure=True)
        assert response.status_code == 302, page
        assert response["Location"] == "/accounts/2fa/", page
    # A form post changes nothing either.
    response = client.post("/people/settings/", {"self_editable_fields": []}, secure=True)
    assert response.status_code == 302 and response["Location"] == "/accounts/2fa/"
    page = client.get("/accounts/2fa/", secure=True)
    assert page.status_code == 200
    assert "asks you to use a second factor" in page.content.decode()
    # Enrol an authenticator app (allauth asks for the password again first): the secret
    # shown on the page, a code computed by pyotp.
    response = client.get("/accounts/2fa/totp/activate/", secure=True)
    if response.status_code == 302 and response["Location"].startswith("/accounts/reauth"):
        response = client.post(
            response["Location"], {"password": settings.DEMO_PASSWORD}, secure=True
        )
        assert response.status_code == 302
    page = client.get("/accounts/2fa/totp/activate/", secure=True)
    assert page.status_code == 200
    secret = re.search(r'value="([A-Z2-7]{16,})"', page.content.decode())
    assert secret is not None
    code = pyotp.TOTP(secret.group(1)).now()
    response = client.post("/accounts/2fa/totp/activate/", {"code": code}, secure=True)
    assert response.status_code == 302
    assert has_second_factor(User.objects.get(email=HR))
    dashboard = client.get("/", secure=True)
    assert dashboard.status_code == 200
    assert client.get("/people/", secure=True).status_code == 200


def test_sign_out_and_the_language_switch_stay_open(demo):
    _require(demo["demo-bv"], SignInPolicy.Mfa.EVERYONE)
    client = _sign_in("member1@demo-bv.test")
    response = client.post("/i18n/setlang/", {"language": "nl", "next": "/"}, secure=True)
    assert response.status_code == 302 and response["Location"] == "/"
    response = client.post("/accounts/logout/", secure=True)
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    ("who", "keys", "email", "required"),
    [
        (SignInPolicy.Mfa.OFF, (), "owner@demo-bv.test", False),
        (SignInPolicy.Mfa.EVERYONE, (), "member1@demo-bv.test", True),
        (SignInPolicy.Mfa.ROLES, ("manager",), "manager@demo-bv.test", True),
        (SignInPolicy.Mfa.ROLES, ("manager",), "hr@demo-bv.test", False),
    ],
)
def test_who_must_enrol_follows_the_policy(demo, login, who, keys, email, required):
    _require(demo["demo-bv"], who, keys)
    assert mfa_required(member(email, "demo-bv")) is required
    response = login(email, "demo-bv").get("/", secure=True)
    assert response.status_code == (302 if required else 200)


def test_the_other_company_s_policy_does_not_apply(demo, login):
    _require(demo["other-nv"], SignInPolicy.Mfa.EVERYONE)
    assert login("owner@demo-bv.test").get("/", secure=True).status_code == 200
    consultant = login("consultant@kluis.test", "demo-bv")
    assert consultant.get("/", secure=True).status_code == 200
    # Switching to the company that requires it leads to enrolment.
    consultant.post("/company/switch/", {"tenant": demo["other-nv"].pk, "next": "/"}, secure=True)
    assert consultant.get("/", secure=True)["Location"] == "/accounts/2fa/"


def test_the_api_is_not_affected(demo, api):
    _require(demo["demo-bv"], SignInPolicy.Mfa.EVERYONE)
    assert Membership.objects.for_tenant(demo["demo-bv"]).exists()
    response = api(["employees:read"]).get("/api/v1/employees/")
    assert response.status_code == 200


def test_a_demo_loaded_before_policies_existed_gets_the_demo_policy(demo):
    from kluis.company.demo import load_demo
    from kluis.identity.policy import forget

    tenant = demo["demo-bv"]
    SignInPolicy.objects.for_tenant(tenant).delete()
    forget(tenant)
    assert policy_for(tenant).mfa_required_for == SignInPolicy.Mfa.ROLES
    assert load_demo() is False
    forget(tenant)
    assert policy_for(tenant).mfa_required_for == SignInPolicy.Mfa.OFF


def test_an_app_sign_in_without_the_required_second_factor_cannot_use_the_api(demo):
    """The app client (allauth headless) signs in with the password alone when no factor
    is enrolled: its access token must not open the API to a member whose company
    requires a second factor until they enrol one (as the web sends them to enrolment)."""
    from tests.identity.app_token_helpers import api_get, tokens

    _require(demo["demo-bv"], SignInPolicy.Mfa.ROLES, ("owner", "hr_admin", "auditor"))
    access = tokens(HR)["access_token"]
    response = api_get("/api/v1/employees/", access)
    assert response.status_code == 403, response.content[:300]
    assert "second factor" in response.json()["detail"]
    # A member the policy does not name keeps using the API with the same kind of token.
    employee = tokens("employee@demo-bv.test")["access_token"]
    assert api_get("/api/v1/employees/", employee).status_code == 200
    # Once HR has enrolled a factor (codes from pyotp), the API opens to HR's app.
    from tests.identity.mfa_helpers import enrol_totp

    enrol_totp(_sign_in(HR))
    assert api_get("/api/v1/employees/", access).status_code == 200
