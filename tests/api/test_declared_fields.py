"""Field permissions in a declaration (kluis/api/declared.py): a field whose revealing
permission the reader lacks is absent, also from a page the database writes; a sealed
value the database computes per row (the employee's wage in force) is opened and audited
once per page; and `declare()` refuses declarations that could not be served."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework import serializers

from kluis.api.declaration import Declaration
from kluis.api.declared import declare
from kluis.audit.models import AuditEvent
from kluis.people.api.employees import EMPLOYEES
from kluis.people.models import Team
from kluis.tenancy.models import Tenant
from tests.api_client import Api

pytestmark = pytest.mark.django_db


def _page(client: Api, url: str) -> tuple[list[dict[str, object]], bool]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    written = any("json_" in query["sql"] for query in queries.captured_queries)
    return json.loads(response.content)["results"], written


def test_employees_are_a_declared_resource() -> None:
    import kluis.api.urls  # noqa: F401  (the apps register their resources)
    from kluis.api.registry import resources

    (resource,) = [r for r in resources() if r.prefix == "employees"]
    assert resource.declaration is EMPLOYEES
    assert resource.item == {"get": "retrieve", "patch": "partial_update"}


@pytest.mark.parametrize(
    ("scopes", "shown", "absent"),
    [
        (["employees:read"], {"first_name"}, {"wage", "birth_date", "national_id", "iban"}),
        (["employees:read", "wages:read"], {"wage"}, {"birth_date", "national_id"}),
        (["employees:read", "identity:read"], {"national_id", "iban"}, {"wage", "address"}),
    ],
)
def test_a_field_is_revealed_by_its_permission_also_on_a_page_the_database_writes(
    api: Callable[..., Api],
    demo: dict[str, Tenant],
    scopes: list[str],
    shown: set[str],
    absent: set[str],
) -> None:
    client = api(scopes)
    rows, written = _page(client, "/api/v1/employees/?page_size=5")
    assert written and rows
    for row in rows:
        assert shown <= set(row) and not absent & set(row), row
    # Asking for a field the reader may not see gives the row without it, not a null.
    rows, written = _page(client, "/api/v1/employees/?page_size=5&fields=wage,iban")
    assert written
    assert all(set(row) == {"id"} | ({"wage", "iban"} & shown) for row in rows)


def test_the_wage_in_force_is_computed_by_the_database_and_its_opening_audited_once(
    api: Callable[..., Api], demo: dict[str, Tenant]
) -> None:
    tenant = demo["demo-bv"]
    client = api(["employees:read", "wages:read"])
    before = AuditEvent.objects.filter(tenant=tenant, action="employee.sensitive_viewed").count()
    rows, written = _page(client, "/api/v1/employees/?page_size=20&fields=wage")
    assert written
    paid = [row for row in rows if row["wage"] is not None]
    assert paid, "the demo company pays someone"
    for row in paid:
        alone = json.loads(client.get(f"/api/v1/employees/{row['id']}/?fields=wage").content)
        assert alone["wage"] == row["wage"]
    events = AuditEvent.objects.filter(tenant=tenant, action="employee.sensitive_viewed")
    # One event for the page, one for each single read of a paid employee.
    assert events.count() == before + 1 + len(paid)


class _Serializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField()


def _team_declaration(**changes: object) -> Declaration:
    base = Declaration(
        prefix="declared-fields-probe",
        singular="probe",
        model=Team,
        serializer=_Serializer,
        columns={"id": "id", "name": "name"},
        read="people.view",
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_declare_refuses_a_revealed_field_the_serializer_lacks() -> None:
    with pytest.raises(ValueError, match="revealed fields the serializer lacks"):
        declare(_team_declaration(revealed_by={"salary": "people.view_salary"}))


def test_declare_refuses_rows_shown_row_by_row_without_a_version() -> None:
    with pytest.raises(ValueError, match="needs a version column"):
        declare(_team_declaration(represent_rows=lambda actor, rows, only: []))


def _call(viewset: type, key: str, path: str, **kwargs: object) -> dict[str, object]:
    from django.test import RequestFactory

    actions = {"get": "retrieve"} if kwargs else {"get": "list"}
    request = RequestFactory().get(path, HTTP_AUTHORIZATION=f"Bearer {key}")
    response = viewset.as_view(actions)(request, **kwargs)
    if hasattr(response, "render"):  # a page the database wrote is already text
        response.render()
    assert response.status_code == 200, response.content[:300]
    return json.loads(response.content)  # type: ignore[no-any-return]


@pytest.mark.parametrize("written", [True, False], ids=["database-written", "represented"])
def test_any_declared_resource_hides_a_field_its_reader_may_not_see(
    demo: dict[str, Tenant], written: bool
) -> None:
    """A declaration of teams whose name only wage readers see (not registered: the
    registry-wide harness is for the real resources), its page written by the database
    or shown by `represent`."""
    from kluis.api.declared import viewset_for
    from tests.api_client import make_key

    probe = _team_declaration(
        revealed_by={"name": "people.view_salary"},
        **({} if written else {"columns": {"id": "id"}, "represent": _show_team}),
    )
    viewset = viewset_for(probe)
    team = Team.objects.filter(tenant=demo["demo-bv"]).order_by("id").first()
    assert team is not None
    for scopes, sees in ((["employees:read"], False), (["employees:read", "wages:read"], True)):
        key = make_key(scopes=scopes)
        page = _call(viewset, key, "/api/v1/declared-fields-probe/")
        rows = page["results"]
        assert isinstance(rows, list) and rows
        assert all(("name" in row) is sees for row in rows)
        one = _call(viewset, key, f"/api/v1/declared-fields-probe/{team.pk}/", probe_pk=team.pk)
        assert one == ({"id": team.pk, "name": team.name} if sees else {"id": team.pk})


def _show_team(team: Team) -> dict[str, object]:
    return {"id": team.pk, "name": team.name}
