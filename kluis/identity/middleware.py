"""The active company's sign-in policy, applied to every signed-in page request (the API,
/api/, never gets here: it uses credentials, not sessions).

- SessionLifetimeMiddleware: a session ends after the company's idle timeout without a
  request and, however active, after its absolute lifetime (NIST SP 800-63B-4, AAL2); and
  at once when the person's sessions were all ended (sign out everywhere, deactivation:
  `User.session_generation` was raised after this session signed in). A person of no
  company has the defaults (KLUIS_SESSION_IDLE_SECONDS, KLUIS_SESSION_MAX_AGE_SECONDS).
- MfaRequiredMiddleware: a member whose company requires a second factor of them and who
  has none is sent to enrolment from every page but enrolment itself, sign-out and the
  language switch, until they have enrolled one.

Both run after TenantMiddleware (they need the active company) and read the policy from
the shared cache (kluis.identity.policy.policy_for).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from kluis.identity import policy as policies
from kluis.tenancy.selectors import memberships_of_user

SIGNED_IN_AT = "kluis_signed_in_at"
LAST_SEEN_AT = "kluis_last_seen_at"
GENERATION = "kluis_session_generation"


def session_started(
    sender: Any, request: HttpRequest | None = None, user: Any = None, **kw: Any
) -> None:
    """Django signed someone in (allauth's form, SSO, a test's force_login): the session's
    clock starts and it belongs to the person's current session generation."""
    if request is None or user is None or not hasattr(request, "session"):
        return
    now = int(time.time())
    request.session[SIGNED_IN_AT] = now
    request.session[LAST_SEEN_AT] = now
    request.session[GENERATION] = int(getattr(user, "session_generation", 0) or 0)
    # The pages that follow read their company's policy from the shared cache: load it now.
    for membership in memberships_of_user(user.pk):
        policies.policy_for(membership.tenant_id)


def _limits(request: HttpRequest) -> tuple[int, int]:
    tenant = getattr(request, "tenant", None)
    if tenant is None:
        return policies.default_idle_seconds(), policies.default_absolute_seconds()
    policy = policies.policy_for(tenant)
    return policy.idle_timeout_seconds, policy.absolute_lifetime_seconds


def session_over(request: HttpRequest, now: int) -> bool:
    """Has this signed-in session ended (and if not, note this request)?"""
    session = request.session
    generation = int(getattr(request.user, "session_generation", 0) or 0)
    mine = session.get(GENERATION)
    if not isinstance(mine, int):
        if generation:  # signed in before every session of the person was ended
            return True
        session[GENERATION] = mine = generation
    if mine != generation:
        return True
    idle, absolute = _limits(request)
    started = session.get(SIGNED_IN_AT)
    if not isinstance(started, int):
        session[SIGNED_IN_AT] = started = now
    if now - started > absolute:
        return True
    last = session.get(LAST_SEEN_AT)
    if isinstance(last, int) and now - last > idle:
        return True
    session[LAST_SEEN_AT] = now
    return False


class SessionLifetimeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and session_over(request, int(time.time())):
            logout(request)  # flushes the session: a new key, nothing carried over
            messages.info(request, _("Your session has ended. Please sign in again."))
            return redirect_to_login(request.get_full_path())
        return self.get_response(request)


# Where a member who must enrol a second factor may still go.
ENROLMENT_URL_NAMES = frozenset(
    {
        "mfa_index",
        "mfa_activate_totp",
        "mfa_add_webauthn",
        "mfa_list_webauthn",
        "mfa_reauthenticate_webauthn",
        "mfa_reauthenticate",
        "mfa_authenticate",
        "mfa_view_recovery_codes",
        "mfa_generate_recovery_codes",
        "mfa_download_recovery_codes",
        "account_reauthenticate",
        "account_logout",
        "set_language",
        "health-live",
        "health-ready",
        "switch_company",
    }
)
ENROLMENT_PAGE = "mfa_index"


class MfaRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Any, args: Any, kwargs: Any
    ) -> HttpResponse | None:
        membership = getattr(request, "membership", None)
        if membership is None or not request.user.is_authenticated:
            return None
        match = request.resolver_match
        if match is not None and match.url_name in ENROLMENT_URL_NAMES:
            return None
        if not policies.mfa_required(membership) or policies.has_second_factor(request.user):
            return None
        messages.warning(
            request,
            _(
                "%(company)s asks you to use a second factor when you sign in. Set up an "
                "authenticator app or a passkey to continue."
            )
            % {"company": membership.tenant.name},
        )
        url = reverse(ENROLMENT_PAGE)
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return HttpResponseRedirect(url)
