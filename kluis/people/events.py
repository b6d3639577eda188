"""The webhook events the people app emits (kluis/integrations/webhooks/catalogue.py):
names, what they mean, the object and its API resource, and what an example looks like
(the resource's own example object, from its declaration in kluis/people/api/).

What some events mean exactly:
- `employee.left`: the employee's last contract got its end date (ending an open-ended
  contract: no later one can exist, contracts do not overlap), or their status was set to
  Left. Sent once per departure, i.e. per last contract (`data.employment`): ending the
  contract of someone already marked Left, or marking Left someone whose contract was
  ended, sends no second one; a rehire's next departure is a new one. A fixed-term
  contract that simply runs out sends nothing by itself (no change is made then).
- `employment.ended` is sent for ending an open-ended contract; moving the end date of a
  contract that already had one is `employment.updated` (changed field `end_date`), as is
  setting, moving or clearing its end of probation (`probation_end_date`).
- `wage.changed`: the wage in force from a date on changed: a wage was set that differs
  from the one before it (amount, currency or period, named in `changed_fields`), or a
  planned wage was withdrawn (the one before it applies again). Wages are never edited
  in place (pay history), so this is sent alongside `wage.created` or `wage.deleted`, and
  not for a wage that repeats the one before it.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from kluis.integrations.webhooks.catalogue import EventType, register

EMPLOYEE = "people.employee"
EMPLOYMENT = "people.employment"
WAGE = "people.wage"
COMPONENT = "people.wagecomponent"
DEPARTMENT = "people.department"
TEAM = "people.team"
CUSTOM_FIELD = "people.customfielddefinition"
CONTACT = "people.emergencycontact"
SETTINGS = "people.peoplesettings"
# How an archived department or team shows in an example.
ARCHIVED = {"archived_at": "2026-03-31T16:00:00Z"}


def _example(declaration: Any) -> dict[str, Any]:
    return dict(declaration.example)


def register_all() -> None:
    # The API declarations (same app) hold each resource's prefix and example object.
    from kluis.people.api.custom_fields import CUSTOM_FIELDS
    from kluis.people.api.departments import DEPARTMENTS
    from kluis.people.api.employees import EMPLOYEES
    from kluis.people.api.employments import EMPLOYMENTS
    from kluis.people.api.teams import TEAMS
    from kluis.people.api.wage_components import WAGE_COMPONENTS
    from kluis.people.api.wages import WAGES

    employee: dict[str, Any] = {"object_type": EMPLOYEE, "resource": EMPLOYEES.prefix}
    employee_object = _example(EMPLOYEES)
    employment: dict[str, Any] = {
        "object_type": EMPLOYMENT,
        "resource": EMPLOYMENTS.prefix,
        "parent": "employee",
        "example_object": _example(EMPLOYMENTS),
    }
    wage: dict[str, Any] = {
        "object_type": WAGE,
        "resource": WAGES.prefix,
        "parent": "employee",
        "example_object": _example(WAGES),
    }
    component: dict[str, Any] = {
        "object_type": COMPONENT,
        "resource": WAGE_COMPONENTS.prefix,
        "parent": "employee",
        "example_object": _example(WAGE_COMPONENTS),
    }
    department: dict[str, Any] = {
        "object_type": DEPARTMENT,
        "resource": DEPARTMENTS.prefix,
        "example_object": _example(DEPARTMENTS),
    }
    team: dict[str, Any] = {
        "object_type": TEAM,
        "resource": TEAMS.prefix,
        "example_object": _example(TEAMS),
    }
    custom_field: dict[str, Any] = {
        "object_type": CUSTOM_FIELD,
        "resource": CUSTOM_FIELDS.prefix,
        "example_object": _example(CUSTOM_FIELDS),
    }
    contact: dict[str, Any] = {
        "object_type": CONTACT,
        "parent": "employee",
        "read": "people.view_personal",  # no resource of its own: read on the employee's
    }
    for event in (
        EventType(
            "employee.created",
            _("An employee was hired"),
            **employee,
            example_object=employee_object,
        ),
        EventType(
            "employee.updated",
            _("An employee's file changed (the names of the fields that changed)"),
            **employee,
            example_fields=("job_title", "work_phone"),
            example_object=employee_object,
        ),
        EventType(
            "employee.left",
            _(
                "An employee leaves the company: their last contract was ended, or they were "
                "marked as left"
            ),
            **employee,
            details={"employment": EMPLOYMENTS.example["id"]},
            example_object=employee_object | {"status": "left"},
        ),
        EventType("emergency_contact.created", _("An emergency contact was added"), **contact),
        EventType("emergency_contact.deleted", _("An emergency contact was removed"), **contact),
        EventType("employment.created", _("A contract was added"), **employment),
        EventType(
            "employment.updated",
            _(
                "A contract changed (the end date of an ended contract was moved, or its "
                "end of probation)"
            ),
            **employment,
            example_fields=("end_date",),
        ),
        EventType(
            "employment.ended",
            _("A contract was given its last day"),
            **(employment | {"example_object": _example(EMPLOYMENTS) | {"end_date": "2026-12-31"}}),
            example_fields=("end_date",),
        ),
        EventType("wage.created", _("A wage was set from a date on"), **wage),
        EventType("wage.deleted", _("A planned wage was withdrawn"), **wage),
        EventType(
            "wage.changed",
            _("An employee's wage from a date on changed (set, or a planned one withdrawn)"),
            **wage,
            example_fields=("amount",),
        ),
        EventType("wage_component.created", _("A wage component was added"), **component),
        EventType(
            "wage_component.updated",
            _("A wage component changed (its end date was set or moved)"),
            **component,
            example_fields=("end_date",),
        ),
        EventType(
            "wage_component.deleted", _("A planned wage component was withdrawn"), **component
        ),
        EventType("department.created", _("A department was added"), **department),
        EventType(
            "department.updated",
            _("A department changed"),
            **department,
            example_fields=("name",),
        ),
        EventType(
            "department.archived",
            _("A department was archived: kept on history, no longer offered for new choices"),
            **(department | {"example_object": _example(DEPARTMENTS) | ARCHIVED}),
        ),
        EventType(
            "department.unarchived",
            _("An archived department was brought back into use"),
            **department,
        ),
        EventType("department.deleted", _("A department was removed"), **department),
        EventType("team.created", _("A team was added"), **team),
        EventType("team.updated", _("A team changed"), **team, example_fields=("name",)),
        EventType(
            "team.archived",
            _("A team was archived: kept on history, no longer offered for new choices"),
            **(team | {"example_object": _example(TEAMS) | ARCHIVED}),
        ),
        EventType("team.unarchived", _("An archived team was brought back into use"), **team),
        EventType("team.deleted", _("A team was removed"), **team),
        EventType("custom_field.created", _("A custom field was added"), **custom_field),
        EventType(
            "custom_field.updated",
            _("A custom field changed"),
            **custom_field,
            example_fields=("label", "choices"),
        ),
        EventType("custom_field.deleted", _("A custom field was removed"), **custom_field),
        EventType(
            "people_settings.updated",
            _("The company's people settings changed"),
            SETTINGS,
            example_fields=("self_editable_fields",),
            read="people.view",
        ),
    ):
        register(event)
