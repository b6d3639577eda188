"""How the audit log names a leave request or an absence today (kluis.audit.subjects):
"Legal holiday of Lotte Maes, 14 December 2026 - 18 December 2026", "of Emma Claes, from
5 December 2026", in the reader's language. The stored label ("1 2026-12-14..2026-12-18")
is plain text kept for the chain; it shows only for a row that is gone."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from kluis.access.actor import Actor
from kluis.formats import day_text
from kluis.timeoff.models import Absence, LeaveRequest


def _days(start: dt.date, end: dt.date | None) -> str:
    if end is None:
        return _("from %(start)s") % {"start": day_text(start)}
    if end == start:
        return day_text(start)
    between = _("%(start)s – %(end)s")  # noqa: RUF001 (an en dash between two days)
    return between % {"start": day_text(start), "end": day_text(end)}


def _ids(object_ids: list[str]) -> list[int]:
    return [int(i) for i in object_ids if i.isdigit()]


def leave_request_labels(actor: Actor, object_ids: list[str]) -> dict[str, str]:
    rows = (
        LeaveRequest.objects.for_actor(actor)
        .filter(pk__in=_ids(object_ids))
        .select_related("leave_type", "employee")
        .only(
            "start_date",
            "end_date",
            "leave_type__name",
            "employee__first_name",
            "employee__preferred_name",
            "employee__last_name",
        )
    )
    return {
        str(row.pk): _("%(type)s of %(person)s, %(days)s")
        % {
            "type": row.leave_type.name,
            "person": row.employee.display_name,
            "days": _days(row.start_date, row.end_date),
        }
        for row in rows
    }


def absence_labels(actor: Actor, object_ids: list[str]) -> dict[str, str]:
    rows = (
        Absence.objects.for_actor(actor)
        .filter(pk__in=_ids(object_ids))
        .select_related("employee")
        .only(
            "start_date",
            "end_date",
            "employee__first_name",
            "employee__preferred_name",
            "employee__last_name",
        )
    )
    return {
        str(row.pk): _("of %(person)s, %(days)s")
        % {"person": row.employee.display_name, "days": _days(row.start_date, row.end_date)}
        for row in rows
    }
