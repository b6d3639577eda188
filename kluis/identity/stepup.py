"""Step-up: sensitive actions need a recent factor.

Changing one's own bank account, creating API credentials, exporting all employees,
granting roles and changing sign-in settings ask again when the last factor is older than
settings.STEPUP_SECONDS (KLUIS_STEPUP_SECONDS, default 600 = 10 minutes): a person with a
second factor enters it again (TOTP, recovery code or passkey: allauth's MFA
re-authentication page), a person without one enters their password again (allauth's
re-authentication page).

The time of each factor lives in the session: allauth records every authentication
(password, TOTP, recovery code, passkey) with its time at sign-in and at
re-authentication (`get_authentication_records`), and that record is what is read here;
nothing is kept in process memory. For a person with a second factor only a second-factor
record counts: their password alone is not a step-up.

`require_recent_factor(view)` wraps a view; `needs_step_up(request)` and
`step_up_redirect(request, next_url)` serve code paths that are not a whole view. A
request refused for a GET is sent back to the same page after the factor; a POST cannot
be replayed, so it is sent back to the page it came from (Referer, when it is of this
site) with a message to submit again.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from allauth.account.authentication import get_authentication_records
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

DEFAULT_SECONDS = 600


def max_age() -> int:
    return int(getattr(settings, "STEPUP_SECONDS", DEFAULT_SECONDS))


def last_factor_at(request: HttpRequest, *, second_factor: bool) -> float | None:
    """The time (epoch seconds) of the session's latest factor: a second factor only when
    `second_factor`, else any (password, TOTP, recovery code, passkey)."""
    return _latest(get_authentication_records(request, request.user), second_factor=second_factor)


def _latest(records: Any, *, second_factor: bool) -> float | None:
    latest: float | None = None
    for entry in records:
        if second_factor and entry.get("method") != "mfa":
            continue
        at = entry.get("at")
        if isinstance(at, int | float) and (latest is None or at > latest):
            latest = float(at)
    return latest


def app_needs_step_up(access: Any) -> bool:
    """The same rule for an app's access token (kluis.identity.app_tokens.AppAccess), read
    from the records of the app's sign-in session: a token is good for up to 15 minutes
    and its refresh tokens for days, so a sensitive action through the API asks for a
    recent factor too. The app confirms one at /auth/app/v1/auth/2fa/reauthenticate (or
    /auth/app/v1/auth/reauthenticate with the password, without a second factor)."""
    from allauth.headless.tokens.strategies.jwt import internal as allauth_jwt

    session = allauth_jwt.get_token_session(access.claims)
    if session is None:
        return True
    holder = HttpRequest()
    holder.session = session
    latest = _latest(
        get_authentication_records(holder, access.user),
        second_factor=is_mfa_enabled(access.user),
    )
    return latest is None or time.time() - latest > max_age()


APP_STEP_UP = (
    "Confirm it is you first: re-authenticate (POST /auth/app/v1/auth/2fa/reauthenticate, "
    "or /auth/app/v1/auth/reauthenticate without a second factor), then try again."
)


def api_step_up(request: Any) -> str | None:
    """For the API pipeline (kluis.api.views.require_recent_factor): the 403 detail when an
    app's access token asks for a sensitive action and its sign-in's last factor is too old.
    API keys and OAuth clients are no person: their grants are their scopes."""
    from kluis.identity.app_tokens import AppAccess

    access = getattr(request, "auth", None)
    if isinstance(access, AppAccess) and app_needs_step_up(access):
        return APP_STEP_UP
    return None


def needs_step_up(request: HttpRequest) -> bool:
    """True when the signed-in person must confirm a factor before a sensitive action."""
    user = request.user
    if not user.is_authenticated:
        return False
    at = last_factor_at(request, second_factor=is_mfa_enabled(user))
    return at is None or time.time() - at > max_age()


def step_up_url(request: HttpRequest, next_url: str) -> str:
    """The page that asks for the factor, returning to `next_url` after it."""
    name = "mfa_reauthenticate" if is_mfa_enabled(request.user) else "account_reauthenticate"
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


def step_up_redirect(request: HttpRequest, next_url: str | None = None) -> HttpResponse:
    """Send the person to confirm a factor, then back to `next_url` (default: this page for
    a GET, the page the POST came from otherwise)."""
    if next_url is None:
        if request.method in ("GET", "HEAD"):
            next_url = request.get_full_path()
        else:
            referer = str(request.META.get("HTTP_REFERER", ""))
            safe = url_has_allowed_host_and_scheme(
                referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
            )
            next_url = referer if referer and safe else reverse(settings.LOGIN_REDIRECT_URL)
    if request.method not in ("GET", "HEAD"):
        messages.info(request, _("Confirm it is you, then submit the form again."))
    return HttpResponseRedirect(step_up_url(request, next_url))


def require_recent_factor(view: Callable[..., Any]) -> Callable[..., Any]:
    """The view runs only when the session's factor is recent enough; else the person is
    asked for it first (see the module's docstring)."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if needs_step_up(request):
            return step_up_redirect(request)
        return view(request, *args, **kwargs)

    return wrapped
