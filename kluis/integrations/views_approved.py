"""The requester's one look at the secret of an API credential made after a second
person approved it (the two-person rule, kluis/integrations/approval_actions.py)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from kluis.access.decorators import member_required
from kluis.identity.stepup import require_recent_factor
from kluis.integrations import approval_actions


@never_cache
@require_http_methods(["GET", "POST"])
@member_required("integrations.manage")
@require_recent_factor
def credential_secret(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the page with a button; POST: the secret, shown once, then erased. Anyone but
    the requester is sent to the request's page (the approver never sees the secret)."""
    actor = request.actor  # type: ignore[attr-defined]
    held = approval_actions.approved_request(actor, pk)
    if actor.user_id != held.requested_by_user_id:
        messages.info(request, _("Only the person who asked for this credential sees its secret."))
        return HttpResponseRedirect(f"/approvals/{held.pk}/")
    waiting = approval_actions.waiting_secret(actor, held)
    if request.method == "POST" and waiting:
        secret = approval_actions.take_secret(actor, held)
        return render(
            request, "integrations/credential_secret.html", {"held": held, "secret": secret}
        )
    return render(
        request,
        "integrations/credential_secret.html",
        {"held": held, "waiting": waiting},
        status=410 if request.method == "POST" else 200,
    )
