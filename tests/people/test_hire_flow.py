"""Hiring in sections with "Check and save", the manager picked by typing (the search
endpoint never crosses companies), and the shared error summary on the form."""

from __future__ import annotations

import re
from typing import Any

from kluis.audit.models import AuditEvent
from kluis.people.models import Employee, Employment

HR = "hr@demo-bv.test"
NEW = "/people/new/"
SEARCH = "/people/search/employees/"
PICK = "/people/search/employees/pick/"


def _post(client: Any, step: str, **over: str) -> Any:
    data = {
        "first_name": "Ilse",
        "last_name": "Wouters",
        "birth_date": "1990-04-02",
        "status": "active",
        "work_email": "ilse.wouters@demo-bv.test",
        "work_phone": "+32474567336",
        "employment-contract_type": "permanent",
        "employment-job_title": "Data analyst",
        "employment-start_date": "2026-01-05",
        "employment-hours_per_week": "38",
        "employment-manager": "",
        "employment-manager_q": "",
        "wage-amount": "",
        "wage-currency": "EUR",
        "wage-period": "month",
        "step": step,
        **over,
    }
    return client.post(NEW, data, secure=True)


def _carried(html: str) -> dict[str, str]:
    form = html[html.index('data-testid="hire-check-form"') :]
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))


def test_the_form_comes_in_sections_with_required_fields_marked(demo, login):
    html = login(HR).get(NEW, secure=True).content.decode()
    sections = re.findall(r'data-testid="section-(\w+)"', html)
    assert sections[:6] == ["person", "contact", "identity", "job", "contract", "pay"]
    assert re.search(
        r'<input type="text" name="first_name"[^>]* required[^>]*id="id_first_name"', html
    )
    assert re.search(r'name="employment-start_date"[^>]* required', html)
    assert 'name="employment-manager_q"' in html and '<select name="employment-manager"' not in html


def test_check_shows_what_will_be_created_and_writes_nothing_then_save_hires(demo, login):
    client = login(HR)
    mark = Employee.objects.get(work_email="manager@demo-bv.test")
    before, events = Employee.objects.count(), AuditEvent.objects.count()
    check = _post(client, "check", **{"employment-manager": str(mark.pk)})
    html = check.content.decode()
    assert check.status_code == 200 and 'data-testid="hire-summary"' in html
    assert "Ilse" in html and "Data analyst" in html
    assert f"{mark.display_name} ({mark.employee_number})" in html
    assert "5 January 2026" in html  # the one date format
    assert Employee.objects.count() == before and AuditEvent.objects.count() == events
    carried = _carried(html)
    assert carried["employment-manager"] == str(mark.pk) and "csrfmiddlewaretoken" in carried
    back = client.post(NEW, {**carried, "step": "back"}, secure=True).content.decode()
    assert 'data-testid="employee-form"' in back and 'value="Data analyst"' in back
    assert 'data-testid="form-errors"' not in back
    saved = client.post(NEW, {**carried, "step": "save"}, secure=True)
    ilse = Employee.objects.get(work_email="ilse.wouters@demo-bv.test")
    assert saved.status_code == 302 and saved["Location"] == f"/people/{ilse.pk}/"
    assert Employment.objects.get(employee=ilse).manager == mark
    assert AuditEvent.objects.filter(action="employee.hired", object_id=str(ilse.pk)).count() == 1


def test_the_summary_refuses_what_the_service_would_refuse(demo, login):
    client = login(HR)
    existing = Employee.objects.get(work_email="employee@demo-bv.test")
    html = _post(client, "check", employee_number=existing.employee_number).content.decode()
    assert 'data-testid="hire-summary"' not in html
    assert "Another employee has this number." in html


def test_the_error_summary_names_and_links_every_field(demo, login):
    html = _post(
        login(HR), "check", first_name="", last_name="12345", **{"employment-start_date": ""}
    ).content.decode()
    summary = html[html.index('class="kluis-error-summary"') :]
    summary = summary[: summary.index("</div>")]
    assert 'tabindex="-1" autofocus' in html
    assert "Nothing was saved. Correct the fields marked below." in summary
    links = dict(re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary))
    assert links["id_first_name"] == "First name: This field is required."
    assert links["id_last_name"] == "Last name: A name must contain at least one letter."
    assert links["id_employment-start_date"] == "Start date: This field is required."
    for target in links:
        assert f'id="{target}"' in html


def test_the_manager_typed_without_javascript_is_resolved_or_refused(demo, login):
    client = login(HR)
    mark = Employee.objects.get(work_email="manager@demo-bv.test")
    one = _post(client, "check", **{"employment-manager_q": mark.employee_number})
    assert _carried(one.content.decode())["employment-manager_q"] == mark.employee_number
    client.post(NEW, {**_carried(one.content.decode()), "step": "save"}, secure=True)
    ilse = Employee.objects.get(work_email="ilse.wouters@demo-bv.test")
    assert Employment.objects.get(employee=ilse).manager == mark
    none = _post(client, "check", work_email="x@demo-bv.test", **{"employment-manager_q": "Zzyzx"})
    assert "Nobody matches “Zzyzx”" in none.content.decode()


def test_search_returns_matches_of_the_own_company_only(demo, login):
    own = Employee.objects.get(work_email="manager@demo-bv.test")
    other = Employee.objects.get(work_email="manager@other-nv.test")
    client = login(HR)
    params = {"field": "employment-manager", "box": "id_employment-manager"}
    html = client.get(SEARCH, {**params, "employment-manager_q": own.last_name}, secure=True)
    assert html.status_code == 200
    assert f'data-testid="pick-{own.pk}"' in html.content.decode()
    foreign = client.get(SEARCH, {**params, "employment-manager_q": other.last_name}, secure=True)
    assert f"pick-{other.pk}" not in foreign.content.decode()
    assert client.get(PICK, {**params, "id": other.pk}, secure=True).status_code == 404
    picked = client.get(PICK, {**params, "id": own.pk}, secure=True).content.decode()
    assert f'name="employment-manager" id="id_employment-manager_value" value="{own.pk}"' in picked
    assert "autofocus" in picked
    assert client.get(SEARCH, {**params, "box": 'x"><script>'}, secure=True).status_code == 404


def test_only_who_may_edit_contracts_may_search(demo, login):
    response = login("member1@demo-bv.test").get(
        SEARCH, {"field": "m", "box": "m", "m_q": "a"}, secure=True
    )
    assert response.status_code == 403
