"""The HR file: employees, their contracts over time, wages, teams and custom fields.

Sensitive values (national number, IBAN, private address, wage amounts) are stored only
sealed by kluis.crypto.vault (AES-256-GCM under the company's data key); the columns
ending in `_sealed` hold tokens, never plaintext. Reading them goes through selectors
that check field permissions and audit the read.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kluis.tenancy.models import Membership, Tenant
from kluis.tenancy.querysets import TenantManager


class EmployeeStatus(models.TextChoices):
    ONBOARDING = "onboarding", _("Candidate / onboarding")
    ACTIVE = "active", _("Active")
    LEFT = "left", _("Left")


class Gender(models.TextChoices):
    UNDISCLOSED = "", _("Not disclosed")
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    NON_BINARY = "non_binary", _("Non-binary")
    OTHER = "other", _("Other")


class ContractType(models.TextChoices):
    PERMANENT = "permanent", _("Permanent")
    FIXED_TERM = "fixed_term", _("Fixed-term")
    STUDENT = "student", _("Student")
    INTERIM = "interim", _("Interim")
    FREELANCE = "freelance", _("Freelance")


class WagePeriod(models.TextChoices):
    HOUR = "hour", _("per hour")
    MONTH = "month", _("per month")
    YEAR = "year", _("per year")


class Department(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=120)
    code = models.CharField(max_length=30, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    # Archived: no longer offered for new choices, kept on history and exports.
    archived_at = models.DateTimeField(null=True, blank=True)
    objects = TenantManager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="department_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=120)
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="teams"
    )
    # Archived: no longer offered for new choices, kept on history and exports.
    archived_at = models.DateTimeField(null=True, blank=True)
    objects = TenantManager()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["tenant", "name"], name="team_unique_name")]

    def __str__(self) -> str:
        return self.name


class Employee(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    membership = models.OneToOneField(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="employee"
    )
    employee_number = models.CharField(max_length=30)
    status = models.CharField(
        max_length=12, choices=EmployeeStatus.choices, default=EmployeeStatus.ACTIVE
    )
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    preferred_name = models.CharField(max_length=100, blank=True)
    work_email = models.EmailField(blank=True)
    work_phone = models.CharField(max_length=20, blank=True)  # E.164
    private_email = models.EmailField(blank=True)
    private_phone = models.CharField(max_length=20, blank=True)  # E.164
    birth_date = models.DateField(null=True, blank=True)
    nationality = models.CharField(max_length=2, blank=True)  # ISO 3166-1 alpha-2
    gender = models.CharField(max_length=12, choices=Gender.choices, blank=True, default="")
    photo = models.ImageField(upload_to="photos/%Y/", blank=True)
    # Sealed (encrypted) values and the keyed blind index for exact lookup.
    national_id_sealed = models.TextField(blank=True, default="")
    national_id_index = models.CharField(max_length=64, blank=True, default="", db_index=True)
    iban_sealed = models.TextField(blank=True, default="")
    address_sealed = models.TextField(blank=True, default="")  # sealed JSON of the address
    custom_fields = models.JSONField(default=dict, blank=True)
    # The employee's choice: birthdays and work anniversaries shown to colleagues.
    show_celebrations = models.BooleanField(default=True)
    # Current job data, denormalised from the current employment for fast lists.
    job_title = models.CharField(max_length=150, blank=True)
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    manager = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.CharField(max_length=254, blank=True)
    objects = TenantManager()

    class Meta:
        ordering = ["last_name", "first_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "employee_number"], name="employee_unique_number"
            )
        ]
        indexes = [
            models.Index(fields=["tenant", "status", "last_name", "first_name"]),
            models.Index(fields=["tenant", "manager"]),
            models.Index(fields=["tenant", "team"]),
            models.Index(fields=["tenant", "updated_at"]),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        first = self.preferred_name or self.first_name
        return f"{first} {self.last_name}".strip()


class EmergencyContact(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    employee = models.ForeignKey(
        Employee, on_delete=models.CASCADE, related_name="emergency_contacts"
    )
    name = models.CharField(max_length=150)
    relationship = models.CharField(max_length=60, blank=True)
    phone = models.CharField(max_length=20)  # E.164
    email = models.EmailField(blank=True)
    objects = TenantManager()

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class Employment(models.Model):
    """One contract period. Periods of one employee never overlap."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="employments")
    contract_type = models.CharField(max_length=12, choices=ContractType.choices)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    hours_per_week = models.DecimalField(max_digits=5, decimal_places=2, default=40)
    # Hours per weekday, Monday first: [8, 8, 8, 8, 8, 0, 0].
    weekly_schedule = models.JSONField(default=list, blank=True)
    job_title = models.CharField(max_length=150)
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cost_centre = models.CharField(max_length=30, blank=True)
    # The last day of the probation period, if the contract has one.
    probation_end_date = models.DateField(null=True, blank=True)
    manager = models.ForeignKey(
        Employee, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    objects = TenantManager()

    class Meta:
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="employment_end_after_start",
            )
        ]
        indexes = [models.Index(fields=["tenant", "employee", "start_date"])]

    def __str__(self) -> str:
        return f"{self.job_title} from {self.start_date}"


class Wage(models.Model):
    """Gross salary from a date on; the amount is sealed."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="wages")
    effective_from = models.DateField()
    amount_sealed = models.TextField()
    currency = models.CharField(max_length=3, default="EUR")
    period = models.CharField(max_length=5, choices=WagePeriod.choices, default=WagePeriod.MONTH)
    created_at = models.DateTimeField(auto_now_add=True)
    objects = TenantManager()

    class Meta:
        ordering = ["-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["employee", "effective_from"], name="wage_unique_effective_date"
            )
        ]
        # The wage in force for a page of employees of one company: without it SQLite
        # reads every wage of the company through the company index, and sorts them.
        indexes = [models.Index(fields=["tenant", "employee", "effective_from"])]

    def __str__(self) -> str:
        return f"wage from {self.effective_from}"


class WageComponent(models.Model):
    """Recurring (meal vouchers, car) or one-off (bonus) pay on top of the wage."""

    class Kind(models.TextChoices):
        MEAL_VOUCHERS = "meal_vouchers", _("Meal vouchers")
        CAR = "car", _("Company car")
        BONUS = "bonus", _("Bonus")
        OTHER = "other", _("Other")

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="wage_components")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    label = models.CharField(max_length=120, blank=True)
    amount_sealed = models.TextField()
    currency = models.CharField(max_length=3, default="EUR")
    recurring = models.BooleanField(default=True)
    period = models.CharField(max_length=5, choices=WagePeriod.choices, default=WagePeriod.MONTH)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)  # one-off: equals start_date
    created_at = models.DateTimeField(auto_now_add=True)
    objects = TenantManager()

    class Meta:
        ordering = ["-start_date"]

    def __str__(self) -> str:
        return self.label or self.get_kind_display()


class CustomFieldDefinition(models.Model):
    class FieldType(models.TextChoices):
        TEXT = "text", _("Text")
        NUMBER = "number", pgettext_lazy("custom field type", "Number")
        DATE = "date", _("Date")
        CHOICE = "choice", _("Choice")
        BOOLEAN = "boolean", _("Yes/no")

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    key = models.SlugField(max_length=50)
    label = models.CharField(max_length=100)
    field_type = models.CharField(max_length=10, choices=FieldType.choices)
    choices = models.JSONField(default=list, blank=True)
    required = models.BooleanField(default=False)
    position = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    objects = TenantManager()

    class Meta:
        ordering = ["position", "label"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "key"], name="custom_field_unique_key")
        ]

    def __str__(self) -> str:
        return self.label


class PeopleSettings(models.Model):
    """Per-company choices, e.g. which fields employees may change themselves."""

    tenant = models.OneToOneField(Tenant, on_delete=models.CASCADE, related_name="+")
    self_editable_fields = models.JSONField(default=list, blank=True)
    objects = TenantManager()

    def __str__(self) -> str:
        return f"people settings of {self.tenant_id}"


class EmployeeVersion(models.Model):
    """One saved state of an employee's file, for the History tab, "as of" views and the
    change feed. Sensitive values appear only sealed (in `sealed_snapshot`)."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    section = models.CharField(max_length=20, default="employee")  # employee|employment|wage|...
    changed_at = models.DateTimeField(db_index=True)
    actor_label = models.CharField(max_length=254)
    actor_user_id = models.BigIntegerField(null=True, blank=True)
    changed_fields = models.JSONField(default=list)
    snapshot = models.JSONField(default=dict)  # non-sensitive fields, plain
    sealed_snapshot = models.TextField(blank=True, default="")  # sensitive fields, sealed JSON
    old_values = models.JSONField(default=dict)  # non-sensitive changed fields: old values
    objects = TenantManager()

    class Meta:
        ordering = ["-changed_at", "-pk"]
        indexes = [models.Index(fields=["tenant", "changed_at"])]

    def __str__(self) -> str:
        return f"{self.employee_id} v{self.version}"
