"""An OAuth 2.0 access token's lookup in one statement: the token's own columns and, for a
client-credentials token, the API client its application belongs to with the client's
company (the OAuth bearer used to cost two statements built by the ORM per request).

Compiled by the ORM once per process and connection (kluis.operations.sql.prepare); a
token a member granted (authorization code) still finds its company connection as before.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from oauth2_provider.models import get_access_token_model

from kluis.integrations.models import ApiClient
from kluis.operations.sql import Prepared, fetch_prepared, prepare
from kluis.tenancy.models import Tenant

_MARKER = "\x00token-checksum\x00"
_TOKEN_COLUMNS = ("id", "user_id", "application_id", "expires", "scope")
_CLIENT_COLUMNS = tuple(field.attname for field in ApiClient._meta.concrete_fields)
_TENANT_COLUMNS = tuple(field.attname for field in Tenant._meta.concrete_fields)
_CLIENT = "application__api_client__"

_lookups: dict[str, Prepared] = {}


@dataclass(frozen=True)
class TokenFacts:
    token_id: int
    user_id: int | None
    application_id: int | None
    expires: dt.datetime | None
    scope: str
    client: ApiClient | None  # the application's own client (client credentials), if any

    def is_expired(self, now: dt.datetime) -> bool:
        return self.expires is None or now >= self.expires


def _compile(connection: BaseDatabaseWrapper) -> Prepared:
    cached = _lookups.get(connection.alias)
    if cached is not None:
        return cached
    queryset = (
        get_access_token_model()
        .objects.using(connection.alias)
        .filter(token_checksum=_MARKER)
        .order_by()
        .values_list(
            *_TOKEN_COLUMNS,
            *(f"{_CLIENT}{name}" for name in _CLIENT_COLUMNS),
            *(f"{_CLIENT}tenant__{name}" for name in _TENANT_COLUMNS),
        )
    )
    lookup = prepare(queryset, connection, {"checksum": _MARKER})
    _lookups[connection.alias] = lookup
    return lookup


def token_facts(checksum: str) -> TokenFacts | None:
    """The access token whose SHA-256 checksum is `checksum`, None when there is none."""
    connection = connections[DEFAULT_DB_ALIAS]
    columns = fetch_prepared(connection, _compile(connection), {"checksum": checksum})
    if columns is None:
        return None
    token_id, user_id, application_id, expires, scope = columns[: len(_TOKEN_COLUMNS)]
    rest = columns[len(_TOKEN_COLUMNS) :]
    client_values, tenant_values = rest[: len(_CLIENT_COLUMNS)], rest[len(_CLIENT_COLUMNS) :]
    client = None
    if client_values[0] is not None:  # the application has a client of its own
        client = ApiClient.from_db(connection.alias, _CLIENT_COLUMNS, client_values)
        client.tenant = Tenant.from_db(connection.alias, _TENANT_COLUMNS, tenant_values)
    return TokenFacts(token_id, user_id, application_id, expires, str(scope or ""), client)
