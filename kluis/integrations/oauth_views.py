"""Connecting third-party apps (OAuth 2.0 authorization code + PKCE): the consent screen
and the company's "Connected apps" page; the token and revocation endpoints, rate
limited."""

from __future__ import annotations

import json
import logging
import math
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from oauth2_provider import views as oauth
from oauth2_provider.views import AuthorizationView

from kluis.access.confirm import confirm_first
from kluis.access.decorators import member_required
from kluis.access.forms import service_error_text
from kluis.api.exceptions import problem_response
from kluis.api.throttling import (
    ApiIpThrottle,
    OAuthClientThrottle,
    presented_client_id,
    rate_limit_headers,
)
from kluis.identity.stepup import require_recent_factor
from kluis.integrations.forms import SCOPE_LABELS
from kluis.integrations.models import OAuthConnection
from kluis.integrations.oauth import KluisOAuthLibCore
from kluis.integrations.services import connect_app, revoke_connection
from kluis.operations.client_ip import client_ip

logger = logging.getLogger("kluis.integrations.oauth")


@method_decorator(member_required("integrations.manage"), name="dispatch")
@method_decorator(require_recent_factor, name="dispatch")
class ConsentView(AuthorizationView):
    """DOT's authorization endpoint with our consent screen. Only a member who may manage
    integrations connects an app, for the company they are working in; connecting one
    gives it API credentials, so it asks for a recent factor (step-up)."""

    template_name = "integrations/oauth_consent.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = context.get("form")
        if "application" not in context and form is not None and form.is_bound:
            # A refused POST re-renders the screen: DOT only fills these in on the GET.
            from oauth2_provider.models import get_application_model

            context["application"] = (
                get_application_model().objects.filter(client_id=form.data.get("client_id")).first()
            )
            context["scopes"] = str(form.data.get("scope") or "").split()
        context["scope_words"] = [
            (scope, SCOPE_LABELS.get(scope, scope)) for scope in context.get("scopes", [])
        ]
        context["company"] = self.request.tenant
        return context

    def form_valid(self, form: Any) -> HttpResponse:
        if form.cleaned_data.get("allow"):
            from oauth2_provider.models import get_application_model

            application = get_application_model().objects.get(
                client_id=form.cleaned_data["client_id"]
            )
            try:
                connect_app(
                    self.request.actor,
                    self.request.tenant,
                    self.request.user,
                    application,
                    str(form.cleaned_data.get("scope") or "").split(),
                )
            except (ValidationError, PermissionDenied) as error:
                form.add_error(None, service_error_text(error))
                return self.form_invalid(form)
        response: HttpResponse = super().form_valid(form)
        return response


@member_required("integrations.manage")
def connected_apps(request: HttpRequest) -> HttpResponse:
    connections = (
        OAuthConnection.objects.for_actor(request.actor)  # type: ignore[attr-defined]
        .filter(revoked_at__isnull=True)
        .select_related("api_client", "application", "user")
        .order_by("-created_at")
    )
    return render(request, "integrations/connected_apps.html", {"connections": connections})


@require_POST
@member_required("integrations.manage")
def connected_app_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    connection = OAuthConnection.objects.select_related("api_client", "tenant").access_by_id(
        actor, pk, not_found="No such connected app"
    )
    page = confirm_first(
        request,
        title=_("Disconnect %(app)s?") % {"app": connection.api_client.name},
        message=_(
            "The app loses its access to Kluis at once; someone has to connect it again to use it."
        ),
        button=_("Disconnect"),
        cancel=reverse("integrations:connected_apps"),
    )
    if page is not None:
        return page
    try:
        revoke_connection(actor, connection)
    except PermissionDenied as error:
        messages.error(request, service_error_text(error))
    else:
        messages.success(
            request, _("%(app)s was disconnected.") % {"app": connection.api_client.name}
        )
    return redirect("integrations:connected_apps")


class RateLimited:
    """The token and revocation endpoints, counted before anything is
    checked (guessing secrets is limited too): against the client IP's API limit, which
    the API's requests count against as well, and per presented client id. Over either,
    a 429 problem with Retry-After; every answer carries the RateLimit-* headers."""

    @method_decorator(csrf_exempt)
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        for throttle in (ApiIpThrottle(), OAuthClientThrottle()):
            if not throttle.allow_request(request, None):  # type: ignore[arg-type]
                response = problem_response(
                    request,
                    429,
                    "Too many requests; retry after the number of seconds in Retry-After.",
                )
                response["Retry-After"] = str(max(1, math.ceil(throttle.wait() or 1)))
                break
        else:
            response = super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
        for header, value in rate_limit_headers(request).items():  # type: ignore[arg-type]
            response[header] = value
        return response


class TokenView(RateLimited, oauth.TokenView):
    """Issuing and refreshing tokens: each token is audited by the validator, in the
    transaction that stores it. A refused request is logged, never audited (no row per
    guess)."""

    oauthlib_backend_class = KluisOAuthLibCore

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response: HttpResponse = super().post(request, *args, **kwargs)
        if response.status_code >= 400:
            _log_refusal(request, response)
        return response


class RevokeTokenView(RateLimited, oauth.RevokeTokenView):
    """Revoking a token: audited by the validator when a token was revoked."""

    oauthlib_backend_class = KluisOAuthLibCore

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response: HttpResponse = super().post(request, *args, **kwargs)
        if response.status_code >= 400:
            _log_refusal(request, response)
        return response


def _log_refusal(request: HttpRequest, response: HttpResponse) -> None:
    """The OAuth error code and where it came from; never the request's body (it holds the
    secret, the code or the token)."""
    try:
        error = str(json.loads(response.content or b"{}").get("error", ""))[:60]
    except (ValueError, AttributeError):
        error = ""
    logger.warning(
        "oauth %s refused: status=%s error=%s client_id=%r ip=%s",
        request.path,
        response.status_code,
        error or "-",
        presented_client_id(request)[:100],
        client_ip(request.META),
    )
