"""The end of probation in HR's contract forms (test client, real database): the "New
contract" form saves it and the profile's contract shows it in the one date format; the
dashboard's "probation ending" count and the People list it links to pick it up; the
probation page offers the contract's days; an end date before the end of probation is
refused on the end form at once (no question first) and saves nothing."""

from __future__ import annotations

import datetime as dt
import html as html_lib
import re
from typing import Any

from django.urls import reverse
from django.utils import formats, timezone

from kluis.audit.models import AuditEvent
from kluis.people.models import Employee, Employment
from kluis.people.services import contracts
from tests.conftest import actor_for

HR = "hr@demo-bv.test"
TODAY = timezone.localdate()
FIGURE = re.compile(r'<a href="([^"]+)" data-testid="dash-probation-ending" data-count="(\d+)"')


def day(days: int) -> dt.date:
    return TODAY + dt.timedelta(days=days)


def url(name: str, *args: int) -> str:
    return reverse(f"people:{name}", args=args)


def open_contract(email: str) -> Employment:
    person = Employee.objects.get(tenant__slug="demo-bv", work_email=email)
    return Employment.objects.get(employee=person, end_date__isnull=True)


def probation_figure(client: Any) -> tuple[str, int]:
    found = FIGURE.search(client.get("/", secure=True).content.decode())
    assert found is not None, "no probation-ending figure on the dashboard"
    return html_lib.unescape(found.group(1)), int(found.group(2))


def listed(client: Any, link: str) -> list[Employee]:
    response = client.get(link, secure=True)
    assert response.status_code == 200
    return list(response.context["page"].object_list)


def test_a_new_contracts_end_of_probation_is_saved_shown_and_counted(demo, login):
    client = login(HR)
    contract = open_contract("member2@demo-bv.test")
    person = contract.employee
    contracts.end_employment(actor_for(HR), contract, day(9))
    link, before = probation_figure(client)
    assert person not in listed(client, link)
    page = url("add_employment", person.pk)
    form = client.get(page, secure=True).content.decode()
    assert 'name="probation_end_date"' in form and 'type="date"' in form
    assert '<label for="id_probation_end_date">End of probation' in form
    response = client.post(
        page,
        {
            "contract_type": "permanent",
            "start_date": day(10).isoformat(),
            "probation_end_date": day(40).isoformat(),
            "job_title": "Senior analyst",
            "hours_per_week": "38",
        },
        secure=True,
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    added = Employment.objects.get(employee=person, start_date=day(10))
    assert added.probation_end_date == day(40)
    # The profile's contract shows it, in the one date format of the locale.
    job = client.get(url("detail", person.pk), {"tab": "job"}, secure=True).content.decode()
    shown = (
        f'<dd data-testid="contract-probation-{added.pk}"><time datetime="{day(40).isoformat()}">'
        f"{formats.date_format(day(40), 'DATE_FORMAT')}</time></dd>"
    )
    assert shown in job
    assert f'<dd data-testid="contract-probation-{contract.pk}">—</dd>' in job
    # The dashboard counts one more, and the page the count links to lists the person.
    link, after = probation_figure(client)
    assert after == before + 1
    rows = listed(client, link)
    assert person in rows and len(rows) == after


def test_the_probation_page_offers_the_days_of_the_contract(demo, login):
    client = login(HR)
    contract = open_contract("member3@demo-bv.test")
    contracts.end_employment(actor_for(HR), contract, day(90))
    page = client.get(
        url("employment_probation", contract.employee_id, contract.pk), secure=True
    ).content.decode()
    field = re.search(r'<input[^>]*name="probation_end_date"[^>]*>', page)
    assert field is not None
    assert f'min="{contract.start_date.isoformat()}"' in field.group(0)
    assert f'max="{day(90).isoformat()}"' in field.group(0)
    assert 'type="date"' in field.group(0)


def test_an_end_before_the_end_of_probation_is_refused_on_the_end_form(demo, login):
    client = login(HR)
    contract = open_contract("member3@demo-bv.test")
    contracts.set_probation_end(actor_for(HR), contract, day(50))
    events = AuditEvent.objects.count()
    page = url("end_employment", contract.employee_id, contract.pk)
    response = client.post(page, {"end_date": day(49).isoformat()}, secure=True)
    # Refused at once, with its reason on the field: no "End the contract?" first.
    assert response.status_code == 200
    assert "End the contract of" not in response.content.decode()
    errors = " ".join(response.context["form"].errors["end_date"])
    assert "comes after the contract's end" in errors
    assert 'data-testid="form-errors"' in response.content.decode()
    contract.refresh_from_db()
    assert contract.end_date is None and contract.probation_end_date == day(50)
    assert AuditEvent.objects.count() == events
    # On or after the end of probation, the question comes first, as for any end.
    asked = client.post(page, {"end_date": day(50).isoformat()}, secure=True)
    assert "End the contract of" in asked.content.decode()
