"""allauth's settings for two-factor authentication, single sign-on and app sign-in that
depend on no environment variable. Imported by kluis/settings.py, kept apart so that file
stays about what an operator configures (its identity blocks hold the KLUIS_* variables)."""

from __future__ import annotations

__all__ = [
    "ACCOUNT_EMAIL_NOTIFICATIONS",
    "ACCOUNT_REAUTHENTICATION_REQUIRED",
    "HEADLESS_CLIENTS",
    "HEADLESS_JWT_ALGORITHM",
    "HEADLESS_JWT_ROTATE_REFRESH_TOKEN",
    "HEADLESS_JWT_STATEFUL_VALIDATION_ENABLED",
    "HEADLESS_ONLY",
    "HEADLESS_SERVE_SPECIFICATION",
    "HEADLESS_TOKEN_STRATEGY",
    "MFA_ADAPTER",
    "MFA_ALLOW_UNVERIFIED_EMAIL",
    "MFA_FORMS",
    "MFA_PASSKEY_LOGIN_ENABLED",
    "MFA_REAUTHENTICATION_REQUIRED",
    "MFA_RECOVERY_CODE_COUNT",
    "MFA_SUPPORTED_TYPES",
    "MFA_TOTP_ISSUER",
    "MFA_TOTP_TOLERANCE",
    "SOCIALACCOUNT_ADAPTER",
    "SOCIALACCOUNT_AUTO_SIGNUP",
    "SOCIALACCOUNT_EMAIL_AUTHENTICATION",
    "SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT",
    "SOCIALACCOUNT_EMAIL_VERIFICATION",
    "SOCIALACCOUNT_QUERY_EMAIL",
    "SOCIALACCOUNT_STORE_TOKENS",
]

# --- Multi-factor (allauth.mfa; kluis/identity/mfa.py) ----------------------------------
MFA_ADAPTER = "kluis.identity.mfa.KluisMFAAdapter"
MFA_FORMS = {
    "authenticate": "kluis.identity.mfa.AuthenticateForm",
    "reauthenticate": "kluis.identity.mfa.ReauthenticateForm",
    "authenticate_webauthn": "kluis.identity.mfa.AuthenticateWebAuthnForm",
    "reauthenticate_webauthn": "kluis.identity.mfa.ReauthenticateWebAuthnForm",
    "login_webauthn": "kluis.identity.mfa.LoginWebAuthnForm",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
# allauth refuses a second factor to an account with an unverified address, against
# someone who signs up with another's address and locks its owner out. Kluis has no
# sign-up (HR makes every account), and allauth's e-mail page records the login address
# as unverified the first time it is opened, which would then bar that person from
# enrolling, even when the company requires a second factor.
MFA_ALLOW_UNVERIFIED_EMAIL = True
MFA_PASSKEY_LOGIN_ENABLED = True  # passkeys sign in without a password
MFA_TOTP_ISSUER = "Kluis"
MFA_TOTP_TOLERANCE = 0  # a code is valid for its 30 s only, so "used once" is exact
MFA_RECOVERY_CODE_COUNT = 10
# Changing e-mail, password or factors asks for the password or a factor (< 5 min old).
ACCOUNT_REAUTHENTICATION_REQUIRED = True
MFA_REAUTHENTICATION_REQUIRED = True
# The owner is e-mailed when a factor is added or removed, or the password or e-mail changes.
ACCOUNT_EMAIL_NOTIFICATIONS = True

# --- Single sign-on (allauth.socialaccount; kluis/identity/sso/) -------------------------
# Each company's provider is served to allauth from kluis.identity.sso (no SocialApp rows);
# people are linked by (issuer, subject), never by e-mail alone after the first sign-in.
SOCIALACCOUNT_ADAPTER = "kluis.identity.sso.adapter.KluisSocialAccountAdapter"
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False  # e-mail matching is ours (sso/matching.py)
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = False
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_STORE_TOKENS = False  # Kluis calls no provider API: nothing to keep
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_QUERY_EMAIL = True

# --- App sign-in (allauth.headless, "app" client; kluis/identity/app_tokens.py) ----------
HEADLESS_CLIENTS = ("app",)
HEADLESS_ONLY = False
HEADLESS_TOKEN_STRATEGY = "kluis.identity.token_strategy.KluisTokenStrategy"  # noqa: S105
HEADLESS_JWT_ALGORITHM = "ES256"  # informational: Kluis's strategy signs (signing_keys.py)
HEADLESS_JWT_ROTATE_REFRESH_TOKEN = True
HEADLESS_JWT_STATEFUL_VALIDATION_ENABLED = True
HEADLESS_SERVE_SPECIFICATION = False
