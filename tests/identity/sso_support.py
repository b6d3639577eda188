"""Loopback OpenID Connect providers for the single sign-on tests.

- `mock_provider`: a real provider (the oidc-provider-mock package, docs/decisions/
  0012-sso-test-provider.md) on loopback: its own keys, authorization form, PKCE, nonce.
- `CraftedProvider`: a small provider whose token endpoint answers with an ID token the
  test crafts (signed with a key it serves from its own JWKS), for the refusals: a
  tampered signature, another audience, another issuer, an expired token.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import jwt
import oidc_provider_mock
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from django.test import Client
from django.utils.html import escape

from kluis.access.actor import Actor
from kluis.identity.sso.services import SsoSettings, configure_sso
from kluis.tenancy.models import Tenant

CLIENT_ID = "kluis-test-client"
CLIENT_SECRET = "s3cret-of-the-test-client-0123456789"


@contextmanager
def mock_provider() -> Iterator[str]:
    """A real OpenID Connect provider on loopback; yields its issuer URL."""
    with oidc_provider_mock.run_server_in_thread() as server:
        yield f"http://localhost:{server.server_port}"


def set_user(issuer: str, sub: str, **claims: Any) -> None:
    response = requests.put(f"{issuer}/users/{quote(sub)}", json=claims, timeout=5)
    assert response.status_code == 204, response.text


class CraftedProvider:
    """Discovery, JWKS and a token endpoint that returns `self.id_token`."""

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = "crafted-1"
        self.id_token = ""
        handler = self._handler()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.issuer = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> CraftedProvider:
        self.thread.start()
        return self

    def __exit__(self, *args: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def jwks(self) -> dict[str, Any]:
        public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**public, "kid": self.kid, "alg": "RS256", "use": "sig"}]}

    def sign(self, claims: dict[str, Any], key: Any = None) -> str:
        return jwt.encode(claims, key or self.key, algorithm="RS256", headers={"kid": self.kid})

    def claims(self, nonce: str, /, **changes: Any) -> dict[str, Any]:
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "sub": "crafted-subject",
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            "email": "owner@demo-bv.test",
            "email_verified": True,
        }
        claims.update(changes)
        return claims

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _json(self, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                if self.path == "/.well-known/openid-configuration":
                    self._json(
                        {
                            "issuer": provider.issuer,
                            "authorization_endpoint": f"{provider.issuer}/authorize",
                            "token_endpoint": f"{provider.issuer}/token",
                            "jwks_uri": f"{provider.issuer}/jwks",
                            "response_types_supported": ["code"],
                            "id_token_signing_alg_values_supported": ["RS256"],
                        }
                    )
                elif self.path == "/jwks":
                    self._json(provider.jwks())
                else:
                    self.send_error(404)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                self.rfile.read(length)
                if self.path == "/token":
                    self._json(
                        {
                            "access_token": "crafted-access-token",
                            "token_type": "Bearer",
                            "expires_in": 300,
                            "id_token": provider.id_token,
                        }
                    )
                else:
                    self.send_error(404)

        return Handler


def configure(tenant: Tenant, issuer: str, domains: str, **options: Any) -> Any:
    """The company's provider, configured as its owner would (through the service)."""
    data = SsoSettings(
        kind="oidc",
        issuer=issuer,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        domains=domains,
        enabled=True,
        **options,
    )
    return configure_sso(Actor.system("test", tenant), tenant, data)


def start(client: Client, email: str) -> dict[str, str]:
    """Type `email` on the sign-in page; the provider's authorization request."""
    response = client.post("/accounts/login/continue/", {"login": email}, secure=True)
    assert response.status_code == 200, response.content[:500]
    location = response.context["provider_url"]
    assert response["Refresh"] == f"0;url={location}"
    assert f'href="{escape(location)}"' in response.content.decode()
    query = {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}
    return {"url": location, **query}


def callback_path(request: dict[str, str]) -> str:
    return urlsplit(request["redirect_uri"]).path


def authorize_at_mock(request: dict[str, str], sub: str) -> str:
    """Sign in at the mock provider as `sub`; the callback URL (path and query) it sends
    the browser back to."""
    response = requests.post(request["url"], data={"sub": sub}, allow_redirects=False, timeout=5)
    assert response.status_code in (302, 303), response.text[:500]
    back = urlsplit(response.headers["Location"])
    return f"{back.path}?{back.query}"
