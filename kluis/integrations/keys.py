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
from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model, QuerySet
from django.db.models.sql.compiler import SQLCompiler

from kluis.api.principal import KEY_PREFIX_LENGTH
from kluis.integrations.models import ApiClient, ApiKey
from kluis.operations.sql import Statement, compiled, converted, fetch
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


@dataclass(frozen=True)
class _CompiledLookup:
    """The SQL of `ApiKey.objects.select_related("client__tenant").filter(prefix=...)`
    and what turns its row into the three objects, made once per process and database."""

    statement: Statement
    params: tuple[Any, ...]
    slot: int
    converters: dict[int, tuple[list[Any], Any]]
    levels: tuple[tuple[type[Model], list[int], list[str], Any, Any], ...]


_SENTINEL = "\x00prefix\x00"
_lookups: dict[str, _CompiledLookup] = {}


def _narrowing(sql: str, connection: BaseDatabaseWrapper) -> str:
    """The lookup `sql` (joined to the company table) also narrowing the connection to the
    key's company (row-level security), in the same statement; the API view and the fast
    lane widen it again after every response."""
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


def _compiled_lookup(connection: BaseDatabaseWrapper) -> _CompiledLookup:
    cached = _lookups.get(connection.alias)
    if cached is not None:
        return cached
    queryset = (
        ApiKey.objects.using(connection.alias)
        .select_related("client__tenant")
        .filter(prefix=_SENTINEL)
        .order_by()
    )
    compiler, statement, params, slot = _compile(queryset, connection)
    select = [column[0] for column in compiler.select]
    levels = []
    info: dict[str, Any] | None = compiler.klass_info
    while info is not None:
        fields = list(info["select_fields"])
        names = [select[i].target.attname for i in fields]
        levels.append(
            (info["model"], fields, names, info.get("local_setter"), info.get("remote_setter"))
        )
        related = info.get("related_klass_infos") or []
        info = related[0] if related else None
    assert [level[0] for level in levels] == [ApiKey, ApiClient, Tenant]
    lookup = _CompiledLookup(
        statement=statement,
        params=params,
        slot=slot,
        converters=compiler.get_converters(select),
        levels=tuple(levels),
    )
    _lookups[connection.alias] = lookup
    return lookup


def key_with_client(prefix: str) -> ApiKey | None:
    """The key with this prefix, its client and company loaded along (one query).

    The same query and objects as the select_related queryset it is compiled from, but
    building and compiling that queryset cost several times running it, on every API
    request; here that happens once per process."""
    lookup = _compiled_lookup(connection)
    params = list(lookup.params)
    params[lookup.slot] = prefix
    row = fetch(connection, lookup.statement, params, one=True)
    if row is None:
        return None
    values = converted(row, lookup.converters, connection)
    parent: Model | None = None
    objects: list[Model] = []
    for model, fields, names, local_setter, remote_setter in lookup.levels:
        obj = model.from_db(connection.alias, names, [values[i] for i in fields])
        if parent is not None:
            local_setter(parent, obj)
            remote_setter(obj, parent)
        objects.append(obj)
        parent = obj
    key = objects[0]
    assert isinstance(key, ApiKey)
    key.narrowed_connection = connection.vendor == "postgresql"  # type: ignore[attr-defined]
    return key


def find_key(value: str) -> ApiKey | None:
    """The stored key `value` is, compared in constant time; None for anything else."""
    if not looks_like_a_key(value):
        return None
    key = key_with_client(value[:PREFIX_LENGTH])
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


@dataclass(frozen=True)
class KeyFacts:
    """What the fast lane needs of a key, its client and its company (no model objects)."""

    key_id: int
    digest: str
    revoked_at: Any
    expires_at: Any
    last_used_at: Any
    client_scopes: tuple[str, ...]
    client_revoked_at: Any
    tenant_id: int
    tenant_active: bool


_FACT_COLUMNS = (
    "id",
    "digest",
    "revoked_at",
    "expires_at",
    "last_used_at",
    "client__scopes",
    "client__revoked_at",
    "client__tenant_id",
    "client__tenant__is_active",
)
_fact_lookups: dict[
    str, tuple[Statement, tuple[Any, ...], int, dict[int, tuple[list[Any], Any]]]
] = {}


def _compiled_facts(
    connection: BaseDatabaseWrapper,
) -> tuple[Statement, tuple[Any, ...], int, Any]:
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
    """The facts of the stored key `value` is, compared in constant time like `find_key`
    (one query; on PostgreSQL it narrows the connection to the key's company, as
    `key_with_client` does); None for anything else."""
    if not looks_like_a_key(value):
        return None
    statement, template, slot, converters = _compiled_facts(connection)
    params = list(template)
    params[slot] = value[:PREFIX_LENGTH]
    row = fetch(connection, statement, params, one=True)
    if not _digest_matches(row[1] if row is not None else None, value) or row is None:
        return None
    values = converted(row[: len(_FACT_COLUMNS)], converters, connection)
    facts = dict(zip(KeyFacts.__dataclass_fields__, values, strict=True))
    facts["client_scopes"] = tuple(facts["client_scopes"] or ())
    return KeyFacts(**facts)


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
