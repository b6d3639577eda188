from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from kluis.operations import outbox as outbox_backend
from kluis.operations.health import readiness
from kluis.operations.models import OutboxMessage


@require_GET
@never_cache
def live(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@require_GET
@never_cache
def ready(request: HttpRequest) -> JsonResponse:
    ok, checks = readiness()
    failing = [name for name, result in checks.items() if not result["ok"]]
    body = {"status": "ok" if ok else "unavailable", "failing": failing, "checks": checks}
    return JsonResponse(body, status=200 if ok else 503)


@require_GET
@never_cache
@login_required
def outbox(request: HttpRequest) -> HttpResponse:
    """The development outbox: the newest e-mails Kluis sent, for anyone signed in, and
    only while the outbox mail backend is on (never in production). Otherwise 404."""
    if not outbox_backend.enabled():
        raise Http404("The outbox is off")
    messages = OutboxMessage.objects.order_by("-sent_at", "-pk")[:100]
    return render(request, "operations/outbox.html", {"outbox": messages})
