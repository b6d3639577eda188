"""Bodies for the API's registry-wide create test (tests/api/test_resources.py): starting
a checklist names an employee and a template of the company."""

from __future__ import annotations

from typing import Any

from kluis.checklists.models import Checklist, ChecklistTemplate
from kluis.people.models import Employee
from kluis.tenancy.models import Tenant


def start_body(demo: dict[str, Tenant]) -> dict[str, Any]:
    tenant = demo["demo-bv"]
    busy = Checklist.objects.filter(tenant=tenant).values("employee_id")
    person = Employee.objects.filter(tenant=tenant).exclude(pk__in=busy).order_by("pk").first()
    template = ChecklistTemplate.objects.filter(tenant=tenant, kind="onboarding").first()
    assert person is not None and template is not None
    return {"employee": person.pk, "template": template.pk, "anchor_date": "2027-01-04"}


CHECKLIST_BODIES = {"checklists": start_body}
