"""The owner's Sign-in settings page (/settings/sign-in/, permission
`identity.manage_signin`, held by the built-in Owner role only): every change goes through
the service, is audited with a diff, and bad input changes nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kluis.access.actor import Actor
from kluis.access.models import Role
from kluis.access.permissions import BUILTIN_ROLES
from kluis.audit.models import AuditEvent
from kluis.identity.policy import policy_for
from kluis.identity.policy_service import change_policy, clean_networks
from tests.conftest import actor_for, member

URL = "/settings/sign-in/"


def _form(roles: list[Role], **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "mfa_required_for": "roles",
        "mfa_roles": [r.pk for r in roles],
        "idle_timeout_minutes": "30",
        "absolute_lifetime_hours": "8",
        "allowed_networks": "203.0.113.0/24\n2001:db8::/48\n198.51.100.7",
        "password_sign_in_allowed": "on",
    }
    data.update(overrides)
    return data


def test_only_the_owner_role_holds_the_permission():
    holders = [k for k, r in BUILTIN_ROLES.items() if "identity.manage_signin" in r.grants]
    assert holders == ["owner"]


def test_the_owner_changes_the_policy_and_it_is_audited(demo, login):
    tenant = demo["demo-bv"]
    client = login("owner@demo-bv.test", "demo-bv")
    page = client.get(URL, secure=True)
    assert page.status_code == 200
    assert 'href="/settings/sign-in/"' in page.content.decode()  # in the navigation
    roles = list(Role.objects.for_tenant(tenant).filter(builtin_key__in=["hr_admin", "manager"]))
    response = client.post(URL, _form(roles), secure=True)
    assert response.status_code == 302 and response["Location"] == URL
    policy = policy_for(tenant)
    assert policy.mfa_required_for == "roles"
    assert policy.mfa_role_ids == {r.pk for r in roles}
    assert (policy.idle_timeout_seconds, policy.absolute_lifetime_seconds) == (1800, 8 * 3600)
    assert policy.allowed_networks == ("203.0.113.0/24", "2001:db8::/48", "198.51.100.7")
    event = (
        AuditEvent.objects.for_tenant(tenant)
        .filter(action="signin_policy.changed")
        .order_by("sequence")
        .last()
    )
    assert event is not None and event.actor_label == "owner@demo-bv.test"
    assert event.changes["mfa_required_for"] == {"old": "off", "new": "roles"}
    assert event.changes["idle_timeout_seconds"] == {"old": 3600, "new": 1800}
    assert event.changes["mfa_roles"]["new"] == sorted(r.name for r in roles)
    assert "saved" in client.get(URL, secure=True).content.decode()


@pytest.mark.parametrize(
    ("overrides", "field_text"),
    [
        ({"idle_timeout_minutes": "2"}, "idle_timeout_minutes"),
        ({"absolute_lifetime_hours": "25"}, "absolute_lifetime_hours"),
        ({"idle_timeout_minutes": "600", "absolute_lifetime_hours": "2"}, "idle longer"),
        ({"allowed_networks": "not-an-address"}, "not-an-address is not an IP address"),
        ({"allowed_networks": "10.0.0.0/8"}, "too wide"),
        ({"mfa_roles": []}, "Choose at least one role"),
        ({"mfa_required_for": "sometimes"}, "mfa_required_for"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(demo, login, overrides, field_text):
    tenant = demo["demo-bv"]
    client = login("owner@demo-bv.test", "demo-bv")
    before = policy_for(tenant), AuditEvent.objects.count()
    roles = list(Role.objects.for_tenant(tenant).filter(builtin_key="owner"))
    response = client.post(URL, _form(roles, **overrides), secure=True)
    assert response.status_code == 200
    text = response.content.decode()
    assert 'data-testid="form-errors"' in text
    assert field_text in text
    assert (policy_for(tenant), AuditEvent.objects.count()) == before


@pytest.mark.parametrize(
    "email", ["hr@demo-bv.test", "auditor@demo-bv.test", "member1@demo-bv.test"]
)
def test_others_than_the_owner_may_not(demo, login, email):
    client = login(email, "demo-bv")
    assert client.get(URL, secure=True).status_code == 403
    roles = list(Role.objects.for_tenant(demo["demo-bv"]).filter(builtin_key="owner"))
    assert (
        client.post(URL, _form(roles, mfa_required_for="everyone"), secure=True).status_code == 403
    )
    assert policy_for(demo["demo-bv"]).mfa_required_for == "off"
    assert 'href="/settings/sign-in/"' not in client.get("/", secure=True).content.decode()


def test_another_company_s_owner_reaches_nothing_of_ours(demo, login):
    ours, theirs = demo["demo-bv"], demo["other-nv"]
    before = policy_for(ours)
    client = login("owner@other-nv.test", "other-nv")
    page = client.get(URL, secure=True).content.decode()
    our_roles = list(Role.objects.for_tenant(ours))
    assert all(f'value="{r.pk}"' not in page for r in our_roles)
    # Naming our roles changes nothing of ours and is refused.
    response = client.post(URL, _form(our_roles[:1]), secure=True)
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert policy_for(ours) == before
    assert policy_for(theirs).mfa_required_for == "off"
    # The service refuses an actor of another company outright.
    with pytest.raises(PermissionDenied):
        change_policy(
            actor_for("owner@other-nv.test", "other-nv"),
            ours,
            mfa_required_for="everyone",
            idle_timeout_seconds=3600,
            absolute_lifetime_seconds=7200,
        )


def test_networks_are_normalised():
    assert clean_networks(["10.1.2.3/24", " 192.0.2.9 ", "", "10.1.2.0/24", "2001:db8::1/64"]) == [
        "10.1.2.0/24",
        "192.0.2.9",
        "2001:db8::/64",
    ]
    with pytest.raises(ValidationError):
        clean_networks(["::/0"])


def test_the_system_may_set_it_for_any_company(demo):
    tenant = demo["other-nv"]
    change_policy(
        Actor.system("operator", tenant),
        tenant,
        mfa_required_for="everyone",
        idle_timeout_seconds=300,
        absolute_lifetime_seconds=3600,
        password_sign_in_allowed=False,
    )
    policy = policy_for(tenant)
    assert policy.mfa_required_for == "everyone" and not policy.password_sign_in_allowed


def test_password_sign_in_forbidden_except_for_owners_with_a_second_factor(demo):
    from allauth.mfa.models import Authenticator

    from kluis.identity.policy import password_sign_in_allowed

    tenant = demo["demo-bv"]
    hr, owner = member("hr@demo-bv.test", "demo-bv").user, member("owner@demo-bv.test").user
    consultant = member("consultant@kluis.test", "other-nv").user
    assert password_sign_in_allowed(hr) and password_sign_in_allowed(owner)
    change_policy(
        Actor.system("test", tenant),
        tenant,
        mfa_required_for="off",
        idle_timeout_seconds=3600,
        absolute_lifetime_seconds=7200,
        password_sign_in_allowed=False,
    )
    assert not password_sign_in_allowed(hr)
    assert not password_sign_in_allowed(owner)  # no second factor: no break-glass
    assert not password_sign_in_allowed(consultant)  # one of their companies forbids it
    assert password_sign_in_allowed(member("hr@other-nv.test").user)
    Authenticator.objects.create(user=owner, type=Authenticator.Type.TOTP, data={"secret": "x"})
    Authenticator.objects.create(user=hr, type=Authenticator.Type.TOTP, data={"secret": "x"})
    assert password_sign_in_allowed(owner)  # the owner's break-glass path
    assert not password_sign_in_allowed(hr)


@pytest.mark.parametrize("language", ["en", "nl", "fr"])
def test_the_roles_to_choose_have_distinct_names_in_every_language(demo, login, language):
    """French called both the Owner and the Manager role "Responsable": the owner could
    not tell which role they required a second factor of."""
    import re

    from django.utils import translation

    client = login("owner@demo-bv.test", "demo-bv")
    with translation.override(language):
        html = client.get(URL, secure=True, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    labels = re.findall(r'name="mfa_roles"[^>]*>\s*([^<]+?)\s*</label>', html)
    assert len(labels) == len(BUILTIN_ROLES), labels
    assert len(set(labels)) == len(labels), labels
