"""The audit log viewer and its exports. Thin: filter, page, render or stream."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render

from kluis.access.authorization import can
from kluis.access.decorators import member_required
from kluis.audit.exports import export_response
from kluis.audit.filters import AuditEventFilter
from kluis.audit.selectors import change_rows, event_in, shown_label
from kluis.audit.services import record_export

PAGE_SIZE = 50


@member_required("audit.view")
def event_list(request: HttpRequest) -> HttpResponse:
    event_filter = AuditEventFilter(request.GET or None, actor=request.actor)  # type: ignore[attr-defined]
    page = Paginator(event_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    events = list(page.object_list)
    for event in events:
        event.shown_repr = shown_label(request.actor, event)  # type: ignore[attr-defined]
    return render(
        request,
        "audit/event_list.html",
        {
            "filter": event_filter,
            "page": page,
            "events": events,
            "can_export": can(request.actor, "audit.export"),  # type: ignore[attr-defined]
        },
    )


@member_required()
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    # Look up first: another company's event is a 404 for everyone, with or without audit.view.
    event = event_in(request.actor, pk)  # type: ignore[attr-defined]
    if not can(request.actor, "audit.view"):  # type: ignore[attr-defined]
        raise PermissionDenied
    actor = request.actor  # type: ignore[attr-defined]
    return render(
        request,
        "audit/event_detail.html",
        {
            "event": event,
            "object_label": shown_label(actor, event),
            "rows": change_rows(actor, event),
        },
    )


def _export(request: HttpRequest, fmt: str) -> HttpResponse | StreamingHttpResponse:
    tenant = request.tenant  # type: ignore[attr-defined]
    event_filter = AuditEventFilter(request.GET or None, actor=request.actor)  # type: ignore[attr-defined]
    if event_filter.is_bound and not event_filter.is_valid():
        page = Paginator(event_filter.qs, PAGE_SIZE).get_page(1)
        return render(
            request,
            "audit/event_list.html",
            {"filter": event_filter, "page": page, "events": page.object_list},
            status=400,
        )
    record_export(request.actor, tenant, event_filter.applied(), export_format=fmt)  # type: ignore[attr-defined]
    return export_response(request.actor, tenant, event_filter.qs, fmt)  # type: ignore[attr-defined]


@member_required("audit.export")
def export_csv(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    return _export(request, "csv")


@member_required("audit.export")
def export_json(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    return _export(request, "json")
