from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "kluis.people"
    label = "people"
    verbose_name = "People"

    def ready(self) -> None:
        """Declare what a viewer may see of each people record (kluis.access.visibility)."""
        from kluis.access import visibility
        from kluis.people.fields import EMPLOYEE_SUBJECTS, VISIBILITY, VISIBILITY_LABELS
        from kluis.people.permissions import can_on

        for object_type, fields in VISIBILITY.items():
            visibility.register(
                object_type,
                fields,
                label=VISIBILITY_LABELS.get(object_type, visibility.PLAIN),
                check=can_on if object_type in EMPLOYEE_SUBJECTS else None,
            )
