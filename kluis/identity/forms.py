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

It also takes the same time either way. The reset mail is handed to the worker
(`deliver_reset_mail`), never sent from the request (an SMTP conversation took hundreds of
milliseconds, the development outbox about twenty, for an address with an account only: a
timing oracle of who has one); for an address without an account the request queues the
same task for no one. The queue holds no key: the worker makes it when it sends, so the
task table (and its backups) never holds a link that opens an account.
"""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import get_adapter
from allauth.account.forms import ChangePasswordForm as AllauthChangePasswordForm
from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import ResetPasswordForm as AllauthResetPasswordForm
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from allauth.core import context
from allauth.core.context import request_context
from allauth.core.exceptions import ImmediateHttpResponse
from django.http import HttpRequest
from django.tasks import task
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from kluis.identity import brute_force, responses
from kluis.identity.models import User
from kluis.operations.client_ip import client_ip


class LoginForm(AllauthLoginForm):
    """allauth's sign-in form in the words of the page around it: "E-mail address" as on
    the e-mail step, and no second "Forgot your password?" (the page has the link)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["login"].label = _("E-mail address")
        self.fields["login"].widget.attrs["placeholder"] = _("E-mail address")
        self.fields["password"].help_text = ""


class ChangePasswordForm(AllauthChangePasswordForm):
    """allauth's, with the current password checked inside the brute-force count
    (kluis.identity.mfa.current_password_matches)."""

    def clean_oldpassword(self) -> str:
        from kluis.identity.mfa import current_password_matches

        password = str(self.cleaned_data.get("oldpassword", ""))
        if not current_password_matches(self.user, password):
            raise get_adapter().validation_error("enter_current_password")
        return password


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

    def save(self, request: HttpRequest, **kwargs: Any) -> str:
        email: str = super().save(request, **kwargs)
        if not self.users:  # the same work as for an account (see the module's docstring)
            # allauth reads a found account's addresses twice (is the address verified,
            # which are the account's): the same two reads, of no account.
            EmailAddress.objects.filter(email=email.lower(), verified=True).exists()
            list(EmailAddress.objects.filter(user_id=0).values_list("email", flat=True))
            queue_reset_mail(request, email, None)
        return email


RESET_TEMPLATE = "account/email/password_reset_key"
# Stands for "<uid>-<token>" in the link made in the request; the worker puts the key in.
KEY_PLACEHOLDER = "0-kluisresetkey"


def queue_reset_mail(request: HttpRequest | None, email: str, user: User | None) -> None:
    """Queue the reset mail of `user` (None: an address without an account: queued to no
    one, the same work). The link is made here (the request's address, or the app's page
    for a reset), the key by the worker when it sends: nothing in the queue opens an
    account, and the request does the same whether the address has an account or not."""
    link = get_adapter().get_reset_password_from_key_url(KEY_PLACEHOLDER)
    host = request.get_host() if request is not None else ""
    deliver_reset_mail.enqueue(
        user.pk if user is not None else None, email, link, translation.get_language(), host
    )


@task()
def deliver_reset_mail(
    user_id: int | None, email: str, link: str, language: str | None, host: str
) -> int:
    """Make the key and send the reset mail (none for an address without an account, or an
    account closed since): rendered in the language and for the address of the request."""
    user = User.objects.filter(pk=user_id, is_active=True).first() if user_id else None
    if user is None:
        return 0
    uid = user_pk_to_url_str(user)
    temp_key = default_token_generator.make_token(user)
    context = {
        "user": user,
        "password_reset_url": link.replace(KEY_PLACEHOLDER, f"{uid}-{temp_key}"),
        "uid": uid,
        "key": temp_key,
    }
    holder = HttpRequest()  # allauth names the site by the request's host
    holder.META = {"HTTP_HOST": host, "SERVER_NAME": host, "SERVER_PORT": "443"}
    with request_context(holder), translation.override(language):
        get_adapter().send_mail(RESET_TEMPLATE, email, context)
    return 1
