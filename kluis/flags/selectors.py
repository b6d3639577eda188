"""What the operator page and `kluis flags list/show` show: each flag and its rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth import get_user_model
from django.utils import timezone
from flags.models import FlagState

from kluis.flags.registry import Declaration, declared, get
from kluis.flags.rules import KINDS, Rule, decode
from kluis.tenancy.models import Tenant
from kluis.tenancy.rls import unnarrowed


@dataclass(frozen=True)
class ShownRule:
    rule: Rule
    label: str  # "company demo-bv", "user a@b.c", "role hr_admin", "20% of companies"
    form_value: str  # what the page's form sends back to clear it: slug, e-mail, key, N

    @property
    def state(self) -> str:
        return "on" if self.rule.on else "off"


@dataclass
class FlagOverview:
    declaration: Declaration
    rules: list[ShownRule] = field(default_factory=list)

    @property
    def expired(self) -> bool:
        return self.declaration.expires < timezone.localdate()

    @property
    def days_left(self) -> int:
        return (self.declaration.expires - timezone.localdate()).days


def _labels(rules: list[Rule]) -> list[ShownRule]:
    ids = {kind: [int(r.target.value) for r in rules if r.target.kind == kind] for kind in KINDS}
    with unnarrowed():  # an operator's session may have one company open
        slugs = dict(Tenant.objects.filter(pk__in=ids["company"]).values_list("pk", "slug"))
    emails = dict(get_user_model().objects.filter(pk__in=ids["user"]).values_list("pk", "email"))
    shown = []
    for rule in rules:
        kind, value = rule.target.kind, rule.target.value
        if kind == "company":
            form = slugs.get(int(value), f"#{value}")
            label = f"company {form}"
        elif kind == "user":
            form = emails.get(int(value), f"#{value}")
            label = f"user {form}"
        elif kind == "role":
            form, label = value, f"role {value}"
        elif kind == "percent":
            form, label = value, f"{value}% of companies"
        else:
            form, label = "", "everyone"
        shown.append(ShownRule(rule, label, form))
    order = {kind: n for n, kind in enumerate(KINDS)}
    return sorted(shown, key=lambda s: (order[s.rule.target.kind], s.label))


def overview(names: list[str] | None = None) -> list[FlagOverview]:
    """The declared flags (or the named ones) with their rules, in two queries at most."""
    chosen = [get(n) for n in names] if names is not None else declared()
    rows = FlagState.objects.filter(name__in=[d.name for d in chosen]).order_by("pk")
    by_flag: dict[str, list[Rule]] = {d.name: [] for d in chosen}
    for row in rows:
        rule = decode(row.condition, row.value, row.required)
        if rule is not None:
            by_flag[row.name].append(rule)
    all_rules = [r for rules in by_flag.values() for r in rules]
    labelled = iter(_labels(all_rules)) if all_rules else iter(())
    shown = {id(s.rule): s for s in labelled}
    return [
        FlagOverview(d, sorted((shown[id(r)] for r in by_flag[d.name]), key=_order)) for d in chosen
    ]


def _order(shown: ShownRule) -> tuple[int, str]:
    return KINDS.index(shown.rule.target.kind), shown.label


def expired_flags(today: date | None = None) -> list[Declaration]:
    day = today or timezone.localdate()
    return [d for d in declared() if d.expires < day]
