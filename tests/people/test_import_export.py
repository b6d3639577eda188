"""CSV import (preview, all or nothing) and CSV/XLSX export of the HR list."""

from __future__ import annotations

import csv
import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.http import FileResponse, StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kluis.access.actor import Actor
from kluis.audit.models import AuditEvent
from kluis.people import imports, selectors, services
from kluis.people.demo import load_people
from kluis.people.models import Employee, EmployeeVersion, Employment, Wage
from kluis.people.permissions import actor_employee_id
from tests.conftest import actor_for, member

HR = "hr@demo-bv.test"
MANAGER = "manager@demo-bv.test"
EMPLOYEE = "employee@demo-bv.test"
CONSULTANT = "consultant@kluis.test"
NATIONAL_ID = "85073003328"
IBAN = "BE68539007547034"


@pytest.fixture
def people(demo):  # type: ignore[no-untyped-def]
    """The demo companies with HR files (made here when the demo data has none yet)."""
    for slug, locale, country in (("demo-bv", "nl_BE", "BE"), ("other-nv", "nl_NL", "NL")):
        if not Employee.objects.filter(tenant=demo[slug], work_email__startswith="hr@").exists():
            load_people(demo[slug], locale=locale, country=country, extra=4)
    return demo


@pytest.fixture(autouse=True)
def _own_upload_folder(settings, tmp_path):  # type: ignore[no-untyped-def]
    """Pending uploads go to this test's own folder: the database rolls back, files do
    not, and parallel test workers share one data directory."""
    settings.DATA_DIR = tmp_path


def _body(response) -> str:  # type: ignore[no-untyped-def]
    assert isinstance(response, StreamingHttpResponse)
    return b"".join(response.streaming_content).decode("utf-8")


def _rows(response) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    text = _body(response)
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def _hire(tenant, **overrides):  # type: ignore[no-untyped-def]
    data = {
        "first_name": "Ilse",
        "last_name": "Wouters",
        "national_id": NATIONAL_ID,
        "iban": IBAN,
        "employment": {"start_date": "2025-01-06", "job_title": "Data analyst"},
        "wage": {"amount": "4100.00"},
        **overrides,
    }
    return services.hire_employee(Actor.system("test", tenant), tenant, data)


HEADER = (
    "employee_number,first_name,last_name,work_email,start_date,job_title,contract_type,"
    "hours_per_week,department,team,manager_number,national_id,iban,address,"
    "wage_amount,wage_currency,wage_period,custom.tshirt_size"
)


def _line(number: str, first: str, **over: str) -> str:
    values = {
        "employee_number": number,
        "first_name": first,
        "last_name": "Importé",
        "work_email": f"{first.lower()}@demo-bv.test",
        "start_date": "2026-02-02",
        "job_title": "Analyst",
        "contract_type": "permanent",
        "hours_per_week": "38",
        "department": "Engineering",
        "team": "Platform",
        "manager_number": "",
        "national_id": "85.07.30-033.28",
        "iban": "BE68 5390 0754 7034",
        "address": '"Meir 1, 2000 Antwerpen, BE"',
        "wage_amount": "3900.00",
        "wage_currency": "EUR",
        "wage_period": "month",
        "custom.tshirt_size": "M",
        **over,
    }
    return ",".join(values[c] for c in HEADER.split(","))


def _csv(*lines: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *lines]) + "\n").encode("utf-8")


def _upload(client, content: bytes, name: str = "people.csv"):  # type: ignore[no-untyped-def]
    return client.post(
        "/people/import/", {"step": "preview", "file": SimpleUploadedFile(name, content)}
    )


def _token(response) -> str:  # type: ignore[no-untyped-def]
    found = re.search(r'name="token" value="([^"]+)"', response.content.decode())
    assert found, response.content.decode()
    return found.group(1)


# --- export ---------------------------------------------------------------------------


def test_hr_csv_export_is_an_attachment_with_every_column_and_employee(people, login):
    ilse = _hire(people["demo-bv"])
    response = login(HR).get("/people/export.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="kluis-people-demo-bv-{today}.csv"'
    )
    rows = _rows(response)
    assert len(rows) == Employee.objects.filter(tenant=people["demo-bv"]).count()
    columns = set(rows[0])
    assert {"employee_number", "first_name", "job_title", "department", "manager_number"} <= columns
    assert {"start_date", "contract_type", "address", "national_id", "iban"} <= columns
    assert {"wage_amount", "wage_currency", "custom.tshirt_size"} <= columns
    mine = next(r for r in rows if r["employee_number"] == ilse.employee_number)
    assert mine["national_id"] == NATIONAL_ID
    assert mine["iban"] == IBAN
    assert mine["wage_amount"] == "4100.00"
    assert mine["start_date"] == "2025-01-06"
    assert mine["job_title"] == "Data analyst"


def test_export_leaves_out_other_companies(people, login):
    other = set(
        Employee.objects.filter(tenant=people["other-nv"]).values_list("last_name", flat=True)
    )
    ours = set(
        Employee.objects.filter(tenant=people["demo-bv"]).values_list("last_name", flat=True)
    )
    rows = _rows(login(HR).get("/people/export.csv"))
    assert {r["last_name"] for r in rows} == ours
    assert other - ours, "the companies share no names in this check"


def test_export_applies_the_list_filter(people, login):
    _hire(people["demo-bv"], last_name="Zzyzx")
    rows = _rows(login(HR).get("/people/export.csv", {"q": "zzyzx", "page": "3"}))
    assert [r["last_name"] for r in rows] == ["Zzyzx"]


def test_invalid_filter_exports_nothing(people, login):
    response = login(HR).get("/people/export.csv", {"status": "nonsense"})
    assert response.status_code == 400
    assert not AuditEvent.objects.filter(action="people.exported").exists()


def test_csv_export_defuses_formulas(people, login):
    _hire(people["demo-bv"], last_name='=HYPERLINK("http://evil.test")', first_name="+SUM(1)")
    rows = _rows(login(HR).get("/people/export.csv"))
    evil = next(r for r in rows if "HYPERLINK" in r["last_name"])
    assert evil["last_name"] == '\'=HYPERLINK("http://evil.test")'
    assert evil["first_name"] == "'+SUM(1)"


def test_manager_export_holds_only_the_team_and_no_sensitive_columns(people, login):
    manager = actor_for(MANAGER)
    own = actor_employee_id(manager)
    team = set(
        Employee.objects.filter(tenant=people["demo-bv"], manager_id=own).values_list(
            "employee_number", flat=True
        )
    )
    team.add(Employee.objects.get(pk=own).employee_number)
    response = login(MANAGER).get("/people/export.csv")
    assert response.status_code == 200
    rows = _rows(response)
    assert {r["employee_number"] for r in rows} == team
    columns = set(rows[0])
    assert {"first_name", "job_title", "team"} <= columns
    for secret in ("national_id", "iban", "wage_amount", "wage_currency", "address"):
        assert secret not in columns
    assert NATIONAL_ID not in _body(login(MANAGER).get("/people/export.csv"))


def test_export_is_audited_with_filter_and_columns_but_no_values(people, login):
    _hire(people["demo-bv"])
    login(HR).get("/people/export.csv", {"status": "active"})
    event = AuditEvent.objects.get(action="people.exported")
    assert event.actor_label == HR
    assert event.changes["filters"] == {"status": "active"}
    assert event.changes["format"] == "csv"
    assert "national_id" in event.changes["columns"]
    assert set(event.changes["sensitive_columns"]) >= {"national_id", "iban", "wage_amount"}
    stored = str(event.changes)
    assert NATIONAL_ID not in stored and IBAN not in stored and "Wouters" not in stored


def test_xlsx_export_is_a_spreadsheet_with_header_rows_and_dates(people, login):
    ilse = _hire(people["demo-bv"], last_name="=Wouters")
    response = login(HR).get("/people/export.xlsx")
    assert response.status_code == 200
    assert isinstance(response, FileResponse)
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert response["Content-Disposition"].endswith('.xlsx"')
    book = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert "xl/workbook.xml" in book.namelist()
    sheet = book.read("xl/worksheets/sheet1.xml").decode()
    assert "<t>employee_number</t>" in sheet and "<t>national_id</t>" in sheet
    assert f"<t>{ilse.employee_number}</t>" in sheet
    assert "<t>=Wouters</t>" in sheet and "<f>" not in sheet  # text, never a formula
    assert f"<t>{NATIONAL_ID}</t>" in sheet
    # 2025-01-06 as a date: Excel's serial day number with a date style, not text.
    assert re.search(r'<c r="[A-Z]+\d+" s="\d+"><v>45663</v></c>', sheet)
    assert AuditEvent.objects.filter(action="people.exported", changes__format="xlsx").exists()


def test_export_reads_in_one_query_whatever_the_number_of_rows(people, login):
    client = login(HR)
    _body(client.get("/people/export.csv"))  # a first request fills per-process caches
    with CaptureQueriesContext(connection) as few:
        _body(client.get("/people/export.csv"))
    for n in range(6):
        _hire(people["demo-bv"], last_name=f"Extra{n}", employee_number=f"X{n}")
    with CaptureQueriesContext(connection) as more:
        _body(client.get("/people/export.csv"))
    assert len(more) == len(few)


def test_export_needs_people_view(people, login):
    client = login("auditor@demo-bv.test")
    assert client.get("/people/export.csv").status_code == 403
    assert client.get("/people/export.xlsx").status_code == 403
    assert not AuditEvent.objects.filter(action="people.exported").exists()


def test_manager_and_employee_may_not_import_or_be_exported_for_others(people, login):
    for who in (MANAGER, EMPLOYEE):
        client = login(who)
        assert client.get("/people/import/").status_code == 403
        response = _upload(client, _csv(_line("91001", "Anna")))
        assert response.status_code == 403
    assert not Employee.objects.filter(employee_number="91001").exists()


# --- import ---------------------------------------------------------------------------


def test_import_page_explains_the_columns(people, login):
    response = login(HR).get("/people/import/")
    assert response.status_code == 200
    assert (
        b"start_date" in response.content and b'enctype="multipart/form-data"' in response.content
    )


def test_import_preview_shows_row_errors_and_writes_nothing(people, login):
    employees, events = Employee.objects.count(), AuditEvent.objects.count()
    versions = EmployeeVersion.objects.count()
    content = _csv(
        _line("91001", "Anna"),
        _line("91002", "Bram", national_id="12345678901"),
        _line("91003", "Cas", department="Nowhere", start_date=""),
        _line("91001", "Dirk"),
    )
    response = _upload(login(HR), content)
    assert response.status_code == 200
    page = response.content.decode()
    assert "row 3: national_id: This is not a valid Belgian national number." in page
    assert "row 4: department: There is no department named “Nowhere”." in page
    assert "row 4: start_date: This field is required." in page
    assert "row 5: employee_number: Row 2 has the same employee number." in page
    assert "will be created" in page
    assert 'name="token"' not in page  # nothing to confirm
    assert Employee.objects.count() == employees
    assert AuditEvent.objects.count() == events
    assert EmployeeVersion.objects.count() == versions


def test_duplicate_of_an_existing_employee_number_is_a_row_error(people, login):
    existing = Employee.objects.filter(tenant=people["demo-bv"]).first()
    assert existing is not None
    response = _upload(login(HR), _csv(_line(existing.employee_number, "Anna")))
    assert "row 2: employee_number: Another employee has this number." in (
        response.content.decode()
    )


def test_good_file_imports_every_row_with_versions_and_audit(people, login):
    client = login(HR)
    tenant = people["demo-bv"]
    manager = Employee.objects.get(work_email=MANAGER)
    content = _csv(
        _line("91001", "Anna", manager_number=manager.employee_number),
        _line("91002", "Bram", manager_number="91001", wage_amount=""),
        _line("", "Cas", contract_type="student"),
    )
    preview = _upload(client, content)
    assert preview.status_code == 200
    assert "3 employees will be created" in preview.content.decode()
    assert not Employee.objects.filter(employee_number="91001").exists()
    hired_before = AuditEvent.objects.filter(action="employee.hired").count()
    response = client.post("/people/import/", {"step": "confirm", "token": _token(preview)})
    assert response.status_code == 302
    anna = Employee.objects.get(tenant=tenant, employee_number="91001")
    bram = Employee.objects.get(tenant=tenant, employee_number="91002")
    cas = Employee.objects.get(tenant=tenant, first_name="Cas")
    assert anna.manager == manager and bram.manager == anna
    assert anna.department is not None and anna.department.name == "Engineering"
    assert anna.custom_fields["tshirt_size"] == "M"
    assert cas.employee_number.isdigit()
    assert Wage.objects.filter(employee=anna).count() == 1
    assert not Wage.objects.filter(employee=bram).exists()
    for person in (anna, bram, cas):
        assert EmployeeVersion.objects.filter(employee=person).count() == 1
        assert Employment.objects.filter(employee=person).count() == 1
    assert AuditEvent.objects.filter(action="employee.hired").count() == hired_before + 3
    summary = AuditEvent.objects.get(action="people.imported")
    assert summary.changes["rows"] == 3
    assert NATIONAL_ID not in str(summary.changes)
    # Confirmed once: the token is gone.
    again = client.post("/people/import/", {"step": "confirm", "token": _token(preview)})
    assert again.status_code == 404


def test_export_of_a_person_reads_back_in_the_import(people, login):
    client = login(HR)
    ilse = _hire(
        people["demo-bv"],
        work_phone="+32 470 12 34 56",
        custom_fields={"tshirt_size": "L", "company_car": True},
        address={
            "street": "Rue de la Loi",
            "number": "16",
            "postal_code": "1000",
            "city": "Brussel",
            "country": "BE",
        },
    )
    text = _body(client.get("/people/export.csv", {"q": ilse.employee_number}))
    header, row = text.lstrip("\ufeff").splitlines()[:2]
    row = row.replace(ilse.employee_number, "77001", 1)
    assert ",'+32470123456," in row  # defused in the export, read back by the import
    preview = _upload(client, _csv(row, header=header))
    assert "1 employee will be created" in preview.content.decode(), preview.content.decode()
    client.post("/people/import/", {"step": "confirm", "token": _token(preview)})
    copy = Employee.objects.get(tenant=people["demo-bv"], employee_number="77001")
    assert copy.work_phone == "+32470123456"
    assert copy.custom_fields["company_car"] is True
    assert selectors.profile(actor_for(HR), copy)["address"]["street"] == "Rue de la Loi"
    assert selectors.profile(actor_for(HR), copy)["national_id"] == NATIONAL_ID


def test_one_bad_row_at_confirmation_imports_nothing(people, login):
    client = login(HR)
    preview = _upload(client, _csv(_line("91001", "Anna"), _line("91002", "Bram")))
    token = _token(preview)
    _hire(people["demo-bv"], employee_number="91002")  # taken between preview and confirm
    count = Employee.objects.count()
    response = client.post("/people/import/", {"step": "confirm", "token": token})
    assert response.status_code == 409
    assert "row 3: employee_number: Another employee has this number." in (
        response.content.decode()
    )
    assert Employee.objects.count() == count
    assert not Employee.objects.filter(employee_number="91001").exists()
    assert not AuditEvent.objects.filter(action="people.imported").exists()


def test_run_import_keeps_all_rows_or_none(people):
    tenant = people["demo-bv"]
    hr = actor_for(HR)
    parsed = imports.parse(
        _csv(_line("91001", "Anna"), _line("91002", "Bram", iban="BE00")).decode(), tenant
    )
    result = imports.run_import(hr, tenant, parsed, commit=True)
    assert not result.committed
    assert [r.ok for r in result.rows] == [True, False]
    assert not Employee.objects.filter(employee_number="91001").exists()


def test_semicolon_delimited_file_with_byte_order_mark_is_read(people, login):
    header = HEADER.replace(",", ";").upper()
    line = (
        _line("91001", "Anna")
        .replace(",", ";")
        .replace('"Meir 1; 2000 Antwerpen; BE"', '"Meir 1, 2000 Antwerpen, BE"')
    )
    content = "\ufeff".encode() + _csv(line, header=header)
    client = login(HR)
    preview = _upload(client, content)
    assert "1 employee will be created" in preview.content.decode(), preview.content.decode()
    client.post("/people/import/", {"step": "confirm", "token": _token(preview)})
    anna = Employee.objects.get(employee_number="91001")
    assert anna.last_name == "Importé"


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"x" * (imports.MAX_BYTES + 1), "big.csv", "larger than 5 MB"),
        (b"PK\x03\x04\x00\x00binary", "people.xlsx", "not a CSV file"),
        (b"PK\x03\x04\x00\x00binary", "people.csv", "not a CSV file"),
        ("naïve".encode("latin-1") + b",x\n", "people.csv", "not UTF-8"),
        (b"first_name,colour\nAnna,red\n", "people.csv", "Unknown columns: colour"),
        (
            b"first_name,last_name\nAnna,B\n",
            "people.csv",
            "needs the columns start_date, job_title",
        ),
        (b"", "people.csv", "The file is empty"),
    ],
)
def test_unreadable_uploads_get_a_clear_error(people, login, content, name, message):
    response = _upload(login(HR), content, name)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_too_many_rows_are_refused(people):
    text = (
        HEADER
        + "\n"
        + "\n".join(f"{n},A,B,,2026-01-01,X,,,,,,,,,,,," for n in range(imports.MAX_ROWS + 1))
    )
    with pytest.raises(imports.ImportFileError, match="more than 2,000 rows"):
        imports.parse(text, people["demo-bv"])


def test_import_checks_the_csrf_token(people):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(member(HR).user)
    response = _upload(client, _csv(_line("91001", "Anna")))
    assert response.status_code == 403
    page = client.get("/people/import/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    assert token
    response = client.post(
        "/people/import/",
        {
            "csrfmiddlewaretoken": token.group(1),
            "step": "preview",
            "file": SimpleUploadedFile("people.csv", _csv(_line("91001", "Anna"))),
        },
    )
    assert response.status_code == 200
    assert "1 employee will be created" in response.content.decode()


def test_another_persons_import_token_does_nothing(people, login, client):
    hr = login(HR)
    token = _token(_upload(hr, _csv(_line("91001", "Anna"))))
    other = client.__class__()
    other.force_login(member(CONSULTANT, "demo-bv").user)
    session = other.session
    session["kluis_tenant_id"] = people["demo-bv"].pk
    session.save()
    response = other.post("/people/import/", {"step": "confirm", "token": token})
    assert response.status_code == 404
    assert not Employee.objects.filter(employee_number="91001").exists()


def test_an_import_token_is_bound_to_the_company(people, login):
    consultant = login(CONSULTANT, "demo-bv")
    token = _token(_upload(consultant, _csv(_line("91001", "Anna"))))
    session = consultant.session
    session["kluis_tenant_id"] = people["other-nv"].pk
    session.save()
    response = consultant.post("/people/import/", {"step": "confirm", "token": token})
    assert response.status_code == 404
    assert not Employee.objects.filter(employee_number="91001").exists()
    assert (
        consultant.post("/people/import/", {"step": "confirm", "token": "made-up"}).status_code
        == 404
    )


def test_the_kept_upload_is_sealed_on_disk_and_removed_on_cancel(people, login, settings):
    client = login(HR)
    _upload(client, _csv(_line("91001", "Anna")))
    mine = set((settings.DATA_DIR / "imports").glob("*.sealed"))
    assert len(mine) == 1
    stored = next(iter(mine)).read_text()
    assert stored.startswith("k1.")
    assert "Anna" not in stored and "85.07.30" not in stored
    response = client.post("/people/import/", {"step": "cancel"})
    assert response.status_code == 302
    assert not any(path.exists() for path in mine)
