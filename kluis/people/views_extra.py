"""Employee photos (served only through a permission check) and the change feed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from kluis.access.actor import Actor
from kluis.operations.instants import parse_instant
from kluis.people import photos, selectors
from kluis.web.decorators import member_required

FEED_LIMIT = 500


def _actor(request: HttpRequest) -> Actor:
    return request.actor  # type: ignore[attr-defined]


@member_required("people.view")
def employee_photo(request: HttpRequest, pk: int) -> FileResponse:
    employee = selectors.employee_for(_actor(request), pk)
    if not employee.photo:
        raise Http404("No photo")
    response = FileResponse(employee.photo.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=300"
    response["Content-Disposition"] = "inline"
    return response


@require_POST
@member_required("people.view")
def employee_photo_upload(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    employee = selectors.employee_for(actor, pk)
    upload = request.FILES.get("photo")
    remove = request.POST.get("remove") == "1"
    if upload is None and not remove:
        messages.error(request, _("Choose a photo to upload."))
    else:
        try:
            photos.set_photo(actor, employee, None if remove else upload)
        except PermissionDenied:
            raise
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, _("The photo was saved.") if not remove else _("The photo was removed.")
            )
    back = request.POST.get("next", "")
    if back == "me":
        return redirect("people:my_profile")
    return redirect("people:detail", pk=employee.pk)


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
        request, "people/changes.html", {"rows": rows, "since": since, "next_since": next_since}
    )
