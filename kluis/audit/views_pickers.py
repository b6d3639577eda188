"""The search behind the audit log's person and actor pickers (kluis/audit/pickers.py):
the reader's company's employees whose name matches, as buttons htmx swaps under the
search box, and the picker again with one of them chosen. For whoever may open the log
(kluis.audit.policy), with or without `people.view`: the log shows these names already.
Names and ids only, of the reader's own company."""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from kluis.access.actor import Actor
from kluis.access.decorators import member_required
from kluis.audit import policy, subjects
from kluis.audit.pickers import MAX_MATCHES, PersonPickerWidget

FIELDS = ("person", "actor")
BOX = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,60}$")


def _reader(request: HttpRequest) -> tuple[Actor, str, str]:
    actor: Actor = request.actor  # type: ignore[attr-defined]
    if not policy.may_open(actor):
        raise PermissionDenied
    field, box = request.GET.get("field", ""), request.GET.get("box", "")
    if field not in FIELDS or not BOX.match(box):
        raise Http404("No such field")
    return actor, field, box


@never_cache
@member_required()
def person_search(request: HttpRequest) -> HttpResponse:
    actor, field, box = _reader(request)
    text = request.GET.get(f"{field}_q", "")[:100]
    found = subjects.search_people(actor, text, MAX_MATCHES + 1)
    return render(
        request,
        "audit/widgets/person_options.html",
        {
            "field": field,
            "box": box,
            "text": text.strip(),
            "matches": found[:MAX_MATCHES],
            "more": len(found) > MAX_MATCHES,
        },
    )


@never_cache
@member_required()
def person_pick(request: HttpRequest) -> HttpResponse:
    actor, field, box = _reader(request)
    raw = request.GET.get("id", "")
    pk = int(raw) if raw.isdigit() and len(raw) <= 18 else 0
    if pk not in subjects.labels_of(actor, [pk]):
        raise Http404("No such employee")
    widget = PersonPickerWidget()
    widget.search_url = reverse("audit:person_search")
    widget.labeler = lambda ids: subjects.labels_of(actor, ids)
    return HttpResponse(
        widget.render(field, {"id": str(pk), "q": ""}, attrs={"id": box, "autofocus": True})
    )
