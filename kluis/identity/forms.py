"""Password reset (allauth's form, ACCOUNT_FORMS["reset_password"]) under the address
throttle of kluis/identity/brute_force.py.

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

from allauth.account.forms import ResetPasswordForm as AllauthResetPasswordForm
from allauth.core import context
from allauth.core.exceptions import ImmediateHttpResponse

from kluis.identity import brute_force, responses
from kluis.operations.client_ip import client_ip


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
