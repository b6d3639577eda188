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

It also takes the same time either way. The reset mail is rendered in the request and
handed to the worker (`deliver_reset_mail`), never sent from the request (an SMTP
conversation took hundreds of milliseconds, the development outbox about twenty, for an
address with an account only: a timing oracle of who has one); for an address without
an account the request renders the same mail for no one and queues it to no one.
"""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import get_adapter
from allauth.account.forms import ChangePasswordForm as AllauthChangePasswordForm
from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import ResetPasswordForm as AllauthResetPasswordForm
from allauth.account.models import EmailAddress
from allauth.core import context
from allauth.core.exceptions import ImmediateHttpResponse
from django.contrib.auth.tokens import default_token_generator
from django.contrib.sites.shortcuts import get_current_site
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.http import HttpRequest
from django.tasks import task
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
            stranger = User(email=email)  # never saved
            key = f"0-{default_token_generator.make_token(stranger)}"
            context = {
                "user": stranger,
                "password_reset_url": get_adapter().get_reset_password_from_key_url(key),
                "uid": "0",
                "key": key,
                "request": request,
            }
            queue_reset_mail(request, email, context, to_nobody=True)
        return email


RESET_TEMPLATE = "account/email/password_reset_key"


def queue_reset_mail(
    request: HttpRequest | None, email: str, context: dict[str, Any], *, to_nobody: bool = False
) -> None:
    """Render the reset mail now (the request's language and address) and queue its
    delivery; `to_nobody`: rendered for the same cost, delivered to no one."""
    adapter = get_adapter()
    full = {"request": request, "email": email, "current_site": get_current_site(request)}
    full.update(context)
    message = adapter.render_mail(RESET_TEMPLATE, email, full)
    deliver_reset_mail.enqueue(
        str(message.subject),
        str(message.body),
        str(message.content_subtype),
        str(message.from_email),
        [] if to_nobody else list(message.to),
        [[str(content), str(kind)] for content, kind in _alternatives(message)],
    )


def _alternatives(message: EmailMessage) -> list[tuple[Any, Any]]:
    return list(getattr(message, "alternatives", None) or [])


@task()
def deliver_reset_mail(
    subject: str,
    body: str,
    subtype: str,
    from_email: str,
    to: list[str],
    alternatives: list[list[str]],
) -> int:
    """Send a rendered password-reset mail (none for an address without an account)."""
    if not to:
        return 0
    message = EmailMultiAlternatives(subject, body, from_email, to)
    message.content_subtype = subtype
    for content, kind in alternatives:
        message.attach_alternative(content, kind)
    return message.send()
