"""The shared rules for a person's dates and names (kluis/people/validation.py), seen
through every way in: the services, the hire form, the API and the CSV import."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from kluis.people import services
from kluis.people import validation as v
from kluis.people.models import Employee
from tests.conftest import actor_for

HR = "hr@demo-bv.test"
TODAY = timezone.localdate()  # for parameters: a day that stays out of bounds


def fourteen_years_ago() -> dt.date:
    """Today's last allowed birth date, read when the test runs (a run may cross
    midnight, in the server's time zone, after this module was collected)."""
    today = timezone.localdate()
    return today.replace(year=today.year - 14)  # not run on 29 February


def _data(**over: Any) -> dict[str, Any]:
    employment = {"start_date": "2025-01-06", "job_title": "Analyst"}
    employment.update(over.pop("employment", {}))
    return {"first_name": "Ilse", "last_name": "Wouters", "employment": employment, **over}


def _refusal(**over: Any) -> dict[str, list[str]]:
    hr = actor_for(HR)
    before = Employee.objects.count()
    with pytest.raises(ValidationError) as caught:
        services.hire_employee(hr, hr.tenant, _data(**over))  # type: ignore[arg-type]
    assert Employee.objects.count() == before
    return caught.value.message_dict


def _shown(day: dt.date) -> str:
    """A day as messages name it: the reader's one date format (English here)."""
    return f"{day.day} {day:%B %Y}"


# --- the rules ------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["1899-12-31", "0066-05-02", str(TODAY), "2100-01-01"])
def test_a_birth_date_out_of_bounds_is_refused_naming_the_bounds(value):
    with pytest.raises(ValidationError) as caught:
        v.birth_date(value)
    assert caught.value.messages == [
        f"Enter a birth date between 1 January 1900 and {_shown(fourteen_years_ago())}."
    ]


def test_a_birth_date_on_the_bounds_is_accepted():
    assert v.birth_date("1900-01-01") == dt.date(1900, 1, 1)
    last = fourteen_years_ago()
    assert v.birth_date(last) == last


def test_a_start_date_is_refused_before_1900_far_ahead_or_before_the_fourteenth_birthday():
    with pytest.raises(ValidationError, match="Enter a start date between 1 January 1900"):
        v.start_date("0066-03-01")
    with pytest.raises(ValidationError, match="Enter a start date between"):
        v.start_date(timezone.localdate() + dt.timedelta(days=800))
    ahead = timezone.localdate() + dt.timedelta(days=700)
    assert v.start_date(ahead) == ahead
    with pytest.raises(ValidationError, match="before the person turned 14"):
        v.start_date("2000-05-01", born=dt.date(1986, 5, 2))
    assert v.start_date("2000-05-02", born=dt.date(1986, 5, 2)) == dt.date(2000, 5, 2)


@pytest.mark.parametrize("value", ["12345 67890", "42", "-- .", "٣٤"])
def test_a_name_without_a_letter_is_refused(value):
    with pytest.raises(ValidationError, match=r"A name must contain at least one letter\."):
        v.person_name(value)


@pytest.mark.parametrize("value", ["Zoë", "O'Brien", "Jan-Willem 2", "Łukasz", "李"])
def test_names_in_any_script_with_a_letter_are_accepted(value):
    assert v.person_name(value) == value


# --- through the services (UI, API and import all hire through them) ----------------------


def test_hiring_refuses_digit_names_and_an_absurd_birth_date_and_start(demo):
    errors = _refusal(
        first_name="12345",
        last_name="67890",
        preferred_name="007",
        birth_date="0066-01-01",
        employment={"start_date": "0066-03-01"},
    )
    for name in ("first_name", "last_name", "preferred_name"):
        assert errors[name] == ["A name must contain at least one letter."]
    assert errors["birth_date"][0].startswith("Enter a birth date between 1 January 1900")
    start_error = errors["employment.start_date"][0]
    assert start_error.startswith("Enter a start date between 1 January 1900")


def test_hiring_refuses_a_start_before_the_person_turned_14(demo):
    errors = _refusal(birth_date="2000-06-01", employment={"start_date": "2014-05-31"})
    assert errors == {
        "employment.start_date": [
            "This start date is before the person turned 14 (born 1 June 2000)."
        ]
    }


def test_a_new_contract_is_checked_against_the_known_birth_date(demo):
    hr = actor_for(HR)
    ilse = services.hire_employee(hr, hr.tenant, _data(birth_date="2000-06-01"))  # type: ignore[arg-type]
    with pytest.raises(ValidationError) as caught:
        services.add_employment(hr, ilse, {"start_date": "2010-01-04", "job_title": "Intern"})
    assert "before the person turned 14" in caught.value.message_dict["start_date"][0]


def test_changing_the_birth_date_may_not_put_the_first_contract_before_14(demo):
    hr = actor_for(HR)
    ilse = services.hire_employee(hr, hr.tenant, _data())  # type: ignore[arg-type]
    with pytest.raises(ValidationError) as caught:
        services.update_employee(hr, ilse, {"birth_date": "2015-01-01"}, expected_version=1)
    assert caught.value.message_dict["birth_date"][0].startswith("Enter a birth date")
    with pytest.raises(ValidationError) as caught:
        services.update_employee(hr, ilse, {"birth_date": "2011-02-03"}, expected_version=1)
    assert caught.value.message_dict == {
        "birth_date": ["With this birth date the first contract (2025-01-06) starts before 14."]
    }
    ilse.refresh_from_db()
    assert ilse.birth_date is None


# --- the ways in: HR form, API, import -----------------------------------------------------


def test_the_hire_form_shows_the_refusals_on_their_fields(demo, login):
    before = Employee.objects.count()
    response = login(HR).post(
        "/people/new/",
        {
            "first_name": "12345",
            "last_name": "67890",
            "status": "active",
            "birth_date": "0066-05-02",
            "employment-contract_type": "permanent",
            "employment-job_title": "Analyst",
            "employment-start_date": "0066-06-01",
            "employment-hours_per_week": "38",
            "wage-currency": "EUR",
            "wage-period": "month",
            "step": "check",
        },
        secure=True,
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("A name must contain at least one letter.") >= 2
    assert "Enter a birth date between 1 January 1900" in page
    assert "Enter a start date between 1 January 1900" in page
    assert Employee.objects.count() == before


def test_the_api_refuses_them_with_field_errors(api):
    response = api().post(
        "/api/v1/employees/",
        {
            "first_name": "12345",
            "last_name": "Wouters",
            "birth_date": "1899-01-01",
            "employment": {"start_date": "2026-04-01", "job_title": "Payroll officer"},
        },
    )
    assert response.status_code == 422
    errors = {e["field"]: e["message"] for e in json.loads(response.content)["errors"]}
    assert errors["first_name"] == "A name must contain at least one letter."
    assert errors["birth_date"].startswith("Enter a birth date between 1 January 1900")


def test_the_import_preview_names_the_rows(demo, login, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    content = (
        b"first_name,last_name,birth_date,start_date,job_title\n"
        b"12345,67890,1985-01-01,2026-02-02,Analyst\n"
        b"Anna,Peeters,2000-06-01,2010-02-01,Analyst\n"
        b"Bram,Maes,0066-01-01,2026-02-02,Analyst\n"
    )
    response = login(HR).post(
        "/people/import/",
        {"step": "preview", "file": SimpleUploadedFile("people.csv", content)},
        secure=True,
    )
    page = response.content.decode()
    assert "row 2: first_name: A name must contain at least one letter." in page
    assert "row 3: start_date: This start date is before the person turned 14" in page
    assert "row 4: birth_date: Enter a birth date between 1 January 1900" in page
    assert 'name="token"' not in page
