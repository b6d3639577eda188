"""/api/v1/custom-fields/ (definitions) and the `custom_fields` values on employees, read
and written through the services that validate them; definitions changed (If-Match, key
and type fixed, a choice in use kept) and deleted with their values."""

from __future__ import annotations

import json
from typing import Any

from kluis.audit.models import AuditEvent
from kluis.people.models import CustomFieldDefinition, Employee, EmployeeVersion
from tests.api_client import assert_problem
from tests.people.api.writes import audited, delete, emitted, put

URL = "/api/v1/custom-fields/"
EMPLOYEES = "/api/v1/employees/"
SHIRT = {"key": "shirt_size", "label": "Shirt size", "field_type": "choice", "choices": ["S", "M"]}


def body(response: Any) -> Any:
    return json.loads(response.content)


def worker() -> Employee:
    return Employee.objects.get(tenant__slug="demo-bv", work_email="member1@demo-bv.test")


def test_listing_and_reading_definitions(api):
    client = api(["employees:read"])
    rows = body(client.get(URL + "?page_size=200"))["results"]
    assert {r["id"] for r in rows} == set(
        CustomFieldDefinition.objects.filter(tenant__slug="demo-bv").values_list("pk", flat=True)
    )
    assert set(rows[0]) == {
        "id",
        "key",
        "label",
        "field_type",
        "choices",
        "required",
        "position",
        "is_active",
    }
    response = client.get(f"{URL}{rows[0]['id']}/?fields=key")
    assert response.status_code == 200 and set(body(response)) == {"id", "key"}
    assert response["ETag"].startswith(f'W/"{rows[0]["id"]}-')
    assert_problem(client.get(URL + "?field_type=colour"), 400)


def test_without_employees_read_it_is_403(api):
    assert_problem(api(["wages:read"]).get(URL), 403)


def test_another_companys_definition_is_404(api):
    other = CustomFieldDefinition.objects.filter(tenant__slug="other-nv").first()
    assert_problem(api().get(f"{URL}{other.pk}/"), 404)


def test_defining_needs_employees_write(api):
    assert_problem(api(["employees:read"]).post(URL, SHIRT), 403)
    assert not CustomFieldDefinition.objects.filter(key="shirt_size").exists()


def test_defining_and_then_using_a_custom_field_on_an_employee(api):
    client = api()
    response = client.post(URL, SHIRT)
    assert response.status_code == 201, response.content
    created = body(response)
    assert created["key"] == "shirt_size" and created["choices"] == ["S", "M"]
    assert AuditEvent.objects.filter(action="custom_field.defined").exists()
    changed = client.patch(f"{EMPLOYEES}{worker().pk}/", {"custom_fields": {"shirt_size": "M"}})
    assert changed.status_code == 200, changed.content
    assert body(changed)["custom_fields"]["shirt_size"] == "M"
    assert worker().custom_fields["shirt_size"] == "M"
    read = body(client.get(f"{EMPLOYEES}{worker().pk}/?fields=custom_fields"))
    assert set(read) == {"id", "custom_fields"} and read["custom_fields"]["shirt_size"] == "M"
    bad = client.patch(f"{EMPLOYEES}{worker().pk}/", {"custom_fields": {"shirt_size": "XXL"}})
    problem = assert_problem(bad, 422)
    assert problem["errors"][0]["field"] == "custom_fields.shirt_size"
    assert worker().custom_fields["shirt_size"] == "M"


def test_a_field_made_required_later_binds_new_hires_and_changes_to_it_only(api):
    client = api()
    assert client.post(URL, {**SHIRT, "required": True}).status_code == 201
    # Employees hired before it have no value: their other fields can still be changed.
    changed = client.patch(f"{EMPLOYEES}{worker().pk}/", {"preferred_name": "Sam"})
    assert changed.status_code == 200, changed.content
    assert "shirt_size" not in worker().custom_fields
    cleared = client.patch(f"{EMPLOYEES}{worker().pk}/", {"custom_fields": {"shirt_size": ""}})
    assert assert_problem(cleared, 422)["errors"][0]["field"] == "custom_fields.shirt_size"
    hire = {
        "first_name": "Ilse",
        "last_name": "Wouters",
        "employment": {"start_date": "2026-04-01", "job_title": "Payroll officer"},
    }
    count = Employee.objects.count()
    problem = assert_problem(client.post(EMPLOYEES, hire), 422)
    assert [e["field"] for e in problem["errors"]] == ["custom_fields.shirt_size"]
    assert Employee.objects.count() == count
    hired = client.post(EMPLOYEES, {**hire, "custom_fields": {"shirt_size": "S"}})
    assert hired.status_code == 201, hired.content


def test_hiring_with_unknown_custom_field_is_422_and_writes_nothing(api):
    count = Employee.objects.count()
    hire = {
        "first_name": "Ilse",
        "last_name": "Wouters",
        "employment": {"start_date": "2026-04-01", "job_title": "Payroll officer"},
        "custom_fields": {"no_such_field": "x"},
    }
    problem = assert_problem(api().post(EMPLOYEES, hire), 422)
    assert problem["errors"][0]["field"] == "custom_fields.no_such_field"
    assert Employee.objects.count() == count


def test_text_no_database_can_store_is_422_and_writes_nothing(api):
    """A NUL byte or a lone surrogate, in a custom field's key or value, is refused as bad
    input on SQLite and PostgreSQL alike (PostgreSQL's text and jsonb cannot hold NUL)."""
    client = api()
    count = Employee.objects.count()
    hire = {
        "first_name": "Ilse",
        "last_name": "Wouters",
        "employment": {"start_date": "2026-04-01", "job_title": "Payroll officer"},
    }
    for key in ("size\x00", "\x98\x00", "\ud83d"):
        problem = assert_problem(client.post(EMPLOYEES, {**hire, "custom_fields": {key: 1}}), 422)
        assert problem["errors"][0]["field"] == f"custom_fields.{key}"
    assert Employee.objects.count() == count
    client.post(URL, {"key": "locker", "label": "Locker", "field_type": "text"})
    before = worker().custom_fields
    for text in ("A\x00B", "\udc00"):
        problem = assert_problem(
            client.patch(f"{EMPLOYEES}{worker().pk}/", {"custom_fields": {"locker": text}}), 422
        )
        assert problem["errors"][0]["field"] == "custom_fields.locker"
    assert worker().custom_fields == before
    definitions = CustomFieldDefinition.objects.count()
    problem = assert_problem(client.post(URL, {**SHIRT, "choices": ["S", "M\x00"]}), 422)
    assert [e["field"] for e in problem["errors"]] == ["choices.1"]
    assert CustomFieldDefinition.objects.count() == definitions


def test_a_position_no_column_can_hold_is_422_and_changes_nothing(api):
    """2**31 and more do not fit PostgreSQL's integer (SQLite would have taken it)."""
    definition = CustomFieldDefinition.objects.filter(tenant__slug="demo-bv").first()
    url = f"{URL}{definition.pk}/"
    for position in (2**31, 12360697833615592):
        problem = assert_problem(api().patch(url, {"position": position}), 422)
        assert [e["field"] for e in problem["errors"]] == ["position"]
    definition.refresh_from_db()
    assert definition.position < 2**31
    assert api().patch(url, {"position": 2**31 - 1}).status_code == 200


def test_invalid_definition_is_422_with_field_errors_and_writes_nothing(api):
    client = api()
    existing = CustomFieldDefinition.objects.filter(tenant__slug="demo-bv").first()
    count = CustomFieldDefinition.objects.count()
    problem = assert_problem(client.post(URL, {"key": "Bad Key!", "label": "X"}), 422)
    assert {e["field"] for e in problem["errors"]} == {"field_type"}
    problem = assert_problem(
        client.post(URL, {"key": "Bad Key!", "label": "X", "field_type": "text"}), 422
    )
    assert [e["field"] for e in problem["errors"]] == ["key"]
    problem = assert_problem(client.post(URL, {**SHIRT, "choices": []}), 422)
    assert [e["field"] for e in problem["errors"]] == ["choices"]
    problem = assert_problem(client.post(URL, {**SHIRT, "key": existing.key}), 422)
    assert [e["field"] for e in problem["errors"]] == ["key"]
    assert CustomFieldDefinition.objects.count() == count


# --- change and delete --------------------------------------------------------------------

SIZES = ["XS", "S", "M", "L", "XL", "XXL"]


def sizes() -> CustomFieldDefinition:
    return CustomFieldDefinition.objects.get(tenant__slug="demo-bv", key="tshirt_size")


def holders() -> dict[int, int]:
    """Demo BV employees with a T-shirt size: id -> version."""
    return dict(
        Employee.objects.filter(
            tenant__slug="demo-bv", custom_fields__has_key="tshirt_size"
        ).values_list("pk", "version")
    )


def test_patch_changes_label_and_choices_and_is_audited(api):
    definition = sizes()
    client = api()
    etag = client.get(f"{URL}{definition.pk}/")["ETag"]
    change = {"label": "Shirt size", "choices": [*SIZES, "3XL"]}
    response = client.patch(f"{URL}{definition.pk}/", change, {"If-Match": etag})
    assert response.status_code == 200, response.content
    assert body(response)["label"] == "Shirt size" and body(response)["choices"][-1] == "3XL"
    assert audited("custom_field.updated", definition.pk).changes == {
        "label": {"old": "T-shirt size", "new": "Shirt size"},
        "choices": {"old": SIZES, "new": [*SIZES, "3XL"]},
    }
    assert emitted("custom_field.updated", definition.pk)


def test_patch_with_a_stale_if_match_is_412_and_changes_nothing(api):
    definition = sizes()
    client = api()
    etag = client.get(f"{URL}{definition.pk}/")["ETag"]
    url = f"{URL}{definition.pk}/"
    assert client.patch(url, {"label": "Size"}, {"If-Match": etag}).status_code == 200
    assert_problem(client.patch(url, {"label": "Maat"}, {"If-Match": etag}), 412)
    assert sizes().label == "Size"


def test_removing_a_choice_employees_still_hold_is_422_and_changes_nothing(api):
    definition = sizes()
    problem = assert_problem(
        api().patch(f"{URL}{definition.pk}/", {"choices": ["M", "L", "XL"]}), 422
    )
    assert [e["field"] for e in problem["errors"]] == ["choices"]
    assert "S is still the value of" in problem["errors"][0]["message"]
    assert sizes().choices == SIZES


def test_removing_a_choice_nobody_holds_is_allowed(api):
    definition = sizes()
    response = api().patch(f"{URL}{definition.pk}/", {"choices": ["S", "M", "L", "XL"]})
    assert response.status_code == 200, response.content
    assert sizes().choices == ["S", "M", "L", "XL"]


def test_key_and_field_type_cannot_change_but_may_be_sent_as_they_are(api):
    definition = sizes()
    client = api()
    url = f"{URL}{definition.pk}/"
    problem = assert_problem(client.patch(url, {"key": "size", "field_type": "text"}), 422)
    assert {e["field"] for e in problem["errors"]} == {"key", "field_type"}
    assert sizes().key == "tshirt_size" and sizes().field_type == "choice"
    same = client.patch(url, {"key": "tshirt_size", "field_type": "choice", "required": True})
    assert same.status_code == 200, same.content
    assert sizes().required is True


def test_a_field_other_than_a_choice_gets_no_choices(api):
    text = CustomFieldDefinition.objects.get(tenant__slug="demo-bv", key="badge_number")
    problem = assert_problem(api().patch(f"{URL}{text.pk}/", {"choices": ["a"]}), 422)
    assert [e["field"] for e in problem["errors"]] == ["choices"]


def test_values_of_the_wrong_json_type_are_422_not_coerced(api):
    definition = sizes()
    change = {"is_active": "no", "choices": ["S", 4], "required": 1}
    problem = assert_problem(api().patch(f"{URL}{definition.pk}/", change), 422)
    assert {e["field"] for e in problem["errors"]} == {"is_active", "choices", "required"}
    assert sizes().is_active is True and sizes().choices == SIZES


def test_put_replaces_the_definition_and_keeps_its_position(api):
    definition = sizes()
    replacement = {"key": "tshirt_size", "label": "Size", "field_type": "choice", "choices": SIZES}
    response = put(api(), f"{URL}{definition.pk}/", {**replacement, "required": True})
    assert response.status_code == 200, response.content
    assert body(response) == {
        "id": definition.pk,
        **replacement,
        "required": True,
        "position": definition.position,
        "is_active": True,
    }


def test_deactivating_a_field_keeps_the_values(api):
    definition = sizes()
    before = holders()
    response = api().patch(f"{URL}{definition.pk}/", {"is_active": False})
    assert response.status_code == 200 and body(response)["is_active"] is False
    assert holders() == before


def test_deleting_a_definition_removes_its_values_with_a_version_per_employee(api):
    definition = sizes()
    before = holders()
    assert before
    client = api()
    etag = client.get(f"{URL}{definition.pk}/")["ETag"]
    response = delete(client, f"{URL}{definition.pk}/", {"If-Match": etag})
    assert response.status_code == 204 and response.content == b""
    assert not CustomFieldDefinition.objects.filter(pk=definition.pk).exists()
    assert holders() == {}
    after = dict(Employee.objects.filter(pk__in=before).values_list("pk", "version"))
    assert after == {pk: version + 1 for pk, version in before.items()}
    kept = EmployeeVersion.objects.filter(employee_id=next(iter(before))).first()
    assert kept.changed_fields == ["custom_fields"]
    assert "tshirt_size" in kept.old_values["custom_fields"]
    event = audited("custom_field.deleted", definition.pk)
    assert event.changes["key"] == {"old": "tshirt_size", "new": None}
    assert set(event.changes["employees_with_a_value"]["old"]) == set(before)
    assert emitted("custom_field.deleted", definition.pk)
    assert all(emitted("employee.updated", pk) for pk in before)


def test_deleting_with_a_stale_if_match_is_412_and_deletes_nothing(api):
    definition = sizes()
    client = api()
    etag = client.get(f"{URL}{definition.pk}/")["ETag"]
    client.patch(f"{URL}{definition.pk}/", {"label": "Size"})
    assert_problem(delete(client, f"{URL}{definition.pk}/", {"If-Match": etag}), 412)
    assert CustomFieldDefinition.objects.filter(pk=definition.pk).exists()
    assert holders()


def test_a_key_with_only_employees_read_gets_403_on_patch_put_and_delete(api):
    definition = sizes()
    client = api(["employees:read"])
    url = f"{URL}{definition.pk}/"
    assert_problem(client.patch(url, {"label": "X"}), 403)
    assert_problem(put(client, url, {**SHIRT, "key": "tshirt_size"}), 403)
    assert_problem(delete(client, url), 403)
    assert sizes().label == "T-shirt size"


def test_another_companys_definition_is_404_for_patch_put_and_delete(api):
    other = CustomFieldDefinition.objects.filter(tenant__slug="other-nv").first()
    client = api()
    url = f"{URL}{other.pk}/"
    assert_problem(client.patch(url, {"label": "Taken over"}), 404)
    assert_problem(put(client, url, {**SHIRT, "key": other.key}), 404)
    assert_problem(delete(client, url), 404)
    assert CustomFieldDefinition.objects.get(pk=other.pk).label == other.label


def define(client: Any, key: str, field_type: str) -> None:
    response = client.post(URL, {"key": key, "label": key, "field_type": field_type})
    assert response.status_code == 201, response.content


def test_employee_values_of_the_wrong_json_type_are_422_and_never_converted(api):
    client = api()
    for key, kind in [("vegan", "boolean"), ("km", "number"), ("badge_day", "date")]:
        define(client, key, kind)
    wrong = {
        "vegan": "yes",
        "km": [1],
        "badge_day": 20261231,
        "badge_number": 5,
        "shirt_size": ["S"],
    }
    assert client.post(URL, SHIRT).status_code == 201
    before = dict(worker().custom_fields)
    problem = assert_problem(
        client.patch(f"{EMPLOYEES}{worker().pk}/", {"custom_fields": wrong}), 422
    )
    assert {e["field"] for e in problem["errors"]} == {f"custom_fields.{k}" for k in wrong}
    assert worker().custom_fields == before
    for value in ["1,5", "1e3", " 7", "abc", True]:
        refused = client.patch(f"{EMPLOYEES}{worker().pk}/", {"custom_fields": {"km": value}})
        assert assert_problem(refused, 422)["errors"][0]["field"] == "custom_fields.km", value
    right = {"vegan": False, "km": 12.5, "badge_day": "2026-12-31", "badge_number": "5"}
    changed = client.patch(f"{EMPLOYEES}{worker().pk}/", {"custom_fields": right})
    assert changed.status_code == 200, changed.content
    assert {k: body(changed)["custom_fields"][k] for k in right} == {**right, "km": "12.5"}
    assert worker().custom_fields["vegan"] is False


def test_a_custom_number_is_bounded_and_has_one_spelling(api):
    client = api()
    define(client, "km", "number")
    url = f"{EMPLOYEES}{worker().pk}/"
    for value in [1e308, "1234567890123456", "0.0000001", 1e-7]:
        refused = client.patch(url, {"custom_fields": {"km": value}})
        assert assert_problem(refused, 422)["errors"][0]["field"] == "custom_fields.km", value
        assert "km" not in worker().custom_fields
    for value, stored in [("44.0", "44"), (-0.0, "0"), ("123456789012345", "123456789012345")]:
        changed = client.patch(url, {"custom_fields": {"km": value}})
        assert body(changed)["custom_fields"]["km"] == stored, changed.content
