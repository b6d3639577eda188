"""The offboarding pages: HR starts one from the profile, the requester cannot approve
their own, a second person approves or rejects it on its page, and only those who may
start or approve offboardings see them."""

from __future__ import annotations

from kluis.offboarding.models import Offboarding, Status
from tests.conftest import member
from tests.offboarding.support import HR, LEAVER, OWNER, employee_of


def _start(client, employee_pk: int, **data: str):  # type: ignore[no-untyped-def]
    body = {
        "last_day": "2026-12-31",
        "reason": "Resigned",
        "moment": "end_of_last_day",
        "handover_to": str(member(OWNER).pk),
        **data,
    }
    return client.post(f"/offboarding/people/{employee_pk}/start/", body, secure=True)


def test_hr_starts_an_offboarding_from_the_profile_and_cannot_approve_it(demo, login):
    leaver = employee_of(LEAVER)
    hr = login(HR, "demo-bv")
    profile = hr.get(f"/people/{leaver.pk}/", secure=True).content.decode()
    assert f'href="/offboarding/people/{leaver.pk}/start/"' in profile
    assert hr.get(f"/offboarding/people/{leaver.pk}/start/", secure=True).status_code == 200

    response = _start(hr, leaver.pk)

    offboarding = Offboarding.objects.get(employee=leaver)
    assert response.status_code == 302 and response["Location"] == f"/offboarding/{offboarding.pk}/"
    page = hr.get(response["Location"], secure=True).content.decode()
    assert 'data-testid="pending-approval"' in page and 'data-testid="cannot-decide"' in page
    assert 'data-testid="approve-offboarding"' not in page
    assert hr.post(f"/offboarding/{offboarding.pk}/approve/", secure=True).status_code == 403
    assert Offboarding.objects.get(pk=offboarding.pk).status == Status.REQUESTED
    # The profile now shows it, and offers no second one.
    profile = hr.get(f"/people/{leaver.pk}/", secure=True).content.decode()
    assert 'data-status="requested"' in profile and "start-offboarding" not in profile


def test_a_second_person_approves_it_on_its_page(demo, login, client):
    leaver = employee_of(LEAVER)
    _start(login(HR, "demo-bv"), leaver.pk)
    offboarding = Offboarding.objects.get(employee=leaver)
    client.logout()
    owner = login(OWNER, "demo-bv")
    page = owner.get(f"/offboarding/{offboarding.pk}/", secure=True).content.decode()
    assert 'data-testid="approve-offboarding"' in page and LEAVER in page

    response = owner.post(f"/offboarding/{offboarding.pk}/approve/", secure=True)

    assert response.status_code == 302
    offboarding.refresh_from_db()
    assert offboarding.status == Status.APPROVED and offboarding.approved_by_label == OWNER


def test_rejecting_needs_a_reason_and_closes_it(demo, login, client):
    leaver = employee_of(LEAVER)
    _start(login(HR, "demo-bv"), leaver.pk)
    offboarding = Offboarding.objects.get(employee=leaver)
    client.logout()
    owner = login(OWNER, "demo-bv")

    refused = owner.post(f"/offboarding/{offboarding.pk}/reject/", {"reason": " "}, secure=True)
    assert (
        refused.status_code == 400 and 'data-testid="decision-errors"' in refused.content.decode()
    )
    assert Offboarding.objects.get(pk=offboarding.pk).status == Status.REQUESTED
    owner.post(f"/offboarding/{offboarding.pk}/reject/", {"reason": "Stays"}, secure=True)

    assert Offboarding.objects.get(pk=offboarding.pk).status == Status.REJECTED


def test_bad_input_shows_the_form_again_and_changes_nothing(demo, login):
    leaver = employee_of(LEAVER)
    hr = login(HR, "demo-bv")

    response = _start(hr, leaver.pk, last_day="", handover_to=str(leaver.membership_id))

    assert response.status_code == 200
    page = response.content.decode()
    assert "error" in page and 'data-testid="offboarding-form"' in page
    assert not Offboarding.objects.exists()


def test_nobody_else_sees_or_starts_offboardings(demo, login, client):
    leaver = employee_of(LEAVER)
    _start(login(HR, "demo-bv"), leaver.pk)
    offboarding = Offboarding.objects.get(employee=leaver)
    client.logout()
    manager = login("manager@demo-bv.test", "demo-bv")
    assert manager.get(f"/offboarding/{offboarding.pk}/", secure=True).status_code == 404
    assert manager.get(f"/offboarding/people/{leaver.pk}/start/", secure=True).status_code == 403
    assert (
        "offboarding-panel"
        not in manager.get(f"/people/{leaver.pk}/", secure=True).content.decode()
    )
    client.logout()
    hr = login(HR, "demo-bv")
    own = employee_of(HR)
    assert hr.get(f"/offboarding/people/{own.pk}/start/", secure=True).status_code == 403
