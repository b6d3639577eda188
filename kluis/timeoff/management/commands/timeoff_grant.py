"""`manage.py timeoff_grant --year 2027 [--company slug]`: write a year's leave
entitlements (idempotent: only what is missing or changed), e.g. next year's ahead of time
or a year again after contracts were corrected."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from kluis.timeoff.tasks import companies, grant_all


class Command(BaseCommand):
    help = "Write a year's leave entitlements for every company (or one)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--year", type=int, default=None, help="default: this year")
        parser.add_argument("--company", default=None, help="a company's slug")

    def handle(self, *args: Any, **options: Any) -> None:
        year = options["year"] or timezone.localdate().year
        if not 2000 <= year <= 2100:
            raise CommandError("--year: a year between 2000 and 2100")
        slug = options["company"]
        if slug is not None and not companies(slug):
            raise CommandError(f"no company {slug!r} with leave types that keep a balance")
        for company, lines in grant_all(year, slug).items():
            self.stdout.write(f"{company}: {lines} line(s) written for {year}")
