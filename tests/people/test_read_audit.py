"""One page, one audit event for the sensitive values it opens (kluis/people/read_audit.py);
reading one's own data on My profile is audited once per visit (docs/security.md)."""

from __future__ import annotations

from kluis.audit.models import AuditEvent
from kluis.people.models import Employee
from kluis.people.services import pay
from tests.conftest import actor_for


def _reads(employee: Employee) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(action="employee.sensitive_viewed", object_id=str(employee.pk))
    )


def _with_a_component(email: str) -> Employee:
    worker = Employee.objects.get(work_email=email)
    pay.add_wage_component(
        actor_for("hr@demo-bv.test"),
        worker,
        {"kind": "meal_vouchers", "amount": "8.00", "start_date": "2025-01-06"},
    )
    return worker


def test_one_visit_of_my_profile_is_one_event_naming_all_opened_fields(demo, login):
    me = _with_a_component("employee@demo-bv.test")
    client = login("employee@demo-bv.test")
    assert client.get("/people/me/", secure=True).status_code == 200
    events = _reads(me)
    assert len(events) == 1
    assert events[0].changes["fields"] == ["iban", "national_id", "wage_components", "wages"]
    assert events[0].actor_label == "employee@demo-bv.test"
    client.get("/people/me/", secure=True)
    assert len(_reads(me)) == 2  # the next visit is the next event


def test_hr_reading_someone_elses_wages_tab_is_one_event_naming_whose(demo, login):
    worker = _with_a_component("member1@demo-bv.test")
    response = login("hr@demo-bv.test").get(f"/people/{worker.pk}/", {"tab": "wages"}, secure=True)
    assert response.status_code == 200
    events = _reads(worker)
    assert len(events) == 1
    assert events[0].changes["fields"] == ["wage_components", "wages"]
    assert events[0].actor_label == "hr@demo-bv.test"
    assert events[0].object_repr == worker.display_name
