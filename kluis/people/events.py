"""The webhook events the people app emits (kluis/integrations/webhooks/catalogue.py):
names, what they mean, the object and its API resource."""

from __future__ import annotations

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


def register_all() -> None:
    for event in (
        EventType("employee.created", _("An employee was hired"), EMPLOYEE, "employees"),
        EventType(
            "employee.updated",
            _("An employee's file changed (the names of the fields that changed)"),
            EMPLOYEE,
            "employees",
            example_fields=("job_title", "email"),
        ),
        EventType(
            "emergency_contact.created",
            _("An emergency contact was added"),
            CONTACT,
            parent="employee",
        ),
        EventType(
            "emergency_contact.deleted",
            _("An emergency contact was removed"),
            CONTACT,
            parent="employee",
        ),
        EventType(
            "employment.created",
            _("A contract was added"),
            EMPLOYMENT,
            "employments",
            parent="employee",
        ),
        EventType(
            "employment.updated",
            _("A contract changed"),
            EMPLOYMENT,
            "employments",
            parent="employee",
        ),
        EventType("wage.created", _("A wage was added"), WAGE, "wages", parent="employee"),
        EventType(
            "wage.deleted", _("A planned wage was removed"), WAGE, "wages", parent="employee"
        ),
        EventType(
            "wage_component.created",
            _("A wage component was added"),
            COMPONENT,
            "wage-components",
            parent="employee",
        ),
        EventType(
            "wage_component.updated",
            _("A wage component changed"),
            COMPONENT,
            "wage-components",
            parent="employee",
        ),
        EventType(
            "wage_component.deleted",
            _("A planned wage component was removed"),
            COMPONENT,
            "wage-components",
            parent="employee",
        ),
        EventType("department.created", _("A department was added"), DEPARTMENT, "departments"),
        EventType("department.updated", _("A department changed"), DEPARTMENT, "departments"),
        EventType("department.deleted", _("A department was removed"), DEPARTMENT, "departments"),
        EventType("team.created", _("A team was added"), TEAM, "teams"),
        EventType("team.updated", _("A team changed"), TEAM, "teams"),
        EventType("team.deleted", _("A team was removed"), TEAM, "teams"),
        EventType(
            "custom_field.created", _("A custom field was added"), CUSTOM_FIELD, "custom-fields"
        ),
        EventType(
            "custom_field.updated", _("A custom field changed"), CUSTOM_FIELD, "custom-fields"
        ),
        EventType(
            "custom_field.deleted", _("A custom field was removed"), CUSTOM_FIELD, "custom-fields"
        ),
        EventType("people_settings.updated", _("The company's people settings changed"), SETTINGS),
    ):
        register(event)
