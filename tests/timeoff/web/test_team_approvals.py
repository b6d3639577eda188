"""The approvals inbox and decisions on the web: what waits for whom, approving and
rejecting one by one (htmx swaps the row), never one's own request, two steps."""

from __future__ import annotations

import datetime as dt

import pytest

from kluis.audit.models import AuditEvent
from kluis.timeoff import services
from kluis.timeoff.models import LeaveRequest, LeaveType
from tests.conftest import actor_for
from tests.timeoff.conftest import employee_of, grant

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def pending(bv, worker, holiday, monday) -> LeaveRequest:
    me = employee_of("member1@demo-bv.test")
    grant(me, holiday, "152")
    return services.request_leave(
        worker,
        me,
        {
            "leave_type": holiday,
            "start_date": monday,
            "end_date": monday + dt.timedelta(days=1),
            "reason": "Family wedding",
        },
    )


def test_manager_sees_the_request_with_balance_after_it_and_who_else_is_away(
    login, pending, manager, holiday, monday
):
    colleague = employee_of("member2@demo-bv.test")
    grant(colleague, holiday, "152")
    services.request_leave(
        actor_for("member2@demo-bv.test", "demo-bv"),
        colleague,
        {"leave_type": holiday, "start_date": monday, "end_date": monday},
    )
    client = login("manager@demo-bv.test", "demo-bv")
    page = client.get("/time-off/approvals/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f'data-request="{pending.pk}"' in html
    # 20 days granted, 2 asked: 18 left after it (in days: the type counts days).
    assert "18 days" in html
    assert "1 other of the team is away then." in html
    assert "Family wedding" in html  # the type lets approvers read the reason


def test_approvals_lists_oldest_first(login, pending, bv, holiday, monday):
    other = employee_of("member3@demo-bv.test")
    grant(other, holiday, "152")
    later = services.request_leave(
        actor_for("member3@demo-bv.test", "demo-bv"),
        other,
        {"leave_type": holiday, "start_date": monday, "end_date": monday},
    )
    html = login("manager@demo-bv.test", "demo-bv").get("/time-off/approvals/").content.decode()
    assert html.index(f'data-request="{pending.pk}"') < html.index(f'data-request="{later.pk}"')


def test_approving_with_htmx_swaps_the_row_and_records_the_comment(login, pending):
    client = login("manager@demo-bv.test", "demo-bv")
    answer = client.post(
        f"/time-off/requests/{pending.pk}/approve/",
        {"comment": "Enjoy the party", "version": pending.version},
        **HTMX,
    )
    assert answer.status_code == 200
    html = answer.content.decode()
    assert 'data-testid="decision-outcome"' in html and "Approved" in html
    assert f'id="request-{pending.pk}"' in html
    assert 'data-testid="approve"' not in html
    pending.refresh_from_db()
    assert pending.status == "approved" and pending.decision_comment == "Enjoy the party"
    assert AuditEvent.objects.filter(action="leave_request.approved").exists()


def test_rejecting_without_htmx_redirects_back_with_a_message(login, pending):
    client = login("manager@demo-bv.test", "demo-bv")
    answer = client.post(
        f"/time-off/requests/{pending.pk}/reject/", {"comment": "Busy week"}, follow=True
    )
    assert answer.redirect_chain[-1][0] == "/time-off/approvals/"
    assert "Rejected" in answer.content.decode()
    pending.refresh_from_db()
    assert pending.status == "rejected" and pending.decision_comment == "Busy week"


def test_a_stale_version_is_refused_and_changes_nothing(login, pending):
    client = login("manager@demo-bv.test", "demo-bv")
    answer = client.post(
        f"/time-off/requests/{pending.pk}/approve/", {"version": pending.version + 5}, **HTMX
    )
    assert 'data-testid="decision-error"' in answer.content.decode()
    pending.refresh_from_db()
    assert pending.status == "pending"


def test_hr_may_decide_for_the_manager(login, pending):
    client = login("hr@demo-bv.test", "demo-bv")
    assert f'data-request="{pending.pk}"' in client.get("/time-off/approvals/").content.decode()
    client.post(f"/time-off/requests/{pending.pk}/approve/", {"comment": ""}, **HTMX)
    pending.refresh_from_db()
    assert pending.status == "approved"


def test_nobody_approves_their_own_request_the_page_says_why(login, bv, hr, holiday, monday):
    me = employee_of("hr@demo-bv.test")
    grant(me, holiday, "152")
    own = services.request_leave(
        hr, me, {"leave_type": holiday, "start_date": monday, "end_date": monday}
    )
    client = login("hr@demo-bv.test", "demo-bv")
    assert f'data-request="{own.pk}"' not in client.get("/time-off/approvals/").content.decode()
    answer = client.post(f"/time-off/requests/{own.pk}/approve/", {}, **HTMX)
    assert "Nobody approves or rejects their own leave request." in answer.content.decode()
    own.refresh_from_db()
    assert own.status == "pending"


def test_two_step_types_wait_for_hr_after_the_manager(login, bv, worker, holiday, monday):
    LeaveType.objects.filter(pk=holiday.pk).update(approval="manager_then_hr")
    holiday.refresh_from_db()
    me = employee_of("member1@demo-bv.test")
    grant(me, holiday, "152")
    request = services.request_leave(
        worker, me, {"leave_type": holiday, "start_date": monday, "end_date": monday}
    )
    manager = login("manager@demo-bv.test", "demo-bv")
    html = manager.post(f"/time-off/requests/{request.pk}/approve/", {}, **HTMX).content.decode()
    assert "Waiting for HR" in html and "now waits for HR" in html
    inbox = manager.get("/time-off/approvals/").content.decode()
    assert f'data-request="{request.pk}"' not in inbox.split('data-testid="waiting-for-hr"')[0]
    assert "Approved, waiting for HR" in inbox  # still in view, as HR's to decide
    hr = login("hr@demo-bv.test", "demo-bv")
    assert f'data-request="{request.pk}"' in hr.get("/time-off/approvals/").content.decode()


def test_an_employee_has_no_inbox_and_cannot_decide(login, pending):
    client = login("member2@demo-bv.test", "demo-bv")
    assert client.get("/time-off/approvals/").status_code == 403
    assert client.post(f"/time-off/requests/{pending.pk}/approve/", {}).status_code == 404
    pending.refresh_from_db()
    assert pending.status == "pending"


def test_another_companys_user_reaches_nothing(login, pending):
    client = login("hr@other-nv.test", "other-nv")
    assert f'data-request="{pending.pk}"' not in client.get("/time-off/approvals/").content.decode()
    for action in ("approve", "reject"):
        assert client.post(f"/time-off/requests/{pending.pk}/{action}/", {}).status_code == 404
    pending.refresh_from_db()
    assert pending.status == "pending"


def test_anonymous_is_sent_to_sign_in(client, pending):
    for url in (
        "/time-off/approvals/",
        f"/time-off/requests/{pending.pk}/approve/",
    ):
        answer = client.post(url) if "approve/" in url else client.get(url)
        assert answer.status_code == 302 and "/accounts/login/" in answer["Location"]


def test_the_request_reason_hidden_from_a_manager_when_the_type_says_hr_only(
    login, pending, holiday
):
    LeaveType.objects.filter(pk=holiday.pk).update(reason_visible_to="hr")
    html = login("manager@demo-bv.test", "demo-bv").get("/time-off/approvals/").content.decode()
    assert f'data-request="{pending.pk}"' in html
    assert "Family wedding" not in html


def test_a_decision_from_the_requests_page_goes_back_there_never_to_another_site(login, pending):
    client = login("manager@demo-bv.test", "demo-bv")
    page = f"/time-off/requests/{pending.pk}/"
    answer = client.post(
        f"/time-off/requests/{pending.pk}/approve/",
        {},
        headers={"Referer": f"http://testserver{page}"},
    )
    assert answer["Location"] == f"http://testserver{page}"
    other = client.post(f"/time-off/requests/{pending.pk}/reject/", {"next": "https://evil.test/"})
    assert other["Location"] == "/time-off/approvals/"
