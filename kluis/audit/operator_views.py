"""The operator's home page: their pages and the newest entries of the operators' log."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from kluis.access.operators import operator_required
from kluis.audit.models import OperatorEvent


@require_GET
@operator_required
def operator_home(request: HttpRequest) -> HttpResponse:
    events = OperatorEvent.objects.order_by("-sequence")[:50]
    return render(request, "operations/operator_home.html", {"events": events})
