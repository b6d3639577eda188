"""The HR employee list's search, filters and sort. The queryset comes from
`selectors.employees_for(actor)`, so the filters only ever narrow what the viewer may see."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.db.models.fields.json import KeyTransform
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kluis.access.actor import Actor
from kluis.access.authorization import can
from kluis.access.forms import RoleChoiceField
from kluis.access.models import Role
from kluis.people import accounts, selectors
from kluis.people import selectors_dashboard as due
from kluis.people.models import (
    ContractType,
    CustomFieldDefinition,
    Department,
    Employee,
    EmployeeStatus,
    Employment,
    Team,
)
from kluis.people.services.invitations import ACTIVE, INVITED, NONE, with_login_state

# Sort keys offered by the column headers; every one ends in "pk" so pages are stable.
SORTS: dict[str, tuple[str, ...]] = {
    "name": ("last_name", "first_name", "pk"),
    "number": ("employee_number", "pk"),
    "job_title": ("job_title", "last_name", "pk"),
    "department": ("department__name", "last_name", "pk"),
    "start_date": ("start_date", "last_name", "pk"),
}
SORT_LABELS = {
    "name": _("Name"),
    "number": _("Number"),
    "job_title": _("Job title"),
    "department": _("Department"),
    "start_date": _("Start date"),
}
YES, NO = "yes", "no"
LOGIN_CHOICES = [
    (ACTIVE, _("Can sign in")),
    (INVITED, _("Invited, not activated")),
    (NONE, _("No login")),
]
CUSTOM_PREFIX = "cf_"
# The Account filter: any login (what the former Members page listed), then each state.
HAS_ACCOUNT = "member"
ACCOUNT_CHOICES = [(HAS_ACCOUNT, _("Has a login")), *accounts.FILTER_CHOICES]
ACCOUNT_FILTERS = ("account", "role")
MISSING_CHOICES = [
    (due.MISSING_IBAN, _("No bank account")),
    (due.MISSING_EMERGENCY_CONTACT, _("No emergency contact")),
]
# The dashboard's date ranges: shown on the list only while one is set.
RANGES = {
    "started": due.started_between,
    "ends": due.service_ends_between,
    "probation_ends": due.probation_ends_between,
}


class RoleFilter(django_filters.ModelChoiceFilter):
    """A role, offered by its name in the reader's language (built-in roles translated)."""

    field_class = RoleChoiceField


def _sort_choices() -> list[tuple[str, Any]]:
    choices: list[tuple[str, Any]] = []
    for key, label in SORT_LABELS.items():
        choices.append((key, label))
        choices.append((f"-{key}", label))
    return choices


def with_start_date(queryset: QuerySet[Employee]) -> QuerySet[Employee]:
    """The date the first contract began ("in service since"), computed in the one query."""
    first = Employment.objects.filter(employee=OuterRef("pk")).order_by("start_date")
    return queryset.annotate(start_date=Subquery(first.values("start_date")[:1]))


def current_contract_type(queryset: QuerySet[Employee]) -> QuerySet[Employee]:
    """The type of today's contract, else of the latest one (a leaver's last contract)."""
    today = timezone.localdate()
    contracts = Employment.objects.filter(employee=OuterRef("pk"))
    current = (
        contracts.filter(start_date__lte=today)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .order_by("-start_date")
    )
    latest = contracts.order_by("-start_date")
    return queryset.alias(
        current_contract_type=Coalesce(
            Subquery(current.values("contract_type")[:1]),
            Subquery(latest.values("contract_type")[:1]),
        )
    )


class EmployeeFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    status = django_filters.ChoiceFilter(
        choices=EmployeeStatus.choices, label=_("Status"), empty_label=_("Any status")
    )
    department = django_filters.ModelChoiceFilter(
        queryset=Department.objects.none(), label=_("Department"), empty_label=_("Any department")
    )
    team = django_filters.ModelChoiceFilter(
        queryset=Team.objects.none(), label=_("Team"), empty_label=_("Any team")
    )
    contract_type = django_filters.ChoiceFilter(
        choices=ContractType.choices,
        method="filter_contract_type",
        label=_("Contract"),
        empty_label=_("Any contract"),
    )
    login = django_filters.ChoiceFilter(
        choices=LOGIN_CHOICES,
        method="filter_login",
        label=_("Login"),
        empty_label=_("Any"),
    )
    account = django_filters.ChoiceFilter(
        choices=ACCOUNT_CHOICES,
        method="filter_account",
        label=_("Account"),
        empty_label=_("Any"),
    )
    role = RoleFilter(
        queryset=Role.objects.none(),
        method="filter_role",
        label=_("Role"),
        empty_label=_("Any role"),
    )
    missing = django_filters.ChoiceFilter(
        choices=MISSING_CHOICES,
        method="filter_missing",
        label=_("Missing data"),
        empty_label=_("Any"),
    )
    started_from = django_filters.DateFilter(
        method="filter_ranges", label=_("Hired from"), widget=forms.DateInput({"type": "date"})
    )
    started_to = django_filters.DateFilter(
        method="filter_ranges",
        label=_("Hired until"),
        widget=forms.DateInput({"type": "date"}),
    )
    ends_from = django_filters.DateFilter(
        method="filter_ranges",
        label=_("Last contract ends from"),
        widget=forms.DateInput({"type": "date"}),
    )
    ends_to = django_filters.DateFilter(
        method="filter_ranges",
        label=_("Last contract ends until"),
        widget=forms.DateInput({"type": "date"}),
    )
    probation_ends_from = django_filters.DateFilter(
        method="filter_ranges",
        label=_("Probation ends from"),
        widget=forms.DateInput({"type": "date"}),
    )
    probation_ends_to = django_filters.DateFilter(
        method="filter_ranges",
        label=_("Probation ends until"),
        widget=forms.DateInput({"type": "date"}),
    )
    sort = django_filters.ChoiceFilter(
        choices=_sort_choices(), method="sort_by", label=_("Sort by"), empty_label=None
    )

    class Meta:
        model = Employee
        fields = ["q", "status", "department", "team", "contract_type"]

    def __init__(self, data: Any = None, *, actor: Actor, **kwargs: Any) -> None:
        self.actor = actor
        super().__init__(data, queryset=with_start_date(selectors.employees_for(actor)), **kwargs)
        self.filters["department"].queryset = Department.objects.for_actor(actor)
        self.filters["team"].queryset = Team.objects.for_actor(actor)
        self._account_filters(actor)
        self.custom_fields: list[CustomFieldDefinition] = []
        for definition in CustomFieldDefinition.objects.for_actor(actor).filter(is_active=True):
            kind = definition.field_type
            if kind in (
                CustomFieldDefinition.FieldType.CHOICE,
                CustomFieldDefinition.FieldType.BOOLEAN,
            ):
                if kind == CustomFieldDefinition.FieldType.CHOICE:
                    choices = [(c, c) for c in definition.choices]
                else:
                    choices = [(YES, _("Yes")), (NO, _("No"))]
                self.filters[CUSTOM_PREFIX + definition.key] = django_filters.ChoiceFilter(
                    choices=choices,
                    method=self._custom_filter(definition),
                    label=definition.label,
                    empty_label=_("Any"),
                )
            elif kind == CustomFieldDefinition.FieldType.DATE:
                self.filters[CUSTOM_PREFIX + definition.key] = django_filters.DateFilter(
                    method=self._custom_filter(definition),
                    label=definition.label,
                    widget=forms.DateInput(attrs={"type": "date"}),
                )
            else:  # text: contains; number: equal
                self.filters[CUSTOM_PREFIX + definition.key] = django_filters.CharFilter(
                    method=self._custom_filter(definition),
                    label=definition.label,
                )
            self.custom_fields.append(definition)
        self.form.label_suffix = ""

    @property
    def qs(self) -> QuerySet[Employee]:
        """Strict: an invalid filter shows nothing rather than silently ignoring a field."""
        if self.is_bound and not self.is_valid():
            return self.queryset.none()
        queryset: QuerySet[Employee] = super().qs
        if not (self.is_bound and self.form.cleaned_data.get("sort")):
            queryset = queryset.order_by(*SORTS["name"])
        return queryset

    @property
    def current_sort(self) -> str:
        if self.is_bound and self.is_valid():
            return str(self.form.cleaned_data.get("sort") or "name")
        return "name"

    def search(self, queryset: QuerySet[Employee], name: str, value: str) -> QuerySet[Employee]:
        value = value.strip()
        if not value:
            return queryset
        digits = "".join(ch for ch in value if ch.isdigit())
        looks_national = len(digits) in (9, 11) and not any(ch.isalpha() for ch in value)
        if looks_national and can(self.actor, "people.view_identity"):
            try:
                found = selectors.find_by_national_id(self.actor, value)
            except ValidationError:
                found = None
            if found is not None:
                return queryset.filter(pk=found.pk)
        condition = (
            Q(employee_number__iexact=value)
            | Q(work_email__icontains=value)
            | Q(first_name__icontains=value)
            | Q(last_name__icontains=value)
            | Q(preferred_name__icontains=value)
        )
        words = value.split()
        if len(words) > 1:  # "Hanna Janssens": every word in one of the names
            both = Q()
            for word in words:
                both &= (
                    Q(first_name__icontains=word)
                    | Q(last_name__icontains=word)
                    | Q(preferred_name__icontains=word)
                )
            condition |= both
        return queryset.filter(condition)

    def filter_login(
        self, queryset: QuerySet[Employee], name: str, value: str
    ) -> QuerySet[Employee]:
        """Who can sign in, who was invited and has not activated yet, who has no login."""
        if not value:
            return queryset
        wanted = {
            ACTIVE: {"login_password_set": True},
            INVITED: {"login_password_set": False, "login_invited": True},
            NONE: {"login_password_set": False, "login_invited": False},
        }[value]
        return with_login_state(queryset).filter(**wanted)

    # --- accounts: who may sign in, and with which roles ----------------------------------

    def _account_filters(self, actor: Actor) -> None:
        """Account and Role are for those who may see the members (HR, owners); for anyone
        else they are not offered, and a link carrying them is not narrowed by them."""
        self.shows_accounts = can(actor, "tenancy.view_members")
        if not self.shows_accounts:
            for name in ACCOUNT_FILTERS:
                del self.filters[name]
            return
        self.filters["role"].queryset = Role.objects.for_actor(actor).order_by("name")

    def filter_account(
        self, queryset: QuerySet[Employee], name: str, value: str
    ) -> QuerySet[Employee]:
        if not value:
            return queryset
        if value == HAS_ACCOUNT:
            return queryset.filter(membership__isnull=False)
        return accounts.filter_by_state(
            accounts.with_account_state(queryset), value, prefix="membership__"
        )

    def filter_role(
        self, queryset: QuerySet[Employee], name: str, value: Role
    ) -> QuerySet[Employee]:
        if value is None:
            return queryset
        return accounts.with_role(self.actor, queryset, value, "membership_id")

    def filter_missing(
        self, queryset: QuerySet[Employee], name: str, value: str
    ) -> QuerySet[Employee]:
        """Current people without a bank account or without an emergency contact."""
        if not value:
            return queryset
        return queryset.filter(due.missing(value))

    def filter_ranges(
        self, queryset: QuerySet[Employee], name: str, value: Any
    ) -> QuerySet[Employee]:
        """A dashboard range (hired, last contract ending, probation ending): applied once,
        from both of its ends (an open end reaches as far as the dates go)."""
        key = name.rsplit("_", 1)[0]
        if not value or (name.endswith("_to") and self.form.cleaned_data.get(f"{key}_from")):
            return queryset
        first = self.form.cleaned_data.get(f"{key}_from") or dt.date.min
        last = self.form.cleaned_data.get(f"{key}_to") or dt.date.max
        return due.with_service_dates(queryset).filter(RANGES[key](first, last))

    def dashboard_filters(self) -> list[Any]:
        """The dashboard's date ranges, shown while the list is narrowed by one."""
        data = self.data or {}
        return [
            self.form[f"{key}_{end}"]
            for key in RANGES
            if data.get(f"{key}_from") or data.get(f"{key}_to")
            for end in ("from", "to")
        ]

    def filter_contract_type(
        self, queryset: QuerySet[Employee], name: str, value: str
    ) -> QuerySet[Employee]:
        if not value:
            return queryset
        return current_contract_type(queryset).filter(**{"current_contract_type": value})

    @staticmethod
    def _custom_filter(definition: CustomFieldDefinition) -> Any:
        # A key is a slug, but may hold "__": KeyTransform keeps it one JSON key.
        alias = f"custom_{definition.pk}"

        def apply(queryset: QuerySet[Employee], name: str, value: str) -> QuerySet[Employee]:
            if not value:
                return queryset
            queryset = queryset.alias(**{alias: KeyTransform(definition.key, "custom_fields")})
            kind = definition.field_type
            if kind == CustomFieldDefinition.FieldType.BOOLEAN:
                if value == YES:
                    return queryset.filter(**{alias: True})
                return queryset.exclude(**{alias: True})
            if kind in (
                CustomFieldDefinition.FieldType.TEXT,
                CustomFieldDefinition.FieldType.NUMBER,
            ):
                if kind == CustomFieldDefinition.FieldType.TEXT:
                    return queryset.filter(**{f"{alias}__icontains": str(value).strip()})
                try:
                    number = format(Decimal(str(value).strip().replace(",", ".")).normalize(), "f")
                except InvalidOperation:
                    return queryset.none()
                return queryset.filter(**{alias: number})  # stored as a normalised string
            if kind == CustomFieldDefinition.FieldType.DATE:
                return queryset.filter(**{alias: str(value)})  # a date: ISO, as stored
            return queryset.filter(**{alias: value})

        return apply

    def sort_by(self, queryset: QuerySet[Employee], name: str, value: str) -> QuerySet[Employee]:
        key = value.lstrip("-")
        if key not in SORTS:
            return queryset
        fields = SORTS[key]
        if value.startswith("-"):
            fields = tuple(f"-{f}" for f in fields)
        return queryset.order_by(*fields)

    def custom_field_filters(self) -> list[Any]:
        return [self.form[CUSTOM_PREFIX + d.key] for d in self.custom_fields]
