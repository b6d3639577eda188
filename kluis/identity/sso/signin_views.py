"""Signing in through a company's provider: the e-mail-first step of the sign-in page
(home-realm discovery) and allauth's OpenID Connect login and callback views, served with
the strict adapter of oidc.py (their URLs shadow allauth's, kluis/identity/urls.py)."""

from __future__ import annotations

from typing import Any

from allauth.account.internal.decorators import login_not_required
from allauth.account.utils import get_next_redirect_url
from allauth.account.views import LoginView
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.internal import statekit
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from kluis.identity.sso import matching
from kluis.identity.sso.domains import governs
from kluis.identity.sso.models import IdentityProvider
from kluis.identity.sso.oidc import KluisOIDCAdapter
from kluis.identity.sso.selectors import provider_for_email


class _Unbound(LoginView):
    """allauth's sign-in page shown, not submitted: its form is unbound (no errors)."""

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = super().get_form_kwargs()
        kwargs.pop("data", None)
        kwargs.pop("files", None)
        return kwargs


class PasswordStep(_Unbound):
    """The sign-in page's second step: the e-mail typed, and the password field."""

    login = ""

    def get_initial(self) -> dict[str, Any]:
        return {"login": self.login}

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.get(request, *args, **kwargs)  # nothing is submitted to check yet

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)
        context["password_step"] = True
        return context


class EmailStep(_Unbound):
    """The first step shown again with a message (an address that is not one)."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)
        context["email_error"] = True
        return context


def _shown(step: type[_Unbound], request: HttpRequest, **initkwargs: Any) -> HttpResponse:
    """A step of allauth's sign-in page, shown as for a GET: it spends none of the
    address's allauth sign-in limit (30 a minute), which posting the password spends."""
    request.method = "GET"
    response: HttpResponse = step.as_view(**initkwargs)(request)
    return response


@login_not_required
@require_POST
def continue_sign_in(request: HttpRequest) -> HttpResponse:
    """Route an e-mail address to its company's provider, or on to the password step.
    Works without JavaScript: a plain form posts here."""
    email = str(request.POST.get("login", "")).strip()
    try:
        validate_email(email)
    except ValidationError:
        return _shown(EmailStep, request)
    provider = provider_for_email(email)
    if provider is not None and not governs(provider, email):
        provider = None  # someone of another company: their own password step
    if provider is None or request.POST.get("use_password"):
        return _shown(PasswordStep, request, login=email)
    refused = matching.guard(request, email)
    if refused is not None:
        return refused
    return start(request, provider, email)


def start(request: HttpRequest, provider: IdentityProvider, email: str) -> HttpResponse:
    """Send the browser to the company's provider to sign in as `email`."""
    oidc = get_adapter(request).get_provider(request, provider.provider_id)
    response: HttpResponse = oidc.redirect(
        request, "login", next_url=get_next_redirect_url(request), login=email
    )
    if response.status_code != 302:
        return response  # allauth's error page
    # Not a redirect: the sign-in page's CSP (form-action 'self') would stop a form post
    # redirected to another origin. A page that moves on by itself (the Refresh header,
    # no JavaScript), with a link.
    page = render(
        request,
        "account/sso_redirect.html",
        {"provider_url": response["Location"], "company": provider.tenant.name},
    )
    page["Refresh"] = f"0;url={response['Location']}"
    return page


@login_not_required
def oidc_login(request: HttpRequest, provider_id: str) -> HttpResponse:
    try:
        view = OAuth2LoginView.adapter_view(KluisOIDCAdapter(request, provider_id))
        response: HttpResponse = view(request)
    except SocialApp.DoesNotExist:
        raise Http404 from None
    return response


@login_not_required
def oidc_callback(request: HttpRequest, provider_id: str) -> HttpResponse:
    """The provider's redirect back: refused before anything is fetched when the address
    (or the account the sign-in started for) is blocked or throttled."""
    state = statekit.get_states(request).get(str(request.GET.get("state", "")))
    login = str(state[0].get("login") or "") if state else ""
    refused = matching.guard(request, login)
    if refused is not None:
        return refused
    try:
        view = OAuth2CallbackView.adapter_view(KluisOIDCAdapter(request, provider_id))
        response: HttpResponse = view(request)
    except SocialApp.DoesNotExist:
        raise Http404 from None
    return response
