"""Birthdays and work anniversaries of the week on the dashboard: day and month only,
never a year or an age; an employee who opts out (My profile) is not shown, and the
choice is audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from kluis.audit.models import AuditEvent
from kluis.people.models import Employee, Employment
from kluis.people.services.celebrations import set_show_celebrations
from kluis.tenancy.models import Tenant
from kluis.timeoff.team_calendar import week_of
from tests.conftest import actor_for
from tests.timeoff.conftest import employee_of


def _section(page: str, testid: str) -> str:
    found = page[page.index(f'data-testid="{testid}"') :]
    return found[: found.index("</ul>")]


@pytest.fixture
def week_day(demo: dict[str, Tenant]) -> dt.date:
    """A day of this week (the dashboard's week: Monday to Sunday)."""
    return week_of(timezone.localdate())[0] + dt.timedelta(days=2)


@pytest.fixture
def member2(demo, week_day) -> Employee:
    """member2 (in the manager's team): born on a day of this week in 1990, hired on
    one 5 years ago."""
    person = employee_of("member2@demo-bv.test")
    Employee.objects.filter(pk=person.pk).update(birth_date=week_day.replace(year=1990))
    started = week_day.replace(year=week_day.year - 5)
    Employment.objects.filter(employee=person).update(start_date=started)
    return person


def test_the_team_sees_the_birthday_without_the_year_and_the_anniversary(member2, week_day, login):
    page = login("member1@demo-bv.test", "demo-bv").get("/").content.decode()
    birthdays = _section(page, "dash-birthdays")
    assert member2.display_name in birthdays
    assert week_day.strftime("%B") in birthdays and "1990" not in birthdays
    assert str(week_day.year - 1990) not in birthdays  # no age
    anniversaries = _section(page, "dash-anniversaries")
    assert member2.display_name in anniversaries and "5 years" in anniversaries


def test_another_team_does_not_see_it_but_hr_does(member2, login):
    other = login("employee@demo-bv.test", "demo-bv").get("/").content.decode()
    assert member2.display_name not in _section(other, "dash-birthdays")
    hr = login("hr@demo-bv.test", "demo-bv").get("/").content.decode()
    assert member2.display_name in _section(hr, "dash-birthdays")


def test_opting_out_on_my_profile_hides_both_and_is_audited(member2, login):
    client = login("member2@demo-bv.test", "demo-bv")
    profile = client.get("/people/me/").content.decode()
    assert 'data-testid="show-celebrations"' in profile and "checked" in profile
    response = client.post("/people/me/celebrations/", {})
    assert response.status_code == 302
    assert not Employee.objects.get(pk=member2.pk).show_celebrations
    event = AuditEvent.objects.filter(action="employee.celebrations_changed").get()
    assert event.changes == {"show_celebrations": {"old": True, "new": False}}
    page = login("member1@demo-bv.test", "demo-bv").get("/").content.decode()
    assert member2.display_name not in _section(page, "dash-birthdays")
    assert member2.display_name not in _section(page, "dash-anniversaries")
    client = login("member2@demo-bv.test", "demo-bv")
    client.post("/people/me/celebrations/", {"show_celebrations": "on"})
    assert Employee.objects.get(pk=member2.pk).show_celebrations


def test_nobody_chooses_for_someone_else(member2):
    with pytest.raises(PermissionDenied):
        set_show_celebrations(actor_for("hr@demo-bv.test", "demo-bv"), member2, False)
    assert Employee.objects.get(pk=member2.pk).show_celebrations
