"""The sign-in form in the page's words (ACCOUNT_FORMS["login"]), and password reset
(allauth's form, ACCOUNT_FORMS["reset_password"]) under the address throttle of
kluis/identity/brute_force.py.

The rule: every reset request (a well-formed address, whether it has an account or not)
counts as one failed attempt of the address it came from. So an address that sends 100
reset requests (or sign-in failures, or unknown invitation links, together) within 24 hours
gets HTTP 429 for the next one, one attempt per 14.4 minutes after that, exactly as for
failed sign-ins (settings.SIGNIN_ADDRESS_LIMIT). allauth's own flood guard (20 a minute
per address, 5 a minute per e-mail address) stays in front. The answer is the same page
whether the address has an account or not; only an account gets mail
(ACCOUNT_PREVENT_ENUMERATION, ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS=False).
"""

from __future__ import annotations

from typing import Any

from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import ResetPasswordForm as AllauthResetPasswordForm
from allauth.core import context
from allauth.core.exceptions import ImmediateHttpResponse
from django.utils.translation import gettext_lazy as _

from kluis.identity import brute_force, responses
from kluis.operations.client_ip import client_ip


class LoginForm(AllauthLoginForm):
    """allauth's sign-in form in the words of the page around it: "E-mail address" as on
    the e-mail step, and no second "Forgot your password?" (the page has the link)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["login"].label = _("E-mail address")
        self.fields["login"].widget.attrs["placeholder"] = _("E-mail address")
        self.fields["password"].help_text = ""


class ResetPasswordForm(AllauthResetPasswordForm):
    def clean_email(self) -> str:
        request = context.request
        ip = client_ip(request.META) if request is not None else None
        try:
            brute_force.check_address(ip)
        except brute_force.AddressThrottled as refused:
            assert request is not None  # no address without a request
            raise ImmediateHttpResponse(responses.throttled(request, refused.wait)) from None
        email = super().clean_email()
        brute_force.failed_address(ip, email)
        return email
