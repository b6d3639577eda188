from typing import Any

from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "kluis.people"
    label = "people"
    verbose_name = "People"

    def ready(self) -> None:
        _register_audit_sentences()  # helper auditorg
        from kluis.people import events

        events.register_all()
        from kluis.people import notices_invitations

        notices_invitations.register()  # the inbox's "invitation accepted"
        from kluis.people import approval_actions

        approval_actions.register()  # the two-person rule: wage, bank account, export
        from kluis.crypto.stored_files import register_owner
        from kluis.people.services.photos import photo_owners

        register_owner("people.photos", photo_owners)  # photos stored before sealing
        """Declare what a viewer may see of each people record (kluis.access.visibility), and
        add the HR files to the demo companies."""
        from kluis.access import visibility
        from kluis.company import demo
        from kluis.people.fields import EMPLOYEE_SUBJECTS, VISIBILITY, VISIBILITY_LABELS
        from kluis.people.permissions import can_on

        for object_type, fields in VISIBILITY.items():
            visibility.register(
                object_type,
                fields,
                label=VISIBILITY_LABELS.get(object_type, visibility.PLAIN),
                check=can_on if object_type in EMPLOYEE_SUBJECTS else None,
            )
        # The demo companies' HR files (kluis/company/demo.py knows no domain app).
        demo.register(self.label, _load_demo_people)


def _load_demo_people(tenant: Any, *, locale: str, country: str) -> None:
    from kluis.people.demo import load_people  # Faker only when a demo is made

    load_people(tenant, locale=locale, country=country)


# --- audit sentences (helper auditorg) ---------------------------------------------------
def _register_audit_sentences() -> None:
    """The audit log's sentences for what the HR file records, the names of its fields,
    and who its events are about (kluis.audit.sentences, kluis.audit.subjects)."""
    from django.utils.translation import gettext_lazy as _

    from kluis.audit import sentences
    from kluis.people import audit_subjects
    from kluis.people.fields import EMPLOYEE_FIELDS, PROBATION_LABEL

    sentences.register_all(
        "people",
        {
            "employee.hired": _("%(actor)s hired %(object)s"),
            "employee.updated": (
                _("%(actor)s changed the file of %(object)s"),
                _("%(actor)s changed %(fields)s of %(object)s"),
            ),
            "employee.login_linked": _("%(actor)s linked a login to the file of %(object)s"),
            "employee.sensitive_viewed": (
                _("%(actor)s viewed protected data of %(object)s"),
                _("%(actor)s viewed %(fields)s of %(object)s"),
            ),
            "employee.photo_changed": _("%(actor)s changed the photo of %(object)s"),
            "employee.photo_removed": _("%(actor)s removed the photo of %(object)s"),
            "employment.created": _("%(actor)s added the contract %(object)s"),
            "employment.ended": _("%(actor)s ended the contract %(object)s"),
            "employment.updated": (
                _("%(actor)s changed the contract %(object)s"),
                _("%(actor)s changed %(fields)s of the contract %(object)s"),
            ),
            "emergency_contact.added": _("%(actor)s added an emergency contact: %(object)s"),
            "emergency_contact.removed": _("%(actor)s removed an emergency contact: %(object)s"),
            "emergency_contact.deleted": _("%(actor)s removed an emergency contact: %(object)s"),
            "employee.celebrations_changed": _(
                "%(actor)s changed whether colleagues see the birthday of %(object)s"
            ),
            "people.exported": _("%(actor)s exported people's data"),
            "people.imported": _("%(actor)s imported people's data"),
        },
    )
    sentences.register_all(
        "pay",
        {
            "wage.set": _("%(actor)s set the wage %(object)s"),
            "wage.deleted": _("%(actor)s deleted the planned wage %(object)s"),
            "wage_component.added": _("%(actor)s added the wage component %(object)s"),
            "wage_component.ended": _("%(actor)s ended the wage component %(object)s"),
            "wage_component.deleted": _("%(actor)s deleted the planned wage component %(object)s"),
        },
    )
    sentences.register_all(
        "organisation",
        {
            "department.created": _("%(actor)s created the department %(object)s"),
            "department.updated": (
                _("%(actor)s changed the department %(object)s"),
                _("%(actor)s changed %(fields)s of the department %(object)s"),
            ),
            "department.deleted": _("%(actor)s deleted the department %(object)s"),
            "department.archived": _("%(actor)s archived the department %(object)s"),
            "department.unarchived": _("%(actor)s brought back the department %(object)s"),
            "team.created": _("%(actor)s created the team %(object)s"),
            "team.updated": (
                _("%(actor)s changed the team %(object)s"),
                _("%(actor)s changed %(fields)s of the team %(object)s"),
            ),
            "team.deleted": _("%(actor)s deleted the team %(object)s"),
            "team.archived": _("%(actor)s archived the team %(object)s"),
            "team.unarchived": _("%(actor)s brought back the team %(object)s"),
            "custom_field.defined": _("%(actor)s added the custom field %(object)s"),
            "custom_field.updated": (
                _("%(actor)s changed the custom field %(object)s"),
                _("%(actor)s changed %(fields)s of the custom field %(object)s"),
            ),
            "custom_field.deleted": _("%(actor)s deleted the custom field %(object)s"),
            "people_settings.updated": (
                _("%(actor)s changed the people settings"),
                _("%(actor)s changed %(fields)s in the people settings"),
            ),
        },
    )
    sentences.field_labels(
        "people.employee",
        {name: spec.label for name, spec in EMPLOYEE_FIELDS.items()}
        | {
            "department_id": EMPLOYEE_FIELDS["department"].label,
            "team_id": EMPLOYEE_FIELDS["team"].label,
            "manager_id": EMPLOYEE_FIELDS["manager"].label,
            "start_date": _("Start date"),
            "custom_fields": _("Custom fields"),
            "emergency_contacts": _("Emergency contacts"),
            "photo": _("Photo"),
        },
    )
    for object_type in ("people.department", "people.team", "people.customfielddefinition"):
        sentences.field_labels(
            object_type,
            {
                "name": _("Name"),
                "code": _("Code"),
                "parent": _("Parent department"),
                "department": _("Department"),
                "label": _("Label"),
                "choices": _("Choices"),
                "required": _("Required"),
                "position": _("Position"),
                "is_active": _("Active"),
            },
        )
    sentences.field_labels(
        "people.employment",
        {
            "employee": _("Employee"),
            "contract_type": _("Contract type"),
            "start_date": _("Start date"),
            "end_date": _("End date"),
            "probation_end_date": PROBATION_LABEL,
            "job_title": EMPLOYEE_FIELDS["job_title"].label,
            "manager": EMPLOYEE_FIELDS["manager"].label,
        },
    )
    sentences.field_labels(
        "people.peoplesettings", {"self_editable_fields": _("Fields employees may change")}
    )
    audit_subjects.register()


# --- end of audit sentences (helper auditorg) ---------------------------------------------
