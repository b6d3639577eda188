from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from kluis.company.demo import load_demo


class Command(BaseCommand):
    help = "Load the two demo companies (once; refused in production)."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            created = load_demo()
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            "Demo companies loaded." if created else "Demo companies already present."
        )
