"""Every number on the dashboard links to a page that lists the same things: for HR and for
a manager, each count equals the number of rows the linked page shows (the People list
filtered the same way, the approvals page, the list of who is away)."""

from __future__ import annotations

import datetime as dt
import html as html_lib
import re

import pytest
from django.utils import timezone

from kluis.people.models import EmergencyContact, Employee, EmployeeStatus, Employment
from kluis.people.services.invitations import invite_employee
from kluis.tenancy.models import Tenant
from kluis.timeoff import services
from kluis.timeoff.models import Absence, LeaveType
from tests.conftest import actor_for
from tests.timeoff.conftest import employee_of, grant, next_weekday

FIGURE = re.compile(r'<a href="([^"]+)" data-testid="dash-([a-z-]+)" data-count="(\d+)"')


def figures(page: str) -> dict[str, tuple[str, int]]:
    return {key: (html_lib.unescape(url), int(n)) for url, key, n in FIGURE.findall(page)}


def hire(
    tenant: Tenant,
    number: str,
    manager: Employee | None,
    start: dt.date,
    end: dt.date | None = None,
    **fields: object,
) -> Employee:
    employee = Employee.objects.create(
        tenant=tenant,
        employee_number=number,
        first_name=f"Dash{number}",
        last_name="Fixture",
        manager=manager,
        status=EmployeeStatus.LEFT if end and end < timezone.localdate() else EmployeeStatus.ACTIVE,
        **{"iban_sealed": "a sealed token", **fields},
    )
    Employment.objects.create(
        tenant=tenant,
        employee=employee,
        contract_type="fixed_term" if end else "permanent",
        start_date=start,
        end_date=end,
        job_title="Analyst",
        manager=manager,
    )
    return employee


@pytest.fixture
def bv(demo: dict[str, Tenant]) -> Tenant:
    """Demo BV with something on every card, in the manager's team and outside it."""
    tenant = demo["demo-bv"]
    today = timezone.localdate()
    boss = employee_of("manager@demo-bv.test")
    first = today.replace(day=1)
    hire(tenant, "D1", boss, first)  # hired this month, in the team
    hire(tenant, "D2", None, first + dt.timedelta(days=1))  # hired this month, elsewhere
    hire(tenant, "D3", boss, dt.date(2020, 1, 6), today + dt.timedelta(days=20))  # ending
    hire(tenant, "D4", None, dt.date(2021, 3, 1), today + dt.timedelta(days=59))
    hire(tenant, "D5", None, dt.date(2021, 3, 1), today + dt.timedelta(days=61))  # too far
    hire(tenant, "D6", boss, dt.date(2019, 1, 1), first)  # leaving (or left) this month
    renewed = hire(tenant, "D7", None, dt.date(2022, 1, 1), today + dt.timedelta(days=10))
    Employment.objects.create(  # a follow-up contract: not ending after all
        tenant=tenant,
        employee=renewed,
        contract_type="permanent",
        start_date=today + dt.timedelta(days=11),
        job_title="Analyst",
    )
    member1 = employee_of("member1@demo-bv.test")
    Employment.objects.filter(employee=member1).update(
        probation_end_date=today + dt.timedelta(days=30)
    )
    Employment.objects.filter(employee=employee_of("employee@demo-bv.test")).update(
        probation_end_date=today + dt.timedelta(days=3)
    )
    Employee.objects.filter(pk=employee_of("member2@demo-bv.test").pk).update(iban_sealed="")
    EmergencyContact.objects.filter(employee=member1).delete()
    invitee = hire(tenant, "D8", None, dt.date(2024, 1, 1), work_email="d8@demo-bv.test")
    invite_employee(actor_for("hr@demo-bv.test", "demo-bv"), invitee, "https://testserver")
    return tenant


def _people_rows(client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200, url
    assert not response.context["filter"].errors, url
    return response.context["page"].paginator.count


@pytest.mark.parametrize(
    ("email", "expected"),
    [
        (
            "hr@demo-bv.test",
            {
                "hires": 2,
                "contracts-ending": 2,
                "probation-ending": 2,
                "missing-iban": 1,
                "invited": 1,
            },
        ),
        ("manager@demo-bv.test", {"hires": 1, "contracts-ending": 1, "probation-ending": 1}),
    ],
)
def test_each_count_equals_the_rows_of_the_page_it_links_to(bv, login, email, expected):
    client = login(email, "demo-bv")
    shown = figures(client.get("/").content.decode())
    for key, count in expected.items():
        assert shown[key][1] == count, key
    assert shown["leavers"][1] >= 1
    for key, (url, count) in shown.items():
        assert url.startswith("/people/"), url
        assert _people_rows(client, url) == count, (key, url)


def test_a_manager_sees_only_the_team_and_no_hr_figures(bv, login):
    page = login("manager@demo-bv.test", "demo-bv").get("/").content.decode()
    shown = figures(page)
    assert "missing-iban" not in shown and "invited" not in shown
    # the manager, three members and the new hire; the leaver is not active any more
    assert (
        shown["headcount"][1]
        == Employee.objects.for_tenant(bv)
        .filter(status=EmployeeStatus.ACTIVE, manager=employee_of("manager@demo-bv.test"))
        .count()
        + 1
    )
    assert "You and the people who report to you" in page


def test_an_employee_sees_their_own_things_only(bv, login):
    page = login("member3@demo-bv.test", "demo-bv").get("/").content.decode()
    assert figures(page) == {}
    assert 'data-testid="dash-my-leave"' in page and 'data-testid="dash-waiting"' not in page


def test_the_waiting_count_equals_the_approvals_page_and_approving_from_it_works(
    bv, login, worker, holiday
):
    monday = next_weekday(timezone.localdate() + dt.timedelta(days=7), tenant=bv)
    member1 = employee_of("member1@demo-bv.test")
    grant(member1, holiday, "152")
    asked = [
        services.request_leave(
            worker,
            member1,
            {"leave_type": holiday, "start_date": day, "end_date": day},
        )
        for day in (monday, monday + dt.timedelta(days=1))
    ]
    client = login("manager@demo-bv.test", "demo-bv")
    page = client.get("/").content.decode()
    count = int(re.search(r'data-testid="waiting-for-me" data-count="(\d+)"', page)[1])
    assert count == 2 == len(client.get("/time-off/approvals/").context["rows"])
    response = client.post(
        f"/time-off/requests/{asked[0].pk}/approve/",
        {"version": asked[0].version, "next": "/"},
    )
    assert response.status_code == 302 and response["Location"] == "/"
    page = client.get("/").content.decode()
    assert 'data-count="1"' in page and f'data-request="{asked[0].pk}"' not in page


def test_the_away_counts_equal_the_away_page(bv, login):
    today = timezone.localdate()
    people = [hire(bv, f"S{n}", None, dt.date(2020, 1, 1)) for n in range(18)]
    Absence.objects.bulk_create(
        Absence(tenant=bv, employee=p, start_date=today, registered_by="test") for p in people
    )
    client = login("hr@demo-bv.test", "demo-bv")
    page = client.get("/").content.decode()
    found = re.search(r'data-testid="away-all" data-today="(\d+)" data-week="(\d+)"', page)
    away = client.get("/away/").content.decode()
    for key, n in (("today", found[1]), ("week", found[2])):
        listed = away[away.index(f'data-testid="away-{key}-all"') :]
        listed = listed[: listed.index("</ul>")]
        assert listed.count("<li>") == int(n) >= 18, key
        assert "Sick" not in listed and "Absent" in listed


@pytest.fixture
def worker(bv):
    return actor_for("member1@demo-bv.test", "demo-bv")


@pytest.fixture
def holiday(bv):
    return LeaveType.objects.for_tenant(bv).get(code="legal-holiday")


def test_recent_activity_reads_as_the_audit_logs_sentences(bv, login):
    """HR's dashboard tells the newest events as the audit log does ("X changed the work
    phone of Y"), each linking to what it is about, not as action codes."""
    from kluis.people.services import update_employee

    person = Employee.objects.for_tenant(bv).order_by("pk").first()
    update_employee(
        actor_for("hr@demo-bv.test", "demo-bv"),
        person,
        {"work_phone": "+32470555199"},
        expected_version=person.version,
    )
    page = login("hr@demo-bv.test", "demo-bv").get("/").content.decode()
    activity = page.split('id="dash-activity"', 1)[1].split("</section>", 1)[0]
    assert "employee.updated" not in activity
    assert f'href="/people/{person.pk}/"' in activity
    assert html_lib.escape(person.display_name) in activity
