"""What identity does when allauth tells it something happened."""

from __future__ import annotations

from typing import Any

from kluis.identity import brute_force, languages, passwords, signins


def lift_sign_in_blocks(sender: Any, request: Any = None, user: Any = None, **kwargs: Any) -> None:
    """A new password lifts the account's sign-in blocks (brute_force)."""
    email = str(getattr(user, "email", None) or "")
    if email:
        brute_force.unblock(email, reason="password changed")
    if request is not None and hasattr(request, "session"):
        request.session[passwords.SHORT_PASSWORD_SESSION_KEY] = False


def signed_in(sender: Any, request: Any = None, user: Any = None, **kwargs: Any) -> None:
    """allauth signed someone in (its sign-in form or a company's single sign-on; never a
    test's force_login)."""
    if request is not None and user is not None:
        method = "sso" if kwargs.get("sociallogin") is not None else None
        signins.succeeded(request, user, method)
        languages.remember(user)  # the page's language: the one to write to them in
        passwords.warn_if_too_short(request, user)
