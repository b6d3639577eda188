"""API key material: making a key, its peppered digest, and finding the key it belongs to.

A key is `kluis_` + 40 URL-safe random characters (240 bits). Only HMAC-SHA256(pepper, key)
is stored, so a copy of the database does not hold usable keys; the pepper lives outside
the database (KLUIS_API_KEY_PEPPER, else derived from the secret key).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.conf import settings

from kluis.integrations.models import ApiClient, ApiKey

KEY_PREFIX = "kluis_"
KEY_LENGTH = len(KEY_PREFIX) + 40
PREFIX_LENGTH = 12
_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def new_key() -> str:
    return KEY_PREFIX + "".join(secrets.choice(_ALPHABET) for _ in range(40))


def pepper() -> bytes:
    configured: str = getattr(settings, "API_KEY_PEPPER", "")
    if configured:
        return configured.encode()
    return hmac.new(settings.SECRET_KEY.encode(), b"kluis.api-key-pepper", "sha256").digest()


def digest_of(key: str) -> str:
    return hmac.new(pepper(), key.encode(), hashlib.sha256).hexdigest()


def looks_like_a_key(value: str) -> bool:
    return (
        len(value) == KEY_LENGTH
        and value.startswith(KEY_PREFIX)
        and all(c in _ALPHABET for c in value[len(KEY_PREFIX) :])
    )


def find_key(value: str) -> ApiKey | None:
    """The stored key `value` is, compared in constant time; None for anything else."""
    if not looks_like_a_key(value):
        return None
    key = (
        ApiKey.objects.select_related("client", "client__tenant")
        .filter(prefix=value[:PREFIX_LENGTH])
        .first()
    )
    expected = key.digest if key is not None else "0" * 64
    if not hmac.compare_digest(expected, digest_of(value)):
        return None
    return key


# API client credentials for HTTP Basic: a public id and a secret, the secret stored as the
# same peppered HMAC digest as keys.
CLIENT_ID_PREFIX = "kc_"
CLIENT_SECRET_PREFIX = "kluis_secret_"  # noqa: S105 (a prefix, not a secret)


def new_client_id() -> str:
    return CLIENT_ID_PREFIX + "".join(secrets.choice(_ALPHABET[:62]) for _ in range(24))


def new_client_secret() -> str:
    return CLIENT_SECRET_PREFIX + "".join(secrets.choice(_ALPHABET) for _ in range(43))


def find_client(client_id: str, secret: str) -> ApiClient | None:
    """The API client with this id and secret, compared in constant time; None otherwise."""
    client = None
    if client_id.startswith(CLIENT_ID_PREFIX) and len(client_id) <= 40:
        client = (
            ApiClient.objects.select_related("tenant")
            .filter(client_id=client_id)
            .exclude(secret_digest="")
            .first()
        )
    expected = client.secret_digest if client is not None else "0" * 64
    if not hmac.compare_digest(expected, digest_of(secret)):
        return None
    return client
