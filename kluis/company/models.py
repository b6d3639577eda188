"""Notices: what the app tells a member ("your leave was approved", "a request waits for
you"), shown in their inbox until read, and e-mailed as each member chose for the notice's
kind (kluis/company/notices*.py)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from kluis.tenancy.models import Membership, Tenant
from kluis.tenancy.querysets import TenantManager


class Delivery(models.TextChoices):
    """How a member hears of a kind of notice (always in the app)."""

    APP = "app", _("In the app only")
    EMAIL = "email", _("In the app and by e-mail at once")
    DIGEST = "digest", _("In the app and in a daily e-mail")


class Notice(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="notices")
    # The key of its kind (kluis/company/notices_kinds.py, e.g. "leave_request.approved").
    topic = models.CharField(max_length=60)
    # The text, written once in the member's language when made (kept as sent).
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)  # a path inside Kluis
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # How the member chose to hear of it when it was made, and when it was e-mailed.
    delivery = models.CharField(max_length=10, choices=Delivery.choices, default=Delivery.APP)
    emailed_at = models.DateTimeField(null=True, blank=True)
    objects = TenantManager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["tenant", "membership", "read_at", "created_at"]),
            models.Index(fields=["delivery", "emailed_at"], name="company_notice_digest"),
        ]

    def __str__(self) -> str:
        return self.title


class NoticePreference(models.Model):
    """A member's choice for one kind of notice (none: the kind's default)."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="notice_preferences"
    )
    kind = models.CharField(max_length=60)
    delivery = models.CharField(max_length=10, choices=Delivery.choices)
    updated_at = models.DateTimeField(auto_now=True)
    objects = TenantManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["membership", "kind"], name="one_preference_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.delivery}"


# A member's daily digest goes out at this local hour (settings.TIME_ZONE) unless they
# chose another (NoticeDigestSchedule).
DEFAULT_DIGEST_HOUR = 7


class NoticeDigestRun(models.Model):
    """The daily digests of one hour of one day were started: the first worker to insert
    the row sends the digests of the members whose hour it is, every other worker (or a
    second run the same hour) finds the row and does nothing. Rows made before the hour was
    a choice are the 07:00 ones."""

    day = models.DateField()
    hour = models.PositiveSmallIntegerField(default=DEFAULT_DIGEST_HOUR, db_default=7)
    started_at = models.DateTimeField()
    sent = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "hour"], name="one_digest_run_per_hour")
        ]

    def __str__(self) -> str:
        return f"{self.day.isoformat()} {self.hour:02d}:00"


class NoticeDigestSchedule(models.Model):
    """When a member's daily digest goes out (the local hour they chose; no row: 07:00) and
    the last day it went: a member gets at most one digest a day, even after changing the
    hour, however many workers send (the day is claimed with one conditional update)."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    membership = models.OneToOneField(
        Membership, on_delete=models.CASCADE, related_name="notice_digest"
    )
    hour = models.PositiveSmallIntegerField(default=DEFAULT_DIGEST_HOUR)
    last_sent_on = models.DateField(null=True, blank=True)
    objects = TenantManager()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(hour__lte=23), name="digest_hour_of_the_day")
        ]

    def __str__(self) -> str:
        return f"{self.membership_id}: {self.hour:02d}:00"
