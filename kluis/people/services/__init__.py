"""Every write to the HR file, one module per concept: employees (hiring, editing),
emergency_contacts, contracts (employments), pay (wages, wage components), organisation
(departments, the self-service settings), teams, custom_fields (definitions) and photos.
Each service authorises, validates, writes in one transaction, keeps a version for the
history, records an audit event and emits a domain event. `_kit` holds what they share.

The public services and their errors are re-exported here, so `services.hire_employee`
and `from kluis.people.services import end_employment` both work."""

from kluis.people.services.contracts import (
    add_employment,
    change_employment,
    current_employment,
    end_employment,
    set_probation_end,
)
from kluis.people.services.custom_fields import (
    define_custom_field,
    delete_custom_field,
    update_custom_field,
)
from kluis.people.services.emergency_contacts import (
    add_emergency_contact,
    remove_emergency_contact,
)
from kluis.people.services.employees import (
    HIRE_FIELDS,
    StaleVersionError,
    check_hire,
    editable_fields,
    hire_employee,
    self_editable,
    update_employee,
)
from kluis.people.services.organisation import (
    StillInUseError,
    archive_department,
    archive_team,
    create_department,
    create_team,
    delete_department,
    delete_team,
    update_department,
    update_people_settings,
    update_team,
)
from kluis.people.services.pay import (
    WageInForceError,
    add_wage_component,
    delete_planned_wage,
    delete_planned_wage_component,
    end_wage_component,
    set_wage,
)
from kluis.people.services.photos import may_change_photo, set_photo

__all__ = [
    "HIRE_FIELDS",
    "StaleVersionError",
    "StillInUseError",
    "WageInForceError",
    "add_emergency_contact",
    "add_employment",
    "add_wage_component",
    "archive_department",
    "archive_team",
    "change_employment",
    "check_hire",
    "create_department",
    "create_team",
    "current_employment",
    "define_custom_field",
    "delete_custom_field",
    "delete_department",
    "delete_planned_wage",
    "delete_planned_wage_component",
    "delete_team",
    "editable_fields",
    "end_employment",
    "end_wage_component",
    "hire_employee",
    "may_change_photo",
    "remove_emergency_contact",
    "self_editable",
    "set_photo",
    "set_probation_end",
    "set_wage",
    "update_custom_field",
    "update_department",
    "update_employee",
    "update_people_settings",
    "update_team",
]
