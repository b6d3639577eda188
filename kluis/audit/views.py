from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kluis.audit.models import AuditEvent
from kluis.web.decorators import member_required


@member_required("audit.view")
def event_list(request: HttpRequest) -> HttpResponse:
    events = AuditEvent.objects.filter(tenant=request.tenant)[:100]  # type: ignore[attr-defined]
    return render(request, "audit/event_list.html", {"events": events})
