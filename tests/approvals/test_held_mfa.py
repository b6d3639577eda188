"""`mfa.reset` under the two-person rule: resetting someone's two-factor authentication
waits for a second approver, who is never the requester nor the member reset."""

from __future__ import annotations

from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from django.core.exceptions import PermissionDenied

from kluis.access.holds import HeldForApproval
from kluis.access.models import Role
from kluis.approvals import services
from kluis.approvals.models import ApprovalRequest, Status
from kluis.company.services.mfa import reset_member_mfa
from kluis.company.services.roles import grant_role
from kluis.identity.models import User
from kluis.tenancy.models import Tenant
from tests.approvals.held import HR, MANAGER, OWNER, applied_event, both_names, choose, shown
from tests.conftest import actor_for, member
from tests.identity.mfa_helpers import add_totp

KEY = "mfa.reset"
MEMBER = "member1@demo-bv.test"


@pytest.fixture
def tenant(demo: dict[str, Tenant]) -> Tenant:
    return demo["demo-bv"]


def factors(email: str) -> int:
    return Authenticator.objects.filter(user__email=email).count()


def held_reset(email: str = MEMBER) -> ApprovalRequest:
    with pytest.raises(HeldForApproval) as held:
        reset_member_mfa(actor_for(HR, "demo-bv"), member(email, "demo-bv"))
    return ApprovalRequest.objects.select_related("tenant").get(pk=held.value.request_id)


def test_a_reset_is_held_and_removes_nothing(tenant: Tenant) -> None:
    add_totp(User.objects.get(email=MEMBER))
    choose(tenant, KEY)
    request = held_reset()
    assert factors(MEMBER) == 2
    assert request.status == Status.PENDING and request.requested_by_label == HR
    assert shown(request, MANAGER)["factors"][0] == "recovery_codes, totp"


def test_not_held_when_not_chosen(tenant: Tenant) -> None:
    add_totp(User.objects.get(email=MEMBER))
    choose(tenant)
    assert reset_member_mfa(actor_for(HR, "demo-bv"), member(MEMBER, "demo-bv"))
    assert factors(MEMBER) == 0


def test_a_second_person_approves_never_the_requester_nor_the_member(tenant: Tenant) -> None:
    # A third HR admin, so that someone but the requester and the member can approve.
    hr_admin = Role.objects.get(tenant=tenant, builtin_key="hr_admin")
    grant_role(actor_for(OWNER, "demo-bv"), member("member2@demo-bv.test", "demo-bv"), hr_admin)
    add_totp(User.objects.get(email=OWNER))
    choose(tenant, KEY)
    request = held_reset(OWNER)  # HR asks to reset the owner's factors
    for email in (HR, OWNER):  # the requester; the member reset
        with pytest.raises(PermissionDenied):
            services.approve(actor_for(email, "demo-bv"), request)
    assert factors(OWNER) == 2
    services.approve(actor_for("member2@demo-bv.test", "demo-bv"), request)
    assert factors(OWNER) == 0
    both_names(applied_event("mfa.reset"), request, "member2@demo-bv.test")


def test_factors_set_up_again_meanwhile_make_it_stale(tenant: Tenant) -> None:
    user = User.objects.get(email=MEMBER)
    add_totp(user)
    choose(tenant, KEY)
    request = held_reset()
    Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).delete()
    add_totp(user)  # the member lost their phone and set up a new app themselves
    with pytest.raises(services.StaleRequestError):
        services.approve(actor_for(OWNER, "demo-bv"), request)
    assert factors(MEMBER) >= 2


def test_the_members_page_takes_hr_to_the_waiting_request(tenant: Tenant, login: Any) -> None:
    add_totp(User.objects.get(email=MEMBER))
    choose(tenant, KEY)
    target = member(MEMBER, "demo-bv")
    response = login(HR, "demo-bv").post(f"/members/{target.pk}/reset-mfa/", {"confirmed": "1"})
    request = ApprovalRequest.objects.get(action=KEY)
    assert response.status_code == 302 and response["Location"] == f"/approvals/{request.pk}/"
    assert factors(MEMBER) == 2
