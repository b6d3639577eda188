"""The app client's (allauth headless) second-factor endpoints with Kluis's counted forms.

allauth's headless inputs subclass allauth's own forms, not the ones MFA_FORMS names, so
a wrong TOTP code or a failed passkey sent to /auth/app/v1/auth/2fa/authenticate would
escape the brute-force count the browser's forms keep (kluis/identity/mfa.py). These
views are allauth's, given inputs built on Kluis's forms, and are routed ahead of
allauth's (kluis/urls.py): same paths, same answers, the same count as the browser.

The same holds for the app's password-reset request: allauth's input is its own reset
form, so without the view below a reset request from an app escaped the address count the
web's reset page keeps (kluis/identity/forms.py).
"""

from __future__ import annotations

from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.headless.account import inputs as account_inputs
from allauth.headless.account import views as account_views
from allauth.headless.base.views import APIView
from allauth.headless.constants import Client
from allauth.headless.internal.restkit import inputs
from allauth.headless.mfa import views
from django.http import HttpRequest, JsonResponse
from django.urls import URLPattern, path
from django.views.decorators.csrf import csrf_exempt

from kluis.identity import forms, mfa


class AuthenticateInput(mfa.AuthenticateForm, inputs.Input):
    pass


class ReauthenticateInput(mfa.ReauthenticateForm, inputs.Input):
    pass


class AuthenticateWebAuthnInput(mfa.AuthenticateWebAuthnForm, inputs.Input):
    pass


class ReauthenticateWebAuthnInput(mfa.ReauthenticateWebAuthnForm, inputs.Input):
    pass


class LoginWebAuthnInput(mfa.LoginWebAuthnForm, inputs.Input):
    pass


class RequestPasswordResetInput(forms.ResetPasswordForm, inputs.Input):
    pass


class RequestPasswordResetView(account_views.RequestPasswordResetView):
    input_class = RequestPasswordResetInput


class ChangePasswordInput(account_inputs.ChangePasswordInput):
    """The current password inside the brute-force count, as on the web."""

    def clean_current_password(self) -> str:
        password = str(self.cleaned_data.get("current_password") or "")
        if password and not mfa.current_password_matches(self.user, password):
            raise get_account_adapter().validation_error("enter_current_password")
        return password


class ChangePasswordView(account_views.ChangePasswordView):
    input_class = ChangePasswordInput


class AuthenticateView(views.AuthenticateView):
    input_class = AuthenticateInput


class ReauthenticateView(views.ReauthenticateView):
    input_class = ReauthenticateInput


class AuthenticateWebAuthnView(views.AuthenticateWebAuthnView):
    input_class = {"POST": AuthenticateWebAuthnInput}


class ReauthenticateWebAuthnView(views.ReauthenticateWebAuthnView):
    input_class = {"POST": ReauthenticateWebAuthnInput}


class LoginWebAuthnView(views.LoginWebAuthnView):
    input_class = {"POST": LoginWebAuthnInput}


def provider_token_not_offered(request: HttpRequest) -> JsonResponse:
    """allauth's `provider/token` (an app hands in an ID token it got from a provider on its
    own) is not offered: a company's single sign-on goes through the web's redirect flow,
    where Kluis checks the token strictly and counts failures (kluis/identity/sso/). An
    undocumented second way in, with allauth's own checks only, would be a way around
    them."""
    return JsonResponse(
        {
            "status": 404,
            "errors": [
                {
                    "message": "Not offered: sign in with your company's single sign-on on "
                    "the web.",
                    "code": "not_offered",
                }
            ],
        },
        status=404,
    )


def urlpatterns(client: Client = Client.APP) -> list[URLPattern]:
    """The counted endpoints, to be routed before allauth's headless URLs."""
    prefix = f"auth/{client.value}/v1/auth/"
    routes: dict[str, type[APIView]] = {
        "2fa/authenticate": AuthenticateView,
        "2fa/reauthenticate": ReauthenticateView,
        "webauthn/authenticate": AuthenticateWebAuthnView,
        "webauthn/reauthenticate": ReauthenticateWebAuthnView,
        "webauthn/login": LoginWebAuthnView,
        "password/request": RequestPasswordResetView,
    }
    patterns = [
        path(prefix + route, view.as_api_view(client=client)) for route, view in routes.items()
    ]
    change = f"auth/{client.value}/v1/account/password/change"
    return [
        *patterns,
        path(change, ChangePasswordView.as_api_view(client=client)),
        path(prefix + "provider/token", csrf_exempt(provider_token_not_offered)),
    ]
