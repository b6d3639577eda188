"""The owner's single sign-on page (/settings/sso/). Thin: the services authorise,
validate, write and audit."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kluis.access.confirm import confirm_first
from kluis.access.decorators import member_required
from kluis.access.forms import add_service_errors, service_error_text
from kluis.identity.sso.forms import SsoForm
from kluis.identity.sso.models import IdentityProvider
from kluis.identity.sso.services import PERMISSION, SsoSettings, configure_sso, remove_sso
from kluis.identity.stepup import require_recent_factor


def _provider(request: HttpRequest) -> IdentityProvider | None:
    found: IdentityProvider | None = IdentityProvider.objects.for_actor(request.actor).first()  # type: ignore[attr-defined]
    return found


@member_required(PERMISSION)
@require_http_methods(["GET", "POST"])
@require_recent_factor
def sso_settings(request: HttpRequest) -> HttpResponse:
    provider = _provider(request)
    if request.method == "POST":
        form = SsoForm(request.POST, provider=provider)
        if form.is_valid():
            data = SsoSettings(**form.cleaned_data)
            try:
                configure_sso(request.actor, request.actor.tenant, data)  # type: ignore[attr-defined]
            except (ValidationError, PermissionDenied) as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Single sign-on is saved."))
                return redirect("identity_sso:settings")
    else:
        form = SsoForm(provider=provider)
    redirect_uri = (
        request.build_absolute_uri(
            reverse("openid_connect_callback", kwargs={"provider_id": provider.provider_id})
        )
        if provider is not None
        else None
    )
    return render(
        request,
        "identity/sso_settings.html",
        {"form": form, "provider": provider, "redirect_uri": redirect_uri},
    )


@member_required(PERMISSION)
@require_POST
@require_recent_factor
def sso_remove(request: HttpRequest) -> HttpResponse:
    page = confirm_first(
        request,
        title=_("Remove single sign-on?"),
        message=_(
            "Nobody can sign in through your identity provider any more; people without a "
            "Kluis password have to set one first."
        ),
        button=_("Remove single sign-on"),
        cancel=reverse("identity_sso:settings"),
    )
    if page is not None:
        return page
    try:
        remove_sso(request.actor, request.actor.tenant)  # type: ignore[attr-defined]
    except PermissionDenied as error:
        messages.error(request, service_error_text(error))
    else:
        messages.success(request, _("Single sign-on is removed."))
    return redirect("identity_sso:settings")
