"""The owner's Sandboxes page (/settings/sandboxes/): list, make, delete now. Anyone but
an owner of a company that may have sandboxes gets a 404."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kluis.access.actor import Actor
from kluis.access.confirm import confirm_first
from kluis.access.decorators import member_required
from kluis.sandbox import selectors, services
from kluis.sandbox.models import Sandbox
from kluis.tenancy import rls


def _owner(request: HttpRequest) -> Actor:
    actor: Actor = request.actor  # type: ignore[attr-defined]
    tenant = actor.tenant
    if tenant is None or not services.sandbox_allowed(tenant) or not services.is_owner(actor):
        raise Http404
    if selectors.is_sandbox(tenant):
        raise Http404
    return actor


def _messages_of(error: ValidationError | PermissionDenied) -> list[str]:
    if isinstance(error, ValidationError):
        return list(error.messages)
    return [str(error)]


@member_required()
def sandboxes(request: HttpRequest) -> HttpResponse:
    actor = _owner(request)
    assert actor.tenant is not None
    errors: list[str] = []
    lifetime = request.POST.get("lifetime_days", "") or str(settings.SANDBOX_DEFAULT_DAYS)
    if request.method == "POST":
        try:
            made = services.create_sandbox(actor, actor.tenant, lifetime_days=lifetime)
        except (ValidationError, PermissionDenied) as error:
            errors = _messages_of(error)
        else:
            if made.status == Sandbox.Status.READY:
                messages.success(request, _("The sandbox is ready: switch to it below."))
            else:
                messages.success(
                    request, _("The sandbox is being prepared; this page shows when it is ready.")
                )
            return redirect("sandbox:sandboxes")
    with rls.unnarrowed():
        rows = list(selectors.sandboxes_of(actor.tenant))
    mine = {m.tenant_id for m in getattr(request, "memberships", [])}
    return render(
        request,
        "sandbox/sandboxes.html",
        {
            "sandboxes": rows,
            "mine": mine,
            "errors": errors,
            "lifetime_days": lifetime,
            "max_days": settings.SANDBOX_MAX_DAYS,
            "max_per_company": settings.SANDBOX_MAX_PER_COMPANY,
            "can_create": len(rows) < settings.SANDBOX_MAX_PER_COMPANY,
        },
        status=400 if errors else 200,
    )


@require_POST
@member_required()
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _owner(request)
    assert actor.tenant is not None
    with rls.unnarrowed():
        sandbox = get_object_or_404(selectors.sandboxes_of(actor.tenant), pk=pk)
    page = confirm_first(
        request,
        title=_("Delete the sandbox %(name)s now?") % {"name": sandbox.company.name},
        message=_("The sandbox and all its data are deleted at once. This cannot be undone."),
        button=_("Delete sandbox"),
        cancel=reverse("sandbox:sandboxes"),
    )
    if page is not None:
        return page
    services.delete_sandbox(actor, sandbox)
    messages.success(request, _("The sandbox and all its data were deleted."))
    return redirect("sandbox:sandboxes")
