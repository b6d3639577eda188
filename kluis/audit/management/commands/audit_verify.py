"""Prove the audit log untouched: walk each company's hash chain and name the first break."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kluis.audit.platform import verify_platform
from kluis.audit.services import ChainReport, verify_all, verify_tenant
from kluis.tenancy.models import Tenant


def describe(report: ChainReport) -> str:
    slug = report.tenant.slug
    if report.ok:
        return f"{slug}: OK, {report.events} event{'s' if report.events != 1 else ''}"
    problem = report.problem
    return (
        f"{slug}: BROKEN at {problem}"
        if problem.startswith("event #")
        else f"{slug}: BROKEN: {problem}"
    )


class Command(BaseCommand):
    help = (
        "Verify the hash-chained audit log of every company (or one) and the operators' log;"
        " exit 1 when broken."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", metavar="SLUG", help="only this company")

    def handle(self, *args: Any, **options: Any) -> None:
        if options.get("tenant"):
            tenant = Tenant.objects.filter(slug=options["tenant"].strip().lower()).first()
            if tenant is None:
                raise CommandError(f"no company with slug {options['tenant']!r}", returncode=1)
            reports = [verify_tenant(tenant)]
        else:
            reports = verify_all(Tenant.objects.order_by("slug"))
            if not reports:
                self.stdout.write("No companies yet: nothing to verify.")
        for report in reports:
            line = describe(report)
            self.stdout.write(line if report.ok else self.style.ERROR(line))
        broken = [r for r in reports if not r.ok]
        if not options.get("tenant"):
            events, problem = verify_platform()
            if problem:
                self.stdout.write(self.style.ERROR(f"operators' log: BROKEN at {problem}"))
                raise CommandError("the operators' log is broken", returncode=1)
            self.stdout.write(f"operators' log: OK, {events} event{'s' if events != 1 else ''}")
        if broken:
            raise CommandError(
                f"the audit log of {len(broken)} of {len(reports)} company(ies) is broken",
                returncode=1,
            )
