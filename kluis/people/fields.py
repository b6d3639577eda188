"""The one description of an employee's fields: which group (and so which permission)
each belongs to, whether it is sealed, how it is validated. The UI, the exports, the
history and (later) the API all read this table, so a field is declared once."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# Which permission reads each group of fields.
GROUP_PERMISSION: dict[str, str] = {
    "basic": "people.view",
    "job": "people.view",
    "personal": "people.view_personal",
    "identity": "people.view_identity",
    "bank": "people.view_bank",
    "salary": "people.view_salary",
}
SENSITIVE_GROUPS = frozenset({"identity", "bank", "salary"})


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str | Promise
    group: str
    kind: str = "text"  # text, email, phone, date, choice, country, national_id, iban, address
    sealed: bool = False  # stored encrypted in <name>_sealed
    editable: bool = True  # job fields come from the current employment

    @property
    def permission(self) -> str:
        return GROUP_PERMISSION[self.group]

    @property
    def sensitive(self) -> bool:
        """Reading it is audited and it is masked in history and the change feed."""
        return self.group in SENSITIVE_GROUPS or self.sealed


def _f(name: str, label: str | Promise, group: str, **kw: object) -> FieldSpec:
    return FieldSpec(name, label, group, **kw)  # type: ignore[arg-type]


EMPLOYEE_FIELDS: dict[str, FieldSpec] = {
    spec.name: spec
    for spec in [
        _f("employee_number", _("Employee number"), "basic"),
        _f("status", _("Status"), "basic", kind="choice"),
        _f("first_name", _("First name"), "basic"),
        _f("last_name", _("Last name"), "basic"),
        _f("preferred_name", _("Preferred name"), "basic"),
        _f("work_email", _("Work e-mail"), "basic", kind="email"),
        _f("work_phone", _("Work phone"), "basic", kind="phone"),
        _f("job_title", _("Job title"), "job", editable=False),
        _f("department", _("Department"), "job", editable=False),
        _f("team", _("Team"), "job", editable=False),
        _f("manager", _("Manager"), "job", editable=False),
        _f("private_email", _("Private e-mail"), "personal", kind="email"),
        _f("private_phone", _("Private phone"), "personal", kind="phone"),
        _f("birth_date", _("Birth date"), "personal", kind="date"),
        _f("nationality", _("Nationality"), "personal", kind="country"),
        _f("gender", _("Gender"), "personal", kind="choice"),
        _f("address", _("Home address"), "personal", kind="address", sealed=True),
        _f("national_id", _("National number"), "identity", kind="national_id", sealed=True),
        _f("iban", _("Bank account (IBAN)"), "bank", kind="iban", sealed=True),
    ]
}

# Fields an employee may be allowed to change about themselves (a company setting picks
# from these); job data, status and identity are for HR.
SELF_EDITABLE_CHOICES = [
    "preferred_name",
    "photo",
    "work_phone",
    "private_email",
    "private_phone",
    "address",
    "iban",
    "emergency_contacts",
]
DEFAULT_SELF_EDITABLE = [
    "preferred_name",
    "photo",
    "private_email",
    "private_phone",
    "address",
    "iban",
    "emergency_contacts",
]

ADDRESS_PARTS = ["street", "number", "postal_code", "city", "country"]


def purpose(field: str) -> str:
    """The vault purpose (associated data) for a sealed employee field."""
    return f"people.employee.{field}"


# A contract's last day of probation, as history, change feed and audit log name it.
PROBATION_LABEL = _("End of probation")

WAGE_PURPOSE = "people.wage.amount"
WAGE_COMPONENT_PURPOSE = "people.wage_component.amount"
SNAPSHOT_PURPOSE = "people.employee_version.sealed"


# --- What a viewer may see of each people record (kluis.access.visibility) ----------------
# Registered from PeopleConfig.ready; every reader (profile, history, change feed, audit
# log, its exports and the API) applies it. "plain" = no permission beyond reading the
# record or the log: ids and the metadata of an event (which fields, how many rows).
_PLAIN = "plain"
_VIEW, _PERSONAL, _SALARY = "people.view", "people.view_personal", "people.view_salary"
# Keys of event records that say what happened, not what a person's data is.
_EVENT_METADATA = (
    "employee",
    "employees",
    "fields",
    "sensitive_columns",
    "columns",
    "rows",
    "format",
    "filters",
    "source",
)

VISIBILITY: dict[str, dict[str, str]] = {
    "people.employee": {
        **{name: spec.permission for name, spec in EMPLOYEE_FIELDS.items()},
        **{f"{name}_id": _VIEW for name in ("department", "team", "manager")},
        "start_date": _VIEW,
        "employment": _VIEW,
        "probation_end_date": _VIEW,  # of the contract that changed with this version
        "custom_fields": _VIEW,
        "photo": _VIEW,
        "emergency_contacts": _PERSONAL,
        "wage": _SALARY,
        "wage_component": _SALARY,
        **dict.fromkeys(_EVENT_METADATA, _PLAIN),
    },
    "people.employment": {
        "employee": _PLAIN,
        **dict.fromkeys(
            (
                "contract_type",
                "start_date",
                "end_date",
                "probation_end_date",
                "job_title",
                "department",
                "team",
                "manager",
            ),
            _VIEW,
        ),
    },
    "people.wage": {
        "employee": _PLAIN,
        **dict.fromkeys(("effective_from", "amount", "currency", "period"), _SALARY),
    },
    "people.wagecomponent": {
        "employee": _PLAIN,
        **dict.fromkeys(
            ("kind", "label", "amount", "currency", "start_date", "end_date", "recurring"),
            _SALARY,
        ),
    },
    "people.emergencycontact": {
        "employee": _PLAIN,
        **dict.fromkeys(("name", "relationship", "phone", "email"), _PERSONAL),
    },
    # Company set-up, not anyone's personal data.
    "people.department": dict.fromkeys(("name", "code", "parent"), _PLAIN),
    "people.team": dict.fromkeys(("name", "department"), _PLAIN),
    "people.customfielddefinition": dict.fromkeys(
        (
            "key",
            "label",
            "type",
            "field_type",
            "choices",
            "required",
            "position",
            "is_active",
            "employees_with_a_value",
        ),
        _PLAIN,
    ),
    "people.peoplesettings": {"self_editable_fields": _PLAIN},
}
# An emergency contact's label is the contact's name: private data of a third person.
VISIBILITY_LABELS: dict[str, str] = {"people.emergencycontact": _PERSONAL}
# The subject of these records is an employee: scoped grants reach it through can_on.
EMPLOYEE_SUBJECTS = (
    "people.employee",
    "people.employment",
    "people.wage",
    "people.wagecomponent",
    "people.emergencycontact",
)
