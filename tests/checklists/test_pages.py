"""The checklists' pages: HR's templates in Settings, the offer on a new hire's profile,
the checklist page, My tasks and the dashboard, and who reaches which."""

from __future__ import annotations

import pytest

from kluis.access.actor import Actor
from kluis.checklists.models import Checklist, ChecklistTask, ChecklistTemplate, TemplateTask
from kluis.checklists.services import start_checklist
from kluis.people.models import Employee
from kluis.tenancy.models import Tenant
from tests.checklists.conftest import START

pytestmark = pytest.mark.django_db


def test_hr_keeps_a_template_with_its_tasks_in_settings(login, bv: Tenant) -> None:  # type: ignore[no-untyped-def]
    client = login("hr@demo-bv.test")
    assert "Onboarding" in client.get("/checklists/templates/", secure=True).content.decode()
    response = client.post(
        "/checklists/templates/new/",
        {"kind": "offboarding", "name": "Leavers (students)", "contract_type": "student"},
        secure=True,
    )
    template = ChecklistTemplate.objects.get(tenant=bv, name="Leavers (students)")
    assert response.status_code == 302
    url = f"/checklists/templates/{template.pk}/"
    for title in ("Badge back", "Exit talk"):
        client.post(
            url,
            {
                "form": "task",
                "task-title": title,
                "task-owner_role": "hr",
                "task-due_offset_days": "-2",
                "task-completion": "",
            },
            secure=True,
        )
    bad = client.post(
        url,
        {
            "form": "task",
            "task-title": "Named",
            "task-owner_role": "member",
            "task-due_offset_days": "0",
        },
        secure=True,
    )
    assert (
        bad.status_code == 200 and "Choose the person who does this task." in bad.content.decode()
    )
    tasks = list(TemplateTask.objects.filter(template=template))
    assert [t.title for t in tasks] == ["Badge back", "Exit talk"]
    client.post(f"/checklists/template-tasks/{tasks[1].pk}/move/", {"direction": "up"}, secure=True)
    assert list(TemplateTask.objects.filter(template=template).values_list("title", flat=True)) == [
        "Exit talk",
        "Badge back",
    ]
    client.post(f"/checklists/templates/{template.pk}/archive/", secure=True)
    template.refresh_from_db()
    assert not template.is_active


def test_only_hr_reaches_the_templates(login, bv: Tenant) -> None:  # type: ignore[no-untyped-def]
    for email in ("manager@demo-bv.test", "member1@demo-bv.test", "auditor@demo-bv.test"):
        client = login(email)
        assert client.get("/checklists/templates/", secure=True).status_code == 403, email
        assert client.get("/checklists/my-tasks/", secure=True).status_code == 200, email


def test_a_new_hires_profile_offers_the_matching_onboarding(  # type: ignore[no-untyped-def]
    login, bv: Tenant, hr: Actor
) -> None:
    from kluis.people.services import hire_employee

    hired = hire_employee(
        hr,
        bv,
        {
            "first_name": "Nel",
            "last_name": "Nieuw",
            "employment": {"contract_type": "permanent", "start_date": START, "job_title": "Clerk"},
        },
    )
    client = login("hr@demo-bv.test")
    page = client.get(f"/people/{hired.pk}/", secure=True).content.decode()
    assert 'data-testid="offer-onboarding"' in page and "Onboarding" in page
    response = client.post(
        f"/checklists/people/{hired.pk}/start/onboarding/",
        {
            "template": ChecklistTemplate.objects.get(tenant=bv, name="Onboarding").pk,
            "anchor_date": START.isoformat(),
        },
        secure=True,
    )
    assert response.status_code == 302
    checklist = Checklist.objects.get(employee=hired)
    page = client.get(f"/people/{hired.pk}/", secure=True).content.decode()
    assert "0 of 7 done" in page and 'data-testid="offer-onboarding"' not in page
    # A manager sees no offer (and cannot start one).
    manager = login("manager@demo-bv.test")
    assert (
        manager.get(f"/checklists/people/{hired.pk}/start/onboarding/", secure=True).status_code
        == 403
    )
    assert checklist.status == "open"


def test_an_employee_sees_and_completes_their_own_task_and_nobody_elses(  # type: ignore[no-untyped-def]
    login, hr: Actor, worker: Employee, template: ChecklistTemplate
) -> None:
    checklist = start_checklist(hr, worker, template, anchor_date=START)
    own = ChecklistTask.objects.get(checklist=checklist, title="Bank account")
    managers = ChecklistTask.objects.get(checklist=checklist, title="Welcome e-mail")
    client = login("member1@demo-bv.test")
    dashboard = client.get("/", secure=True).content.decode()
    assert 'data-testid="dash-tasks"' in dashboard and "Bank account" in dashboard
    tasks_page = client.get("/checklists/my-tasks/", secure=True).content.decode()
    assert "Bank account" in tasks_page and "/people/me/bank-account/" in tasks_page
    assert "Welcome e-mail" not in tasks_page
    assert client.post(f"/checklists/tasks/{managers.pk}/complete/", secure=True).status_code == 403
    client.post(f"/checklists/tasks/{own.pk}/complete/", {"next": "my_tasks"}, secure=True)
    own.refresh_from_db()
    managers.refresh_from_db()
    assert own.done and not managers.done
    # Another employee reaches neither the checklist nor its tasks.
    other = login("member2@demo-bv.test")
    assert other.get(f"/checklists/{checklist.pk}/", secure=True).status_code == 404
    assert other.post(f"/checklists/tasks/{managers.pk}/complete/", secure=True).status_code == 404


def test_hr_cancels_a_checklist_after_confirming(  # type: ignore[no-untyped-def]
    login, hr: Actor, worker: Employee, template: ChecklistTemplate
) -> None:
    checklist = start_checklist(hr, worker, template, anchor_date=START)
    client = login("hr@demo-bv.test")
    asking = client.post(f"/checklists/{checklist.pk}/cancel/", secure=True)
    assert asking.status_code == 200
    checklist.refresh_from_db()
    assert checklist.status == "open"
    client.post(f"/checklists/{checklist.pk}/cancel/", {"confirmed": "1"}, secure=True)
    checklist.refresh_from_db()
    assert checklist.status == "cancelled"


def test_a_new_hire_finds_their_own_tasks_on_the_dashboard_at_their_first_sign_in(  # type: ignore[no-untyped-def]
    client, bv: Tenant, hr: Actor, template: ChecklistTemplate
) -> None:
    """Started before the hire had an account: their own tasks are nobody's until then,
    and theirs on the dashboard (where the invitation's sign-in lands) right after."""
    from kluis.identity import invitations
    from kluis.people.services import hire_employee
    from kluis.people.services.invitations import invite_employee

    hired = hire_employee(
        hr,
        bv,
        {
            "first_name": "Fien",
            "last_name": "Eerst",
            "work_email": "fien@demo-bv.test",
            "employment": {"contract_type": "permanent", "start_date": START, "job_title": "Clerk"},
        },
    )
    checklist = start_checklist(hr, hired, template, anchor_date=START)
    own = ChecklistTask.objects.get(checklist=checklist, title="Bank account")
    assert own.assignee is None
    invitation = invite_employee(hr, hired, "https://kluis.test")
    user = invitations.accept(invitations.token_of(invitation), "Fien-eerst-wachtwoord-2026")
    client.force_login(user)
    response = client.get("/", secure=True, follow=True)
    page = response.content.decode()
    assert 'data-testid="dash-tasks"' in page and "Bank account" in page
    assert "Welcome e-mail" not in page  # the manager's, not hers


def test_ending_a_contract_offers_the_matching_offboarding_on_the_profile(  # type: ignore[no-untyped-def]
    login, bv: Tenant, hr: Actor, worker: Employee
) -> None:
    import datetime as dt

    from kluis.people.services.contracts import current_employment, end_employment

    client = login("hr@demo-bv.test")
    assert (
        'data-testid="offer-offboarding"'
        not in client.get(f"/people/{worker.pk}/", secure=True).content.decode()
    )
    last_day = dt.date.today() + dt.timedelta(days=30)
    end_employment(hr, current_employment(worker), last_day)
    page = client.get(f"/people/{worker.pk}/", secure=True).content.decode()
    assert 'data-testid="offer-offboarding"' in page and last_day.isoformat() in page
    client.post(
        f"/checklists/people/{worker.pk}/start/offboarding/",
        {
            "template": ChecklistTemplate.objects.get(tenant=bv, name="Offboarding").pk,
            "anchor_date": last_day.isoformat(),
        },
        secure=True,
    )
    started = Checklist.objects.get(employee=worker, kind="offboarding")
    assert started.anchor_date == last_day
    returned = ChecklistTask.objects.get(checklist=started, title="Return the laptop and badge")
    assert returned.due_date == last_day and returned.assignee == worker.membership
