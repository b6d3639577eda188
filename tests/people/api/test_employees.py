"""/api/v1/employees/: fields by scope, writes through the services, concurrency,
idempotency, pagination, filters and the problem documents for every kind of bad input."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from kluis.audit.models import AuditEvent
from kluis.people.models import Employee, EmployeeStatus
from tests.api_client import PROBLEM_JSON, Api, assert_problem

URL = "/api/v1/employees/"
IDENTITY = {"national_id", "iban"}
WAGE = {"wage"}
PERSONAL = {"private_email", "private_phone", "birth_date", "nationality", "gender", "address"}
NEW_HIRE: dict[str, Any] = {
    "first_name": "Ilse",
    "last_name": "Wouters",
    "work_email": "ilse.wouters@demo-bv.test",
    "employment": {"start_date": "2026-04-01", "job_title": "Payroll officer"},
}


def body(response: Any) -> Any:
    return json.loads(response.content)


def demo_employee(email: str = "member1@demo-bv.test") -> Employee:
    return Employee.objects.get(tenant__slug="demo-bv", work_email=email)


def test_all_scopes_show_every_field(api):
    row = body(api().get(URL))["results"][0]
    assert set(row) >= IDENTITY | WAGE | PERSONAL
    assert {"id", "version", "first_name", "job_title", "team"} <= set(row)


def test_without_wages_read_there_are_no_wage_fields(api):
    row = body(api(["employees:read", "identity:read"]).get(URL))["results"][0]
    assert "wage" not in row
    assert set(row) >= IDENTITY


def test_without_identity_read_there_is_no_national_id_or_iban(api):
    row = body(api(["employees:read", "wages:read", "personal:read"]).get(URL))["results"][0]
    assert not IDENTITY & set(row)
    assert "wage" in row and "address" in row


def test_absent_fields_are_absent_not_null(api):
    row = body(api(["employees:read"]).get(URL))["results"][0]
    assert not (IDENTITY | WAGE | PERSONAL) & set(row)


def test_reading_sealed_fields_is_audited_once_per_request(api):
    client = api(["employees:read", "identity:read"])
    before = AuditEvent.objects.filter(action="employee.sensitive_viewed").count()
    response = client.get(URL + "?page_size=5")
    assert response.status_code == 200
    events = AuditEvent.objects.filter(action="employee.sensitive_viewed").order_by("pk")
    assert events.count() == before + 1
    event = events.last()
    assert event.actor_kind == "api_client" and event.actor_label == "api:Test client"
    assert event.changes["fields"] == ["iban", "national_id"]
    assert len(event.changes["employees"]) == 5


def test_a_page_of_one_names_its_employee_in_the_read_event(api):
    client = api(["employees:read", "identity:read", "wages:read"])
    response = client.get(URL + "?page_size=1")
    shown = body(response)["results"][0]
    event = AuditEvent.objects.filter(action="employee.sensitive_viewed").order_by("pk").last()
    employee = Employee.objects.get(pk=shown["id"])
    assert (event.object_type, event.object_id) == ("people.employee", str(employee.pk))
    assert event.object_repr == employee.display_name
    assert "employees" not in event.changes
    assert set(event.changes["fields"]) <= {"iban", "national_id", "wage"}
    assert shown["iban"] and shown["national_id"]  # the demo's people have both


def test_without_employees_read_listing_is_forbidden(api):
    assert_problem(api(["identity:read"]).get(URL), 403)


def test_reading_one_employee_carries_its_etag(api):
    worker = demo_employee()
    response = api().get(f"{URL}{worker.pk}/")
    assert response.status_code == 200
    assert response["ETag"] == f'W/"{worker.pk}-{worker.version}"'
    assert body(response)["work_email"] == "member1@demo-bv.test"


def test_another_companys_employee_is_404(api):
    other = Employee.objects.filter(tenant__slug="other-nv").first()
    assert_problem(api().get(f"{URL}{other.pk}/"), 404)


def test_hiring_needs_employees_write(api):
    assert_problem(api(["employees:read"]).post(URL, NEW_HIRE), 403)


def test_changing_needs_employees_write(api):
    worker = demo_employee()
    assert_problem(api(["employees:read"]).patch(f"{URL}{worker.pk}/", {"work_phone": ""}), 403)


def test_hiring_creates_the_employee_and_returns_it(api):
    response = api().post(URL, NEW_HIRE)
    assert response.status_code == 201, response.content
    created = body(response)
    employee = Employee.objects.get(pk=created["id"])
    assert employee.last_name == "Wouters" and employee.job_title == "Payroll officer"
    assert response["Location"] == f"{URL}{employee.pk}/"
    assert response["ETag"] == f'W/"{employee.pk}-1"'
    event = AuditEvent.objects.get(action="employee.hired", object_id=str(employee.pk))
    assert event.actor_label == "api:Test client"


def test_hiring_with_an_invalid_iban_is_422_with_field_errors_and_writes_nothing(api):
    count = Employee.objects.count()
    response = api().post(URL, {**NEW_HIRE, "iban": "BE00 1234", "work_email": "nope"})
    problem = assert_problem(response, 422)
    assert {e["field"] for e in problem["errors"]} == {"iban", "work_email"}
    assert {"field": "iban", "message": "This is not a valid IBAN."} in problem["errors"]
    assert Employee.objects.count() == count


def test_service_validation_errors_keep_their_dotted_field_names(api):
    response = api().post(
        URL, {**NEW_HIRE, "employment": {**NEW_HIRE["employment"], "team": 999999}}
    )
    problem = assert_problem(response, 422)
    assert {"field": "employment.team", "message": "Choose one from the list."} in problem["errors"]


def test_unknown_body_fields_are_422(api):
    problem = assert_problem(api().post(URL, {**NEW_HIRE, "salary": 1}), 422)
    assert problem["errors"][0]["field"] == "salary"


def test_wrong_types_are_422_not_500(api):
    problem = assert_problem(api().post(URL, {**NEW_HIRE, "first_name": {"a": 1}}), 422)
    assert problem["errors"][0]["field"] == "first_name"
    assert_problem(api().post(URL, ["not", "an", "object"]), 400)


def test_malformed_json_is_400(api):
    client = api()
    response = client.client.post(
        URL,
        "{not json",
        content_type="application/json",
        headers={"authorization": f"Bearer {client.key}"},
    )
    assert_problem(response, 400)


def test_json_that_is_not_an_object_is_400_and_writes_nothing(api):
    client = api()
    count = Employee.objects.count()
    url = f"{URL}{demo_employee().pk}/"
    for text in ["null", "[]", '"hire"', "42", "[{}]"]:
        for response in [
            client.client.post(
                URL,
                text,
                content_type="application/json",
                headers={"authorization": f"Bearer {client.key}"},
            ),
            client.client.patch(
                url,
                text,
                content_type="application/json",
                headers={"authorization": f"Bearer {client.key}"},
            ),
        ]:
            problem = assert_problem(response, 400)
            assert problem["errors"] == [{"field": "body", "message": "Send a JSON object."}]
    assert Employee.objects.count() == count
    assert_problem(api(["employees:read"]).post(URL, []), 403)


def test_a_body_that_is_not_json_is_415(api):
    client = api()
    response = client.client.post(
        URL,
        "first_name=x",
        content_type="text/plain",
        headers={"authorization": f"Bearer {client.key}"},
    )
    assert_problem(response, 415)


def test_delete_is_not_offered(api):
    client = api()
    worker = demo_employee()
    response = client.client.delete(
        f"{URL}{worker.pk}/", headers={"authorization": f"Bearer {client.key}"}
    )
    assert_problem(response, 405)


def test_patch_with_a_matching_if_match_changes_the_employee(api):
    worker = demo_employee()
    response = api().patch(
        f"{URL}{worker.pk}/",
        {"preferred_name": "Lot"},
        headers={"if-match": f'W/"{worker.pk}-{worker.version}"'},
    )
    assert response.status_code == 200, response.content
    worker.refresh_from_db()
    assert worker.preferred_name == "Lot"
    assert response["ETag"] == f'W/"{worker.pk}-{worker.version}"'
    assert body(response)["version"] == worker.version


def test_patch_with_a_stale_if_match_is_412_and_changes_nothing(api):
    worker = demo_employee()
    response = api().patch(
        f"{URL}{worker.pk}/",
        {"preferred_name": "Lot"},
        headers={"if-match": f'W/"{worker.pk}-{worker.version - 1 or 99}"'},
    )
    assert_problem(response, 412)
    worker.refresh_from_db()
    assert worker.preferred_name == ""


def test_patch_with_a_stale_version_in_the_body_is_412(api):
    worker = demo_employee()
    response = api().patch(
        f"{URL}{worker.pk}/", {"preferred_name": "Lot", "version": worker.version + 5}
    )
    problem = assert_problem(response, 412)
    # The API's wording, not the UI's ("reload the page", who changed it and when).
    assert problem["detail"] == (
        "The object was changed since you read it; fetch it again and retry."
    )
    worker.refresh_from_db()
    assert worker.preferred_name == ""


def test_patch_with_an_invalid_value_is_422_and_changes_nothing(api):
    worker = demo_employee()
    problem = assert_problem(api().patch(f"{URL}{worker.pk}/", {"work_email": "nope"}), 422)
    assert problem["errors"][0]["field"] == "work_email"
    worker.refresh_from_db()
    assert worker.work_email == "member1@demo-bv.test"


def test_patch_of_a_field_the_client_may_not_read_is_refused(api):
    worker = demo_employee()
    response = api(["employees:read", "employees:write"]).patch(
        f"{URL}{worker.pk}/", {"iban": "BE68539007547034"}
    )
    problem = assert_problem(response, 422)
    assert problem["errors"][0]["field"] == "iban"


def test_idempotency_key_replays_the_first_response_and_hires_once(api):
    client = api()
    count = Employee.objects.count()
    first = client.post(URL, NEW_HIRE, headers={"idempotency-key": "hire-ilse-1"})
    second = client.post(URL, NEW_HIRE, headers={"idempotency-key": "hire-ilse-1"})
    assert first.status_code == second.status_code == 201
    assert body(first) == body(second)
    assert second["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert second["Location"] == first["Location"]
    assert Employee.objects.count() == count + 1


def test_same_idempotency_key_with_another_body_is_422_and_hires_nobody(api):
    client = api()
    client.post(URL, NEW_HIRE, headers={"idempotency-key": "hire-2"})
    other = {**NEW_HIRE, "first_name": "Someone else"}
    count = Employee.objects.count()
    problem = assert_problem(client.post(URL, other, headers={"idempotency-key": "hire-2"}), 422)
    assert [error["field"] for error in problem["errors"]] == ["Idempotency-Key"]
    assert Employee.objects.count() == count


def test_idempotency_keys_belong_to_one_client(api):
    api().post(URL, NEW_HIRE, headers={"idempotency-key": "shared"})
    response = api().post(
        URL, {**NEW_HIRE, "employee_number": "77777"}, headers={"idempotency-key": "shared"}
    )
    assert response.status_code == 201


def _bulk_employees(tenant_slug: str, n: int) -> None:
    from kluis.tenancy.models import Tenant

    tenant = Tenant.objects.get(slug=tenant_slug)
    Employee.objects.bulk_create(
        Employee(
            tenant=tenant,
            employee_number=f"B{i:05d}",
            first_name="Bulk",
            last_name=f"Person {i:05d}",
            status=EmployeeStatus.ACTIVE,
        )
        for i in range(n)
    )


def test_cursor_pages_of_200_walk_every_row_exactly_once(api):
    _bulk_employees("demo-bv", 450)
    client = api(["employees:read"])
    expected = set(Employee.objects.filter(tenant__slug="demo-bv").values_list("pk", flat=True))
    seen: list[int] = []
    url: str | None = URL + "?page_size=200"
    pages = 0
    while url:
        page = body(client.get(url))
        seen.extend(row["id"] for row in page["results"])
        assert len(page["results"]) <= 200
        url = page["next"]
        pages += 1
    assert pages == 3
    assert len(seen) == len(set(seen)) and set(seen) == expected


def test_previous_link_goes_back(api):
    _bulk_employees("demo-bv", 30)
    client = api(["employees:read"])
    first = body(client.get(URL + "?page_size=10"))
    second = body(client.get(first["next"]))
    back = body(client.get(second["previous"]))
    assert [r["id"] for r in back["results"]] == [r["id"] for r in first["results"]]


def test_page_size_above_200_is_400(api):
    assert_problem(api().get(URL + "?page_size=201"), 400)


def test_a_forged_cursor_is_400(api):
    assert_problem(api().get(URL + "?cursor=bm9wZQ"), 400)


def test_fields_narrows_the_response(api):
    rows = body(api().get(URL + "?fields=first_name,last_name"))["results"]
    assert {frozenset(r) for r in rows} == {frozenset({"id", "first_name", "last_name"})}


def test_fields_with_an_unknown_name_is_400(api):
    problem = assert_problem(api().get(URL + "?fields=first_name,password"), 400)
    assert problem["errors"][0]["field"] == "fields"


def test_narrowed_fields_are_not_opened_or_audited(api):
    before = AuditEvent.objects.filter(action="employee.sensitive_viewed").count()
    api().get(URL + "?fields=first_name")
    assert AuditEvent.objects.filter(action="employee.sensitive_viewed").count() == before


def test_filter_by_status_team_and_updated_since(api):
    worker = demo_employee()
    client = api(["employees:read"])
    by_team = body(client.get(f"{URL}?team={worker.team_id}"))["results"]
    assert by_team and all(r["team"] == worker.team_id for r in by_team)
    left = body(client.get(f"{URL}?status=left&page_size=200"))["results"]
    assert {r["id"] for r in left} == set(
        Employee.objects.filter(tenant__slug="demo-bv", status="left").values_list("pk", flat=True)
    )
    later = body(client.get(f"{URL}?updated_since=2999-01-01T00:00:00Z"))["results"]
    assert later == []
    earlier = body(client.get(f"{URL}?updated_since=2000-01-01T00:00:00%2B01:00"))["results"]
    assert len(earlier) == min(50, Employee.objects.filter(tenant__slug="demo-bv").count())


def test_bad_filter_values_and_unknown_parameters_are_400(api):
    client = api(["employees:read"])
    assert_problem(client.get(f"{URL}?status=retired"), 400)
    assert_problem(client.get(f"{URL}?updated_since=yesterday"), 400)
    problem = assert_problem(client.get(f"{URL}?colour=blue"), 400)
    assert problem["errors"] == [{"field": "colour", "message": "Unknown query parameter."}]


def test_any_offset_python_reads_filters_the_same_instant_on_every_database(api):
    """PostgreSQL refuses offsets of 16 hours and more; the filter compares in UTC, so
    schemathesis' `0965-05-28T05:23:28.3+23:25` is a filter, not a 500."""
    client = api(["employees:read"])
    count = min(50, Employee.objects.filter(tenant__slug="demo-bv").count())
    for since in ["0965-05-28T05:23:28.3%2B23:25", "2000-01-01T00:00:00-23:59"]:
        assert len(body(client.get(f"{URL}?updated_since={since}"))["results"]) == count
    assert body(client.get(f"{URL}?updated_since=2999-01-01T00:00:00%2B23:59"))["results"] == []
    # Out of range once in UTC, or an impossible date: the client's mistake, a 400.
    for since in ["0001-01-01T00:00:00%2B01:00", "9999-12-31T23:59:59-01:00", "2026-13-01T00:00Z"]:
        problem = assert_problem(client.get(f"{URL}?updated_since={since}"), 400)
        assert problem["errors"][0]["field"] == "updated_since", since


def test_a_time_without_its_zone_a_repeated_parameter_or_a_signed_page_size_is_400(api):
    client = api(["employees:read"])
    for since in ["2026-03-01T08:00:00", "2026-03-01"]:
        problem = assert_problem(client.get(f"{URL}?updated_since={since}"), 400)
        assert problem["errors"][0]["field"] == "updated_since"
    repeated = assert_problem(client.get(f"{URL}?status=active&status=left"), 400)
    assert repeated["errors"] == [{"field": "status", "message": "Give this parameter once."}]
    assert_problem(client.get(f"{URL}?page_size=5&page_size=6"), 400)
    for size in ["%2B5", "%205", "5.0", "%D9%A5"]:
        problem = assert_problem(client.get(f"{URL}?page_size={size}"), 400)
        assert problem["errors"][0]["field"] == "page_size", size
    assert len(body(client.get(f"{URL}?page_size=5"))["results"]) == 5


def test_ordering_by_last_name_and_descending_update(api):
    client = api(["employees:read"])
    names = [r["last_name"] for r in body(client.get(f"{URL}?ordering=last_name"))["results"]]
    assert names == sorted(names)
    newest = body(client.get(f"{URL}?ordering=-updated_at"))["results"]
    stamps = [r["updated_at"] for r in newest]
    assert stamps == sorted(stamps, reverse=True)
    assert_problem(client.get(f"{URL}?ordering=iban"), 400)


def test_every_error_is_problem_json_with_the_request_path(api):
    response = api().get("/api/v1/employees/987654321/")
    problem = assert_problem(response, 404)
    assert problem["instance"] == "/api/v1/employees/987654321/"
    assert problem["type"].startswith("urn:kluis:problem:")
    unrouted = api().get("/api/v1/nothing-here/")
    assert unrouted["Content-Type"] == PROBLEM_JSON and unrouted.status_code == 404


def test_responses_carry_rate_limit_headers(api):
    response = api().get(URL)
    assert response["RateLimit-Limit"] == "600"
    assert int(response["RateLimit-Remaining"]) == 599
    assert int(response["RateLimit-Reset"]) <= 60


def test_head_needs_what_get_needs(api):
    client = api(["employees:read"])
    head = client.client.head("/api/v1/employees/", headers=client._headers(None))
    assert head.status_code == 200 and head.content == b""
    without = api(["audit:read"])
    refused = without.client.head("/api/v1/employees/", headers=without._headers(None))
    assert refused.status_code == 403


def test_options_names_the_methods_of_the_path_to_any_credential(api):
    client = api(["audit:read"])
    listing = client.client.options(URL, headers=client._headers(None))
    assert listing.status_code == 204 and listing.content == b""
    assert set(listing["Allow"].split(", ")) == {"GET", "POST", "HEAD", "OPTIONS"}
    one = client.client.options(f"{URL}{demo_employee().pk}/", headers=client._headers(None))
    assert set(one["Allow"].split(", ")) == {"GET", "PATCH", "HEAD", "OPTIONS"}
    assert "RateLimit-Limit" in one
    anonymous = Api(Client(), None).client.options(URL)
    assert_problem(anonymous, 401)


def test_an_id_that_is_not_a_whole_number_is_400_after_authentication(api):
    client = api()
    for bad in ["abc", "-1", "1e3", "4.0", "%C2%B2", "99999999999999999999"]:
        for url in [f"{URL}{bad}/", f"/api/v1/teams/{bad}/", f"/api/v1/audit-events/{bad}/"]:
            problem = assert_problem(client.get(url), 400)
            assert [e["field"] for e in problem["errors"]] == ["id"], url
        response = client.patch(f"{URL}{bad}/", {"preferred_name": "X"})
        assert_problem(response, 400)
        assert "RateLimit-Limit" in response
        assert_problem(Api(Client(), None).get(f"{URL}{bad}/"), 401)
    assert_problem(client.get(f"{URL}987654321/"), 404)
    assert_problem(client.get(f"{URL}0/"), 404)
    assert_problem(api(["wages:read"]).get(f"{URL}abc/"), 403)


def test_a_path_without_its_trailing_slash_is_a_404_problem_naming_the_right_path(api):
    client = api()
    count = Employee.objects.count()
    for response in [client.get(URL.rstrip("/")), client.post(URL.rstrip("/"), NEW_HIRE)]:
        problem = assert_problem(response, 404)
        assert "/api/v1/employees/" in problem["detail"]
    assert Employee.objects.count() == count
    assert assert_problem(client.get("/api/v1/teams"), 404)["instance"] == "/api/v1/teams"


def test_a_host_that_is_not_allowed_is_a_400_problem(api):
    response = api().client.get(URL, headers={"host": "evil.example"})
    problem = assert_problem(response, 400)
    assert "evil" not in problem["detail"]
    page = api().client.get("/accounts/login/", headers={"host": "evil.example"})
    assert page.status_code == 400 and page["Content-Type"].startswith("text/html")


def test_the_list_shows_the_wage_in_force_today_as_the_single_read_does(api):
    import datetime as dt

    from django.utils import timezone

    from kluis.access.actor import Actor
    from kluis.people.services.pay import set_wage

    worker = demo_employee()
    today = timezone.localdate()
    system = Actor.system("tests", worker.tenant)
    set_wage(system, worker, {"amount": "4100.50", "effective_from": today - dt.timedelta(days=3)})
    set_wage(system, worker, {"amount": "9999.00", "effective_from": today + dt.timedelta(days=3)})
    client = api(["employees:read", "wages:read"])
    for _ in range(2):  # built, then compiled with today's date as a parameter
        rows = body(client.get(f"{URL}?page_size=200"))["results"]
        listed = next(row for row in rows if row["id"] == worker.pk)
        assert listed["wage"]["amount"] == "4100.50"
        assert listed["wage"]["effective_from"] == str(today - dt.timedelta(days=3))
        assert listed["wage"] == body(client.get(f"{URL}{worker.pk}/"))["wage"]
