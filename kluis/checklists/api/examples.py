"""Example objects of the checklist resources, for the OpenAPI document and the event
catalogue."""

from __future__ import annotations

from typing import Any

TEMPLATE_TASK: dict[str, Any] = {
    "title": "Fill in your bank account",
    "description": "So your first wage reaches you.",
    "owner_role": "employee",
    "member": None,
    "due_offset_days": -5,
    "completion": "bank_account",
    "completion_path": "",
}
TEMPLATE: dict[str, Any] = {
    "id": 4,
    "kind": "onboarding",
    "name": "Onboarding (everyone)",
    "department": None,
    "contract_type": "",
    "is_active": True,
    "tasks": [TEMPLATE_TASK],
    "version": 1,
    "created_at": "2026-03-02T09:00:00Z",
    "updated_at": "2026-03-02T09:00:00Z",
}
CHECKLIST: dict[str, Any] = {
    "id": 12,
    "employee": 42,
    "template": 4,
    "kind": "onboarding",
    "name": "Onboarding (everyone)",
    "anchor_date": "2026-04-01",
    "status": "open",
    "started_by": "hr@demo-bv.test",
    "started_at": "2026-03-20T10:12:00Z",
    "completed_at": None,
    "version": 1,
}
TASK: dict[str, Any] = {
    "id": 88,
    "checklist": 12,
    "employee": 42,
    "position": 2,
    "title": "Fill in your bank account",
    "description": "So your first wage reaches you.",
    "owner_role": "employee",
    "assignee": 17,
    "due_date": "2026-03-27",
    "completion": "bank_account",
    "link": "/people/me/bank-account/",
    "done": False,
    "completed_at": None,
    "completed_by": "",
    "version": 1,
}
