"""The HR list pages through ids, so deep pages and big pages cost the same queries."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext


def test_page_size_choice_and_constant_queries(demo, login):
    client = login("hr@demo-bv.test", "demo-bv")
    counts = {}
    for size in (25, 50):
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/people/", {"page_size": size}, secure=True)
        assert response.status_code == 200
        counts[size] = len(queries)
    assert counts[25] == counts[50]
    with CaptureQueriesContext(connection) as queries:
        deep = client.get("/people/", {"page_size": 25, "page": 2}, secure=True)
    assert deep.status_code == 200
    assert len(queries) == counts[25]


def test_unknown_page_size_falls_back_to_the_default(demo, login):
    client = login("hr@demo-bv.test", "demo-bv")
    response = client.get("/people/", {"page_size": "100000"}, secure=True)
    assert response.status_code == 200
    assert b'<option value="50" selected>' in response.content


def test_text_number_and_date_custom_fields_filter_the_list(demo, login):
    from kluis.access.actor import Actor
    from kluis.people import services
    from kluis.people.models import Employee
    from kluis.people.services import organisation

    tenant = demo["demo-bv"]
    system = Actor.system("test", tenant)
    organisation.define_custom_field(
        system, tenant, key="shoe", label="Shoe size", field_type="number"
    )
    organisation.define_custom_field(
        system, tenant, key="vca", label="VCA until", field_type="date"
    )
    target = Employee.objects.get(work_email="member2@demo-bv.test")
    services.update_employee(
        system,
        target,
        {"custom_fields": {"badge_number": "ZX-991", "shoe": "44", "vca": "2027-06-30"}},
        expected_version=target.version,
    )
    client = login("hr@demo-bv.test", "demo-bv")
    for params in ({"cf_badge_number": "zx-99"}, {"cf_shoe": "44.0"}, {"cf_vca": "2027-06-30"}):
        page = client.get("/people/", params, secure=True)
        assert page.status_code == 200
        assert page.content.count(b"/people/%d/" % target.pk) >= 1, params
        assert page.context["page"].paginator.count == 1, params
