"""The change feed: every field change since a moment, for people and for integrations
that sync (`?format=json`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.cache import never_cache

from kluis.access.decorators import member_required
from kluis.operations.instants import parse_instant
from kluis.people import selectors
from kluis.people.fields import EMPLOYEE_FIELDS, PROBATION_LABEL
from kluis.people.models import Employee
from kluis.people.views._common import _actor
from kluis.people.views.profile import display_value

FEED_LIMIT = 500
# What changed, in the reader's language, for the changes that are not a field of the file.
_OTHER_LABELS = {
    "employment": _lazy("Contract"),
    "probation_end_date": PROBATION_LABEL,
    "wage": _lazy("Wage"),
    "wage_component": _lazy("Wage component"),
    "custom_fields": _lazy("Custom fields"),
}


def field_label(field: str) -> str:
    """A changed field as people read it (the JSON keeps the field's name)."""
    spec = EMPLOYEE_FIELDS.get(field)
    label = spec.label if spec is not None else _OTHER_LABELS.get(field, field)
    return str(label)


def _readable(actor: Any, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The page's rows: each change with its field's label and its employee's name."""
    ids = {row["employee"] for row in rows}
    names = {
        e.pk: e.display_name
        for e in Employee.objects.for_actor(actor)
        .filter(pk__in=ids)
        .only("pk", "first_name", "last_name", "preferred_name")
    }
    return [
        {
            **row,
            "label": field_label(row["field"]),
            "name": names.get(row["employee"], ""),
            # As people read them (the JSON keeps the stored values).
            "old": None if row["old"] is None else display_value(row["field"], row["old"]),
            "new": None if row["new"] is None else display_value(row["field"], row["new"]),
        }
        for row in rows
    ]


def _since(raw: str) -> dt.datetime | None:
    if not raw:
        return timezone.now() - dt.timedelta(days=7)
    # A bare date is read as its midnight: parse_datetime takes "2026-03-01" too.
    return parse_instant(raw, naive_zone=dt.UTC)


@never_cache
@member_required("people.view")
def change_feed(request: HttpRequest) -> HttpResponse:
    """Every field change after `since` (ISO date or instant; default a week ago), oldest
    first, for people and integrations that sync. `?format=json` for machines."""
    actor = _actor(request)
    since = _since(request.GET.get("since", "").strip())
    wants_json = request.GET.get("format") == "json"
    if since is None:
        error = _("Give `since` as an ISO 8601 date or date and time.")
        if wants_json:
            return JsonResponse(
                {"title": "Invalid since", "status": 400, "detail": error},
                status=400,
                content_type="application/problem+json",
            )
        return render(request, "people/changes.html", {"error": error, "rows": []}, status=400)
    rows = selectors.changes_since(actor, since, limit=FEED_LIMIT)
    next_since = rows[-1]["changed_at"].isoformat() if len(rows) >= FEED_LIMIT else None
    if wants_json:
        body: dict[str, Any] = {
            "since": since.isoformat(),
            "next_since": next_since,
            "changes": [{**row, "changed_at": row["changed_at"].isoformat()} for row in rows],
        }
        return JsonResponse(body, json_dumps_params={"default": str})
    return render(
        request,
        "people/changes.html",
        {"rows": _readable(actor, rows), "since": since, "next_since": next_since},
    )
