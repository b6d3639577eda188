"""API key material: making a key, its peppered digest, and finding the key it belongs to.

A key is `kluis_` + 40 URL-safe random characters (240 bits). Only HMAC-SHA256(pepper, key)
is stored, so a copy of the database does not hold usable keys; the pepper lives outside
the database (KLUIS_API_KEY_PEPPER, else derived from the secret key).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import QuerySet
from django.db.models.sql.compiler import SQLCompiler

from kluis.api.principal import KEY_PREFIX_LENGTH
from kluis.integrations.models import ApiClient, ApiKey
from kluis.operations.sql import Converters, Statement, compiled, converted, fetch
from kluis.tenancy.models import Tenant
from kluis.tenancy.rls import narrowing_column

KEY_PREFIX = "kluis_"
KEY_LENGTH = len(KEY_PREFIX) + 40
PREFIX_LENGTH = KEY_PREFIX_LENGTH
_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def new_key() -> str:
    return KEY_PREFIX + "".join(secrets.choice(_ALPHABET) for _ in range(40))


def pepper() -> bytes:
    return _pepper(getattr(settings, "API_KEY_PEPPER", ""), settings.SECRET_KEY)


@functools.lru_cache(maxsize=8)
def _pepper(configured: str, secret_key: str) -> bytes:
    """Derived once per (setting, secret key), not on every API request."""
    if configured:
        return configured.encode()
    return hmac.new(secret_key.encode(), b"kluis.api-key-pepper", "sha256").digest()


def digest_of(key: str) -> str:
    return hmac.new(pepper(), key.encode(), hashlib.sha256).hexdigest()


_KEY_SHAPE = re.compile(f"{re.escape(KEY_PREFIX)}[A-Za-z0-9_-]{{{KEY_LENGTH - len(KEY_PREFIX)}}}")


def looks_like_a_key(value: str) -> bool:
    return _KEY_SHAPE.fullmatch(value) is not None


_SENTINEL = "\x00prefix\x00"


def _narrowing(sql: str, connection: BaseDatabaseWrapper) -> str:
    """The lookup `sql` (joined to the company table) also narrowing the connection to the
    key's company (row-level security), in the same statement; the API view widens it
    again after every response."""
    quote = connection.ops.quote_name
    tenant_id = f"{quote(Tenant._meta.db_table)}.{quote('id')}"
    return sql.replace(" FROM ", f", {narrowing_column(tenant_id)} FROM ", 1)


def _compile(
    queryset: QuerySet[Any], connection: BaseDatabaseWrapper
) -> tuple[SQLCompiler, Statement, tuple[Any, ...], int]:
    """A key lookup by prefix (`queryset`, filtered on the sentinel) compiled once: its
    compiler, its statement (narrowing on PostgreSQL), its parameters and the prefix's
    slot."""
    compiler = queryset.query.get_compiler(connection=connection)
    sql, params = compiler.as_sql()
    if connection.vendor == "postgresql":
        sql = _narrowing(sql, connection)
    return compiler, compiled(sql, connection), tuple(params), list(params).index(_SENTINEL)


def _digest_matches(stored: str | None, value: str) -> bool:
    """`value`'s digest against the stored one in constant time; when nothing was found,
    against a dummy, so the answer takes as long either way."""
    return hmac.compare_digest(stored if stored is not None else "0" * 64, digest_of(value))


def find_key(value: str) -> ApiKey | None:
    """The stored key `value` is, with its client and company, compared in constant time;
    None for anything else. API requests use `key_facts`, which builds no key object."""
    if not looks_like_a_key(value):
        return None
    key = (
        ApiKey.objects.select_related("client__tenant")
        .filter(prefix=value[:PREFIX_LENGTH])
        .order_by()
        .first()
    )
    if not _digest_matches(key.digest if key is not None else None, value):
        return None
    return key


def key_is_usable(
    key_revoked_at: Any, client_revoked_at: Any, expires_at: Any, tenant_active: bool, now: Any
) -> bool:
    """The one rule for whether a found key may act: neither it nor its client revoked, not
    expired, its company active."""
    return (
        key_revoked_at is None
        and client_revoked_at is None
        and (expires_at is None or expires_at > now)
        and bool(tenant_active)
    )


# The columns an API request reads of its key, the key's client and the client's company,
# in one statement and without model objects for the key (`key_facts`).
_KEY_COLUMNS = ("id", "digest", "revoked_at", "expires_at", "last_used_at")
_CLIENT_COLUMNS = ("id", "name", "scopes", "revoked_at")
_TENANT_COLUMNS = tuple(field.attname for field in Tenant._meta.concrete_fields)
_FACT_COLUMNS = (
    *_KEY_COLUMNS,
    *(f"client__{name}" for name in _CLIENT_COLUMNS),
    *(f"client__tenant__{name}" for name in _TENANT_COLUMNS),
)


@dataclass(frozen=True)
class KeyFacts:
    """What an API request needs of its key: the key's own columns, its client (only the
    columns an actor needs; the rest load if asked) and its company (whole)."""

    key_id: int
    revoked_at: Any
    expires_at: Any
    last_used_at: Any
    client: ApiClient
    tenant: Tenant
    narrowed_connection: bool  # the lookup narrowed the connection to the company (RLS)


_fact_lookups: dict[str, tuple[Statement, tuple[Any, ...], int, Converters]] = {}


def _compiled_facts(
    connection: BaseDatabaseWrapper,
) -> tuple[Statement, tuple[Any, ...], int, Converters]:
    cached = _fact_lookups.get(connection.alias)
    if cached is not None:
        return cached
    queryset = (
        ApiKey.objects.using(connection.alias)
        .filter(prefix=_SENTINEL)
        .order_by()
        .values_list(*_FACT_COLUMNS)
    )
    compiler, statement, params, slot = _compile(queryset, connection)
    expressions = [column[0] for column in compiler.select[: compiler.col_count]]
    facts = (statement, params, slot, compiler.get_converters(expressions))
    _fact_lookups[connection.alias] = facts
    return facts


def key_facts(value: str) -> KeyFacts | None:
    """The facts of the stored key `value` is, compared in constant time (one query, compiled
    once per process; on PostgreSQL it also narrows the connection to the key's company);
    None for anything else."""
    if not looks_like_a_key(value):
        return None
    connection = connections[DEFAULT_DB_ALIAS]  # the connection itself, not the proxy
    statement, template, slot, converters = _compiled_facts(connection)
    params = list(template)
    params[slot] = value[:PREFIX_LENGTH]
    row = fetch(connection, statement, params, one=True)
    if not _digest_matches(row[1] if row is not None else None, value) or row is None:
        return None
    values = converted(row[: len(_FACT_COLUMNS)], converters, connection)
    key_id, _digest, revoked_at, expires_at, last_used_at = values[: len(_KEY_COLUMNS)]
    client_values = values[len(_KEY_COLUMNS) : len(_KEY_COLUMNS) + len(_CLIENT_COLUMNS)]
    tenant_values = values[len(_KEY_COLUMNS) + len(_CLIENT_COLUMNS) :]
    tenant = Tenant.from_db(connection.alias, _TENANT_COLUMNS, tenant_values)
    known = dict(zip(_CLIENT_COLUMNS, client_values, strict=True), tenant_id=tenant.pk)
    # Model.from_db takes a partial row in the model's column order.
    names = [f.attname for f in ApiClient._meta.concrete_fields if f.attname in known]
    client = ApiClient.from_db(connection.alias, names, [known[name] for name in names])
    client.tenant = tenant
    return KeyFacts(
        key_id=key_id,
        revoked_at=revoked_at,
        expires_at=expires_at,
        last_used_at=last_used_at,
        client=client,
        tenant=tenant,
        narrowed_connection=connection.vendor == "postgresql",
    )


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
    if not _digest_matches(client.secret_digest if client is not None else None, secret):
        return None
    return client
