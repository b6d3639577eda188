"""What an operator sets about sign-in, from KLUIS_* environment variables: step-up,
brute-force thresholds, single sign-on, the default session lifetimes, invitations and app
tokens (docs/operations.md, docs/security.md). Imported by kluis/settings.py; allauth's
fixed sign-in settings are in kluis/settings_identity.py."""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

from kluis.settings_env import PRODUCTION, env_bool, env_whole_number

__all__ = [
    "APP_TOKEN_FAMILY_MAX_AGE_SECONDS",
    "APP_TOKEN_KEY_ROTATION_DAYS",
    "HEADLESS_JWT_ACCESS_TOKEN_EXPIRES_IN",
    "HEADLESS_JWT_REFRESH_TOKEN_EXPIRES_IN",
    "INVITATION_DAYS",
    "OPERATOR_MFA_REQUIRED",
    "SESSION_COOKIE_AGE",
    "SESSION_IDLE_SECONDS",
    "SESSION_MAX_AGE_SECONDS",
    "SIGNIN_ADDRESS_LIMIT",
    "SIGNIN_BLOCK_AFTER",
    "SOCIALACCOUNT_REQUESTS_TIMEOUT",
    "SSO_ALLOW_LOOPBACK_HTTP",
    "SSO_CLOCK_SKEW_SECONDS",
    "SSO_HTTP_TIMEOUT",
    "STEPUP_SECONDS",
]

# Step-up (kluis/identity/stepup.py): sensitive actions need a factor this recent.
STEPUP_SECONDS = env_whole_number("KLUIS_STEPUP_SECONDS", 600, 60, 86400)


# Brute-force protection of sign-in and client secrets (kluis/identity/brute_force.py):
# failures for one account (or client id) from one address before it is blocked from that
# address, and failures from one address within 24 h before it is throttled.
SIGNIN_BLOCK_AFTER = env_whole_number("KLUIS_SIGNIN_BLOCK_AFTER", 10, 1)
SIGNIN_ADDRESS_LIMIT = env_whole_number("KLUIS_SIGNIN_ADDRESS_LIMIT", 100, 1)


# --- Single sign-on per company (OpenID Connect; kluis/identity/sso/) -------------------
# Seconds a call to a company's provider (discovery, keys, token) may take.
SSO_HTTP_TIMEOUT = float(os.environ.get("KLUIS_SSO_HTTP_TIMEOUT", "5"))
if not 0 < SSO_HTTP_TIMEOUT <= 30:
    raise ImproperlyConfigured("KLUIS_SSO_HTTP_TIMEOUT must be between 0 and 30 seconds")
SOCIALACCOUNT_REQUESTS_TIMEOUT = SSO_HTTP_TIMEOUT
# Plain-HTTP issuers on loopback (a provider started by a test or on a developer's
# machine); production accepts https issuers only, whatever this says.
SSO_ALLOW_LOOPBACK_HTTP = not PRODUCTION and env_bool("KLUIS_SSO_ALLOW_LOOPBACK_HTTP", default=True)
# Seconds of clock difference tolerated in ID tokens' exp / iat / nbf.
SSO_CLOCK_SKEW_SECONDS = 60


# --- Company sign-in policy and sessions (kluis/identity/policy.py) --------------------
# Each company sets its own idle timeout and absolute session lifetime on its Sign-in
# settings page (kluis.identity.middleware.SessionLifetimeMiddleware enforces them); these
# are the defaults of a company that has not, and the limits for a person of no company.
# Bounds per NIST SP 800-63B-4 (AAL2): idle 5 min..24 h, absolute 1 h..24 h, idle <= absolute.
SESSION_IDLE_SECONDS = env_whole_number("KLUIS_SESSION_IDLE_SECONDS", 60 * 60, 300, 86400)
SESSION_MAX_AGE_SECONDS = env_whole_number(
    "KLUIS_SESSION_MAX_AGE_SECONDS", 12 * 60 * 60, 3600, 86400
)
if SESSION_IDLE_SECONDS > SESSION_MAX_AGE_SECONDS:
    raise ImproperlyConfigured(
        "KLUIS_SESSION_IDLE_SECONDS must not exceed KLUIS_SESSION_MAX_AGE_SECONDS"
    )
# The server keeps a session this long after its last request, the longest idle timeout a
# company may choose; the company's own (shorter) timeout is enforced by the middleware.
SESSION_COOKIE_AGE = 24 * 60 * 60

# --- Invitations (kluis/identity/invitations.py) ---------------------------------------
# Days an invitation link works (kluis/identity/invitations.py).
INVITATION_DAYS = env_whole_number("KLUIS_INVITATION_DAYS", 7, 1, 30)

# --- App tokens (issue 13: apps sign in through allauth headless) ----------------------
# Mobile and desktop apps sign in at /auth/app/v1/auth/login (allauth headless, "app"
# client only: the web keeps its cookie sessions) and get a JWT access token (ES256, `kid`,
# keys in the database, rotated) and a rotating refresh token whose reuse revokes its
# family (kluis/identity/app_tokens.py, docs/security.md "App tokens (JWT)").
HEADLESS_JWT_ACCESS_TOKEN_EXPIRES_IN = env_whole_number("KLUIS_APP_ACCESS_TOKEN_SECONDS", 900, 60)
HEADLESS_JWT_REFRESH_TOKEN_EXPIRES_IN = env_whole_number(
    "KLUIS_APP_REFRESH_TOKEN_SECONDS", 14 * 24 * 3600, 300
)
# A family of tokens (one app sign-in) ends this long after the sign-in, however used.
APP_TOKEN_FAMILY_MAX_AGE_SECONDS = env_whole_number(
    "KLUIS_APP_TOKEN_FAMILY_MAX_AGE_SECONDS", 30 * 24 * 3600, 300
)
APP_TOKEN_KEY_ROTATION_DAYS = env_whole_number("KLUIS_APP_TOKEN_KEY_ROTATION_DAYS", 30, 1)

# Platform operators (is_staff users: /operator/) must have a second factor to open their
# pages; on by default in production.
OPERATOR_MFA_REQUIRED = env_bool("KLUIS_OPERATOR_MFA_REQUIRED", default=PRODUCTION)
