"""`/api/v1/month-locks/`: months closed for payroll (nothing inside one changes until HR
unlocks it). Read with scope timeoff:read (`timeoff.view`); lock (POST) and unlock
(`POST .../unlock/`) with timeoff:write (`timeoff.manage`). A lock is kept after
unlocking, with who and why."""

from __future__ import annotations

from typing import Any

import django_filters
from rest_framework import serializers

from kluis.api.declaration import Declaration, ItemAction
from kluis.api.serializers import StrictSerializer
from kluis.timeoff import services
from kluis.timeoff.api import examples
from kluis.timeoff.models import MonthLock

MANAGE = "timeoff.manage"


class MonthLockSerializer(StrictSerializer):
    id = serializers.IntegerField(read_only=True)
    month = serializers.RegexField(r"^\d{4}-\d{2}$", help_text="YYYY-MM")
    locked = serializers.BooleanField(read_only=True, help_text="false once unlocked")
    reason = serializers.CharField(max_length=300)
    locked_by = serializers.CharField(read_only=True)
    locked_at = serializers.DateTimeField(read_only=True)
    unlocked_by = serializers.CharField(read_only=True)
    unlocked_at = serializers.DateTimeField(read_only=True, allow_null=True)
    unlock_reason = serializers.CharField(read_only=True)
    version = serializers.IntegerField(read_only=True)


class MonthUnlockSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=300, help_text="Why the month opens again")
    version = serializers.IntegerField(
        required=False, help_text="The version you read (or If-Match); 412 when stale"
    )


SHOWN: tuple[str, ...] = tuple(MonthLockSerializer().fields)
COLUMNS = {
    name: name
    for name in SHOWN
    if name not in ("month", "locked")  # made by `represent`
}


def represent(row: MonthLock) -> dict[str, Any]:
    data = {name: getattr(row, column) for name, column in COLUMNS.items()}
    data["month"] = row.month.strftime("%Y-%m")
    data["locked"] = row.unlocked_at is None
    return {name: data[name] for name in SHOWN}


def _unlock(actor: Any, row: MonthLock, data: dict[str, Any], **kwargs: Any) -> MonthLock:
    return services.unlock_month(actor, row, reason=data["reason"], **kwargs)


MONTH_LOCKS = Declaration(
    prefix="month-locks",
    singular="month lock",
    model=MonthLock,
    serializer=MonthLockSerializer,
    columns=COLUMNS,
    represent=represent,
    about=(
        "Months closed for payroll: no leave or absence inside one changes until it is "
        "unlocked. Read with scope timeoff:read; lock and unlock with timeoff:write."
    ),
    read="timeoff.view",
    write=MANAGE,
    filters={
        "locked": django_filters.BooleanFilter(field_name="unlocked_at", lookup_expr="isnull"),
    },
    orderings=("id", "month"),
    create=services.lock_month,
    versioned=True,
    conflicts=(services.ConflictError,),
    events=("month.locked", "month.unlocked"),
    example=examples.MONTH_LOCK,
    create_example={"month": "2026-10", "reason": "Payroll October closed"},
    summaries={"create": "Lock a month"},
    descriptions={
        "create": "Needs scope timeoff:write. Only a month that has begun; 409 when it is "
        "already locked."
    },
    actions=(
        ItemAction(
            "unlock",
            _unlock,
            MonthUnlockSerializer,
            MANAGE,
            "Unlock a month",
            description="Needs scope timeoff:write; the lock stays listed, with who unlocked "
            "it and why. 409 when it is not locked.",
            example={"reason": "A late sick note for October", "version": 1},
            result_example={
                "locked": False,
                "unlocked_by": "hr@demo-bv.test",
                "unlocked_at": "2026-11-05T10:00:00Z",
                "unlock_reason": "A late sick note for October",
                "version": 2,
            },
            conflict_example="This month is not locked.",
        ),
    ),
    fields_example="id,month,locked",
)
