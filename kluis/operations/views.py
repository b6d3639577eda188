from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from kluis.operations.health import readiness


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
