"""Kluis settings, configured from KLUIS_* environment variables (read and checked with
kluis/settings_env.py); what an operator sets about sign-in is in kluis/settings_signin.py,
the libraries' fixed settings in kluis/settings_identity.py and kluis/settings_api.py.

Defaults give an embedded SQLite database under ./var/ for development. With
KLUIS_ENV=production the process refuses to start on an insecure configuration.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from kluis.settings_env import BASE_DIR, DATA_DIR, ENV, PRODUCTION
from kluis.settings_env import env_bool as _bool
from kluis.settings_env import env_list as _list

# A development key is fine on a laptop; production refuses it (see the check below).
INSECURE_DEFAULT_SECRET_KEY = "kluis-insecure-development-key-do-not-use-in-production"  # noqa: S105
SECRET_KEY_FILE_NAME = "secret_key"  # noqa: S105  (a file name) in DATA_DIR; `kluis up` makes it on first start


def _secret_key() -> str:
    """KLUIS_SECRET_KEY, else the file KLUIS_SECRET_KEY_FILE names, else <DATA_DIR>/secret_key
    (made by `kluis up`), else the development default that production refuses."""
    value = os.environ.get("KLUIS_SECRET_KEY", "").strip()
    if value:
        return value
    named = os.environ.get("KLUIS_SECRET_KEY_FILE", "").strip()
    path = Path(named) if named else DATA_DIR / SECRET_KEY_FILE_NAME
    try:
        value = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        if named:
            raise ImproperlyConfigured(f"KLUIS_SECRET_KEY_FILE {named} does not exist") from None
        return INSECURE_DEFAULT_SECRET_KEY
    except OSError as exc:
        raise ImproperlyConfigured(
            f"cannot read the secret key file {path}: {exc.strerror}"
        ) from None
    if not value:
        raise ImproperlyConfigured(f"the secret key file {path} is empty")
    return value


SECRET_KEY = _secret_key()
DEBUG = _bool("KLUIS_DEBUG", default=False)  # never on unless asked for
ALLOWED_HOSTS = _list("KLUIS_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")

if PRODUCTION:
    problems = []
    if SECRET_KEY == INSECURE_DEFAULT_SECRET_KEY or len(SECRET_KEY) < 50:
        problems.append("KLUIS_SECRET_KEY must be set to a random value of at least 50 characters")
    if DEBUG:
        problems.append("KLUIS_DEBUG must be off")
    if not ALLOWED_HOSTS:
        problems.append("KLUIS_ALLOWED_HOSTS must name the host(s) Kluis is served on")
    if _bool("KLUIS_WEBHOOK_ALLOW_PRIVATE_TARGETS", default=False):
        problems.append("KLUIS_WEBHOOK_ALLOW_PRIVATE_TARGETS is for development and tests only")
    if problems:
        raise ImproperlyConfigured("Refusing to start in production: " + "; ".join(problems))

INSTALLED_APPS = [
    "kluis.web",  # first, so its templates override allauth's layouts
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "oauth2_provider",
    "allauth",
    "allauth.account",
    "allauth.mfa",  # second factors (TOTP, passkeys, recovery codes)
    "allauth.usersessions",  # a person's signed-in sessions: where, since when; end any
    "allauth.headless",  # apps sign in at /auth/app/ (app tokens, kluis/identity/app_tokens.py)
    "allauth.socialaccount",  # single sign-on per company (kluis/identity/sso/)
    "allauth.socialaccount.providers.openid_connect",
    "django_tasks_db",
    "kluis.identity",
    "kluis.tenancy",
    "kluis.crypto",
    "kluis.access",
    "kluis.audit",
    "kluis.operations",
    "kluis.api",
    "kluis.approvals",  # the two-person rule (docs/security.md, "Four eyes")
    "kluis.integrations",
    "kluis.company",
    "kluis.people",
    "kluis.timeoff",
    "kluis.checklists",
    "kluis.offboarding",  # leaving: four-eyes access revocation at the effective moment
    "kluis.backups",  # kluis backup / restore, the daily backup (docs/operations.md)
    "kluis.status",  # the public status page, security.txt
    "flags",  # django-flags: its FlagState rows hold the rules of kluis.flags
    "kluis.flags",  # feature flags (label kluis_flags; docs/decisions/0023-feature-flags.md)
    "kluis.releases",  # release notes in the app ("What's new")
    "kluis.sandbox",  # sandbox companies (test environments on demand)
    "kluis.reports",  # reports for HR and managers, charts served as SVG
]

MIDDLEWARE = [
    # Every request (API ones too) counted and timed by route (kluis/operations/metrics.py).
    "kluis.operations.middleware.MetricsMiddleware",
    # Every API request leaves here for the API's own pipeline (kluis/api/pipeline.py).
    "kluis.api.pipeline.ApiMiddleware",
    "kluis.operations.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # /status and /status.json while the database is unreachable (before anything that
    # reads a session): the last-known state from disk (kluis/status/middleware.py).
    "kluis.status.middleware.StatusOfflineMiddleware",
    # A sign-in attempt from a throttled address: 429 before anything is read
    # (kluis/identity/early_refusal.py).
    "kluis.identity.early_refusal.EarlyRefusalMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",  # /api/ paths never reach it (the pipeline)
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "kluis.tenancy.middleware.TenantMiddleware",
    "kluis.operations.middleware.LogContextMiddleware",  # company and actor ids in the logs
    "django.contrib.messages.middleware.MessageMiddleware",
    # An action held for a second approver shows its waiting request (kluis/web/held.py).
    "kluis.web.held.HeldForApprovalMiddleware",
    # The active company's sign-in policy: session timeouts, then the second factor.
    "kluis.identity.middleware.SessionLifetimeMiddleware",
    "kluis.identity.middleware.MfaRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "kluis.operations.middleware.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "kluis.urls"
WSGI_APPLICATION = "kluis.wsgi.application"
ASGI_APPLICATION = "kluis.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "kluis.web.context_processors.navigation",
                "kluis.access.operators.operator_context",
                # --- webhooks (issue 14): the banner about failing webhooks ---
                "kluis.integrations.context_processors.webhook_banner",
                # --- calendar, self area (issue 15): the header's unread notices badge ---
                "kluis.web.context_notices.unread_notices",
            ],
        },
    }
]

# --- Database (KLUIS_DATABASE_URL, pooling, timeouts): kluis/settings_database.py -----
from kluis.settings_database import *  # noqa: E402, F403  (settings read by name)

# --- Authentication -----------------------------------------------------------------
AUTH_USER_MODEL = "identity.User"
# One backend: allauth's (a ModelBackend that signs in by e-mail). With Django's
# ModelBackend beside it every wrong password was hashed twice, once by each.
AUTHENTICATION_BACKENDS = ["allauth.account.auth_backends.AuthenticationBackend"]
PASSWORD_HASHERS = [
    "kluis.identity.hashers.KluisArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if ENV == "test":
    PASSWORD_HASHERS.insert(0, "kluis.identity.hashers.CheapArgon2PasswordHasher")
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # 15 characters without a second factor, 8 with one, up to 128 (NIST SP 800-63B-4)
    {"NAME": "kluis.identity.passwords.FactorAwareLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    # No NumericPasswordValidator: "not only digits" is a composition rule, which NIST
    # SP 800-63B-4 forbids; length and the common-password list do the work.
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "web:dashboard"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_ADAPTER = "kluis.identity.adapter.KluisAccountAdapter"
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PREVENT_ENUMERATION = True
# Failed sign-ins are counted per account and address and per address by Kluis
# (kluis/identity/brute_force.py); allauth's own limit stays as a flood guard per address
# only: a per-account limit would let anyone who knows an e-mail address lock its owner out.
# Its limit on every sign-in (30 a minute per address by default) would refuse the 31st
# person of an office behind one network address at nine o'clock: 300 a minute still stops
# a flood, and guessing is Kluis's count's business.
ACCOUNT_RATE_LIMITS = {"login_failed": "30/m/ip", "login": "300/m/ip"}
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
# --- Multi-factor, step-up and re-authentication (kluis/identity/mfa.py, stepup.py) ------
# allauth's MFA, social account and headless settings that depend on no environment
# variable are in kluis/settings_identity.py.
from kluis.settings_identity import *  # noqa: E402, F403  (settings read by name)

# What an operator sets about sign-in (step-up, brute force, single sign-on, session
# lifetimes, invitations, app tokens): KLUIS_* variables, in kluis/settings_signin.py.
from kluis.settings_signin import *  # noqa: E402, F403  (settings read by name)

# Sessions are recorded at sign-in (address, browser), not written on every request.
USERSESSIONS_TRACK_ACTIVITY = False

# --- State shared by every process and node (the cache, where API requests are counted):
# kluis/settings_shared_state.py.
from kluis.settings_shared_state import *  # noqa: E402, F403  (settings read by name)

# --- Sessions, cookies, transport security -------------------------------------------
# (Session lifetimes: kluis/settings_signin.py.)
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Kluis is only served over HTTPS (`kluis up` terminates TLS itself, or sits behind a
# proxy that does), so its cookies carry the __Host- prefix everywhere: the browser keeps
# them only when Secure, for this host alone and for every path (no subdomain can set or
# read them). The Django test client ignores cookie prefixes.
SESSION_COOKIE_NAME = "__Host-kluis_session"
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_NAME = "__Host-kluis_csrftoken"
# The flash messages' cookie too (Django names it `messages`): kluis/web/message_storage.py.
MESSAGE_STORAGE = "kluis.web.message_storage.MessageStorage"

CSRF_TRUSTED_ORIGINS = _list("KLUIS_CSRF_TRUSTED_ORIGINS", "")
SECURE_SSL_REDIRECT = _bool("KLUIS_SSL_REDIRECT", default=ENV != "test")
SECURE_REDIRECT_EXEMPT = [r"^health/"]
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = _bool("KLUIS_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
BEHIND_PROXY = _bool("KLUIS_BEHIND_PROXY", default=False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many proxies of ours append to X-Forwarded-For (see kluis/operations/client_ip.py):
# without one the header is the client's own say and never believed for rate limits or
# audit. DRF's throttles and allauth's rate limits are given the same count.
_proxies = os.environ.get("KLUIS_TRUSTED_PROXIES", "1" if BEHIND_PROXY else "0")
if not _proxies.isdigit():
    raise ImproperlyConfigured(f"KLUIS_TRUSTED_PROXIES must be a number, not {_proxies!r}")
TRUSTED_PROXY_COUNT = int(_proxies)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# --- Internationalisation -------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("nl", "Nederlands"), ("fr", "Français")]
TIME_ZONE = os.environ.get("KLUIS_TIME_ZONE", "Europe/Brussels")
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "kluis" / "locale"]
# The language chosen with the switcher (django.views.i18n.set_language) lives in this
# cookie; it is hardened like the session and CSRF cookies.
LANGUAGE_COOKIE_NAME = "__Host-kluis_language"
LANGUAGE_COOKIE_SECURE = True
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60

# --- Uploaded files and static files: kluis/settings_storage.py -------------------------
from kluis.settings_storage import *  # noqa: E402, F403  (settings read by name)

# --- Background tasks and the worker: kluis/settings_tasks.py ---------------------------
from kluis.settings_tasks import *  # noqa: E402, F403  (settings read by name)

# Webhook delivery (timeouts, retries, private targets): KLUIS_* variables, in
# kluis/settings_webhooks.py.
from kluis.settings_webhooks import *  # noqa: E402, F403  (settings read by name)

# --- E-mail -----------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = os.environ.get("KLUIS_FROM_EMAIL", "Kluis <no-reply@kluis.invalid>")
MAILERS: dict[str, dict[str, Any]] = {
    "default": {
        "BACKEND": os.environ.get(
            "KLUIS_EMAIL_BACKEND",
            "django.core.mail.backends.smtp.EmailBackend"
            if PRODUCTION
            else "kluis.operations.outbox.OutboxBackend",
        ),
    }
}
if os.environ.get("KLUIS_SMTP_HOST"):
    MAILERS["default"]["OPTIONS"] = {
        "host": os.environ["KLUIS_SMTP_HOST"],
        "port": int(os.environ.get("KLUIS_SMTP_PORT", "587")),
        "username": os.environ.get("KLUIS_SMTP_USER", ""),
        "password": os.environ.get("KLUIS_SMTP_PASSWORD", ""),
        "use_tls": True,
    }

# --- Invitations, password reset, development outbox (issue 13; docs/security.md) -------
# A reset request for an address with no account sends nothing (no mail to strangers; the
# page is the same either way: ACCOUNT_PREVENT_ENUMERATION).
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
# Every reset request counts against its address (kluis/identity/forms.py).
ACCOUNT_FORMS = {
    "reset_password": "kluis.identity.forms.ResetPasswordForm",
    "login": "kluis.identity.forms.LoginForm",  # the sign-in page's own wording
    # The current password is counted like a sign-in (kluis/identity/mfa.py).
    "change_password": "kluis.identity.forms.ChangePasswordForm",
}
if PRODUCTION and MAILERS["default"]["BACKEND"] == "kluis.operations.outbox.OutboxBackend":
    raise ImproperlyConfigured(
        "Refusing to start in production: KLUIS_EMAIL_BACKEND must not be the development "
        "outbox (kluis.operations.outbox.OutboxBackend)"
    )

# --- Logging: one console line per record with its request id (kluis/settings_logging.py,
# KLUIS_LOG_LEVEL, KLUIS_TASK_LOG_LEVEL).
from kluis.settings_logging import *  # noqa: E402, F403  (settings read by name)

# --- REST API (docs/api.md, docs/decisions/0005-api-plumbing.md) ------------------------
# API keys only (no session, no CSRF), JSON only, every error as application/problem+json.
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "kluis.integrations.credentials.ApiKeyAuthentication",
        "kluis.integrations.credentials.AppTokenAuthentication",
        "kluis.integrations.credentials.OAuthTokenAuthentication",
        "kluis.integrations.credentials.ApiClientBasicAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["kluis.api.renderers.KluisJSONRenderer"],
    "EXCEPTION_HANDLER": "kluis.api.exceptions.problem_exception_handler",
    "UNAUTHENTICATED_USER": None,
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
}
# Requests per minute per API key and per client IP (DRF rate syntax).
API_RATE_PER_KEY = os.environ.get("KLUIS_API_RATE_PER_KEY", "600/min")
API_RATE_PER_IP = os.environ.get("KLUIS_API_RATE_PER_IP", "1200/min")
# Requests per minute per client id at /oauth/token and /oauth/revoke
# (which count against the per-IP limit above as well).
OAUTH_RATE_PER_CLIENT = os.environ.get("KLUIS_OAUTH_RATE_PER_CLIENT", "60/min")
for _variable, _rate in (
    ("KLUIS_API_RATE_PER_KEY", API_RATE_PER_KEY),
    ("KLUIS_API_RATE_PER_IP", API_RATE_PER_IP),
    ("KLUIS_OAUTH_RATE_PER_CLIENT", OAUTH_RATE_PER_CLIENT),
):
    _number, _slash, _period = _rate.partition("/")
    if not (_number.isdigit() and int(_number) > 0 and _period[:1] in ("s", "m", "h", "d")):
        raise ImproperlyConfigured(
            f"{_variable} must look like 600/min (per s, min, h or d), not {_rate!r}"
        )
# Pepper of the stored API key digests; default: derived from the secret key (so rotating
# the secret key invalidates every API key; set this to rotate them independently).
API_KEY_PEPPER = os.environ.get("KLUIS_API_KEY_PEPPER", "")

# OAuth 2.0 (django-oauth-toolkit) and the OpenAPI document (drf-spectacular): fixed
# configuration that depends on no environment variable, in kluis/settings_api.py.
from kluis.settings_api import (  # noqa: E402, F401  (settings read by name)
    OAUTH2_PROVIDER,
    OAUTH2_PROVIDER_APPLICATION_MODEL,
    SPECTACULAR_SETTINGS,
)

# --- Encryption at rest -------------------------------------------------------------------
# Sensitive fields are sealed with a data key per company, stored wrapped by a master key
# that never enters the database (docs/decisions/0004-envelope-encryption.md). Master keys:
# KLUIS_MASTER_KEY (base64 of 32 random bytes; several comma-separated, the first active),
# else the keyring file KLUIS_MASTER_KEY_FILE names, else <DATA_DIR>/master_keys, which
# development and test make on first use. Production never makes one and does not fall
# back to the data directory: it refuses to start without KLUIS_MASTER_KEY(_FILE).
MASTER_KEY = os.environ.get("KLUIS_MASTER_KEY", "").strip()
MASTER_KEY_FILE_NAMED = bool(os.environ.get("KLUIS_MASTER_KEY_FILE", "").strip())
MASTER_KEY_FILE = (
    Path(os.environ["KLUIS_MASTER_KEY_FILE"].strip()).expanduser().resolve()
    if MASTER_KEY_FILE_NAMED
    else DATA_DIR / "master_keys"
)
MASTER_KEY_AUTOCREATE = not PRODUCTION
# Unwrapped data keys stay in process memory this long before they are read again.
DATA_KEY_CACHE_SECONDS = int(os.environ.get("KLUIS_DATA_KEY_CACHE_SECONDS", "60"))
if PRODUCTION:
    from kluis.crypto import keyring as _keyring

    try:
        _keyring.load(
            _keyring.Source(MASTER_KEY, MASTER_KEY_FILE, MASTER_KEY_FILE_NAMED, may_create=False)
        )
    except _keyring.KeyringError as exc:
        raise ImproperlyConfigured(f"Refusing to start in production: {exc}") from None

# --- Demo data and operations ----------------------------------------------------------------
# The demo logins' password, the demo's calendar (KLUIS_DEMO_CALENDAR): settings_demo.py.
# Backups, the status page, feature flags, sandboxes, metrics: their own settings modules
# (operators' second factor: settings_signin.py).
from kluis.settings_backups import *  # noqa: E402, F403  (settings read by name)
from kluis.settings_demo import *  # noqa: E402, F403  (settings read by name)
from kluis.settings_flags import *  # noqa: E402, F403  (settings read by name)
from kluis.settings_metrics import *  # noqa: E402, F403  (settings read by name)
from kluis.settings_sandbox import *  # noqa: E402, F403  (settings read by name)
from kluis.settings_status import *  # noqa: E402, F403  (settings read by name)
from kluis.settings_ui import *  # noqa: E402, F403  (date formats, the form look)
