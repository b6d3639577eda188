"""The audit log viewer and its exports. Thin: filter, page, render or stream. Who reads
which events is kluis.audit.policy's rule; what they see of each, kluis.access.visibility's."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render

from kluis.access.authorization import can
from kluis.access.decorators import member_required
from kluis.audit import policy
from kluis.audit.exports import export_response
from kluis.audit.filters import AuditEventFilter
from kluis.audit.selectors import change_rows, described, event_in
from kluis.audit.services import record_export

PAGE_SIZE = 50


def _refuse_unless_reader(request: HttpRequest) -> None:
    if not policy.may_open(request.actor):  # type: ignore[attr-defined]
        raise PermissionDenied


@member_required()
def event_list(request: HttpRequest) -> HttpResponse:
    _refuse_unless_reader(request)
    actor = request.actor  # type: ignore[attr-defined]
    event_filter = AuditEventFilter(request.GET or None, actor=actor)
    page = Paginator(event_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "audit/event_list.html",
        {
            "filter": event_filter,
            "page": page,
            "events": described(actor, list(page.object_list)),
            "can_export": can(actor, "audit.export"),
            "reads_everything": policy.reads_everything(actor),
        },
    )


@member_required()
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    # Look up first: another company's event is a 404 for everyone, with or without audit.view.
    event = event_in(request.actor, pk)  # type: ignore[attr-defined]
    _refuse_unless_reader(request)
    actor = request.actor  # type: ignore[attr-defined]
    described(actor, [event])
    return render(
        request,
        "audit/event_detail.html",
        {
            "event": event,
            "object_label": event.shown_repr,  # type: ignore[attr-defined]
            "rows": change_rows(actor, event),
        },
    )


def _export(request: HttpRequest, fmt: str) -> HttpResponse | StreamingHttpResponse:
    _refuse_unless_reader(request)
    tenant = request.tenant  # type: ignore[attr-defined]
    actor = request.actor  # type: ignore[attr-defined]
    event_filter = AuditEventFilter(request.GET or None, actor=actor)
    if event_filter.is_bound and not event_filter.is_valid():
        page = Paginator(event_filter.qs, PAGE_SIZE).get_page(1)
        return render(
            request,
            "audit/event_list.html",
            {"filter": event_filter, "page": page, "events": []},
            status=400,
        )
    record_export(actor, tenant, event_filter.applied(), export_format=fmt)
    return export_response(actor, tenant, event_filter.qs, fmt)


@member_required("audit.export")
def export_csv(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    return _export(request, "csv")


@member_required("audit.export")
def export_json(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    return _export(request, "json")
