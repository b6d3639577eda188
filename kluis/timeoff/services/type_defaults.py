"""The leave types a new company starts with: its country's holiday types (law and custom),
then the types every company has. HR adapts them afterwards (kluis.timeoff.services.types
installs them)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

from django.utils.functional import Promise as StrPromise
from django.utils.translation import gettext_lazy

from kluis.timeoff.models import Approval, Category, ReasonVisibility, Rule, Unit


@dataclass(frozen=True)
class DefaultType:
    """One leave type a new company starts with; what it does not name is the model's
    default (days, manager approval, reason visible to approvers, no expiry)."""

    code: str
    name: StrPromise  # translated when installed, in the language of the moment
    category: str
    rule: str
    colour: str
    unit: str = Unit.DAYS
    approval: str = Approval.MANAGER
    reason_visible_to: str = ReasonVisibility.APPROVERS
    yearly_entitlement: Decimal = Decimal(0)
    expires_after_months: int | None = None


# The types every company starts with, after its country's own.
COMMON_DEFAULTS = (
    DefaultType(
        "time-credit",
        gettext_lazy("Time credit"),
        Category.TIME_CREDIT,
        Rule.NONE,
        "#7c3aed",
        unit=Unit.HOURS,
        approval=Approval.MANAGER_THEN_HR,
    ),
    DefaultType(
        "parental",
        gettext_lazy("Parental leave"),
        Category.PARENTAL,
        Rule.NONE,
        "#db2777",
        approval=Approval.MANAGER_THEN_HR,
        reason_visible_to=ReasonVisibility.HR,
    ),
    DefaultType(
        "unpaid",
        gettext_lazy("Unpaid leave"),
        Category.UNPAID,
        Rule.NONE,
        "#64748b",
        approval=Approval.MANAGER_THEN_HR,
        reason_visible_to=ReasonVisibility.HR,
    ),
    DefaultType("training", gettext_lazy("Training day"), Category.TRAINING, Rule.NONE, "#0891b2"),
    DefaultType("remote", gettext_lazy("Remote work"), Category.REMOTE, Rule.NONE, "#16a34a"),
)
# A country's own holiday types (any country not named here gets Belgium's).
COUNTRY_DEFAULTS: dict[str, tuple[DefaultType, ...]] = {
    "BE": (
        DefaultType(
            "legal-holiday",
            gettext_lazy("Legal holiday"),
            Category.LEGAL_HOLIDAY,
            Rule.BE_LEGAL,
            "#2563eb",
            expires_after_months=0,
        ),
        DefaultType(
            "extra-legal",
            gettext_lazy("Extra-legal days"),
            Category.EXTRA_LEGAL,
            Rule.FIXED,
            "#ea580c",
            yearly_entitlement=Decimal(6),
            expires_after_months=0,
        ),
    ),
    "NL": (
        DefaultType(
            "statutory",
            gettext_lazy("Statutory leave"),
            Category.LEGAL_HOLIDAY,
            Rule.NL_STATUTORY,
            "#2563eb",
            unit=Unit.HOURS,
            expires_after_months=6,
        ),
        DefaultType(
            "extra-statutory",
            gettext_lazy("Extra-statutory leave"),
            Category.EXTRA_LEGAL,
            Rule.FIXED,
            "#ea580c",
            unit=Unit.HOURS,
            yearly_entitlement=Decimal(5),
            expires_after_months=60,
        ),
    ),
}


def defaults_for(country: str) -> list[dict[str, Any]]:
    """The leave types a new company of `country` starts with (HR adapts them), as the
    fields of LeaveType, ten positions apart."""
    rows = COUNTRY_DEFAULTS.get(country, COUNTRY_DEFAULTS["BE"]) + COMMON_DEFAULTS
    return [
        {
            **{f.name: getattr(row, f.name) for f in fields(row)},
            "name": str(row.name),
            "position": index * 10,
        }
        for index, row in enumerate(rows)
    ]
