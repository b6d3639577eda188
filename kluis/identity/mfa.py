"""allauth.mfa glue: wrong TOTP and recovery codes and failed passkeys count like wrong
passwords, and every factor added, removed or used is an audit event of each of the
user's companies.

A second-factor code is checked only after the brute-force protection
(kluis/identity/brute_force.py) let the attempt through: ten wrong codes for one account
from one address block that account from that address, exactly like ten wrong
passwords, and a blocked attempt is refused before the code is compared. The password
step does not start the count again for an account with a second factor (see
adapter.KluisAccountAdapter.authenticate), so re-entering the password between guesses
does not buy an attacker more guesses; only a complete sign-in does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from allauth.core import context
from allauth.core.internal.cryptokit import compare_user_code
from allauth.mfa.adapter import DefaultMFAAdapter, get_adapter
from allauth.mfa.base import forms as mfa_forms
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from allauth.mfa.utils import decrypt
from allauth.mfa.webauthn import forms as webauthn_forms
from django import forms
from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kluis.identity import brute_force, mfa_secrets, passwords
from kluis.identity.brute_force import audit_for_user
from kluis.identity.models import UsedTotpCode
from kluis.operations.client_ip import client_ip

# How an authenticator type is named in audit events.
FACTOR_NAMES = {
    Authenticator.Type.TOTP: "totp",
    Authenticator.Type.RECOVERY_CODES: "recovery_code",
    Authenticator.Type.WEBAUTHN: "passkey",
}
ADDED_EVENTS = {
    Authenticator.Type.TOTP: "mfa.totp_added",
    Authenticator.Type.RECOVERY_CODES: "mfa.recovery_codes_generated",
    Authenticator.Type.WEBAUTHN: "mfa.passkey_added",
}


class KluisMFAAdapter(DefaultMFAAdapter):
    def get_totp_issuer(self) -> str:
        return str(getattr(settings, "MFA_TOTP_ISSUER", "") or "Kluis")

    def encrypt(self, text: str) -> str:
        """TOTP secrets and recovery-code seeds are stored sealed (mfa_secrets.py)."""
        return mfa_secrets.seal(text)

    def decrypt(self, encrypted_text: str) -> str:
        return mfa_secrets.unseal(encrypted_text)


def blocked_message() -> str:
    return _(
        "Too many failed sign-ins for this account from your network. Sign in from "
        "another network, or ask your administrator to lift the block."
    )


def _ip() -> str | None:
    request = context.request
    return client_ip(request.META) if request is not None else None


def _counted[T](user: Any, method: str, clean: Callable[[], T]) -> T:
    """Run `clean` (which checks a factor of `user`) inside the brute-force protection:
    refused before the check when the account is blocked from this address, a failure
    counted (and the owner e-mailed with an unblock link when it blocks), a success
    starting the count again."""
    login, ip = str(user.email), _ip()
    try:
        brute_force.check(login, ip)
    except brute_force.SignInRefused:
        raise forms.ValidationError(blocked_message()) from None
    try:
        result = clean()
    except forms.ValidationError:
        _record(user, "signin.failed", {"ip": ip, "method": method})
        if brute_force.failed(login, ip) and ip and context.request is not None:
            request = context.request
            brute_force.tell_owner(
                login,
                ip,
                lambda token: request.build_absolute_uri(reverse("identity:unblock", args=[token])),
            )
        raise
    brute_force.succeeded(login, ip)
    return result


def _totp_step(authenticator: Authenticator, code: str) -> int | None:
    """The HOTP counter (30-second step) whose code `code` is, among those the
    authenticator accepts now; None when none is (allauth's test bypass code)."""
    secret = decrypt(authenticator.data["secret"])
    for counter in yield_hotp_counters_from_time():
        if compare_user_code(actual=code, expected=format_hotp_value(hotp_value(secret, counter))):
            return counter
    return None


def _use_once(user: Any, authenticator: Authenticator | None, code: str) -> None:
    """A TOTP code allauth just accepted is recorded as used in the database; a second
    use of it (from any process or node, at the same moment or later) is refused like a
    wrong code. allauth's own mark lives in the cache (see models.UsedTotpCode)."""
    if authenticator is None or authenticator.type != Authenticator.Type.TOTP:
        return
    step = _totp_step(authenticator, code)
    if step is None:
        return
    try:
        with transaction.atomic():
            UsedTotpCode.objects.create(user_id=user.pk, step=step, used_at=timezone.now())
    except IntegrityError:
        raise get_adapter().validation_error("incorrect_code") from None
    UsedTotpCode.objects.filter(user_id=user.pk, step__lt=step - 10).delete()


def current_password_matches(user: Any, password: str) -> bool:
    """The current password asked for when changing it (the web's form and the app's
    endpoint), inside the brute-force count like a sign-in: someone holding a session
    (an unlocked computer, a copied app token) cannot guess it without limit. A blocked
    or throttled attempt is refused before the hash is computed."""

    def clean() -> bool:
        if not user.check_password(password):
            raise forms.ValidationError("not the current password")  # never shown
        return True

    try:
        return _counted(user, "current password", clean)
    except forms.ValidationError:
        return False


class _CountedCodeMixin:
    """A code form whose failures count against the account from the address; a TOTP
    code is accepted once (a replay counts as a failure)."""

    user: Any
    authenticator: Authenticator

    def clean_code(self) -> str:
        def checked() -> str:
            code: str = super(_CountedCodeMixin, self).clean_code()  # type: ignore[misc]
            _use_once(self.user, getattr(self, "authenticator", None), code)
            return code

        return _counted(self.user, "second factor code", checked)


class AuthenticateForm(_CountedCodeMixin, mfa_forms.AuthenticateForm):
    """The second step of sign-in: a TOTP or recovery code."""


class ReauthenticateForm(_CountedCodeMixin, mfa_forms.ReauthenticateForm):
    """Re-authentication and step-up with a TOTP or recovery code."""


class _CountedPasskeyMixin:
    """A passkey used as second factor or to re-authenticate: a failed assertion (wrong
    signature, unknown credential, replayed challenge) counts like a wrong code."""

    user: Any

    def clean_credential(self) -> Authenticator:
        return _counted(self.user, "passkey", super().clean_credential)  # type: ignore[misc]


class AuthenticateWebAuthnForm(_CountedPasskeyMixin, webauthn_forms.AuthenticateWebAuthnForm):
    """The second step of sign-in with a passkey."""


class ReauthenticateWebAuthnForm(_CountedPasskeyMixin, webauthn_forms.ReauthenticateWebAuthnForm):
    """Re-authentication and step-up with a passkey."""


class LoginWebAuthnForm(webauthn_forms.LoginWebAuthnForm):
    """Passwordless sign-in with a passkey. Which account it names comes from the
    attacker-controlled assertion, so a failure counts against the address only (a
    spraying address is throttled; no account is blocked). A passkey cannot be guessed, so
    an account blocked from this address for wrong passwords may still sign in with one:
    that is the victim's way back in, not a way around the block."""

    def clean_credential(self) -> Authenticator:
        ip = _ip()
        try:
            brute_force.check_address(ip)
        except brute_force.SignInRefused:
            raise forms.ValidationError(blocked_message()) from None
        try:
            authenticator: Authenticator = super().clean_credential()
        except forms.ValidationError:
            brute_force.failed_address(ip)
            raise
        return authenticator


def _record(user: Any, action: str, changes: dict[str, object], request: Any = None) -> None:
    request = request if request is not None else context.request
    agent = str(request.META.get("HTTP_USER_AGENT", ""))[:200] if request is not None else ""
    with transaction.atomic():
        audit_for_user(str(user.email))(action, {**changes, "user_agent": agent})


def factor_added(sender: Any, request: Any = None, user: Any = None, **kwargs: Any) -> None:
    authenticator: Authenticator = kwargs["authenticator"]
    action = ADDED_EVENTS.get(authenticator.type, "mfa.added")
    _record(user, action, {"id": authenticator.pk}, request)


def factor_reset(sender: Any, request: Any = None, user: Any = None, **kwargs: Any) -> None:
    authenticator: Authenticator = kwargs["authenticator"]
    _record(user, "mfa.recovery_codes_generated", {"id": authenticator.pk}, request)


def factor_removed(sender: Any, request: Any = None, user: Any = None, **kwargs: Any) -> None:
    authenticator: Authenticator = kwargs["authenticator"]
    if user is None or getattr(user, "pk", None) != authenticator.user_id:
        user = authenticator.user
    _record(
        user,
        "mfa.removed",
        {"id": authenticator.pk, "factor": FACTOR_NAMES.get(authenticator.type, "")},
        request,
    )
    if (
        authenticator.type != Authenticator.Type.RECOVERY_CODES
        and request is not None
        and getattr(request, "user", None) == user
    ):
        passwords.warn_if_too_short(request, user)
