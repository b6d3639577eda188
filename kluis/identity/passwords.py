"""Password rules per NIST SP 800-63B-4 and OWASP ASVS 5: length is what counts.

At least 15 characters for an account without a second factor, at least 8 for one with a
second factor, at most 128 (so passphrases of 64 and more fit); no composition rules, no
rotation. The shipped common-password list (CommonPasswordValidator) and similarity to
the account's own data are checked by the other validators in AUTH_PASSWORD_VALIDATORS.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

WITHOUT_SECOND_FACTOR = 15
WITH_SECOND_FACTOR = 8
MAXIMUM = 128


def has_second_factor(user: Any) -> bool:
    """True when the account has a second factor (TOTP or a passkey; recovery codes alone
    are not one)."""
    if user is None or getattr(user, "pk", None) is None:
        return False
    from allauth.mfa.models import Authenticator

    return (
        Authenticator.objects.filter(user_id=user.pk)
        .exclude(type=Authenticator.Type.RECOVERY_CODES)
        .exists()
    )


def minimum_length(user: Any) -> int:
    return WITH_SECOND_FACTOR if has_second_factor(user) else WITHOUT_SECOND_FACTOR


class FactorAwareLengthValidator:
    """15 characters without a second factor, 8 with one, at most 128."""

    def validate(self, password: str, user: Any = None) -> None:
        minimum = minimum_length(user)
        if len(password) < minimum:
            raise ValidationError(
                ngettext(
                    "This password is too short. It must contain at least %(min_length)d "
                    "character.",
                    "This password is too short. It must contain at least %(min_length)d "
                    "characters.",
                    minimum,
                )
                % {"min_length": minimum},
                code="password_too_short",
                params={"min_length": minimum},
            )
        if len(password) > MAXIMUM:
            raise ValidationError(
                _("This password is too long. It may contain at most %(max_length)d characters.")
                % {"max_length": MAXIMUM},
                code="password_too_long",
                params={"max_length": MAXIMUM},
            )

    def get_help_text(self) -> str:
        return _(
            "Your password must contain at least %(without)d characters, or %(with)d when "
            "your account has two-factor authentication. Long passphrases are welcome."
        ) % {"without": WITHOUT_SECOND_FACTOR, "with": WITH_SECOND_FACTOR}


# The session remembers whether the password used to sign in was shorter than an account
# without a second factor may have (the stored hash hides its length).
SHORT_PASSWORD_SESSION_KEY = "kluis.password_short"  # noqa: S105  (a session key)


def remember_length(request: Any, password: str) -> None:
    request.session[SHORT_PASSWORD_SESSION_KEY] = len(password) < WITHOUT_SECOND_FACTOR


def warn_if_too_short(request: Any, user: Any) -> bool:
    """Tell the person to choose a longer password when theirs is under 15 characters and
    the account has no second factor (any more); True when told."""
    from django.contrib import messages

    if request is None or not request.session.get(SHORT_PASSWORD_SESSION_KEY):
        return False
    if has_second_factor(user):
        return False
    messages.warning(
        request,
        _(
            "Your password is shorter than %(count)d characters, which is only allowed "
            "with two-factor authentication. Choose a longer password now (your name's "
            "menu, Password), or turn two-factor authentication back on."
        )
        % {"count": WITHOUT_SECOND_FACTOR},
    )
    return True
