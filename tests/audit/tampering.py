"""Play the attacker with database access: change or remove audit rows behind Kluis's back."""

from __future__ import annotations

from django.db import connection


def _drop_update_guard() -> None:
    # An attacker who owns the database can drop the trigger first; the chain must still tell.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP TRIGGER IF EXISTS audit_event_no_update ON audit_auditevent")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS audit_event_no_update")


def alter_event(event_id: int, action: str) -> None:
    _drop_update_guard()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET action = %s WHERE id = %s", [action, event_id])


def remove_event(event_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [event_id])
