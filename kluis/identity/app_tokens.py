"""App tokens: what mobile and desktop apps hold after signing in through allauth headless
(the "app" client, /auth/app/v1/auth/login).

- An access token is a JWT (ES256, `kid` in the header, kluis/identity/signing_keys.py)
  valid for settings.HEADLESS_JWT_ACCESS_TOKEN_EXPIRES_IN (15 minutes); the REST API
  takes it as `Authorization: Bearer <jwt>` and the member acts with their own roles in
  the company the token names (kluis.integrations.credentials.AppTokenAuthentication).
- A refresh token is a JWT too, exchanged once at /auth/app/v1/tokens/refresh for a new
  access token and a new refresh token. The tokens of one sign-in are a *family*
  (`AppTokenFamily`); a refresh token presented a second time means it was copied: the
  whole family is revoked and its session ended, so the thief's and the app's newest
  tokens all stop working and the member signs in again.
- Validation is stateful: a token is accepted only while its family is not revoked, its
  session exists (ending the session, signing out, `revoke_app_tokens` end it), and the
  user is active. `exp`, `iat`, `aud`, `iss`, `token_use` and the `kid` are all checked;
  `alg` must be ES256 (never `none`, never a symmetric algorithm).
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from dataclasses import dataclass
from typing import Any

import jwt
from allauth.headless.tokens.strategies.jwt import internal as allauth_jwt
from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from kluis.access.actor import Actor
from kluis.audit.services import record
from kluis.identity import signing_keys
from kluis.identity.app_token_models import AppRefreshToken, AppTokenFamily
from kluis.identity.models import User
from kluis.tenancy.selectors import memberships_of_user

ISSUER = "kluis"
AUDIENCE = "kluis-api"
ACCESS, REFRESH = "access", "refresh"
REQUIRED_CLAIMS = ["exp", "iat", "jti", "sub", "sid", "fam", "token_use", "aud", "iss"]
PURGE_LOCK, PURGE_EVERY = "kluis:app-tokens:purged", 3600
# Seconds the clocks of two nodes may differ by (`iat` just ahead, `exp` just behind).
CLOCK_LEEWAY = 10
# The session key under which the web remembers the member's chosen company.
TENANT_SESSION_KEY = "kluis_tenant_id"


@dataclass(frozen=True)
class AppAccess:
    """A valid access token: who, in which family, acting in which company."""

    user: User
    family_id: uuid.UUID
    tenant_id: int | None
    claims: dict[str, Any]


def looks_like_jwt(token: str) -> bool:
    """Cheap: a compact JWS has three dot-separated parts and starts with `{"` encoded
    (OAuth access tokens and API keys have no dots)."""
    return token.count(".") == 2 and token.startswith("eyJ")


def access_lifetime() -> int:
    return int(settings.HEADLESS_JWT_ACCESS_TOKEN_EXPIRES_IN)


def refresh_lifetime() -> int:
    return int(settings.HEADLESS_JWT_REFRESH_TOKEN_EXPIRES_IN)


def max_family_age() -> dt.timedelta:
    return dt.timedelta(seconds=int(getattr(settings, "APP_TOKEN_FAMILY_MAX_AGE_SECONDS", 2592000)))


def encode(claims: dict[str, Any]) -> str:
    found = signing_keys.signer()
    return jwt.encode(
        claims,
        found.private_key,
        algorithm=signing_keys.ALGORITHM,
        headers={"kid": found.kid, "typ": "JWT"},
    )


def decode(token: str, use: str) -> dict[str, Any] | None:
    """The claims of a genuine, unexpired token of this use; None for anything else."""
    if not looks_like_jwt(token):
        return None
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        return None
    kid = header.get("kid")
    if header.get("alg") != signing_keys.ALGORITHM or not isinstance(kid, str):
        return None
    key = signing_keys.verifying_key(kid)
    if key is None:
        return None
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=[signing_keys.ALGORITHM],
            audience=AUDIENCE,
            issuer=ISSUER,
            leeway=CLOCK_LEEWAY,
            options={"require": REQUIRED_CLAIMS},
        )
    except jwt.PyJWTError:
        return None
    if claims.get("token_use") != use:
        return None
    if not all(isinstance(claims.get(name), str) for name in ("jti", "sub", "sid", "fam")):
        return None
    return claims


def _claims(use: str, family: AppTokenFamily, lifetime: int) -> dict[str, Any]:
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + lifetime,
        "jti": str(uuid.uuid4()),
        "sub": str(family.user_id),
        # The session, encrypted (allauth's form): a leaked token does not give it away.
        "sid": allauth_jwt.session_key_to_sid(family.session_key),
        "fam": str(family.id),
        "token_use": use,
    }
    if use == ACCESS and family.tenant_id is not None:
        claims["company"] = family.tenant_id
    return claims


def chosen_tenant(user: User, session: SessionBase) -> int | None:
    """The company an app sign-in acts in: the one chosen in the session, if the member
    still belongs to it, else their first company by name (None: no company)."""
    memberships = list(memberships_of_user(user.pk))
    chosen = session.get(TENANT_SESSION_KEY)
    for membership in memberships:
        if membership.tenant_id == chosen:
            return int(membership.tenant_id)
    return int(memberships[0].tenant_id) if memberships else None


def start_family(user: User, session: SessionBase) -> AppTokenFamily:
    """The family of a new app sign-in, bound to its session. At most once an hour (for
    all nodes: the shared cache), a sign-in also clears out expired records."""
    assert session.session_key
    if cache.add(PURGE_LOCK, 1, PURGE_EVERY):
        purge()
    return AppTokenFamily.objects.create(
        user=user,
        session_key=session.session_key,
        tenant_id=chosen_tenant(user, session),
        created_at=timezone.now(),
    )


def family_of_session(session: SessionBase) -> AppTokenFamily | None:
    if not session.session_key:
        return None
    return (
        AppTokenFamily.objects.filter(session_key=session.session_key, revoked_at__isnull=True)
        .order_by("-created_at")
        .first()
    )


def issue_access(family: AppTokenFamily) -> str:
    return encode(_claims(ACCESS, family, access_lifetime()))


def issue_refresh(family: AppTokenFamily) -> str:
    claims = _claims(REFRESH, family, refresh_lifetime())
    AppRefreshToken.objects.create(
        jti=claims["jti"],
        family=family,
        created_at=timezone.now(),
        expires_at=dt.datetime.fromtimestamp(claims["exp"], tz=dt.UTC),
    )
    return encode(claims)


def _live_session(family: AppTokenFamily, claims: dict[str, Any]) -> SessionBase | None:
    """The token's session, if it is the family's and still exists, signed in as its
    user."""
    if allauth_jwt.session_key_from_sid(claims["sid"]) != family.session_key:
        return None
    session = allauth_jwt.get_token_session(claims)
    if session is None:
        return None
    user = allauth_jwt.validate_token_user(claims, session)
    return session if user is not None and user.pk == family.user_id else None


def _session_alive(family: AppTokenFamily, claims: dict[str, Any]) -> bool:
    return _live_session(family, claims) is not None


def keep_session(session: SessionBase) -> None:
    """An app's session lasts as long as its newest refresh token (the web's idle timeout
    is for browsers: an app renews its access token every 15 minutes, not its session)."""
    session.set_expiry(refresh_lifetime())
    session.save()


def _usable_family(claims: dict[str, Any]) -> AppTokenFamily | None:
    try:
        family_id = uuid.UUID(claims["fam"])
    except ValueError:
        return None
    family = AppTokenFamily.objects.select_related("user").filter(pk=family_id).first()
    if family is None or family.revoked_at is not None or not family.user.is_active:
        return None
    if str(family.user_id) != claims["sub"]:
        return None
    if timezone.now() - family.created_at > max_family_age():
        return None
    return family


def validate_access(token: str) -> AppAccess | None:
    """The access a genuine, unexpired, unrevoked access token gives; None otherwise."""
    claims = decode(token, ACCESS)
    if claims is None:
        return None
    family = _usable_family(claims)
    if family is None or not _session_alive(family, claims):
        return None
    tenant_id = claims.get("company")
    return AppAccess(
        user=family.user,
        family_id=family.id,
        tenant_id=tenant_id if isinstance(tenant_id, int) else None,
        claims=claims,
    )


def refresh(token: str) -> tuple[str, str] | None:
    """A new (access token, refresh token) for a refresh token presented the first time;
    None for anything else. A refresh token presented again revokes its whole family."""
    claims = decode(token, REFRESH)
    if claims is None:
        return None
    with transaction.atomic():
        issued = (
            AppRefreshToken.objects.select_for_update()
            .select_related("family", "family__user")
            .filter(jti=claims["jti"])
            .first()
        )
        if issued is None or str(issued.family_id) != claims["fam"]:
            return None
        family = issued.family
        if issued.used_at is not None:
            if family.revoked_at is None:
                revoke_family(family, "refresh token reused")
            return None
        issued.used_at = timezone.now()
        issued.save(update_fields=["used_at"])
        session = _live_session(family, claims)
        if _usable_family(claims) is None or session is None:
            return None
        keep_session(session)
        return issue_access(family), issue_refresh(family)


def revoke_family(family: AppTokenFamily, reason: str) -> None:
    """Revoke every token of a family and end its session; audited in the member's
    companies."""
    now = timezone.now()
    with transaction.atomic():
        updated = AppTokenFamily.objects.filter(pk=family.pk, revoked_at__isnull=True).update(
            revoked_at=now, revoked_reason=reason[:40]
        )
        _end_session(family.session_key)
        if updated:
            for membership in memberships_of_user(family.user_id):
                record(
                    Actor.system("app tokens", membership.tenant),
                    "app_tokens.revoked",
                    tenant=membership.tenant,
                    object_type="identity.user",
                    object_id=family.user_id,
                    object_repr=str(family.user_id),
                    changes={"family": {"old": str(family.id), "new": None}, "reason": reason},
                )


def revoke_app_tokens(user: User | int, reason: str = "revoked") -> int:
    """Revoke every app token of a user (deactivated, signed out everywhere) and end the
    sessions of their app sign-ins; how many families were revoked."""
    user_id = user if isinstance(user, int) else user.pk
    families = list(AppTokenFamily.objects.filter(user_id=user_id, revoked_at__isnull=True))
    for family in families:
        revoke_family(family, reason)
    return len(families)


def revoke_on_new_password(
    sender: Any, request: Any = None, user: Any = None, **kwargs: Any
) -> None:
    """A new password ends every app sign-in of the user (allauth's password_changed,
    password_set and password_reset signals): someone who knew the old one may hold
    tokens. That includes the app that changed it (allauth gives its session a new key,
    as on the web): it signs in again with the new password."""
    if user is not None and user.pk is not None:
        revoke_app_tokens(user, "password changed")


def _end_session(session_key: str) -> None:
    from importlib import import_module

    from allauth.usersessions.models import UserSession

    store = import_module(settings.SESSION_ENGINE).SessionStore
    store(session_key).delete()
    UserSession.objects.filter(session_key=session_key).delete()


def purge(now: dt.datetime | None = None) -> int:
    """Delete what no token needs any more: refresh tokens past their expiry, and sign-ins
    past their absolute lifetime (revoked or not); how many rows."""
    now = now or timezone.now()
    tokens, _kinds = AppRefreshToken.objects.filter(expires_at__lt=now).delete()
    families, _kinds = AppTokenFamily.objects.filter(created_at__lt=now - max_family_age()).delete()
    return tokens + families
