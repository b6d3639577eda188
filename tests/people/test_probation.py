"""The end of a contract's probation period: set when hiring and when adding a contract,
changed on a contract, read back from an import; kept within the contract (a clear error,
nothing saved); the dashboard lists it; history, change feed and audit log name it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import formats, timezone

from kluis.audit import sentences
from kluis.audit.models import AuditEvent
from kluis.people.models import Employee, EmployeeVersion, Employment

HR = "hr@demo-bv.test"
TODAY = timezone.localdate()


def day(days: int) -> dt.date:
    return TODAY + dt.timedelta(days=days)


def url(name: str, *args: int) -> str:
    return reverse(f"people:{name}", args=args)


def _hire(client: Any, step: str, **over: str) -> Any:
    data = {
        "first_name": "Ilse",
        "last_name": "Wouters",
        "birth_date": "1990-04-02",
        "status": "active",
        "work_email": "ilse.wouters@demo-bv.test",
        "employment-contract_type": "permanent",
        "employment-job_title": "Data analyst",
        "employment-start_date": day(-10).isoformat(),
        "employment-probation_end_date": day(20).isoformat(),
        "employment-hours_per_week": "38",
        "employment-manager": "",
        "employment-manager_q": "",
        "wage-amount": "",
        "wage-currency": "EUR",
        "wage-period": "month",
        "step": step,
        **over,
    }
    return client.post("/people/new/", data, secure=True)


def _probation_listed(client: Any) -> str:
    html = client.get("/", secure=True).content.decode()
    start = html.find('<ul class="kluis-dash-list" data-testid="dash-probation-ending">')
    return html[start : html.find("</ul>", start)] if start >= 0 else ""


def test_hiring_with_an_end_of_probation_puts_the_person_on_the_dashboard(demo, login):
    client = login(HR)
    assert "Ilse Wouters" not in _probation_listed(client)
    check = _hire(client, "check").content.decode()
    assert "End of probation" in check
    assert formats.date_format(day(20), "DATE_FORMAT") in check  # in the summary
    saved = _hire(client, "save")
    assert saved.status_code == 302, saved.content.decode()[:2000]
    ilse = Employee.objects.get(work_email="ilse.wouters@demo-bv.test")
    assert Employment.objects.get(employee=ilse).probation_end_date == day(20)
    assert "Ilse Wouters" in _probation_listed(client)
    hired = AuditEvent.objects.get(action="employee.hired", object_id=str(ilse.pk))
    assert hired.changes["probation_end_date"] == {"old": None, "new": day(20).isoformat()}
    job = client.get(url("detail", ilse.pk), {"tab": "job"}, secure=True).content.decode()
    assert formats.date_format(day(20), "DATE_FORMAT") in job


def test_a_probation_before_the_start_is_refused_on_the_hire_form(demo, login):
    client = login(HR)
    before = Employee.objects.count()
    response = _hire(client, "check", **{"employment-probation_end_date": day(-11).isoformat()})
    assert response.status_code == 200
    errors = response.context["employment_form"].errors["probation_end_date"]
    assert "comes before the contract's start" in " ".join(errors)
    assert Employee.objects.count() == before


def _contract_of(email: str) -> Employment:
    person = Employee.objects.get(work_email=email)
    return Employment.objects.filter(employee=person, end_date__isnull=True).get()


def test_hr_sets_the_end_of_probation_on_a_contract_and_the_dashboard_lists_it(demo, login):
    client = login(HR)
    contract = _contract_of("member2@demo-bv.test")
    person = contract.employee
    page = url("employment_probation", person.pk, contract.pk)
    job = client.get(url("detail", person.pk), {"tab": "job"}, secure=True).content.decode()
    assert f'href="{page}"' in job
    form = client.get(page, secure=True).content.decode()
    assert 'name="probation_end_date"' in form and "End of probation" in form
    assert person.display_name not in _probation_listed(client)
    response = client.post(page, {"probation_end_date": day(30).isoformat()}, secure=True)
    assert response.status_code == 302 and response["Location"].endswith("?tab=job")
    contract.refresh_from_db()
    assert contract.probation_end_date == day(30)
    assert person.display_name in _probation_listed(client)
    changed = AuditEvent.objects.get(action="employment.updated", object_id=str(contract.pk))
    assert changed.changes == {"probation_end_date": {"old": None, "new": day(30).isoformat()}}
    said = sentences.sentence(changed, actor="Hanna", object_label=contract.job_title)
    assert said == f"Hanna changed end of probation of the contract {contract.job_title}"
    # History: the old and the new day, labelled; the change feed names it too.
    history = client.get(url("detail", person.pk), {"tab": "history"}, secure=True)
    text = history.content.decode()
    assert "<dt>End of probation</dt>" in text
    assert formats.date_format(day(30), "DATE_FORMAT") in text
    since = (timezone.now() - dt.timedelta(minutes=5)).isoformat()
    feed = client.get(url("changes"), {"since": since, "format": "json"}, secure=True).json()
    rows = [r for r in feed["changes"] if r["field"] == "probation_end_date"]
    assert rows and rows[-1]["new"] == day(30).isoformat() and rows[-1]["old"] is None
    page_rows = client.get(url("changes"), {"since": since}, secure=True).content.decode()
    assert "End of probation" in page_rows
    # Cleared with an empty date: off the dashboard again.
    client.post(page, {"probation_end_date": ""}, secure=True)
    contract.refresh_from_db()
    assert contract.probation_end_date is None
    assert person.display_name not in _probation_listed(client)


def test_a_probation_outside_the_contract_is_a_form_error_and_saves_nothing(demo, login):
    client = login(HR)
    contract = _contract_of("member3@demo-bv.test")
    person = contract.employee
    contract.end_date = day(40)
    contract.save(update_fields=["end_date"])
    versions, events = EmployeeVersion.objects.count(), AuditEvent.objects.count()
    page = url("employment_probation", person.pk, contract.pk)
    for bad, message in (
        (contract.start_date - dt.timedelta(days=1), "comes before the contract's start"),
        (day(41), "comes after the contract's end"),
        ("0066-13-01", "Enter a date as YYYY-MM-DD."),
    ):
        response = client.post(page, {"probation_end_date": str(bad)}, secure=True)
        assert response.status_code == 200
        assert message in " ".join(response.context["form"].errors["probation_end_date"])
        assert 'data-testid="form-errors"' in response.content.decode()
    contract.refresh_from_db()
    assert contract.probation_end_date is None
    assert (EmployeeVersion.objects.count(), AuditEvent.objects.count()) == (versions, events)
    # Adding a contract checks it too.
    response = client.post(
        url("add_employment", person.pk),
        {
            "contract_type": "permanent",
            "start_date": day(50).isoformat(),
            "probation_end_date": day(49).isoformat(),
            "job_title": "Senior analyst",
            "hours_per_week": "38",
        },
        secure=True,
    )
    assert response.status_code == 200
    assert "comes before" in " ".join(response.context["form"].errors["probation_end_date"])
    assert Employment.objects.filter(employee=person).count() == 1


def test_another_companys_contract_has_no_probation_page(demo, login):
    other = Employment.objects.filter(tenant__slug="other-nv").first()
    response = login(HR).post(
        url("employment_probation", other.employee_id, other.pk),
        {"probation_end_date": day(10).isoformat()},
        secure=True,
    )
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.probation_end_date is None


def test_an_employee_cannot_set_their_own_probation(demo, login):
    contract = _contract_of("member1@demo-bv.test")
    client = login("member1@demo-bv.test")
    page = url("employment_probation", contract.employee_id, contract.pk)
    response = client.post(page, {"probation_end_date": day(10).isoformat()}, secure=True)
    assert response.status_code in (403, 404)
    contract.refresh_from_db()
    assert contract.probation_end_date is None


def test_the_import_reads_the_end_of_probation(demo, login, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    client = login(HR)
    header = "first_name,last_name,start_date,job_title,probation_end_date"
    good = f"Anna,Peeters,{day(-5).isoformat()},Analyst,{day(25).isoformat()}"
    bad = f"Bram,Claes,{day(-5).isoformat()},Analyst,{day(-6).isoformat()}"
    preview = client.post(
        "/people/import/",
        {
            "step": "preview",
            "file": SimpleUploadedFile("p.csv", f"{header}\n{good}\n{bad}\n".encode()),
        },
    )
    text = preview.content.decode()
    assert "comes before the contract&#x27;s start" in text or "comes before the contract's" in text
    fixed = f"Bram,Claes,{day(-5).isoformat()},Analyst,"
    preview = client.post(
        "/people/import/",
        {
            "step": "preview",
            "file": SimpleUploadedFile("p.csv", f"{header}\n{good}\n{fixed}\n".encode()),
        },
    )
    token = preview.content.decode().split('name="token" value="', 1)[1].split('"', 1)[0]
    assert client.post("/people/import/", {"step": "confirm", "token": token}).status_code == 302
    anna = Employee.objects.get(first_name="Anna", last_name="Peeters")
    assert Employment.objects.get(employee=anna).probation_end_date == day(25)
    bram = Employee.objects.get(first_name="Bram", last_name="Claes")
    assert Employment.objects.get(employee=bram).probation_end_date is None
