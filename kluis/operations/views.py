from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from kluis.operations import outbox as outbox_backend
from kluis.operations.health import is_critical, readiness
from kluis.operations.models import OutboxMessage


@require_GET
@never_cache
def live(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@require_GET
@never_cache
def ready(request: HttpRequest) -> JsonResponse:
    """200 while every critical component is ok (status "degraded", naming the others under
    `degraded`, when a non-critical one such as the backups is not); 503 otherwise."""
    ok, checks = readiness()
    failing = [name for name, r in checks.items() if not r["ok"] and is_critical(name)]
    degraded = [name for name, r in checks.items() if not r["ok"] and not is_critical(name)]
    status = "unavailable" if not ok else "degraded" if degraded else "ok"
    body = {"status": status, "failing": failing, "degraded": degraded, "checks": checks}
    return JsonResponse(body, status=200 if ok else 503)


@require_GET
@never_cache
def outbox(request: HttpRequest) -> HttpResponse:
    """The development outbox: the newest e-mails Kluis sent, for the platform operator
    (the person running this Kluis; its mails hold everyone's password reset, invitation
    and unblock links, so a member of a company gets a 404 as for any operator page), and
    only while the outbox mail backend is on (never in production). Otherwise 404. The
    URL conf wraps it in `kluis.access.operators.operator_required` (this layer is below
    access and does not import it)."""
    if not outbox_backend.enabled():
        raise Http404("The outbox is off")
    messages = OutboxMessage.objects.order_by("-sent_at", "-pk")[:100]
    return render(request, "operations/outbox.html", {"outbox": messages})
