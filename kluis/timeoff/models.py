"""The calendar: leave types, leave requests (with the hours they take per day), sick
periods, the balance ledger, closing days, month locks and calendar feeds.

Hours are the unit of every balance (`Decimal`, two places); a leave type counted in days
shows hours as days of the employee's own schedule. Sick periods are a sensitive category:
their reason and note are stored sealed (kluis.crypto.vault), and a reader without
`timeoff.view_sickness` sees only that someone is absent.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from kluis.people.models import Employee
from kluis.tenancy.models import Membership, Tenant
from kluis.tenancy.querysets import TenantManager


class Unit(models.TextChoices):
    DAYS = "days", _("Days")
    HOURS = "hours", _("Hours")


class Category(models.TextChoices):
    LEGAL_HOLIDAY = "legal_holiday", _("Legal holiday")
    EXTRA_LEGAL = "extra_legal", _("Extra-legal days")
    TIME_CREDIT = "time_credit", _("Time credit")
    PARENTAL = "parental", _("Parental leave")
    UNPAID = "unpaid", _("Unpaid leave")
    TRAINING = "training", _("Training day")
    REMOTE = "remote", _("Remote work")
    OTHER = "other", _("Other")


class Rule(models.TextChoices):
    """How the yearly entitlement is computed (kluis/timeoff/law/entitlement.py)."""

    NONE = "none", _("No balance (not counted)")
    FIXED = "fixed", _("A fixed number a year, pro rata")
    BE_LEGAL = "be_legal", _("Belgian legal holiday (from last year's work)")
    NL_STATUTORY = "nl_statutory", _("Dutch statutory leave (4 x weekly hours)")


class Accrual(models.TextChoices):
    YEARLY = "yearly", _("All at the start of the year")
    MONTHLY = "monthly", _("Monthly, a twelfth each month")


class Approval(models.TextChoices):
    NONE = "none", _("No approval needed")
    MANAGER = "manager", _("The manager (or HR)")
    MANAGER_THEN_HR = "manager_then_hr", _("The manager, then HR")


class ReasonVisibility(models.TextChoices):
    APPROVERS = "approvers", _("The employee, the approvers and HR")
    HR = "hr", _("The employee and HR only")


class LeaveType(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    code = models.SlugField(max_length=40)
    name = models.CharField(max_length=100)
    category = models.CharField(max_length=20, choices=Category.choices, default=Category.OTHER)
    unit = models.CharField(max_length=5, choices=Unit.choices, default=Unit.DAYS)
    rule = models.CharField(max_length=15, choices=Rule.choices, default=Rule.FIXED)
    # For Rule.FIXED: days (or hours, by unit) a full-time year gives.
    yearly_entitlement = models.DecimalField(max_digits=8, decimal_places=2, default=0)
    accrual = models.CharField(max_length=10, choices=Accrual.choices, default=Accrual.YEARLY)
    # What is left at the end of a year moves to the next, up to this much (in the unit);
    # null: everything; 0: nothing.
    carry_over_limit = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    # Months after the end of the year a year's days expire; null: they do not.
    expires_after_months = models.PositiveSmallIntegerField(null=True, blank=True)
    allow_negative = models.BooleanField(default=False)
    approval = models.CharField(max_length=16, choices=Approval.choices, default=Approval.MANAGER)
    reason_visible_to = models.CharField(
        max_length=10, choices=ReasonVisibility.choices, default=ReasonVisibility.APPROVERS
    )
    colour = models.CharField(max_length=7, default="#2563eb")
    is_active = models.BooleanField(default=True)
    position = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    objects = TenantManager()

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "code"], name="leave_type_unique_code")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def counts_balance(self) -> bool:
        return self.rule != Rule.NONE


class Status(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


class Stage(models.TextChoices):
    """Whose approval a pending request waits for."""

    NONE = "", _("Nobody")
    MANAGER = "manager", _("The manager")
    HR = "hr", _("HR")


class DayPart(models.TextChoices):
    FULL = "full", _("Full day")
    MORNING = "morning", _("Morning")
    AFTERNOON = "afternoon", _("Afternoon")


ACTIVE_STATUSES = (Status.PENDING, Status.APPROVED)


class LeaveRequest(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="+")
    leave_type = models.ForeignKey(LeaveType, on_delete=models.PROTECT, related_name="+")
    start_date = models.DateField()
    end_date = models.DateField()
    # The first day may start in the afternoon, the last may end at noon; leave counted
    # in hours on one day names its hours instead.
    start_part = models.CharField(max_length=10, choices=DayPart.choices, default=DayPart.FULL)
    end_part = models.CharField(max_length=10, choices=DayPart.choices, default=DayPart.FULL)
    requested_hours = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    hours = models.DecimalField(
        max_digits=8, decimal_places=2, default=0
    )  # what it takes, from the schedule
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    stage = models.CharField(max_length=8, choices=Stage.choices, blank=True, default="")
    reason = models.TextField(blank=True)
    requested_by = models.CharField(max_length=254)
    first_approver = models.CharField(max_length=254, blank=True)  # two-step: the manager
    decided_by = models.CharField(max_length=254, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    objects = TenantManager()

    class Meta:
        ordering = ["-start_date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="leave_request_end_after_start",
            )
        ]
        indexes = [
            models.Index(fields=["tenant", "employee", "start_date"]),
            models.Index(fields=["tenant", "employee", "status"]),
            models.Index(fields=["tenant", "status", "start_date"]),
            models.Index(fields=["tenant", "updated_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.leave_type_id} {self.start_date}..{self.end_date}"


class LeaveDay(models.Model):
    """The hours a request takes on one day (weekends, holidays and closing days have
    none): what calendars, overlap checks and month locks read."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    request = models.ForeignKey(LeaveRequest, on_delete=models.CASCADE, related_name="days")
    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    hours = models.DecimalField(max_digits=8, decimal_places=2)
    part = models.CharField(max_length=10, choices=DayPart.choices, default=DayPart.FULL)
    # Mirrors the request's status, so a calendar reads one table.
    active = models.BooleanField(default=True)
    objects = TenantManager()

    class Meta:
        ordering = ["date"]
        indexes = [
            models.Index(fields=["tenant", "date", "employee"]),
            models.Index(fields=["tenant", "employee", "date"]),
        ]

    def __str__(self) -> str:
        return f"{self.employee_id} {self.date} {self.hours}h"


class AbsenceKind(models.TextChoices):
    SICKNESS = "sickness", _("Sickness")
    WORK_ACCIDENT = "work_accident", _("Work accident")
    MATERNITY = "maternity", _("Maternity leave")
    BIRTH = "birth", _("Birth leave")


class Absence(models.Model):
    """A sick period (or another medical absence): open-ended until it is closed."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(
        max_length=15, choices=AbsenceKind.choices, default=AbsenceKind.SICKNESS
    )
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)  # null: still absent
    reason_sealed = models.TextField(blank=True, default="")
    note_sealed = models.TextField(blank=True, default="")
    registered_by = models.CharField(max_length=254)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    objects = TenantManager()

    class Meta:
        ordering = ["-start_date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="absence_end_after_start",
            )
        ]
        indexes = [
            models.Index(fields=["tenant", "employee", "start_date"]),
            models.Index(fields=["tenant", "start_date", "end_date"]),
            models.Index(fields=["tenant", "updated_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.start_date}..{self.end_date or ''}"


class EntryVersion(models.Model):
    """One step in the history of a calendar entry (a leave request or an absence): who
    did what, when, with the old and new values. A sick period's reason and note appear
    only as "changed", never with their values."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    request = models.ForeignKey(
        LeaveRequest, null=True, blank=True, on_delete=models.CASCADE, related_name="history"
    )
    absence = models.ForeignKey(
        Absence, null=True, blank=True, on_delete=models.CASCADE, related_name="history"
    )
    version = models.PositiveIntegerField()
    action = models.CharField(max_length=20)  # requested, changed, approved, rejected, ...
    changed_at = models.DateTimeField()
    actor_label = models.CharField(max_length=254)
    changed_fields = models.JSONField(default=list)
    old_values = models.JSONField(default=dict)
    new_values = models.JSONField(default=dict)
    comment = models.TextField(blank=True)
    objects = TenantManager()

    class Meta:
        ordering = ["version", "pk"]
        indexes = [models.Index(fields=["tenant", "changed_at"])]

    def __str__(self) -> str:
        return f"{self.action} v{self.version}"


class EntryKind(models.TextChoices):
    GRANT = "grant", _("Entitlement")
    ACCRUAL = "accrual", _("Accrual")
    USE = "use", _("Leave taken")
    CARRY_OVER = "carry_over", _("Carried over")
    EXPIRY = "expiry", _("Expired")
    CORRECTION = "correction", _("Correction")
    SICK_RETURN = "sick_return", _("Given back (sick during leave)")
    CANCELLATION = "cancellation", _("Given back (cancelled)")


class LedgerEntry(models.Model):
    """One line of a balance: never changed or deleted, corrected by another line."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="+")
    leave_type = models.ForeignKey(LeaveType, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=12, choices=EntryKind.choices)
    hours = models.DecimalField(max_digits=8, decimal_places=2)  # credits positive, debits negative
    effective = models.DateField()
    year = models.PositiveSmallIntegerField()  # the year it belongs to
    tranche = models.CharField(max_length=30, blank=True)  # "2026", "2026-statutory", ...
    expires_on = models.DateField(null=True, blank=True)
    request = models.ForeignKey(
        LeaveRequest, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    day = models.DateField(null=True, blank=True)  # the leave day a sick return gives back
    note = models.CharField(max_length=300, blank=True)
    actor_label = models.CharField(max_length=254)
    created_at = models.DateTimeField(auto_now_add=True)
    objects = TenantManager()

    class Meta:
        ordering = ["effective", "pk"]
        indexes = [
            models.Index(fields=["tenant", "employee", "leave_type", "effective"]),
            models.Index(fields=["tenant", "leave_type", "year", "kind"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.hours}h {self.effective}"


class CorrectionManager(TenantManager):
    def get_queryset(self) -> Any:
        return super().get_queryset().filter(kind=EntryKind.CORRECTION)


class BalanceCorrection(LedgerEntry):
    """The ledger lines HR wrote by hand (corrections; statutory leave marked as not
    takeable is one too): what `/api/v1/balance-corrections/` lists. No table of its own."""

    objects = CorrectionManager()  # type: ignore[misc]

    class Meta:
        proxy = True
        ordering = ["effective", "pk"]


class ExpiryNotice(models.Model):
    """The employee was told in time that a tranche's days expire (Dutch case law: expiry
    cannot be applied without it)."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="+")
    leave_type = models.ForeignKey(LeaveType, on_delete=models.CASCADE, related_name="+")
    tranche = models.CharField(max_length=30)
    expires_on = models.DateField()
    hours = models.DecimalField(max_digits=8, decimal_places=2)
    sent_at = models.DateTimeField()
    objects = TenantManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["employee", "leave_type", "tranche"], name="expiry_notice_once"
            )
        ]

    def __str__(self) -> str:
        return f"notice {self.tranche} {self.expires_on}"


class HolidayCertificate(models.Model):
    """A Belgian joiner's holiday certificate from a previous employer: the days of the
    year's legal holiday that employer's service gives."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    days = models.DecimalField(max_digits=5, decimal_places=2)
    employer = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    objects = TenantManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["employee", "year"], name="holiday_certificate_once")
        ]

    def __str__(self) -> str:
        return f"certificate {self.year}: {self.days}"


class ClosingDay(models.Model):
    """A day the company is closed (a bridge day): never counted as leave."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    name = models.CharField(max_length=100)
    objects = TenantManager()

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "date"], name="closing_day_unique_date")
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class MonthLock(models.Model):
    """A month closed for payroll: nothing inside it changes until HR unlocks it. Kept
    after unlocking (with who and why), so the lock's history stays."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()  # the first day of the month
    reason = models.CharField(max_length=300)
    locked_by = models.CharField(max_length=254)
    locked_at = models.DateTimeField()
    unlocked_by = models.CharField(max_length=254, blank=True)
    unlocked_at = models.DateTimeField(null=True, blank=True)
    unlock_reason = models.CharField(max_length=300, blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)
    objects = TenantManager()

    class Meta:
        ordering = ["-month", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "month"],
                condition=models.Q(unlocked_at__isnull=True),
                name="month_lock_one_open",
            )
        ]

    def __str__(self) -> str:
        return self.month.strftime("%Y-%m")

    @property
    def is_locked(self) -> bool:
        return self.unlocked_at is None


class TimeoffSettings(models.Model):
    """Per company: the country and region whose public holidays apply, and how early an
    employee is warned before days expire."""

    tenant = models.OneToOneField(Tenant, on_delete=models.CASCADE, related_name="+")
    country = models.CharField(max_length=2, default="BE")
    region = models.CharField(max_length=10, blank=True)
    warn_days_before_expiry = models.PositiveSmallIntegerField(default=90)
    objects = TenantManager()

    def __str__(self) -> str:
        return f"time off settings of {self.tenant_id}"


class CalendarFeed(models.Model):
    """A member's private iCalendar URL: only the token's keyed digest is stored."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    digest = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=8)  # the token's last characters, to recognise it
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    objects = TenantManager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"feed …{self.hint}"
