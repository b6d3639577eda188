"""allauth glue: Kluis has no public sign-up; people are added by their company. Sign-in
attempts pass the brute-force protection (kluis/identity/brute_force.py) before allauth
checks the password."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.mfa.utils import is_mfa_enabled
from django import forms
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from kluis.identity import brute_force, passwords, responses, signins
from kluis.identity.sso.policy import password_refused
from kluis.operations.client_ip import client_ip


def _login(credentials: dict[str, Any]) -> str:
    return str(credentials.get("email") or credentials.get("username") or "")


class KluisAccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        login, ip = _login(credentials), client_ip(request.META)
        try:
            brute_force.check(login, ip)
        except brute_force.AddressThrottled as refused:
            raise ImmediateHttpResponse(responses.throttled(request, refused.wait)) from None
        except brute_force.AccountBlocked:
            # Still a failed attempt of this address (towards its throttle, after which
            # every attempt is a cheap 429). The same words whether the account exists.
            brute_force.failed_address(ip, login)
            raise forms.ValidationError(
                _(
                    "Too many failed sign-ins for this account from your network. Sign in "
                    "from another network, reset your password, or ask your administrator "
                    "to lift the block."
                )
            ) from None
        if password_refused(_login(credentials)):
            raise forms.ValidationError(
                _(
                    "Your company signs in through its single sign-on: enter your e-mail "
                    "address on the sign-in page and continue to your company's provider."
                )
            )
        try:
            super().pre_authenticate(request, **credentials)  # allauth's flood guard
        except forms.ValidationError:
            brute_force.failed_address(ip, login)  # refused, and still an attempt
            raise

    def authenticate(self, request: HttpRequest, **credentials: Any) -> AbstractBaseUser | None:
        user = super().authenticate(request, **credentials)
        if user is not None:
            passwords.remember_length(request, str(credentials.get("password") or ""))
        if user is not None and not is_mfa_enabled(user):
            # With a second factor the count starts again only once the code is right
            # (kluis/identity/mfa.py): a right password alone buys no more code guesses.
            brute_force.succeeded(_login(credentials), client_ip(request.META))
        return user

    def send_password_reset_mail(self, user: Any, email: str, context: dict[str, Any]) -> None:
        """Delivered by the worker, which makes the key (the one allauth made here is not
        used): a reset request takes as long for an address with an account as for one
        without, and the queue holds no key (kluis/identity/forms.py)."""
        from kluis.identity.forms import queue_reset_mail

        queue_reset_mail(getattr(self, "request", None) or context.get("request"), email, user)

    def authentication_failed(self, request: HttpRequest, **credentials: Any) -> None:
        login, ip = _login(credentials), client_ip(request.META)
        signins.failed(request, login)
        if brute_force.failed(login, ip) and ip:
            brute_force.tell_owner(
                login,
                ip,
                lambda token: request.build_absolute_uri(reverse("identity:unblock", args=[token])),
            )
