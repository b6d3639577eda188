"""Example objects of the calendar's API resources (the OpenAPI document, the webhook
catalogue's full-object examples)."""

LEAVE_TYPE = {
    "id": 3,
    "code": "legal-holiday",
    "name": "Legal holiday",
    "category": "legal_holiday",
    "unit": "days",
    "rule": "be_legal",
    "yearly_entitlement": "0.00",
    "accrual": "yearly",
    "carry_over_limit": None,
    "expires_after_months": 0,
    "allow_negative": False,
    "approval": "manager",
    "reason_visible_to": "approvers",
    "colour": "#2563eb",
    "is_active": True,
    "position": 0,
    "version": 1,
}

LEAVE_REQUEST = {
    "id": 812,
    "employee": 42,
    "leave_type": 3,
    "start_date": "2026-07-20",
    "end_date": "2026-07-31",
    "start_part": "full",
    "end_part": "full",
    "hours": "76.00",
    "reason": "Summer holiday",
    "status": "pending",
    "stage": "manager",
    "decided_by": "",
    "decided_at": None,
    "decision_comment": "",
    "version": 1,
    "created_at": "2026-06-02T09:14:05Z",
    "updated_at": "2026-06-02T09:14:05Z",
}

ABSENCE = {
    "id": 57,
    "employee": 42,
    "start_date": "2026-11-03",
    "end_date": None,
    "version": 1,
    "kind": "sickness",
    "created_at": "2026-11-03T07:40:00Z",
    "updated_at": "2026-11-03T07:40:00Z",
}

MONTH_LOCK = {
    "id": 9,
    "month": "2026-10",
    "locked": True,
    "reason": "Payroll October closed",
    "locked_by": "hr@demo-bv.test",
    "locked_at": "2026-11-02T16:00:00Z",
    "unlocked_by": "",
    "unlocked_at": None,
    "unlock_reason": "",
    "version": 1,
}

CLOSING_DAY = {"id": 4, "date": "2026-12-24", "name": "Christmas Eve"}

BALANCE_CORRECTION = {
    "id": 640,
    "employee": 42,
    "leave_type": 3,
    "hours": "15.20",
    "effective": "2026-03-01",
    "year": 2026,
    "tranche": "2026",
    "expires_on": None,
    "note": "Two days agreed at hiring",
    "created_by": "hr@demo-bv.test",
    "created_at": "2026-03-01T10:12:00Z",
}

HOLIDAY_CERTIFICATE = {
    "id": 12,
    "employee": 42,
    "year": 2025,
    "days": "12.00",
    "employer": "Vorige BV",
    "created_at": "2026-02-03T09:00:00Z",
}
