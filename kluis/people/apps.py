from typing import Any

from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "kluis.people"
    label = "people"
    verbose_name = "People"

    def ready(self) -> None:
        from kluis.people import events

        events.register_all()
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
