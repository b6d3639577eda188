"""allauth's `openid_connect` provider, made strict for Kluis.

allauth does not check the signature of an ID token it fetched itself (TLS stands for it,
as OpenID Connect Core allows), compares `iss` with what the discovery document says,
sends no `nonce` and does not require `exp` or `iat`. Kluis checks every ID token against
the provider's keys (asymmetric algorithms only), the issuer the owner configured, the
client id as audience (and `azp` when there are several), the expiry and issue time
(settings.SSO_CLOCK_SKEW_SECONDS of skew), a `jti` seen before, and a nonce bound to the
sign-in (kluis/identity/sso/matching.py). Each refusal says what was wrong."""

from __future__ import annotations

from typing import Any

import jwt
import requests
from allauth.socialaccount.internal import jwtkit
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _

ASYMMETRIC = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)
MAX_KEYS_BYTES = 256 * 1024


class SsoRefused(OAuth2Error):
    """A refused sign-in, with the sentence shown to the person (`message`) and a short
    reason for the audit log."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason


def _keys(keys_url: str) -> list[dict[str, Any]]:
    try:
        response = requests.get(keys_url, timeout=settings.SSO_HTTP_TIMEOUT, allow_redirects=False)
        response.raise_for_status()
        if len(response.content) > MAX_KEYS_BYTES:
            raise ValueError("too large")
        keys = response.json().get("keys")
    except (requests.RequestException, ValueError, AttributeError):
        raise SsoRefused(
            _("Kluis could not read the signing keys of your company's provider. Try again."),
            "keys unavailable",
        ) from None
    return [key for key in keys if isinstance(key, dict)] if isinstance(keys, list) else []


def verify_id_token(token: str, *, keys_url: str, issuer: str, client_id: str) -> dict[str, Any]:
    """The claims of a genuine ID token for this client from this issuer; SsoRefused
    otherwise."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise SsoRefused(_("The provider's ID token is not a valid token."), "malformed") from None
    alg, kid = header.get("alg"), header.get("kid")
    if alg not in ASYMMETRIC:
        raise SsoRefused(
            _("The ID token is signed with an algorithm Kluis does not accept (%(alg)s).")
            % {"alg": str(alg)[:20]},
            "algorithm",
        )
    keys = _keys(keys_url)
    candidates = [key for key in keys if key.get("kid") == kid] if kid else keys
    if len(candidates) != 1 or candidates[0].get("alg", alg) != alg:
        raise SsoRefused(
            _("The ID token is not signed with a key of your company's provider."), "unknown key"
        )
    try:
        key = jwt.PyJWK(candidates[0], algorithm=alg)
        claims: dict[str, Any] = jwt.decode(
            token,
            key=key.key,
            algorithms=[alg],
            audience=client_id,
            issuer=issuer,
            leeway=settings.SSO_CLOCK_SKEW_SECONDS,
            options={"require": ["iss", "sub", "aud", "exp", "iat"]},
        )
    except jwt.InvalidSignatureError:
        raise SsoRefused(
            _("The ID token's signature does not verify: it was altered or forged."), "signature"
        ) from None
    except jwt.ExpiredSignatureError:
        raise SsoRefused(_("The ID token has expired. Sign in again."), "expired") from None
    except jwt.InvalidAudienceError:
        raise SsoRefused(
            _("The ID token was issued for another application (audience), not for Kluis."),
            "audience",
        ) from None
    except jwt.InvalidIssuerError:
        raise SsoRefused(
            _("The ID token was issued by another provider than your company's (issuer)."),
            "issuer",
        ) from None
    except (jwt.ImmatureSignatureError, jwt.InvalidIssuedAtError):
        raise SsoRefused(_("The ID token is not valid yet."), "not yet valid") from None
    except jwt.MissingRequiredClaimError as missing:
        raise SsoRefused(
            _("The ID token lacks the %(claim)s claim.") % {"claim": missing.claim}, "claims"
        ) from None
    except jwt.PyJWTError:
        raise SsoRefused(_("The provider's ID token is not a valid token."), "malformed") from None
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audiences) > 1 and claims.get("azp") != client_id:
        raise SsoRefused(
            _("The ID token was issued for another application (audience), not for Kluis."),
            "audience",
        )
    try:
        jwtkit.verify_jti(claims)
    except OAuth2Error:
        raise SsoRefused(_("This ID token was used before."), "replayed token") from None
    return claims


class KluisOIDCAdapter(OpenIDConnectOAuth2Adapter):
    def _decode_id_token(self, app: Any, id_token: str) -> dict[str, Any]:
        return verify_id_token(
            id_token,
            keys_url=self.openid_config["jwks_uri"],
            issuer=app.settings["issuer"],
            client_id=app.client_id,
        )

    def complete_login(self, request: HttpRequest, app: Any, token: Any, **kwargs: Any) -> Any:
        if not kwargs["response"].get("id_token"):
            raise SsoRefused(_("The provider sent no ID token."), "no id token")
        return super().complete_login(request, app, token, **kwargs)


class KluisOIDCProvider(OpenIDConnectProvider):
    """A company's provider: a nonce bound to each sign-in, the e-mail typed on the
    sign-in page as login_hint (and kept to count a failed callback against)."""

    oauth2_adapter_class = KluisOIDCAdapter

    def get_oauth2_adapter(self, request: HttpRequest) -> KluisOIDCAdapter:
        return KluisOIDCAdapter(request, self.app.provider_id)

    def redirect(
        self,
        request: HttpRequest,
        process: Any,
        next_url: str | None = None,
        data: Any = None,
        **kwargs: Any,
    ) -> HttpResponse:
        auth_params = kwargs.pop("auth_params", None) or self.get_auth_params()
        login = str(kwargs.pop("login", "") or "")
        nonce = get_random_string(32)
        auth_params["nonce"] = nonce
        if login:
            auth_params["login_hint"] = login
        if self.app.settings.get("hd"):
            auth_params["hd"] = self.app.settings["hd"]
        response: HttpResponse = super().redirect(
            request,
            process,
            next_url,
            data,
            auth_params=auth_params,
            nonce=nonce,
            login=login,
            **kwargs,
        )
        return response
