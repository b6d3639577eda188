"""The log check of a test run (scripts/check-logs.py): no demo IBAN, national number or
password and no API secret in any line any process of the run logged.

`demo_values()` reads the values from a database holding the demo (the demo is made
with fixed seeds, so a freshly loaded one has the values every test run's demo has);
`scan()` finds them in log files and names the file and line of each hit."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

# API keys (kluis/integrations/keys.py): a prefix and 40 characters; client secrets 43.
SECRET_SHAPES = {
    "an API key": r"kluis_[A-Za-z0-9_-]{40}",
    "an API client secret": r"kluis_secret_[A-Za-z0-9_-]{43}",
}


@dataclass(frozen=True)
class Hit:
    path: Path
    line: int
    what: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.what}"


def demo_values() -> dict[str, str]:
    """{value: what it is} for every demo employee's IBAN and national number (as stored
    and without separators) and the demo password. Needs a configured Django whose
    database holds the demo."""
    from django.conf import settings

    from kluis.people.models import Employee
    from kluis.people.records import sealed_value
    from kluis.tenancy import rls
    from kluis.tenancy.models import Tenant

    values = {settings.DEMO_PASSWORD: "the demo password"}
    with rls.unnarrowed():
        for tenant in Tenant.objects.all():
            for employee in Employee.objects.for_tenant(tenant):
                for field, what in (("iban", "an IBAN"), ("national_id", "a national number")):
                    value = str(sealed_value(employee, field) or "")
                    for variant in {value, re.sub(r"[\s.\-/]", "", value)}:
                        if len(variant) >= 6:
                            values[variant] = f"{what} of a demo employee"
    return values


def pattern(values: dict[str, str]) -> re.Pattern[str]:
    """One expression for all values (not inside a longer word or number) and shapes."""
    parts = [
        f"(?P<v{i}>(?<![A-Za-z0-9]){re.escape(value)}(?![A-Za-z0-9]))"
        for i, value in enumerate(sorted(values, key=len, reverse=True))
    ]
    parts += [
        f"(?P<s{i}>(?<![A-Za-z0-9_-]){shape}(?![A-Za-z0-9_-]))"
        for i, shape in enumerate(SECRET_SHAPES.values())
    ]
    return re.compile("|".join(parts))


def scan(paths: Iterable[Path], values: dict[str, str]) -> list[Hit]:
    ordered = sorted(values, key=len, reverse=True)
    shapes = list(SECRET_SHAPES)
    expression = pattern(values)
    hits = []
    for path in sorted(paths):
        with path.open(encoding="utf-8", errors="replace") as lines:
            for number, line in enumerate(lines, start=1):
                for match in expression.finditer(line):
                    group = match.lastgroup or ""
                    index = int(group[1:])
                    what = values[ordered[index]] if group[0] == "v" else shapes[index]
                    hits.append(Hit(path, number, what))
    return hits
