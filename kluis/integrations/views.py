"""The "API keys" page: create (the key is shown once), list and revoke."""

from __future__ import annotations

import datetime as dt
import secrets

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kluis.access.confirm import confirm_first
from kluis.access.decorators import member_required
from kluis.access.forms import add_service_errors, service_error_text
from kluis.identity.stepup import needs_step_up, step_up_redirect
from kluis.integrations.forms import ApiClientForm, ApiKeyForm
from kluis.integrations.selectors import (
    api_key_for,
    api_keys_for,
    basic_client_for,
    basic_clients_for,
)
from kluis.integrations.services import (
    create_api_client,
    create_api_key,
    revoke_api_client,
    revoke_api_key,
)

# A create form carries a one-time token: sending the same form again (the browser's
# reload or back button after a POST) must not make a second key or client, whose secret
# would be shown to whoever is at the screen while the first stays live unnoticed.
ONCE_SESSION_KEY = "kluis_create_once"
ONCE_KEPT = 20


def _issue_once(request: HttpRequest) -> str:
    token = secrets.token_urlsafe(16)
    outstanding = [t for t in request.session.get(ONCE_SESSION_KEY, []) if isinstance(t, str)]
    request.session[ONCE_SESSION_KEY] = [*outstanding, token][-ONCE_KEPT:]
    return token


def _use_once(request: HttpRequest) -> bool:
    """True the first time a form's token comes back; False when it was used (or never
    issued), after which the page says so instead of creating anything."""
    token = request.POST.get("once", "")
    outstanding = list(request.session.get(ONCE_SESSION_KEY, []))
    if not token or token not in outstanding:
        messages.warning(
            request,
            _(
                "That form was sent already, so nothing new was made. A key or secret is "
                "shown only once: if you did not copy it, revoke it and create a new one."
            ),
        )
        return False
    outstanding.remove(token)
    request.session[ONCE_SESSION_KEY] = outstanding
    return True


@member_required("integrations.manage")
def api_keys(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    if request.method == "POST" and needs_step_up(request):
        return step_up_redirect(request, reverse("integrations:api_keys"))
    if request.method == "POST" and not _use_once(request):
        return redirect("integrations:api_keys")
    form = ApiKeyForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        days = form.cleaned_data["expires_in_days"]
        try:
            _key, new_key = create_api_key(
                actor,
                request.tenant,  # type: ignore[attr-defined]
                form.cleaned_data["name"],
                form.cleaned_data["scopes"],
                expires_at=timezone.now() + dt.timedelta(days=days) if days else None,
            )
        except (ValidationError, PermissionDenied) as error:
            add_service_errors(form, error)
        else:
            form = ApiKeyForm()
    return _page(request, form=form, new_key=new_key)


def _page(request: HttpRequest, **context: object) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    context.setdefault("form", ApiKeyForm())
    context.setdefault("client_form", ApiClientForm())
    context["once"] = _issue_once(request)
    return render(
        request,
        "integrations/api_keys.html",
        {
            "keys": api_keys_for(actor),
            "clients": basic_clients_for(actor),
            "now": timezone.now(),
            **context,
        },
    )


@require_POST
@member_required("integrations.manage")
def api_client_create(request: HttpRequest) -> HttpResponse:
    """A client for HTTP Basic: its id and secret are shown once."""
    actor = request.actor  # type: ignore[attr-defined]
    if needs_step_up(request):
        return step_up_redirect(request, reverse("integrations:api_keys"))
    if not _use_once(request):
        return redirect("integrations:api_keys")
    form = ApiClientForm(request.POST)
    new_client = None
    if form.is_valid():
        try:
            client, secret = create_api_client(
                actor,
                request.tenant,  # type: ignore[attr-defined]
                form.cleaned_data["name"],
                form.cleaned_data["scopes"],
            )
        except (ValidationError, PermissionDenied) as error:
            add_service_errors(form, error)
        else:
            new_client = {"client_id": client.client_id, "secret": secret}
            form = ApiClientForm()
    return _page(request, client_form=form, new_client=new_client)


@require_POST
@member_required("integrations.manage")
def api_client_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    client = basic_client_for(actor, pk)
    page = confirm_first(
        request,
        title=_("Revoke the client %(id)s?") % {"id": client.client_id},
        message=_(
            "Apps using this client can no longer get tokens, and the tokens they have stop "
            "working. This cannot be undone."
        ),
        button=_("Revoke client"),
        cancel=reverse("integrations:api_keys"),
    )
    if page is not None:
        return page
    try:
        revoke_api_client(actor, client)
    except PermissionDenied as error:
        messages.error(request, service_error_text(error))
    else:
        messages.success(request, _("The client %(id)s was revoked.") % {"id": client.client_id})
    return redirect("integrations:api_keys")


@require_POST
@member_required("integrations.manage")
def api_key_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    key = api_key_for(actor, pk)
    page = confirm_first(
        request,
        title=_("Revoke the key %(prefix)s…?") % {"prefix": key.prefix},
        message=_(
            "Every program using this key is refused from now on. This cannot be undone: "
            "make a new key if one is needed again."
        ),
        button=_("Revoke key"),
        cancel=reverse("integrations:api_keys"),
    )
    if page is not None:
        return page
    try:
        revoke_api_key(actor, key)
    except PermissionDenied as error:
        messages.error(request, service_error_text(error))
    else:
        messages.success(request, _("The key %(prefix)s… was revoked.") % {"prefix": key.prefix})
    return redirect("integrations:api_keys")
